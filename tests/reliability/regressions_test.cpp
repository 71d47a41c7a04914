// One regression test per bug the reliability suites found (docs/RELIABILITY.md, "Bugs found").
#include <chrono>
#include <thread>

#include <catch2/catch.hpp>

#include "reliability_support.h"

namespace kartiba::reliability {
namespace {

using namespace std::chrono_literals;

struct Pending {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::optional<CommandOutcome>> outcomes;
  explicit Pending(size_t n) : outcomes(n) {}
  CommandCallback slot(size_t i) {
    return [this, i](CommandOutcome o) {
      std::lock_guard lock(mu);
      outcomes[i] = std::move(o);
      cv.notify_all();
    };
  }
  CommandOutcome get(size_t i) {
    std::unique_lock lock(mu);
    REQUIRE(cv.wait_for(lock, 30s, [&] { return outcomes[i].has_value(); }));
    return *outcomes[i];
  }
};

// Holds the store's writes, sends a first command (its batch then waits in the write), queues
// `then` behind it so that they form one batch, and lets everything go. Outcome 0 is the
// first command's; with `fail`, the store refuses writes from then on.
std::shared_ptr<Pending> one_batch(Engine& engine, MemoryDb& db, const std::string& plan,
                                   std::vector<CommandRequest> then, bool fail = false) {
  auto pending = std::make_shared<Pending>(then.size() + 1);
  db.faults->hold();
  engine.execute(request(plan, "set-day", {{"date", "2024-05-17"}, {"title", "first"}}), pending->slot(0));
  for (int i = 0; i < 3000 && db.faults->waiting == 0; ++i) std::this_thread::sleep_for(1ms);
  REQUIRE(db.faults->waiting == 1);
  for (size_t i = 0; i < then.size(); ++i) engine.execute(then[i], pending->slot(i + 1));
  std::this_thread::sleep_for(20ms);  // they queue behind the busy plan
  if (fail) db.faults->fail = true;
  db.faults->release();
  return pending;
}

}  // namespace

TEST_CASE("regression: a 409 names the events in the way when they were decided in the same batch",
          "[regression][concurrency]") {
  MemoryDb db;
  auto engine = open_engine(db, 2);
  make_plan(*engine, "r", 1);
  const uint64_t base = engine->revision("r");
  auto pending = one_batch(*engine, db, "r",
                           {request("r", "edit-item", {{"item", "it0"}, {"title", "B"}}, {{"id", "b"}}),
                            request("r", "edit-item", {{"item", "it0"}, {"title", "C"}}, {{"id", "c"}, {"base", base + 1}})});
  auto b = pending->get(1);
  auto c = pending->get(2);
  REQUIRE(b.ok);
  REQUIRE(b.revision == base + 2);
  INFO(c.to_json());
  REQUIRE_FALSE(c.ok);
  REQUIRE(c.error->code() == ErrorCode::conflict);
  auto body = json::parse(c.error->to_json())["error"];
  REQUIRE(body["events"].size() == 1);
  CHECK(body["events"][0]["revision"] == b.revision);
  CHECK(body["events"][0]["hash"] == b.events[0]->hash);
  CHECK(body["events"][0]["seq"] == b.events[0]->seq);
  CHECK(body["events"][0]["seq"] != 0);
  CHECK(body["current"]["title"] == "B");
}

TEST_CASE("regression: set-pledge-status fulfilled from a stale base does not overwrite a newer progress report",
          "[regression]") {
  MemoryDb db;
  auto engine = open_engine(db, 2);
  make_plan(*engine, "r", 0);
  REQUIRE(engine->execute_sync(request("r", "make-pledge", {{"pledge", "pl"}, {"by", {{"municipality", "Ādaži"}}}, {"title", "P"}})).ok);
  const uint64_t base = engine->revision("r");
  REQUIRE(engine->execute_sync(request("r", "report-pledge-progress", {{"pledge", "pl"}, {"percent", 40}})).ok);
  auto fulfilled = engine->execute_sync(request("r", "set-pledge-status", {{"pledge", "pl"}, {"status", "fulfilled"}}, {{"base", base}}));
  INFO(fulfilled.to_json());
  REQUIRE_FALSE(fulfilled.ok);
  CHECK(fulfilled.error->code() == ErrorCode::conflict);
  CHECK(fulfilled.error->path() == "/data/status");
  CHECK(json::parse(fulfilled.error->to_json())["error"]["fields"] == json{"progress"});
  // A status that leaves progress alone still goes through from that base.
  REQUIRE(engine->execute_sync(request("r", "set-pledge-status", {{"pledge", "pl"}, {"status", "committed"}}, {{"base", base}})).ok);
}

TEST_CASE("regression: after a failed write, a repeat of a command id in the same batch is not acknowledged",
          "[regression][faults]") {
  MemoryDb db;
  auto engine = open_engine(db, 2);
  make_plan(*engine, "r", 1);
  const uint64_t before = engine->revision("r");
  auto twice = request("r", "edit-item", {{"item", "it0"}, {"title", "X"}}, {{"id", "x"}});
  auto pending = one_batch(*engine, db, "r", {twice, twice}, /*fail=*/true);
  auto first = pending->get(1);
  auto repeat = pending->get(2);
  INFO(first.to_json() << "\n" << repeat.to_json());
  CHECK_FALSE(first.ok);
  CHECK_FALSE(repeat.ok);  // it was acked "ok, duplicate" for a write that failed
  if (!repeat.ok) CHECK(repeat.error->code() == ErrorCode::unavailable);
  db.faults->fail = false;
  auto retry = engine->execute_sync(twice);
  REQUIRE(retry.ok);
  CHECK_FALSE(retry.duplicate);
  CHECK(retry.revision == before + 1);
}

TEST_CASE("regression: after a failed write, a 409 caused by a command of the failed batch is not reported",
          "[regression][faults]") {
  MemoryDb db;
  auto engine = open_engine(db, 2);
  make_plan(*engine, "r", 1);
  const uint64_t base = engine->revision("r");
  auto pending = one_batch(*engine, db, "r",
                           {request("r", "edit-item", {{"item", "it0"}, {"title", "B"}}),
                            request("r", "edit-item", {{"item", "it0"}, {"title", "C"}}, {{"base", base}})},
                           /*fail=*/true);
  auto b = pending->get(1);
  auto c = pending->get(2);
  INFO(b.to_json() << "\n" << c.to_json());
  REQUIRE_FALSE(b.ok);
  REQUIRE_FALSE(c.ok);
  // B was never written, so nothing stands in C's way: it must not be told "conflict".
  CHECK(c.error->code() == ErrorCode::unavailable);
  db.faults->fail = false;
  REQUIRE(engine->execute_sync(request("r", "edit-item", {{"item", "it0"}, {"title", "C"}}, {{"base", base}})).ok);
}

}  // namespace kartiba::reliability
