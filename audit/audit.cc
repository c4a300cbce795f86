#include "audit/audit.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "audit/booth_order.h"
#include "audit/checkpoint.h"
#include "common/big_endian.h"
#include "common/codes.h"
#include "common/file_util.h"
#include "common/kv_store.h"
#include "common/log_format.h"
#include "common/sha256.h"

namespace gradcap {
namespace {

struct Walk {
  v1::AuditReport report;
  BoothOrder order;
  // The key checkpoints are checked with; `trusted` when it came from outside the database.
  std::optional<CheckpointPublicKey> key;
  bool trusted = false;
  std::map<uint64_t, std::string> covered;  // record a checkpoint file covers → its hash in the log
  uint64_t last_checkpoint = 0;             // the last record an in-log checkpoint covers and matches

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

// A checkpoint in the log at `log_seq`, right after the record it covers
// (whose hash is `prev`); empty string when it holds.
std::string CheckCheckpointRecord(Walk& walk, uint64_t log_seq, const v1::Checkpoint& c, const Digest& prev) {
  if (c.log_seq() + 1 != log_seq || c.head_hash() != DigestBytes(prev)) {
    return absl::StrCat("the checkpoint signed hash ", ToHex(c.head_hash()).substr(0, 16), "… for record ",
                        c.log_seq(), ", but record ", log_seq - 1, " hashes to ", ToHex(prev).substr(0, 16),
                        "…: the log was rewritten at or before record ", log_seq - 1,
                        walk.last_checkpoint > 0 ? absl::StrCat(", after record ", walk.last_checkpoint,
                                                                " (the last checkpoint that holds)")
                                                 : "");
  }
  if (!walk.key.has_value()) {
    return "a signed checkpoint, but the database has no checkpoint key to check it with: give --public_key "
           "FILE";
  }
  if (absl::Status verified = VerifyCheckpoint(c, walk.key->public_key); !verified.ok()) {
    return std::string(verified.message());
  }
  walk.last_checkpoint = c.log_seq();
  return "";
}

// The database's own checkpoint key, if it has one.
std::optional<CheckpointPublicKey> DatabaseKey(const KvStore& store) {
  auto value = store.Get(kMetaColumn, kCheckpointKeyKey);
  v1::CheckpointKey key;
  if (!value.ok() || !value->has_value() || !key.ParseFromString(**value)) return std::nullopt;
  return CheckpointPublicKey{key.key_id(), key.public_key()};
}

// Walks the events column; returns a failed report at the first problem.
std::optional<v1::AuditReport> WalkRecords(Walk& walk, const KvStore& store, Digest& prev,
                                           uint64_t& expected) {
  absl::flat_hash_map<uint64_t, std::string> photo_at;  // log_seq → digest of accepted photos
  auto cursor = store.NewCursor(kEventsColumn);
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
      return walk.Fail(*key, absl::StrCat("record ", *key, ": prev_hash does not link to record ", *key - 1,
                                          " (a record was replaced, removed or reordered)"));
    }
    if (record.has_applied()) {
      walk.report.set_applied(walk.report.applied() + 1);
      const v1::BoothEvent& event = record.applied().event();
      std::string broken = walk.order.Next(event.id(), *key);
      if (!broken.empty()) return walk.Fail(*key, absl::StrCat("record ", *key, ": ", broken));
      if (const v1::Photo* photo = PhotoOf(event)) {
        if (record.applied().outcome().accepted()) photo_at[*key] = photo->sha256();
        auto bytes = store.Get(kPhotosColumn, photo->sha256());
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
    } else if (record.has_refusals()) {
      walk.report.set_refusal_counts(walk.report.refusal_counts() + 1);
      walk.report.set_refused_counted(walk.report.refused_counted() + record.refusals().count());
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
        return walk.Fail(
            *key, absl::StrCat("record ", *key, ": verdict is about photo ", ToHex(v.result().photo_sha256()),
                               ", not the one record ", v.photo_log_seq(), " holds"));
      }
      walk.report.set_verdicts(walk.report.verdicts() + 1);
    } else if (record.has_checkpoint()) {
      std::string broken = CheckCheckpointRecord(walk, *key, record.checkpoint(), prev);
      if (!broken.empty()) return walk.Fail(*key, absl::StrCat("record ", *key, ": ", broken));
      walk.report.set_checkpoints(walk.report.checkpoints() + 1);
    } else {
      return walk.Fail(*key, absl::StrCat("record ", *key,
                                          ": of a kind this gradcap does not know (written by a "
                                          "newer version?) — neither an applied event, a rejection, a "
                                          "count of refusals, an administrator's change, a verdict nor a "
                                          "checkpoint"));
    }
    if (auto c = walk.covered.find(*key); c != walk.covered.end()) c->second = DigestBytes(opened->hash);
    prev = opened->hash;
    walk.report.set_records(*key);
  }
  if (absl::Status s = cursor->status(); !s.ok()) {
    return walk.Fail(expected,
                     absl::StrCat("storage corruption after record ", expected - 1, ": ", s.message()));
  }
  return std::nullopt;
}

std::optional<v1::AuditReport> CheckEnd(Walk& walk, const KvStore& store, const Digest& prev, uint64_t last) {
  auto head_value = store.Get(kMetaColumn, kChainHeadKey);
  if (!head_value.ok()) return walk.Fail(last, std::string(head_value.status().message()));
  v1::ChainHead head;
  if (head_value->has_value() && !head.ParseFromString(**head_value)) {
    return walk.Fail(last, "the chain head does not parse");
  }
  if (head.log_seq() != last) {
    return walk.Fail(last + 1,
                     absl::StrCat("the log ends at record ", last, " but the chain head names record ",
                                  head.log_seq(), head.log_seq() > last ? " (tail truncated)" : ""));
  }
  if (last > 0 && head.hash() != DigestBytes(prev)) {
    return walk.Fail(last, absl::StrCat("record ", last, ": hash differs from the chain head"));
  }
  for (const auto& [booth, walked] : walk.order.booths()) {
    auto stored = store.Get(kBoothsColumn, booth);
    v1::BoothProgress p;
    if (!stored.ok() || !stored->has_value() || !p.ParseFromString(**stored) || p.epoch() != walked.epoch() ||
        p.last_seq() != walked.last_seq()) {
      return walk.Fail(walked.last_log_seq(), absl::StrCat("progress of booth ", booth,
                                                           " disagrees with the log (log ends at epoch ",
                                                           walked.epoch(), " seq ", walked.last_seq(), ")"));
    }
  }
  return std::nullopt;
}

// Holds each checkpoint file against the walked log (up to `walked`).
void CheckFiles(Walk& walk, const std::vector<std::pair<std::string, v1::Checkpoint>>& files,
                uint64_t walked) {
  uint64_t first_break = 0;
  for (const auto& [file, c] : files) {
    v1::CheckpointCheck* check = walk.report.add_checkpoint_files();
    check->set_file(file);
    check->set_log_seq(c.log_seq());
    check->set_reason(c.reason());
    check->set_college(c.college());
    check->set_key_id(c.key_id());
    std::string problem;
    if (!walk.key.has_value()) {
      problem = "no key to check its signature with: give --public_key FILE";
    } else if (absl::Status verified = VerifyCheckpoint(c, walk.key->public_key); !verified.ok()) {
      problem = std::string(verified.message());
    } else if (c.log_seq() > walked) {
      problem = absl::StrCat("the log holds ", walked, " intact records; record ", c.log_seq(),
                             " is not among them (the log was cut or breaks before it)");
    } else if (walk.covered.at(c.log_seq()) != c.head_hash()) {
      problem = absl::StrCat("the log was rewritten at or before record ", c.log_seq(),
                             ": the checkpoint signed hash ", ToHex(c.head_hash()).substr(0, 16),
                             "… for it, the log's record now hashes to ",
                             ToHex(walk.covered.at(c.log_seq())).substr(0, 16), "…");
      if (first_break == 0 || c.log_seq() < first_break) first_break = c.log_seq();
    }
    check->set_ok(problem.empty());
    check->set_problem(problem);
    if (problem.empty() && walk.trusted)
      walk.report.set_proven_through(std::max<uint32_t>(walk.report.proven_through(), c.log_seq()));
  }
  for (const v1::CheckpointCheck& check : walk.report.checkpoint_files()) {
    if (check.ok()) continue;
    if (!walk.report.ok()) break;  // the walk's own first problem stands
    walk.Fail(first_break != 0 ? first_break : check.log_seq(),
              absl::StrCat("checkpoint ", check.file(), ": ", check.problem(),
                           walk.report.proven_through() > 0 && walk.report.proven_through() < first_break
                               ? absl::StrCat(" (it still matches the checkpoint of record ",
                                              walk.report.proven_through(), ")")
                               : ""));
  }
}

}  // namespace

v1::AuditReport VerifyLog(const std::string& db_dir, const VerifyOptions& options) {
  Walk walk;
  std::vector<std::pair<std::string, v1::Checkpoint>> files;
  for (const std::string& file : options.checkpoint_files) {
    absl::StatusOr<std::string> text = ReadWholeFile(file);
    if (!text.ok())
      return walk.Fail(0, absl::StrCat("cannot read checkpoint ", file, ": ", text.status().message()));
    absl::StatusOr<v1::Checkpoint> c = ParseCheckpointFile(*text, file);
    if (!c.ok()) return walk.Fail(0, absl::StrCat("checkpoint ", c.status().message()));
    walk.covered[c->log_seq()] = "";
    files.emplace_back(file, *std::move(c));
  }
  if (!options.public_key_file.empty()) {
    absl::StatusOr<std::string> text = ReadWholeFile(options.public_key_file);
    if (!text.ok()) return walk.Fail(0, absl::StrCat("cannot read public key ", options.public_key_file));
    absl::StatusOr<CheckpointPublicKey> key = ParsePublicKeyFile(*text, options.public_key_file);
    if (!key.ok()) return walk.Fail(0, absl::StrCat("public key ", key.status().message()));
    walk.key = *key;
    walk.trusted = true;
  }
  if (absl::Status columns = CheckLogColumns(db_dir); !columns.ok()) {
    return walk.Fail(0, absl::StrCat("cannot open the log: ", columns.message()));
  }
  auto store = KvStore::Open(db_dir, LogColumns(), OpenMode::kReadOnly);
  if (!store.ok()) return walk.Fail(0, absl::StrCat("cannot open the log: ", store.status().message()));
  auto format = (*store)->Get(kMetaColumn, kLogFormatKey);
  if (!format.ok()) return walk.Fail(0, absl::StrCat("cannot open the log: ", format.status().message()));
  if (absl::Status f = CheckLogFormat(db_dir, *format); !f.ok())
    return walk.Fail(0, std::string(f.message()));
  if (!walk.key.has_value()) walk.key = DatabaseKey(**store);
  if (walk.key.has_value()) walk.report.set_checkpoint_key(walk.key->key_id);

  Digest prev{};
  uint64_t expected = 1;
  std::optional<v1::AuditReport> failed = WalkRecords(walk, **store, prev, expected);
  if (!failed.has_value()) failed = CheckEnd(walk, **store, prev, expected - 1);
  if (!failed.has_value()) {
    walk.report.set_ok(true);
    walk.report.set_booths(walk.order.booths().size());
    walk.report.set_head_hash(ToHex(prev));
  }
  CheckFiles(walk, files, walk.report.records());
  return walk.report;
}

std::string FormatAuditReport(const v1::AuditReport& report) {
  std::string out;
  if (report.ok()) {
    out = absl::StrCat(report.records(), " records (", report.applied(), " applied events, ",
                       report.rejected(), " rejections, ",
                       report.refusal_counts() > 0
                           ? absl::StrCat(report.refusal_counts(), " counts of ", report.refused_counted(),
                                          " more refused messages, ")
                           : std::string(),
                       report.admin(), " administrator changes, ",
                       report.verdicts(), " photo verdicts, ", report.checkpoints(), " signed checkpoints, ",
                       report.booths(), " booths), head ", report.head_hash());
  } else {
    out = absl::StrCat("FAILED at record ", report.first_bad_log_seq(), ": ", report.problem());
  }
  for (const v1::CheckpointCheck& c : report.checkpoint_files()) {
    absl::StrAppend(&out, "\ncheckpoint ", c.file(), " (record ", c.log_seq(), ", ", CodeName(c.reason()),
                    c.college().empty() ? "" : absl::StrCat(" ", c.college()), ", ", c.key_id(),
                    "): ", c.ok() ? "holds" : c.problem());
  }
  if (report.ok()) {
    if (report.proven_through() > 0) {
      absl::StrAppend(&out, "\nthe log is proven unchanged through record ", report.proven_through(),
                      " by the checkpoints and public key given");
    } else if (report.checkpoints() > 0) {
      absl::StrAppend(
          &out, "\nin-log checkpoints checked with the database's own key ", report.checkpoint_key(),
          "; for proof, check a handed-out checkpoint with its public key (--checkpoint, --public_key)");
    }
    absl::StrAppend(&out, "\nok");
  }
  return out;
}

}  // namespace gradcap
