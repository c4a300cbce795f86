// The live feed's publisher on its own, over inproc ZeroMQ (no kernel
// buffers: a subscriber that does not read fills its queue at once) and a
// manual clock: numbering, resuming, heartbeats, and dropping subscribers that
// cannot keep up or have gone silent — never waiting for them.
#include "coordinator/live_publisher.h"

#include <gtest/gtest.h>

#include "common/envelope.h"
#include "common/sha256.h"

namespace gradcap {
namespace {

class LivePublisherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    LiveOptions options;
    options.endpoint = "inproc://live-" + ToHex(RandomBytes(4));
    options.send_queue = 5;
    options.keep_updates = 10;
    publisher_ = std::make_unique<LivePublisher>(options, &clock_);
    ASSERT_TRUE(publisher_->Bind().ok());
  }

  std::unique_ptr<MessageSocket> Subscriber(int receive_hwm = 1000) {
    SocketOptions o;
    o.immediate = false;
    o.receive_hwm = receive_hwm;
    auto s = MessageSocket::Create(SocketKind::kDealer, o);
    EXPECT_TRUE(s.ok());
    EXPECT_TRUE((*s)->Connect(publisher_->endpoint()).ok());
    return std::move(*s);
  }
  void Subscribe(MessageSocket& s, const std::string& run, uint64_t after) {
    v1::Envelope e;
    e.mutable_live_subscribe()->set_run(run);
    e.mutable_live_subscribe()->set_after_seq(after);
    ASSERT_TRUE(s.Send({SerializeEnvelope(e)}).ok());
    // The publisher serves what is waiting: wait until it is there.
    for (int i = 0; i < 100 && publisher_->subscribers() == subscribers_; ++i) {
      (void)MessageSocket::WaitReadable({publisher_->socket()}, -1, 10);
      publisher_->ServeWaiting([] { return v1::LiveSnapshot(); });
    }
    subscribers_ = publisher_->subscribers();
  }
  std::optional<v1::Envelope> Next(MessageSocket& s, int ms = 1000) {
    auto frames = s.Receive(ms);
    if (!frames.ok() || !frames->has_value()) return std::nullopt;
    v1::Envelope e;
    EXPECT_TRUE(e.ParseFromString((**frames).back()));
    return e;
  }
  void Publish(int n) {
    for (int i = 0; i < n; ++i) {
      v1::LiveUpdate u;
      u.mutable_booth()->set_booth("B1");
      publisher_->Publish(u);
    }
  }

  ManualClock clock_{1'000'000};
  std::unique_ptr<LivePublisher> publisher_;
  size_t subscribers_ = 0;
};

TEST_F(LivePublisherTest, ASnapshotThenUpdatesNumberedFromItsSeq) {
  Publish(3);
  auto s = Subscriber();
  Subscribe(*s, "", 0);
  std::optional<v1::Envelope> snapshot = Next(*s);
  ASSERT_TRUE(snapshot && snapshot->has_live_snapshot());
  EXPECT_EQ(snapshot->live_snapshot().run(), publisher_->run());
  EXPECT_EQ(snapshot->live_snapshot().seq(), 3u);
  Publish(2);
  for (uint64_t want : {4u, 5u}) {
    std::optional<v1::Envelope> u = Next(*s);
    ASSERT_TRUE(u && u->has_live_update());
    EXPECT_EQ(u->live_update().seq(), want);
    EXPECT_EQ(u->live_update().run(), publisher_->run());
  }
}

TEST_F(LivePublisherTest, ASubscriberComingBackGetsOnlyWhatItMissedOrASnapshotWhenTooMuchIsGone) {
  Publish(4);
  auto back = Subscriber();
  Subscribe(*back, publisher_->run(), 2);  // it saw 1 and 2
  for (uint64_t want : {3u, 4u}) {
    std::optional<v1::Envelope> u = Next(*back);
    ASSERT_TRUE(u && u->has_live_update()) << "a resume sends the missed updates, not a snapshot";
    EXPECT_EQ(u->live_update().seq(), want);
  }
  Publish(20);  // only the last 10 are kept
  auto late = Subscriber();
  Subscribe(*late, publisher_->run(), 3);
  std::optional<v1::Envelope> e = Next(*late);
  ASSERT_TRUE(e && e->has_live_snapshot());
  EXPECT_EQ(e->live_snapshot().seq(), 24u);
  auto restarted = Subscriber();
  Subscribe(*restarted, "an earlier run", 24);
  e = Next(*restarted);
  ASSERT_TRUE(e && e->has_live_snapshot()) << "another run's numbers mean nothing here";
}

// Big updates (a booth's queue and recent verdicts) are kept by bytes too:
// memory stays bounded however large they are, and a subscriber that missed
// more than fits gets a snapshot.
TEST(LivePublisherBytes, KeptUpdatesAreBoundedByBytesAndALateSubscriberGetsASnapshot) {
  ASSERT_TRUE(InitCrypto().ok());
  ManualClock clock{1'000'000};
  LiveOptions options;
  options.endpoint = "inproc://live-bytes-" + ToHex(RandomBytes(4));
  options.keep_updates = 1000;
  options.keep_bytes = 10'000;
  LivePublisher publisher(options, &clock);
  ASSERT_TRUE(publisher.Bind().ok());
  for (int i = 0; i < 20; ++i) {
    v1::LiveUpdate u;
    u.mutable_booth()->set_booth("B1");
    u.mutable_booth()->add_colleges(std::string(1500, 'x'));  // ~1.5 KB each
    publisher.Publish(u);
  }
  // A new subscriber asking for the updates after `after`: what it gets first.
  auto first_after = [&](uint64_t after) -> std::optional<v1::Envelope> {
    SocketOptions o;
    o.immediate = false;
    auto s = MessageSocket::Create(SocketKind::kDealer, o);
    EXPECT_TRUE(s.ok());
    EXPECT_TRUE((*s)->Connect(publisher.endpoint()).ok());
    v1::Envelope subscribe;
    subscribe.mutable_live_subscribe()->set_run(publisher.run());
    subscribe.mutable_live_subscribe()->set_after_seq(after);
    EXPECT_TRUE((*s)->Send({SerializeEnvelope(subscribe)}).ok());
    for (int i = 0; i < 100; ++i) {
      (void)MessageSocket::WaitReadable({publisher.socket()}, -1, 10);
      publisher.ServeWaiting([] { return v1::LiveSnapshot(); });
      auto frames = (*s)->Receive(10);
      if (frames.ok() && frames->has_value()) {
        v1::Envelope e;
        EXPECT_TRUE(e.ParseFromString((**frames).back()));
        return e;
      }
    }
    return std::nullopt;
  };
  std::optional<v1::Envelope> recent = first_after(15);  // 16..20 (~7.5 KB) are kept
  ASSERT_TRUE(recent && recent->has_live_update());
  EXPECT_EQ(recent->live_update().seq(), 16u);
  std::optional<v1::Envelope> late = first_after(5);  // 6..15 went to stay under 10,000 bytes
  ASSERT_TRUE(late && late->has_live_snapshot());
  EXPECT_EQ(late->live_snapshot().seq(), 20u);
}

TEST_F(LivePublisherTest, ASubscriberThatDoesNotReadIsDroppedAndPublishingGoesOn) {
  auto reader = Subscriber();
  auto stuck = Subscriber(/*receive_hwm=*/2);
  Subscribe(*reader, "", 0);
  Subscribe(*stuck, "", 0);
  ASSERT_EQ(publisher_->subscribers(), 2u);
  ASSERT_TRUE(Next(*reader).has_value());  // its snapshot
  for (int i = 0; i < 30; ++i) {
    Publish(1);
    ASSERT_TRUE(Next(*reader).has_value()) << "the reader fell behind at " << i;
  }
  EXPECT_EQ(publisher_->subscribers(), 1u);
  EXPECT_GE(publisher_->stats().dropped, 1u);
}

TEST_F(LivePublisherTest, HeartbeatsCarryTheLastNumberAndSilentSubscribersAreDropped) {
  auto s = Subscriber();
  Subscribe(*s, "", 0);
  ASSERT_TRUE(Next(*s).has_value());
  Publish(1);
  ASSERT_TRUE(Next(*s).has_value());
  clock_.Advance(1500);
  publisher_->Tick();
  std::optional<v1::Envelope> beat = Next(*s);
  ASSERT_TRUE(beat && beat->has_live_update());
  EXPECT_TRUE(beat->live_update().heartbeat());
  EXPECT_EQ(beat->live_update().seq(), 1u);
  clock_.Advance(16'000);  // no keep-alive from it
  publisher_->Tick();
  EXPECT_EQ(publisher_->subscribers(), 0u);
}

}  // namespace
}  // namespace gradcap
