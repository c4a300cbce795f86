#include "booth-agent/file_queue.h"

#include <algorithm>

namespace gradcap {

FileInput FileInput::Scan(DecodedFrame frame) {
  FileInput in;
  in.kind = Kind::kScanFile;
  in.scan = std::move(frame);
  return in;
}

FileInput FileInput::Photo(PickedPhoto photo) {
  FileInput in;
  in.kind = Kind::kHotFile;
  in.photo = std::move(photo);
  return in;
}

FileStamp FileInput::stamp() const {
  return kind == Kind::kScanFile ? FileStamp{scan.modified_ns, scan.name}
                                 : FileStamp{photo.modified_ns, photo.name};
}

namespace {

// Stable: two files of the same time and name (one in each folder) keep the
// order they arrived in.
template <typename It>
void InOrderMade(It begin, It end) {
  std::stable_sort(begin, end, [](const FileInput& a, const FileInput& b) { return a.stamp() < b.stamp(); });
}

}  // namespace

void FileQueue::Add(std::vector<FileInput> arrived) {
  InOrderMade(arrived.begin(), arrived.end());
  for (FileInput& f : arrived) files_.push_back(std::move(f));
}

void FileQueue::EndBacklog() {
  InOrderMade(files_.begin(), files_.end());
  backlog_ended_ = true;
}

FileInput* FileQueue::Front() {
  if (!backlog_ended_ || files_.empty()) return nullptr;
  return &files_.front();
}

}  // namespace gradcap
