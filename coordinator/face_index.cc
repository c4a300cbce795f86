#include "coordinator/face_index.h"

#include <algorithm>
#include <cmath>

#include "common/face_distance.h"

namespace gradcap {

bool FaceIndex::Put(const std::string& student_no, const std::string& model, std::string_view descriptor) {
  float values[kFaceDescriptorDims];
  if (model.empty() || !DecodeFaceDescriptor(descriptor, values)) {
    Remove(student_no);
    return false;
  }
  auto it = where_.find(student_no);
  if (it != where_.end() && it->second.model != model) {
    Remove(student_no);
    it = where_.end();
  }
  Shelf& shelf = shelves_[model];
  size_t row;
  if (it == where_.end()) {
    row = shelf.owners.size();
    shelf.owners.push_back(student_no);
    shelf.rows.resize(shelf.rows.size() + kFaceDescriptorDims);
    where_[student_no] = Slot{model, row};
  } else {
    row = it->second.row;
  }
  std::copy(values, values + kFaceDescriptorDims, shelf.rows.begin() + row * kFaceDescriptorDims);
  return true;
}

void FaceIndex::Remove(const std::string& student_no) {
  auto it = where_.find(student_no);
  if (it == where_.end()) return;
  const Slot slot = it->second;
  where_.erase(it);
  auto shelf_it = shelves_.find(slot.model);
  Shelf& shelf = shelf_it->second;
  const size_t last = shelf.owners.size() - 1;
  if (slot.row != last) {  // the last row moves into the hole
    std::copy(shelf.rows.begin() + last * kFaceDescriptorDims, shelf.rows.begin() + (last + 1) * kFaceDescriptorDims,
              shelf.rows.begin() + slot.row * kFaceDescriptorDims);
    shelf.owners[slot.row] = std::move(shelf.owners[last]);
    where_[shelf.owners[slot.row]].row = slot.row;
  }
  shelf.owners.pop_back();
  shelf.rows.resize(last * kFaceDescriptorDims);
  if (shelf.owners.empty()) shelves_.erase(shelf_it);
}

std::vector<FaceIndex::Match> FaceIndex::Within(const std::string& model, std::string_view descriptor,
                                                double max_distance, const std::string& except) const {
  std::vector<Match> out;
  float q[kFaceDescriptorDims];
  auto shelf_it = shelves_.find(model);
  if (shelf_it == shelves_.end() || model.empty() || !DecodeFaceDescriptor(descriptor, q)) return out;
  const Shelf& shelf = shelf_it->second;
  const float limit = float(max_distance * max_distance);
  constexpr int kStep = 16;
  for (size_t r = 0; r < shelf.owners.size(); ++r) {
    const float* row = shelf.rows.data() + r * kFaceDescriptorDims;
    float sum = 0;
    for (int from = 0; from < kFaceDescriptorDims && sum <= limit; from += kStep) {
      float part = 0;
      for (int i = from; i < from + kStep; ++i) {
        const float d = row[i] - q[i];
        part += d * d;
      }
      sum += part;
    }
    if (sum > limit || shelf.owners[r] == except) continue;
    out.push_back(Match{shelf.owners[r], std::sqrt(double(sum))});
  }
  std::sort(out.begin(), out.end(), [](const Match& a, const Match& b) {
    return a.distance != b.distance ? a.distance < b.distance : a.student_no < b.student_no;
  });
  return out;
}

size_t FaceIndex::bytes() const {
  size_t n = 0;
  for (const auto& [model, shelf] : shelves_) n += shelf.rows.capacity() * sizeof(float);
  return n;
}

}  // namespace gradcap
