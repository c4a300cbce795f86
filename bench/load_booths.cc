#include "bench/load_booths.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "common/codes.h"
#include "common/collection_code.h"
#include "common/envelope.h"
#include "common/sha256.h"

namespace gradcap::bench {
namespace {

constexpr size_t kPhotosAhead = 64;
constexpr uint64_t kEpoch = 1;

}  // namespace

PhotoSource::PhotoSource(std::vector<std::string> photos, int jpeg_quality)
    : photos_(std::move(photos)), quality_(jpeg_quality), thread_([this] { Make(); }) {}

PhotoSource::~PhotoSource() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void PhotoSource::Make() {
  std::vector<cv::Mat> decoded;
  for (const std::string& p : photos_) {
    decoded.push_back(cv::imdecode(cv::Mat(1, static_cast<int>(p.size()), CV_8U, const_cast<char*>(p.data())),
                                   cv::IMREAD_COLOR));
  }
  for (uint32_t i = 0;; ++i) {
    cv::Mat m = decoded[i % decoded.size()].clone();
    // A few pixels of the top row carry the job number (distinct bytes, the
    // same face and backdrop as far as any check can tell).
    for (int k = 0; k < 4; ++k) {
      m.at<cv::Vec3b>(0, k) = cv::Vec3b(uint8_t(i >> (8 * k)), uint8_t(k), 7);
    }
    std::vector<uint8_t> buf;
    cv::imencode(".jpg", m, buf, {cv::IMWRITE_JPEG_QUALITY, quality_});
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] { return stop_ || ready_.size() < kPhotosAhead; });
    if (stop_) return;
    ready_.emplace_back(buf.begin(), buf.end());
    changed_.notify_all();
  }
}

std::string PhotoSource::Take() {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] { return !ready_.empty(); });
  std::string photo = std::move(ready_.front());
  ready_.pop_front();
  changed_.notify_all();
  return photo;
}

SimulatedBooths::SimulatedBooths(const std::string& endpoint, const DayShape& day, v1::CodeKey key,
                                 PhotoSource* photos, std::chrono::milliseconds period)
    : day_(day), key_(std::move(key)), photos_(photos), period_(period) {
  // Booth b takes every stride-th student of its college, starting at its own
  // offset, so no two booths scan the same student.
  const int per_college = (day.booths + day.colleges - 1) / day.colleges;
  stride_ = day.colleges * per_college;
  booths_.resize(day.booths);
  for (int b = 0; b < day.booths; ++b) {
    SocketOptions options;
    options.immediate = false;
    booths_[b].socket = std::move(MessageSocket::Create(SocketKind::kDealer, options).value());
    (void)booths_[b].socket->Connect(endpoint);
    booths_[b].next_student = CollegeOfBooth(day, b) + day.colleges * (b / day.colleges);
  }
}

void SimulatedBooths::Begin(int active) {
  // Spread the booths over one period so the load is even, as on a real floor.
  const auto now = SteadyClock::now();
  for (int b = 0; b < active; ++b) {
    booths_[b].step = 0;
    booths_[b].due = now + period_ * b / active;
    booths_[b].heartbeat_due = now + std::chrono::milliseconds(1000) * b / active;
  }
}

void SimulatedBooths::Send(int b, v1::Envelope& e, PhaseStats* stats) {
  Booth& booth = booths_[b];
  v1::BoothEvent* event = e.mutable_event();
  event->mutable_id()->set_booth(BoothName(b));
  event->mutable_id()->set_epoch(kEpoch);
  event->mutable_id()->set_seq(++booth.seq);
  booth.unacked[booth.seq] = SteadyClock::now();
  (void)booth.socket->Send({SerializeEnvelope(e)});
  ++stats->events_sent;
}

void SimulatedBooths::Step(int b, PhaseStats* stats) {
  Booth& booth = booths_[b];
  v1::Envelope e;
  if (booth.step == 0) {
    v1::CodeBody body;
    body.set_student_no(Student(booth.next_student));
    body.set_expires_at_ms(1900000000000);
    booth.next_student += stride_;
    booth.shooting_no = 0;
    e.mutable_event()->mutable_scan()->set_payload(SealCode(body, key_));
    e.mutable_event()->mutable_scan()->set_source("synthetic");
  } else if (booth.step == 1) {
    e.mutable_event()->mutable_sign()->set_shooting_no(booth.shooting_no);
  } else {
    std::string jpeg = photos_->Take();
    const std::string sha = DigestBytes(Sha256(jpeg));
    v1::Photo* photo = e.mutable_event()->mutable_photo();
    photo->set_shooting_no(booth.shooting_no);
    photo->set_sha256(sha);
    photo->set_file_name("load.jpg");
    ++stats->photos_sent;
    stats->photo_bytes += static_cast<int64_t>(jpeg.size());
    photo->set_jpeg(std::move(jpeg));
    awaiting_verdict_[sha] = SteadyClock::now();
    booth.photo_at_seq[booth.seq + 1] = sha;
  }
  if (booth.step == 0) booth.scan_seq = booth.seq + 1;
  Send(b, e, stats);
  booth.step = (booth.step + 1) % 3;
  booth.due += period_ / 3;
}

void SimulatedBooths::Heartbeat(int b) {
  Booth& booth = booths_[b];
  v1::Envelope e;
  v1::Heartbeat* h = e.mutable_heartbeat();
  h->set_booth(BoothName(b));
  h->set_epoch(kEpoch);
  h->set_outbox_depth(booth.unacked.size());
  h->set_sent_at_ms(1726880400000);
  (void)booth.socket->Send({SerializeEnvelope(e)});
  booth.heartbeat_due += std::chrono::seconds(1);
}

void SimulatedBooths::Drain(int active, int timeout_ms, bool in_time, PhaseStats* stats) {
  std::vector<MessageSocket*> sockets;
  for (int b = 0; b < active; ++b) sockets.push_back(booths_[b].socket.get());
  auto readable = MessageSocket::WaitReadable(sockets, -1, timeout_ms);
  if (!readable.ok()) return;
  for (int b = 0; b < active; ++b) {
    if (!(*readable)[b]) continue;
    Booth& booth = booths_[b];
    while (true) {
      auto frames = booth.socket->Receive(0);
      if (!frames.ok() || !frames->has_value()) break;
      const auto now = SteadyClock::now();
      v1::Envelope reply;
      if (!reply.ParseFromString((**frames).back())) continue;
      if (reply.has_ack()) {
        auto it = booth.unacked.find(reply.ack().id().seq());
        if (it == booth.unacked.end()) continue;  // a repeated ack
        stats->ack_ms.push_back(Ms(now - it->second));
        booth.unacked.erase(it);
        ++stats->acked;
        if (in_time) ++stats->acked_in_time;
        const uint64_t seq = reply.ack().id().seq();
        const v1::Outcome& outcome = reply.ack().outcome();
        if (outcome.accepted() && seq == booth.scan_seq) {
          booth.shooting_no = outcome.shooting_no();  // for the sign and the photo
        } else if (!outcome.accepted()) {
          ++stats->refused;
          ++stats->refusals[CodeName(outcome.reason())];
          // A refused photo gets no verdict.
          auto photo = booth.photo_at_seq.find(seq);
          if (photo != booth.photo_at_seq.end()) awaiting_verdict_.erase(photo->second);
        }
        booth.photo_at_seq.erase(seq);
      } else if (reply.has_verdict()) {
        auto it = awaiting_verdict_.find(reply.verdict().photo_sha256());
        if (it == awaiting_verdict_.end()) continue;
        stats->verdict_ms.push_back(Ms(now - it->second));
        awaiting_verdict_.erase(it);
        ++stats->verdicts;
        if (reply.verdict().verdict() == v1::VERDICT_PASS) ++stats->verdicts_pass;
      } else if (reply.has_resend_from()) {
        ++stats->resends;
      } else if (reply.has_error()) {
        ++stats->errors;
      }
    }
  }
}

int SimulatedBooths::Outstanding(int active) const {
  int n = static_cast<int>(awaiting_verdict_.size());
  for (int b = 0; b < active; ++b) n += static_cast<int>(booths_[b].unacked.size());
  return n;
}

}  // namespace gradcap::bench
