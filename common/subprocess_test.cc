#include "common/subprocess.h"

#include <gtest/gtest.h>

#include <chrono>

#include "common/temp_dir.h"

namespace gradcap {
namespace {

TEST(ChildProcess, AJournalLineIsReturnedOnlyOnceItIsWhole) {
  TempDir dir;
  ChildProcess child;
  // Half a line, then the rest only after we say so on its stdin.
  ASSERT_TRUE(child.Start(
      {"/bin/sh", "-c", "printf '{\"a\":' >&3; read go; printf '1}\\n{\"b\":2}\\n' >&3; cat >/dev/null"},
      dir.Sub("log"), /*stdin_pipe=*/true, /*journal_pipe=*/true));
  EXPECT_EQ(child.ReadJournalLine(200), std::nullopt);  // half a line is not a line
  ASSERT_TRUE(child.WriteLine("go"));
  EXPECT_EQ(child.ReadJournalLine(10000), "{\"a\":1}");
  EXPECT_EQ(child.ReadJournalLine(10000), "{\"b\":2}");
  child.CloseStdin();
  ASSERT_TRUE(child.Wait(10000));
  EXPECT_EQ(child.exit_status(), 0);
}

TEST(ChildProcess, AJournalClosedByTheChildEndsReadingAtOnce) {
  TempDir dir;
  ChildProcess child;
  ASSERT_TRUE(child.Start({"/bin/sh", "-c", "echo one >&3; echo two >&3; printf 'cut sho' >&3"},
                          dir.Sub("log"),
                          /*stdin_pipe=*/false, /*journal_pipe=*/true));
  EXPECT_EQ(child.ReadJournalLine(10000), "one");
  EXPECT_EQ(child.ReadJournalLine(10000), "two");
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(child.ReadJournalLine(60000), std::nullopt);  // closed: no waiting out the timeout
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
  ASSERT_TRUE(child.Wait(10000));
}

TEST(ChildProcess, OnlyAChildStartedWithAJournalHasFileDescriptorThree) {
  TempDir dir;
  ChildProcess with, without;
  ASSERT_TRUE(with.Start({"/bin/sh", "-c", "echo ok >&3"}, dir.Sub("log"), false, true));
  ASSERT_TRUE(without.Start({"/bin/sh", "-c", "echo ok >&3"}, dir.Sub("log"), false, false));
  EXPECT_EQ(with.ReadJournalLine(10000), "ok");
  ASSERT_TRUE(with.Wait(10000));
  ASSERT_TRUE(without.Wait(10000));
  EXPECT_EQ(with.exit_status(), 0);
  EXPECT_NE(without.exit_status(), 0);  // the shell could not write to fd 3
  EXPECT_EQ(without.ReadJournalLine(0), std::nullopt);
}

}  // namespace
}  // namespace gradcap
