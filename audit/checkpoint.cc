#include "audit/checkpoint.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/codes.h"
#include "common/logging.h"
#include "common/signing.h"

namespace gradcap {
namespace {

constexpr char kStatementHeader[] = "gradcap checkpoint v1";
constexpr char kPublicKeyHeader[] = "gradcap checkpoint public key v1";

std::string OneLine(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

std::optional<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    int v = 0;
    for (int k = 0; k < 2; ++k) {
      const char c = hex[2 * i + k];
      const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (d < 0) return std::nullopt;
      v = v * 16 + d;
    }
    out[i] = static_cast<char>(v);
  }
  return out;
}

// The "name: value" lines of a file, comments and blank lines dropped, each
// with its line number.
struct Field {
  int line;
  std::string name, value;
};

absl::StatusOr<std::vector<Field>> Fields(std::string_view text, std::string_view file,
                                          std::string_view header) {
  std::vector<Field> fields;
  int number = 0;
  bool seen_header = false;
  for (absl::string_view line : absl::StrSplit(Sv(text), '\n')) {
    ++number;
    line = absl::StripSuffix(line, "\r");
    if (line.empty() || line[0] == '#') continue;
    if (!seen_header) {
      if (line != Sv(header)) {
        return absl::InvalidArgumentError(absl::StrCat(Sv(file), " line ", number, ": expected \"",
                                                       Sv(header), "\" (is this the right file?)"));
      }
      seen_header = true;
      continue;
    }
    const size_t colon = line.find(": ");
    if (colon == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(Sv(file), " line ", number, ": not \"name: value\""));
    }
    fields.push_back(Field{number, std::string(line.substr(0, colon)), std::string(line.substr(colon + 2))});
  }
  if (!seen_header) {
    return absl::InvalidArgumentError(absl::StrCat(Sv(file), ": empty, or no \"", Sv(header), "\" line"));
  }
  return fields;
}

// Takes the fields in exactly this order.
absl::Status Expect(const std::vector<Field>& fields, const std::vector<std::string>& names,
                    std::string_view file) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (i >= fields.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat(Sv(file), ": ends before \"", names[i], ":\" (truncated?)"));
    }
    if (fields[i].name != names[i]) {
      return absl::InvalidArgumentError(absl::StrCat(Sv(file), " line ", fields[i].line, ": expected \"",
                                                     names[i], ":\", found \"", fields[i].name, ":\""));
    }
  }
  if (fields.size() > names.size()) {
    return absl::InvalidArgumentError(absl::StrCat(Sv(file), " line ", fields[names.size()].line,
                                                   ": unexpected \"", fields[names.size()].name, "\""));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> HexField(const Field& f, size_t bytes, std::string_view file) {
  std::optional<std::string> raw = FromHex(f.value);
  if (!raw.has_value() || raw->size() != bytes) {
    return absl::InvalidArgumentError(absl::StrCat(Sv(file), " line ", f.line, ": ", f.name, " must be ",
                                                   bytes * 2, " lower-case hex digits"));
  }
  return *raw;
}

}  // namespace

std::string CheckpointStatement(const v1::Checkpoint& c) {
  return absl::StrCat(kStatementHeader, "\nlog_seq: ", c.log_seq(), "\nhead_sha256: ", ToHex(c.head_hash()),
                      "\nsigned_at_ms: ", c.signed_at_ms(), "\nreason: ", CodeName(c.reason()),
                      "\ncollege: ", OneLine(c.college()), "\nactor: ", OneLine(c.actor()),
                      "\nkey_id: ", OneLine(c.key_id()), "\n");
}

v1::Checkpoint SignCheckpoint(const v1::CheckpointKey& key, uint64_t log_seq, const Digest& head_hash,
                              int64_t now_ms, const CheckpointSubject& subject) {
  v1::Checkpoint c;
  c.set_log_seq(log_seq);
  c.set_head_hash(DigestBytes(head_hash));
  c.set_signed_at_ms(now_ms);
  c.set_reason(subject.reason);
  c.set_college(OneLine(subject.college));
  c.set_actor(OneLine(subject.actor));
  c.set_key_id(key.key_id());
  c.set_signature(Sign(CheckpointStatement(c), key.secret_key()));
  return c;
}

absl::StatusOr<v1::Checkpoint> StageCheckpointOfHead(EventLog& log, const v1::CheckpointKey& key,
                                                     int64_t now_ms, const CheckpointSubject& subject,
                                                     v1::LogRecord* staged) {
  if (log.latest_head_seq() == 0) return absl::FailedPreconditionError("the log is empty: nothing to sign");
  v1::Checkpoint c = SignCheckpoint(key, log.latest_head_seq(), log.latest_head_hash(), now_ms, subject);
  log.StageCheckpoint(c, staged);
  return c;
}

absl::Status VerifyCheckpoint(const v1::Checkpoint& c, std::string_view public_key) {
  const std::string given = SigningKeyId(public_key);
  absl::Status verified = VerifySignature(CheckpointStatement(c), c.signature(), public_key);
  if (verified.ok()) return verified;
  if (c.key_id() != given) {
    return absl::UnauthenticatedError(absl::StrCat("the checkpoint of record ", c.log_seq(),
                                                   " was signed by key ", OneLine(c.key_id()), ", not by ",
                                                   given, " (the public key given)"));
  }
  return absl::UnauthenticatedError(absl::StrCat("the checkpoint of record ", c.log_seq(),
                                                 " does not verify under key ", given,
                                                 ": its text was changed (", verified.message(), ")"));
}

std::string CheckpointFileText(const v1::Checkpoint& c, std::string_view comment) {
  std::string out;
  for (absl::string_view line : absl::StrSplit(Sv(comment), '\n', absl::SkipEmpty()))
    absl::StrAppend(&out, "# ", line, "\n");
  absl::StrAppend(&out, CheckpointStatement(c), "signature: ", ToHex(c.signature()), "\n");
  return out;
}

absl::StatusOr<v1::Checkpoint> ParseCheckpointFile(std::string_view text, std::string_view file) {
  absl::StatusOr<std::vector<Field>> fields = Fields(text, file, kStatementHeader);
  if (!fields.ok()) return fields.status();
  const std::vector<Field>& f = *fields;
  absl::Status shape = Expect(
      f, {"log_seq", "head_sha256", "signed_at_ms", "reason", "college", "actor", "key_id", "signature"},
      file);
  if (!shape.ok()) return shape;
  v1::Checkpoint c;
  uint64_t log_seq = 0;
  int64_t at = 0;
  if (!absl::SimpleAtoi(f[0].value, &log_seq) || log_seq == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(Sv(file), " line ", f[0].line, ": log_seq is not a record number"));
  }
  c.set_log_seq(log_seq);
  absl::StatusOr<std::string> head = HexField(f[1], 32, file);
  if (!head.ok()) return head.status();
  c.set_head_hash(*head);
  if (!absl::SimpleAtoi(f[2].value, &at)) {
    return absl::InvalidArgumentError(
        absl::StrCat(Sv(file), " line ", f[2].line, ": signed_at_ms is not a number"));
  }
  c.set_signed_at_ms(at);
  std::optional<v1::CheckpointReason> reason = ParseCheckpointReason(f[3].value);
  if (!reason.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Sv(file), " line ", f[3].line, ": unknown reason \"", f[3].value, "\""));
  }
  c.set_reason(*reason);
  c.set_college(f[4].value);
  c.set_actor(f[5].value);
  c.set_key_id(f[6].value);
  absl::StatusOr<std::string> signature = HexField(f[7], 64, file);
  if (!signature.ok()) return signature.status();
  c.set_signature(*signature);
  return c;
}

std::string PublicKeyFileText(const v1::CheckpointKey& key) {
  return absl::StrCat(
      "# the public half of a gradcap database's checkpoint key: it checks checkpoints, it cannot "
      "sign them\n",
      kPublicKeyHeader, "\nkey_id: ", key.key_id(), "\npublic_key: ", ToHex(key.public_key()), "\n");
}

absl::StatusOr<CheckpointPublicKey> ParsePublicKeyFile(std::string_view text, std::string_view file) {
  absl::StatusOr<std::vector<Field>> fields = Fields(text, file, kPublicKeyHeader);
  if (!fields.ok()) return fields.status();
  absl::Status shape = Expect(*fields, {"key_id", "public_key"}, file);
  if (!shape.ok()) return shape;
  absl::StatusOr<std::string> raw = HexField((*fields)[1], 32, file);
  if (!raw.ok()) return raw.status();
  CheckpointPublicKey key{(*fields)[0].value, *raw};
  if (SigningKeyId(key.public_key) != key.key_id) {
    return absl::InvalidArgumentError(absl::StrCat(Sv(file), ": key_id ", key.key_id,
                                                   " does not name this key (", SigningKeyId(key.public_key),
                                                   "): the file was edited"));
  }
  return key;
}

}  // namespace gradcap
