// Subscriptions: a snapshot then live events, or every event after `from`; none missed, none
// twice, in order.
#include <mutex>
#include <thread>

#include <catch2/catch.hpp>

#include "test_support.h"

using namespace kartiba;
using namespace kartiba::test;

namespace {

class Recorder : public Subscriber {
 public:
  void on_snapshot(uint64_t revision, std::shared_ptr<const std::string> view_json) override {
    std::lock_guard lock(mu);
    snapshots.emplace_back(revision, *view_json);
  }
  void on_events(const std::vector<EventPtr>& events) override {
    std::lock_guard lock(mu);
    for (auto& e : events) revisions.push_back(e->revision);
  }
  std::vector<uint64_t> seen() {
    std::lock_guard lock(mu);
    return revisions;
  }
  std::mutex mu;
  std::vector<std::pair<uint64_t, std::string>> snapshots;
  std::vector<uint64_t> revisions;
};

std::vector<uint64_t> range(uint64_t from, uint64_t to) {
  std::vector<uint64_t> v;
  for (uint64_t r = from; r <= to; ++r) v.push_back(r);
  return v;
}

// Deliveries happen under the plan's lock, in the same step as the ack; reading the plan's
// revision takes that lock, so after it every delivery of an acknowledged command is done.
void settle(TestEngine& t) { (void)t.engine->revision("p"); }

}  // namespace

TEST_CASE("subscribe: a snapshot, then every later event once", "[subscribe]") {
  TestEngine t;
  seed(t);
  auto r = std::make_shared<Recorder>();
  auto sub = t.engine->subscribe("p", std::nullopt, r);
  REQUIRE(sub.ok());
  REQUIRE(r->snapshots.size() == 1);
  CHECK(r->snapshots[0].first == kSeedRevision);
  CHECK(json::parse(r->snapshots[0].second) == t.view("p"));
  for (int i = 0; i < 5; ++i) t.ok("p", "edit-item", {{"item", "talk"}, {"title", "T" + std::to_string(i)}});
  settle(t);
  CHECK(r->seen() == range(kSeedRevision + 1, kSeedRevision + 5));
  // A rejected command delivers nothing.
  CHECK_FALSE(t.run("p", "edit-item", {{"item", "ghost"}, {"title", "x"}}).ok);
  settle(t);
  CHECK(r->seen().size() == 5);
}

TEST_CASE("subscribe: from a revision, catch-up then live", "[subscribe]") {
  TestEngine t;
  seed(t);
  auto r = std::make_shared<Recorder>();
  auto sub = t.engine->subscribe("p", uint64_t{3}, r);
  REQUIRE(sub.ok());
  CHECK(r->snapshots.empty());
  CHECK(r->seen() == range(4, kSeedRevision));
  t.ok("p", "edit-item", {{"item", "talk"}, {"title", "x"}});
  settle(t);
  CHECK(r->seen() == range(4, kSeedRevision + 1));
  // From the current revision: nothing to catch up.
  auto r2 = std::make_shared<Recorder>();
  auto sub2 = t.engine->subscribe("p", t.revision(), r2);
  CHECK(r2->seen().empty());
}

TEST_CASE("subscribe: catch-up older than memory reads the log", "[subscribe]") {
  Options o;
  o.recent_events = 3;
  TestEngine t(o);
  seed(t);
  auto r = std::make_shared<Recorder>();
  auto sub = t.engine->subscribe("p", uint64_t{0}, r);
  REQUIRE(sub.ok());
  CHECK(r->seen() == range(1, kSeedRevision));
  t.reopen();
  auto r2 = std::make_shared<Recorder>();
  auto sub2 = t.engine->subscribe("p", uint64_t{2}, r2);
  CHECK(r2->seen() == range(3, kSeedRevision));
}

TEST_CASE("subscribe: errors and cancel", "[subscribe]") {
  TestEngine t;
  seed(t);
  auto r = std::make_shared<Recorder>();
  auto ahead = t.engine->subscribe("p", kSeedRevision + 1, r);
  REQUIRE_FALSE(ahead.ok());
  CHECK(ahead.error().code() == ErrorCode::invalid);
  CHECK(ahead.error().path() == "/from");
  CHECK(t.engine->subscribe("nope", std::nullopt, r).error().code() == ErrorCode::not_found);

  auto sub = t.engine->subscribe("p", std::nullopt, r);
  REQUIRE(sub.ok());
  t.ok("p", "edit-item", {{"item", "talk"}, {"title", "a"}});
  settle(t);
  sub.value()->cancel();
  t.ok("p", "edit-item", {{"item", "talk"}, {"title", "b"}});
  settle(t);
  CHECK(r->seen() == std::vector<uint64_t>{kSeedRevision + 1});
}

TEST_CASE("subscribe: concurrent writers, one subscriber sees every revision in order", "[subscribe][concurrency]") {
  TestEngine t;
  seed(t);
  auto r = std::make_shared<Recorder>();
  auto sub = t.engine->subscribe("p", std::nullopt, r);
  std::vector<std::thread> writers;
  for (int w = 0; w < 3; ++w)
    writers.emplace_back([&t, w] {
      for (int i = 0; i < 20; ++i)
        (void)t.engine->execute_sync({"p", "w" + std::to_string(w),
                                      json{{"type", "set-day"},
                                           {"data", {{"date", "2024-05-1" + std::to_string(5 + w)}, {"title", std::to_string(i)}}}}
                                          .dump(),
                                      false});
    });
  for (auto& th : writers) th.join();
  settle(t);
  CHECK(t.revision() == kSeedRevision + 60);
  CHECK(r->seen() == range(kSeedRevision + 1, kSeedRevision + 60));
}

TEST_CASE("subscribe: a subscription may outlive its engine", "[subscribe][regression]") {
  // Regression (found by ASan): the subscription called back into the destroyed engine
  // when it was cancelled after the engine was gone.
  TestEngine t;
  seed(t);
  auto r = std::make_shared<Recorder>();
  auto sub = t.engine->subscribe("p", std::nullopt, r);
  REQUIRE(sub.ok());
  t.close();
  sub.value()->cancel();
  sub.value()->cancel();
  CHECK(r->snapshots.size() == 1);
}
