#include "validator/compare_command.h"

#include <algorithm>
#include <cstdio>

#include <opencv2/imgproc.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/face_distance.h"
#include "common/file_util.h"
#include "common/json_text.h"
#include "validator/photo_input.h"

namespace gradcap::validator {

absl::StatusOr<FaceVector> DescribePhoto(std::string_view jpeg, const FaceLandmarker& landmarker,
                                         const FaceNetwork& network) {
  DecodeLimits limits;
  limits.min_side = 16;  // a face chip or a thumbnail is fine here
  auto photo = DecodePhoto(jpeg, limits);
  if (!photo.ok()) return photo.status();
  cv::Mat image = photo->bgr;
  for (;;) {
    const std::vector<Face> faces = landmarker.Find(image, std::max(400, std::max(image.cols, image.rows)));
    if (!faces.empty()) return network.Describe(image, faces.front());
    if (std::max(image.cols, image.rows) * 2 > 1200) break;
    cv::Mat larger;
    cv::resize(image, larger, {}, 2.0, 2.0, cv::INTER_CUBIC);
    image = larger;
  }
  return absl::NotFoundError(absl::StrFormat("no face found (%d × %d px)", photo->bgr.cols, photo->bgr.rows));
}

FaceComparison CompareFaces(const FaceVector& a, const FaceVector& b) {
  FaceComparison c;
  c.distance = *FaceDistance(EncodeFaceDescriptor(a.data()), EncodeFaceDescriptor(b.data()));
  if (c.distance <= kFaceSameDistance) c.same = true;
  if (c.distance > kFaceDifferentDistance) c.same = false;
  return c;
}

int RunCompare(const CompareOptions& o) {
  auto landmarker = FaceLandmarker::Load(o.landmark_model);
  if (!landmarker.ok()) {
    std::fprintf(stderr, "validator compare: %s\n", std::string(landmarker.status().message()).c_str());
    return 2;
  }
  auto network = FaceNetwork::Load(o.face_model_dir);
  if (!network.ok()) {
    std::fprintf(stderr, "validator compare: %s\n", std::string(network.status().message()).c_str());
    return 2;
  }
  FaceVector v[2];
  const std::string* files[2] = {&o.a, &o.b};
  for (int i = 0; i < 2; ++i) {
    auto bytes = ReadWholeFile(*files[i]);
    if (!bytes.ok()) {
      std::fprintf(stderr, "validator compare: cannot read %s\n", files[i]->c_str());
      return 2;
    }
    auto d = DescribePhoto(*bytes, **landmarker, **network);
    if (!d.ok()) {
      std::fprintf(stderr, "validator compare: %s: %s\n", files[i]->c_str(), std::string(d.status().message()).c_str());
      return 2;
    }
    v[i] = *d;
  }
  const FaceComparison c = CompareFaces(v[0], v[1]);
  if (o.json) {
    std::printf("{\"distance\":%.4f,\"threshold\":%.2f,\"different_above\":%.2f,\"same\":%s,\"model\":%s}\n",
                c.distance, kFaceSameDistance, kFaceDifferentDistance,
                !c.same ? "null" : (*c.same ? "true" : "false"), JsonQuote((*network)->model()).c_str());
  } else {
    std::printf("%s — %s: distance %.3f (same person ≤ %.2f, another > %.2f; %s): %s\n", o.a.c_str(), o.b.c_str(),
                c.distance, kFaceSameDistance, kFaceDifferentDistance, (*network)->model().c_str(),
                !c.same ? "undetermined — compare by eye" : (*c.same ? "same person" : "different people"));
  }
  return 0;
}

}  // namespace gradcap::validator
