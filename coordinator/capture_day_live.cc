// What the capture-day state shows the live view (see capture_day.h):
// booths with their activity, alerts with their acknowledgements, and what
// changed since the view last looked. Reads the state; raises only the live
// view's own alerts.
#include <set>

#include "absl/strings/str_cat.h"
#include "coordinator/capture_day.h"

namespace gradcap {

const CaptureDay::AlertEntry* CaptureDay::FindAlert(const std::string& id) const {
  auto it = alert_index_.find(id);
  return it == alert_index_.end() ? nullptr : &alerts_[it->second];
}

v1::LiveAlert CaptureDay::ToLiveAlert(const AlertEntry& entry) {
  v1::LiveAlert out;
  out.set_id(entry.id);
  *out.mutable_alert() = entry.alert;
  out.set_raised_at_ms(entry.at_ms);
  out.set_log_seq(entry.log_seq);
  out.set_college(entry.college);
  out.set_acknowledged(entry.acknowledged);
  out.set_acknowledged_by(entry.acknowledged_by);
  out.set_acknowledged_at_ms(entry.acknowledged_at_ms);
  out.set_note(entry.note);
  return out;
}

bool CaptureDay::RaiseLiveAlert(const std::string& id, v1::Alert alert, const std::string& college, int64_t now_ms) {
  if (alert_index_.contains(id)) return false;
  AlertEntry entry;
  entry.id = id;
  entry.at_ms = now_ms;
  entry.college = college;
  entry.alert = std::move(alert);
  AddAlert(std::move(entry));
  return true;
}

std::vector<std::string> CaptureDay::Booths() const {
  std::set<std::string> booths;
  for (const auto& [booth, q] : queues_) booths.insert(booth);
  for (const auto& [booth, a] : activity_) booths.insert(booth);
  for (const std::string& booth : registry_->Booths()) booths.insert(booth);
  return std::vector<std::string>(booths.begin(), booths.end());
}

std::optional<CaptureDay::QueueHead> CaptureDay::HeadOf(const std::string& booth) const {
  auto q = queues_.find(booth);
  if (q == queues_.end() || q->second.waiting.empty()) return std::nullopt;
  const Waiting& w = q->second.waiting.front();
  return QueueHead{w.shooting_no, w.student_no, w.college, w.scanned_at_ms};
}

void CaptureDay::DescribeBoothLive(const std::string& booth, v1::BoothState* state) const {
  DescribeBooth(booth, state);
  std::set<std::string> colleges;
  for (const v1::ScheduleSlot& slot : registry_->SlotsAt(booth)) {
    if (colleges.insert(slot.college()).second) state->add_colleges(slot.college());
  }
  if (auto q = queues_.find(booth); q != queues_.end()) {
    int i = 0;
    for (const Waiting& w : q->second.waiting) {
      v1::QueueEntry* entry = state->mutable_queue(i++);
      entry->set_college(w.college);
      entry->set_scanned_at_ms(w.scanned_at_ms);
      entry->set_student_no(w.student_no);
      if (std::optional<v1::Student> s = registry_->FindStudent(w.student_no)) entry->set_name(s->name());
    }
    if (!q->second.waiting.empty()) {
      state->set_current_shooting_no(q->second.waiting.front().shooting_no);
      state->set_head_waiting_since_ms(q->second.waiting.front().scanned_at_ms);
    }
  }
  if (auto a = activity_.find(booth); a != activity_.end()) {
    for (const auto& [verdict, college] : a->second.recent) {
      *state->add_recent() = verdict;
      state->add_recent_colleges(college);
    }
    for (const auto& [hour, photos] : a->second.photos_by_hour) {
      v1::HourCount* h = state->add_photos_by_hour();
      h->set_hour_start_ms(hour);
      h->set_photos(photos);
    }
    state->set_refused_scans(a->second.refused_scans);
  }
}

CaptureDay::Changes CaptureDay::TakeChanges() {
  Changes out = std::move(changes_);
  changes_ = Changes{};
  return out;
}

}  // namespace gradcap
