#include "booth-agent/debouncer.h"

#include <gtest/gtest.h>

namespace gradcap {
namespace {

TEST(Debouncer, ACodeHeldForManyFramesIsOneScan) {
  Debouncer d(2000);
  int scans = 0;
  for (int64_t t = 0; t <= 3000; t += 33) scans += d.Accept("code-A", t) ? 1 : 0;
  EXPECT_EQ(scans, 1);
}

TEST(Debouncer, ANewCodeRightAfterIsANewScan) {
  Debouncer d(2000);
  EXPECT_TRUE(d.Accept("code-A", 0));
  EXPECT_FALSE(d.Accept("code-A", 33));
  EXPECT_TRUE(d.Accept("code-B", 66));
  EXPECT_FALSE(d.Accept("code-A", 99));  // A still in view
}

TEST(Debouncer, TheSameCodeShownAgainAfterAGapIsANewShowing) {
  Debouncer d(2000);
  EXPECT_TRUE(d.Accept("code-A", 0));
  EXPECT_FALSE(d.Accept("code-A", 1900));
  EXPECT_TRUE(d.Accept("code-A", 1900 + 2001));
}

}  // namespace
}  // namespace gradcap
