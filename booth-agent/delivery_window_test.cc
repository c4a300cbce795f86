#include "booth-agent/delivery_window.h"

#include <gtest/gtest.h>

namespace gradcap {
namespace {

// Sends everything the window allows at `now`; returns the seqs sent.
std::vector<uint64_t> SendAll(DeliveryWindow& w, uint64_t last_assigned, int64_t now) {
  std::vector<uint64_t> sent;
  for (uint64_t s = w.NextToSend(last_assigned); s != 0; s = w.NextToSend(last_assigned)) {
    w.OnSent(s, now);
    sent.push_back(s);
  }
  return sent;
}

TEST(DeliveryWindow, SendsInOrderUpToTheWindow) {
  DeliveryWindow w({.max_in_flight = 3, .initial_timeout_ms = 100, .max_timeout_ms = 800});
  w.Reset(0, 0);
  EXPECT_EQ(SendAll(w, 10, 0), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_TRUE(w.OnAcked(2, 5));
  EXPECT_EQ(SendAll(w, 10, 5), (std::vector<uint64_t>{4, 5}));
}

TEST(DeliveryWindow, StartsAfterWhatTheOutboxHasAcked) {
  DeliveryWindow w;
  w.Reset(41, 0);
  EXPECT_EQ(w.NextToSend(45), 42u);
  EXPECT_EQ(w.NextToSend(41), 0u);
}

TEST(DeliveryWindow, AcksAreCumulativeAndOldAcksAreNotNews) {
  DeliveryWindow w;
  w.Reset(0, 0);
  SendAll(w, 5, 0);
  EXPECT_TRUE(w.OnAcked(4, 1));
  EXPECT_FALSE(w.OnAcked(3, 2));
  EXPECT_EQ(w.acked_through(), 4u);
  EXPECT_EQ(w.in_flight(), 1u);
}

TEST(DeliveryWindow, NoAckWithinTheTimeoutResendsFromTheOldestAndBacksOff) {
  DeliveryWindow w({.max_in_flight = 10, .initial_timeout_ms = 100, .max_timeout_ms = 400});
  w.Reset(0, 0);
  SendAll(w, 3, 0);
  EXPECT_FALSE(w.CheckTimeout(99));
  EXPECT_TRUE(w.CheckTimeout(100));
  EXPECT_EQ(w.timeout_ms(), 200);
  EXPECT_EQ(SendAll(w, 3, 100), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_FALSE(w.CheckTimeout(299));
  EXPECT_TRUE(w.CheckTimeout(300));
  EXPECT_EQ(w.timeout_ms(), 400);
  SendAll(w, 3, 300);
  EXPECT_TRUE(w.CheckTimeout(700));
  EXPECT_EQ(w.timeout_ms(), 400);  // capped
  // Progress resets the backoff.
  SendAll(w, 3, 700);
  EXPECT_TRUE(w.OnAcked(1, 710));
  EXPECT_EQ(w.timeout_ms(), 100);
}

TEST(DeliveryWindow, NothingInFlightNeverTimesOut) {
  DeliveryWindow w;
  w.Reset(5, 0);
  EXPECT_FALSE(w.CheckTimeout(1'000'000));
}

TEST(DeliveryWindow, ResendFromRewindsOnceForManyRequests) {
  DeliveryWindow w({.max_in_flight = 100, .initial_timeout_ms = 100, .max_timeout_ms = 800});
  w.Reset(0, 0);
  SendAll(w, 10, 0);  // 1..10 in flight; the coordinator lost 3
  w.OnResendFrom(3, 5);  // answered to 4
  EXPECT_EQ(w.acked_through(), 2u);
  EXPECT_EQ(SendAll(w, 10, 5), (std::vector<uint64_t>{3, 4, 5, 6, 7, 8, 9, 10}));
  const uint64_t rewinds = w.rewinds();
  for (int i = 0; i < 6; ++i) w.OnResendFrom(3, 6);  // answers to 5..10, already handled
  EXPECT_EQ(w.rewinds(), rewinds);
  EXPECT_EQ(w.NextToSend(10), 0u);
}

TEST(DeliveryWindow, ResendFromForSomethingNotYetSentChangesNothing) {
  DeliveryWindow w;
  w.Reset(0, 0);
  SendAll(w, 4, 0);
  w.OnResendFrom(5, 1);  // coordinator has 1..4: that is an ack
  EXPECT_EQ(w.acked_through(), 4u);
  EXPECT_EQ(w.rewinds(), 0u);
}

}  // namespace
}  // namespace gradcap
