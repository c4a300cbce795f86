// The files the booth's folders have handed over — scan-folder pictures and
// hot-folder photos — waiting their turn. Files already there when the agent
// started (the start-up backlog: made while it was down) are collected whole
// and then put in the order they were made, interleaving the two folders
// (file_order.h), so each photo follows the scan it was taken after. Until
// the backlog is complete nothing is handed out; files arriving later follow
// in arrival order. Not thread-safe.
#pragma once

#include <deque>
#include <vector>

#include "booth-agent/file_order.h"
#include "booth-agent/frame_scanner.h"
#include "booth-agent/hot_folder.h"

namespace gradcap {

struct FileInput {
  enum class Kind { kScanFile, kHotFile };
  Kind kind = Kind::kScanFile;
  DecodedFrame scan;  // kScanFile
  PickedPhoto photo;  // kHotFile

  static FileInput Scan(DecodedFrame frame);
  static FileInput Photo(PickedPhoto photo);
  FileStamp stamp() const;
};

class FileQueue {
 public:
  // Files that arrived together (one poll of both folders); they join the
  // queue in the order they were made.
  void Add(std::vector<FileInput> arrived);
  // Every file of the start-up backlog has been added: order them.
  void EndBacklog();
  bool backlog_ended() const { return backlog_ended_; }
  // The file to handle next; nullptr when there is none or the backlog is
  // still coming in. Stays the same until Pop().
  FileInput* Front();
  void Pop() { files_.pop_front(); }
  bool empty() const { return files_.empty(); }

 private:
  std::deque<FileInput> files_;
  bool backlog_ended_ = false;
};

}  // namespace gradcap
