#include "audit/audit.h"

#include <cstring>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/big_endian.h"
#include "common/kv_store.h"
#include "common/sha256.h"
#include "common/log_format.h"

namespace gradcap {
namespace {

struct Walk {
  v1::AuditReport report;
  absl::flat_hash_map<std::string, v1::BoothProgress> booths;

  v1::AuditReport Fail(uint64_t log_seq, std::string problem) {
    report.set_ok(false);
    report.set_first_bad_log_seq(log_seq);
    report.set_problem(std::move(problem));
    return report;
  }
};

const v1::Photo* PhotoOf(const v1::BoothEvent& event) {
  if (event.has_photo()) return &event.photo();
  if (event.has_retake()) return &event.retake();
  return nullptr;
}

// Per-booth continuity of applied events; empty string when it holds.
std::string CheckContinuity(Walk& walk, uint64_t log_seq, const v1::EventId& id) {
  v1::BoothProgress& p = walk.booths[id.booth()];
  if (p.epoch() == 0 || id.epoch() > p.epoch()) {
    if (id.seq() != 1) {
      return absl::StrCat("booth ", id.booth(), " epoch ", id.epoch(), " starts at seq ", id.seq(),
                          " instead of 1");
    }
  } else if (id.epoch() < p.epoch()) {
    return absl::StrCat("booth ", id.booth(), " goes back from epoch ", p.epoch(), " to ", id.epoch());
  } else if (id.seq() != p.last_seq() + 1) {
    return absl::StrCat("booth ", id.booth(), " epoch ", id.epoch(), " jumps from seq ", p.last_seq(),
                        " to ", id.seq(), id.seq() <= p.last_seq() ? " (applied twice)" : " (missing events)");
  }
  p.set_epoch(id.epoch());
  p.set_last_seq(id.seq());
  p.set_last_log_seq(log_seq);
  return "";
}

}  // namespace

v1::AuditReport VerifyLog(const std::string& db_dir) {
  Walk walk;
  auto store = KvStore::Open(db_dir, LogColumns(), OpenMode::kReadOnly);
  if (!store.ok()) return walk.Fail(0, absl::StrCat("cannot open the log: ", store.status().message()));

  Digest prev{};
  uint64_t expected = 1;
  absl::flat_hash_map<uint64_t, std::string> photo_at;  // log_seq → digest of accepted photos
  auto cursor = (*store)->NewCursor(kEventsColumn);
  for (cursor->SeekToFirst(); cursor->Valid(); cursor->Next(), ++expected) {
    std::optional<uint64_t> key = ReadBigEndian64(cursor->key());
    if (!key.has_value() || cursor->key().size() != 8) {
      return walk.Fail(expected, absl::StrCat("record ", expected, ": key is not an 8-byte log position"));
    }
    if (*key != expected) {
      return walk.Fail(expected, absl::StrCat("record ", expected, " is missing: the log jumps from ",
                                              expected - 1, " to ", *key));
    }
    auto opened = OpenRecord(*key, cursor->value());
    if (!opened.ok()) return walk.Fail(*key, std::string(opened.status().message()));
    const v1::LogRecord& record = opened->record;
    if (record.prev_hash().size() != prev.size() ||
        std::memcmp(record.prev_hash().data(), prev.data(), prev.size()) != 0) {
      return walk.Fail(*key, absl::StrCat("record ", *key, ": prev_hash does not link to record ",
                                          *key - 1, " (a record was replaced, removed or reordered)"));
    }
    if (record.has_applied()) {
      walk.report.set_applied(walk.report.applied() + 1);
      const v1::BoothEvent& event = record.applied().event();
      std::string broken = CheckContinuity(walk, *key, event.id());
      if (!broken.empty()) return walk.Fail(*key, absl::StrCat("record ", *key, ": ", broken));
      if (const v1::Photo* photo = PhotoOf(event)) {
        if (record.applied().outcome().accepted()) photo_at[*key] = photo->sha256();
        auto bytes = (*store)->Get(kPhotosColumn, photo->sha256());
        if (!bytes.ok() || !bytes->has_value()) {
          return walk.Fail(*key, absl::StrCat("record ", *key, ": photo ", ToHex(photo->sha256()),
                                              " is missing from the photo store"));
        }
        if (DigestBytes(Sha256(**bytes)) != photo->sha256()) {
          return walk.Fail(*key, absl::StrCat("record ", *key, ": stored photo ", ToHex(photo->sha256()),
                                              " does not hash to its key (altered)"));
        }
      }
    } else if (record.has_rejected()) {
      walk.report.set_rejected(walk.report.rejected() + 1);
    } else if (record.has_admin()) {
      walk.report.set_admin(walk.report.admin() + 1);
    } else if (record.has_validation()) {
      // A verdict must be about an accepted photo earlier in the log, and about its bytes.
      const v1::ValidationRecord& v = record.validation();
      auto photo = photo_at.find(v.photo_log_seq());
      if (photo == photo_at.end()) {
        return walk.Fail(*key, absl::StrCat("record ", *key, ": verdict for record ", v.photo_log_seq(),
                                            ", which is not an accepted photo before it"));
      }
      if (photo->second != v.result().photo_sha256()) {
        return walk.Fail(*key, absl::StrCat("record ", *key, ": verdict is about photo ",
                                            ToHex(v.result().photo_sha256()), ", not the one record ",
                                            v.photo_log_seq(), " holds"));
      }
      walk.report.set_verdicts(walk.report.verdicts() + 1);
    } else {
      return walk.Fail(*key, absl::StrCat("record ", *key, ": neither an applied event, a rejection, an administrator's change nor a verdict"));
    }
    prev = opened->hash;
    walk.report.set_records(*key);
  }
  if (absl::Status s = cursor->status(); !s.ok()) {
    return walk.Fail(expected, absl::StrCat("storage corruption after record ", expected - 1, ": ",
                                            s.message()));
  }

  const uint64_t last = expected - 1;
  auto head_value = (*store)->Get(kMetaColumn, kChainHeadKey);
  if (!head_value.ok()) return walk.Fail(last, std::string(head_value.status().message()));
  v1::ChainHead head;
  if (head_value->has_value() && !head.ParseFromString(**head_value)) {
    return walk.Fail(last, "the chain head does not parse");
  }
  if (head.log_seq() != last) {
    return walk.Fail(last + 1, absl::StrCat("the log ends at record ", last, " but the chain head names record ",
                                            head.log_seq(), head.log_seq() > last ? " (tail truncated)" : ""));
  }
  if (last > 0 && head.hash() != DigestBytes(prev)) {
    return walk.Fail(last, absl::StrCat("record ", last, ": hash differs from the chain head"));
  }

  for (const auto& [booth, walked] : walk.booths) {
    auto stored = (*store)->Get(kBoothsColumn, booth);
    v1::BoothProgress p;
    if (!stored.ok() || !stored->has_value() || !p.ParseFromString(**stored) ||
        p.epoch() != walked.epoch() || p.last_seq() != walked.last_seq()) {
      return walk.Fail(walked.last_log_seq(),
                       absl::StrCat("progress of booth ", booth, " disagrees with the log (log ends at epoch ",
                                    walked.epoch(), " seq ", walked.last_seq(), ")"));
    }
  }
  walk.report.set_ok(true);
  walk.report.set_booths(walk.booths.size());
  walk.report.set_head_hash(ToHex(prev));
  return walk.report;
}

std::string FormatAuditReport(const v1::AuditReport& report) {
  if (report.ok()) {
    return absl::StrCat(report.records(), " records (", report.applied(), " applied events, ",
                        report.rejected(), " rejections, ", report.admin(), " administrator changes, ",
                        report.verdicts(), " photo verdicts, ", report.booths(), " booths), head ",
                        report.head_hash(), "\nok");
  }
  return absl::StrCat("FAILED at record ", report.first_bad_log_seq(), ": ", report.problem());
}

}  // namespace gradcap
