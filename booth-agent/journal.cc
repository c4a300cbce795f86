#include "booth-agent/journal.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/json_text.h"
#include "common/logging.h"

namespace gradcap {

std::string JournalJson(const JournalEntry& e) {
  std::string out = absl::StrCat("{\"input\":", JsonQuote(e.input));
  if (e.input == "line") absl::StrAppend(&out, ",\"text\":", JsonQuote(e.text));
  if (!e.name.empty()) absl::StrAppend(&out, ",\"name\":", JsonQuote(e.name));
  out += ",\"seqs\":[";
  for (size_t i = 0; i < e.seqs.size(); ++i) absl::StrAppend(&out, i ? "," : "", e.seqs[i]);
  out += "]";
  if (!e.note.empty()) absl::StrAppend(&out, ",\"note\":", JsonQuote(e.note));
  return out + "}";
}

std::string VerdictJournalJson(uint64_t verdict_log_seq, uint32_t shooting_no) {
  return absl::StrCat("{\"verdict_log_seq\":", verdict_log_seq, ",\"shooting_no\":", shooting_no, "}");
}

std::string HeldJournalJson(const std::string& name) {
  return absl::StrCat("{\"held\":", JsonQuote(name), "}");
}

std::string StartedJournalJson(const std::string& booth, uint64_t epoch, uint64_t last_seq) {
  return absl::StrCat("{\"started\":", JsonQuote(booth), ",\"epoch\":", epoch, ",\"last_seq\":", last_seq,
                      "}");
}

void Journal::Write(const std::string& json) {
  if (fd_ < 0) return;
  const std::string line = json + "\n";
  size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
    } else if (n < 0 && errno == EAGAIN) {
      pollfd p{fd_, POLLOUT, 0};
      ::poll(&p, 1, 1000);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      LogWarning("booth-agent", "journal fd ", fd_, " cannot be written (", std::strerror(errno),
                 "): no more journal lines");
      fd_ = -1;
      return;
    }
  }
}

}  // namespace gradcap
