// The day's face descriptors, one per student (of their current photo once it
// is checked), for face_duplicate: is this face already bound to another
// student today? Part of the replayed state (CaptureDay::Apply puts and
// removes), so it is rebuilt from the chained log like everything else — the
// descriptors themselves live in RocksDB, in each verdict's record.
//
// Rows of one model lie in one contiguous float array; a search is a linear
// scan that gives up on a row as soon as its partial distance passes the
// limit: ~1 ms against 20,000 students (bench/face_bench).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace gradcap {

class FaceIndex {
 public:
  struct Match {
    std::string student_no;
    double distance = 0;
  };

  // Sets `student_no`'s descriptor (replacing any earlier one). A descriptor
  // that is not one (common/face_distance.h) or has no model removes it:
  // nothing can be compared with it. False in that case.
  bool Put(const std::string& student_no, const std::string& model, std::string_view descriptor);
  void Remove(const std::string& student_no);

  // Students other than `except` whose descriptor of the same `model` lies
  // within `max_distance` of `descriptor`, nearest first. Descriptors of
  // other models are never compared.
  std::vector<Match> Within(const std::string& model, std::string_view descriptor, double max_distance,
                            const std::string& except) const;

  size_t size() const { return where_.size(); }
  size_t bytes() const;  // memory the rows take

 private:
  struct Shelf {
    std::vector<float> rows;            // kFaceDescriptorDims floats a row
    std::vector<std::string> owners;    // student of each row
  };
  struct Slot {
    std::string model;
    size_t row = 0;
  };
  std::map<std::string, Shelf> shelves_;                // by model
  absl::flat_hash_map<std::string, Slot> where_;        // by student
};

}  // namespace gradcap
