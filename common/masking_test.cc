#include "common/masking.h"

#include <gtest/gtest.h>

namespace gradcap {
namespace {

TEST(Masking, NamesKeepOnlyFirstAndLastCharacter) {
  EXPECT_EQ(MaskName("张小三"), "张**三");
  EXPECT_EQ(MaskName("欧阳小明"), "欧**明");
  EXPECT_EQ(MaskName("张三"), "张*");
  EXPECT_EQ(MaskName("王"), "*");
  EXPECT_EQ(MaskName(""), "");
}

TEST(Masking, IdNumbersKeepTheLastFour) {
  EXPECT_EQ(MaskIdNo("360102199901018746"), "****8746");
  EXPECT_EQ(MaskIdNo("36010219990101874X"), "****874X");
  EXPECT_EQ(MaskIdNo("12"), "****12");
}

}  // namespace
}  // namespace gradcap
