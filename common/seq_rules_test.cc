#include "common/seq_rules.h"

#include <gtest/gtest.h>

namespace gradcap {
namespace {

TEST(SeqRules, FirstEventOfAnUnknownBoothAppliesAtSeqOne) {
  EXPECT_EQ(DecideSeq({}, 5, 1).action, SeqAction::kApply);
}

TEST(SeqRules, UnknownBoothStartingAfterOneIsAGapFromOne) {
  SeqDecision d = DecideSeq({}, 5, 3);
  EXPECT_EQ(d.action, SeqAction::kGap);
  EXPECT_EQ(d.expected_seq, 1u);
}

TEST(SeqRules, NextSeqApplies) {
  EXPECT_EQ(DecideSeq({5, 10}, 5, 11).action, SeqAction::kApply);
}

TEST(SeqRules, AlreadyAppliedSeqIsADuplicate) {
  EXPECT_EQ(DecideSeq({5, 10}, 5, 10).action, SeqAction::kDuplicate);
  EXPECT_EQ(DecideSeq({5, 10}, 5, 1).action, SeqAction::kDuplicate);
}

TEST(SeqRules, SkippedSeqIsAGapNamingTheExpectedOne) {
  SeqDecision d = DecideSeq({5, 10}, 5, 13);
  EXPECT_EQ(d.action, SeqAction::kGap);
  EXPECT_EQ(d.expected_seq, 11u);
}

TEST(SeqRules, OlderEpochIsStaleWhateverTheSeq) {
  EXPECT_EQ(DecideSeq({5, 10}, 4, 11).action, SeqAction::kStaleEpoch);
  EXPECT_EQ(DecideSeq({5, 10}, 4, 1).action, SeqAction::kStaleEpoch);
}

TEST(SeqRules, NewerEpochStartsOverAtOne) {
  EXPECT_EQ(DecideSeq({5, 10}, 6, 1).action, SeqAction::kApply);
  SeqDecision d = DecideSeq({5, 10}, 6, 11);
  EXPECT_EQ(d.action, SeqAction::kGap);
  EXPECT_EQ(d.expected_seq, 1u);
}

TEST(SeqRules, AdvanceMovesToTheAppliedEvent) {
  SeqProgress p = Advance({5, 10}, 6, 1);
  EXPECT_EQ(p.epoch, 6u);
  EXPECT_EQ(p.last_seq, 1u);
}

}  // namespace
}  // namespace gradcap
