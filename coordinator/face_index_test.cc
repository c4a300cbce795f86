// The day's face index (face_duplicate): finds every other student within a
// distance, nearest first, never compares across models, and stays right as
// photos are replaced and removed.
#include "coordinator/face_index.h"

#include <gtest/gtest.h>

#include <random>

#include "common/face_distance.h"

namespace gradcap {
namespace {

constexpr char kModel[] = "model-a";

std::string Descriptor(float base, int spike = -1, float spike_value = 0) {
  float v[kFaceDescriptorDims];
  for (int i = 0; i < kFaceDescriptorDims; ++i) v[i] = base;
  if (spike >= 0) v[spike] += spike_value;
  return EncodeFaceDescriptor(v);
}

TEST(FaceIndexTest, FindsOtherStudentsWithinTheDistanceNearestFirst) {
  FaceIndex index;
  ASSERT_TRUE(index.Put("A", kModel, Descriptor(0.1f)));
  ASSERT_TRUE(index.Put("B", kModel, Descriptor(0.1f, 3, 0.3f)));  // 0.3 from A
  ASSERT_TRUE(index.Put("C", kModel, Descriptor(0.1f, 3, 0.1f)));  // 0.1 from A
  ASSERT_TRUE(index.Put("D", kModel, Descriptor(0.1f, 5, 2.0f)));  // 2.0 from A
  const auto found = index.Within(kModel, Descriptor(0.1f), 0.45, "A");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].student_no, "C");
  EXPECT_NEAR(found[0].distance, 0.1, 1e-5);
  EXPECT_EQ(found[1].student_no, "B");
  EXPECT_NEAR(found[1].distance, 0.3, 1e-5);
  EXPECT_EQ(index.Within(kModel, Descriptor(0.1f), 0.05, "A").size(), 0u);
}

TEST(FaceIndexTest, DescriptorsOfAnotherModelOrSizeAreNeverCompared) {
  FaceIndex index;
  ASSERT_TRUE(index.Put("A", kModel, Descriptor(0.1f)));
  ASSERT_TRUE(index.Put("B", "model-b", Descriptor(0.1f)));
  EXPECT_FALSE(index.Put("C", kModel, std::string(2478, '\x01')));  // an old LBP descriptor
  EXPECT_FALSE(index.Put("D", "", Descriptor(0.1f)));               // no model named
  const auto found = index.Within(kModel, Descriptor(0.1f), 0.45, "");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].student_no, "A");
  EXPECT_TRUE(index.Within(kModel, std::string(100, 'x'), 10, "").empty());
  EXPECT_EQ(index.size(), 2u);
}

TEST(FaceIndexTest, AReplacedOrRemovedPhotoIsNoLongerFound) {
  FaceIndex index;
  for (int i = 0; i < 50; ++i) index.Put("S" + std::to_string(i), kModel, Descriptor(float(i)));
  index.Put("S7", kModel, Descriptor(100.f));  // a retake
  EXPECT_TRUE(index.Within(kModel, Descriptor(7.f), 0.5, "").empty());
  EXPECT_EQ(index.Within(kModel, Descriptor(100.f), 0.5, "")[0].student_no, "S7");
  index.Remove("S3");
  index.Remove("S3");  // twice is harmless
  index.Remove("S49");
  EXPECT_TRUE(index.Within(kModel, Descriptor(3.f), 0.5, "").empty());
  EXPECT_EQ(index.size(), 48u);
  // Every other student is still found at their own place after the moves.
  for (int i = 0; i < 49; ++i) {
    if (i == 3 || i == 7) continue;
    const auto found = index.Within(kModel, Descriptor(float(i)), 0.5, "");
    ASSERT_EQ(found.size(), 1u) << i;
    EXPECT_EQ(found[0].student_no, "S" + std::to_string(i));
  }
  index.Put("S7", "model-b", Descriptor(7.f));  // the same student under another model
  EXPECT_TRUE(index.Within(kModel, Descriptor(100.f), 0.5, "").empty());
  EXPECT_EQ(index.Within("model-b", Descriptor(7.f), 0.5, "").size(), 1u);
}

}  // namespace
}  // namespace gradcap
