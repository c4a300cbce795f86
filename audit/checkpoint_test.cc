// Checkpoint statements, files and public key files: what is signed, what a
// college holds, and every way a file can be wrong.
#include "audit/checkpoint.h"

#include <gtest/gtest.h>

#include "absl/strings/str_replace.h"
#include "common/signing.h"

namespace gradcap {
namespace {

v1::CheckpointKey MakeKey() {
  const SigningKeyPair pair = NewSigningKeyPair();
  v1::CheckpointKey key;
  key.set_key_id(SigningKeyId(pair.public_key));
  key.set_public_key(pair.public_key);
  key.set_secret_key(pair.secret_key);
  return key;
}

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    key_ = MakeKey();
    checkpoint_ = SignCheckpoint(key_, 42, Sha256("record 42"), 1726889525123,
                                 {v1::CHECKPOINT_COLLEGE_CLOSE, "信息工程学院", "wang"});
  }
  v1::CheckpointKey key_;
  v1::Checkpoint checkpoint_;
};

TEST_F(CheckpointTest, StatementIsTheEightFixedLines) {
  const std::string statement = CheckpointStatement(checkpoint_);
  EXPECT_EQ(statement,
            "gradcap checkpoint v1\nlog_seq: 42\nhead_sha256: " + ToHex(Sha256("record 42")) +
                "\nsigned_at_ms: 1726889525123\nreason: college_close\ncollege: 信息工程学院\nactor: wang\n"
                "key_id: " +
                key_.key_id() + "\n");
  v1::Checkpoint odd = SignCheckpoint(key_, 1, Sha256("x"), 1, {v1::CHECKPOINT_DAY_END, "", "a\nb"});
  EXPECT_EQ(odd.actor(), "a?b");  // a control character cannot add a line
  EXPECT_TRUE(VerifyCheckpoint(odd, key_.public_key()).ok());
}

TEST_F(CheckpointTest, FileRoundTripsAndVerifiesWithItsKeyOnly) {
  const std::string text = CheckpointFileText(checkpoint_, "信息工程学院 closed\nhead count: roster 30");
  EXPECT_EQ(text.rfind("# 信息工程学院 closed\n# head count: roster 30\ngradcap checkpoint v1\n", 0), 0u)
      << text;
  absl::StatusOr<v1::Checkpoint> back = ParseCheckpointFile(text, "c.txt");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->SerializeAsString(), checkpoint_.SerializeAsString());
  EXPECT_TRUE(VerifyCheckpoint(*back, key_.public_key()).ok());

  const v1::CheckpointKey other = MakeKey();
  absl::Status wrong = VerifyCheckpoint(*back, other.public_key());
  EXPECT_TRUE(absl::IsUnauthenticated(wrong));
  EXPECT_NE(wrong.message().find(key_.key_id()), absl::string_view::npos) << wrong;
  EXPECT_NE(wrong.message().find(other.key_id()), absl::string_view::npos) << wrong;
}

TEST_F(CheckpointTest, AnEditedFileNoLongerVerifies) {
  const std::string text =
      absl::StrReplaceAll(CheckpointFileText(checkpoint_, ""), {{"log_seq: 42", "log_seq: 41"}});
  absl::StatusOr<v1::Checkpoint> back = ParseCheckpointFile(text, "c.txt");
  ASSERT_TRUE(back.ok());
  absl::Status verified = VerifyCheckpoint(*back, key_.public_key());
  EXPECT_TRUE(absl::IsUnauthenticated(verified));
  EXPECT_NE(verified.message().find("changed"), absl::string_view::npos) << verified;
}

TEST_F(CheckpointTest, BadFilesAreRefusedNamingTheLine) {
  const std::string good = CheckpointFileText(checkpoint_, "a comment");
  struct Case {
    std::string text, message;
  };
  const std::vector<Case> cases = {
      {"", "no \"gradcap checkpoint v1\" line"},
      {"hello\n", "line 1: expected \"gradcap checkpoint v1\""},
      {good.substr(0, good.find("reason:")), "ends before \"reason:\" (truncated?)"},
      {absl::StrReplaceAll(good, {{"head_sha256: ", "head_sha256: zz"}}), "line 4: head_sha256 must be 64"},
      {absl::StrReplaceAll(good, {{"college_close", "lunch"}}), "line 6: unknown reason \"lunch\""},
      {absl::StrReplaceAll(good, {{"log_seq: 42", "log_seq: x"}}), "line 3: log_seq is not a record number"},
      {absl::StrReplaceAll(good, {{"actor:", "author:"}}), "line 8: expected \"actor:\""},
      {good + "extra: 1\n", "unexpected \"extra\""},
  };
  for (const Case& c : cases) {
    absl::StatusOr<v1::Checkpoint> parsed = ParseCheckpointFile(c.text, "c.txt");
    ASSERT_FALSE(parsed.ok()) << c.text;
    EXPECT_TRUE(absl::IsInvalidArgument(parsed.status()));
    EXPECT_NE(parsed.status().message().find(c.message), absl::string_view::npos) << parsed.status();
  }
}

TEST_F(CheckpointTest, PublicKeyFileRoundTripsAndAnEditedOneIsRefused) {
  const std::string text = PublicKeyFileText(key_);
  EXPECT_EQ(text.find(ToHex(key_.secret_key())), std::string::npos) << "the secret must never be in it";
  absl::StatusOr<CheckpointPublicKey> key = ParsePublicKeyFile(text, "k.pub");
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->public_key, key_.public_key());
  EXPECT_EQ(key->key_id, key_.key_id());
  const v1::CheckpointKey other = MakeKey();
  const std::string swapped =
      absl::StrReplaceAll(text, {{ToHex(key_.public_key()), ToHex(other.public_key())}});
  absl::StatusOr<CheckpointPublicKey> bad = ParsePublicKeyFile(swapped, "k.pub");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("does not name this key"), absl::string_view::npos) << bad.status();
  EXPECT_FALSE(ParsePublicKeyFile(CheckpointFileText(checkpoint_, ""), "k.pub").ok());
}

}  // namespace
}  // namespace gradcap
