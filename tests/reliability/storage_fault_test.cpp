// Disk trouble in the engine (docs/RELIABILITY.md, "Durability"): writes that fail (a full or
// read-only disk, injected through the Store seam) make commands fail `unavailable` with a
// clear message; nothing acknowledged is lost; failed commands leave no trace, not even in
// what subscribers saw; service resumes when the store does. The server's side of it, on a
// real full tmpfs, is tests/reliability/disk.test.mjs.
#include <chrono>
#include <map>
#include <random>
#include <thread>

#include <catch2/catch.hpp>

#include "reliability_support.h"

namespace kartiba::reliability {
namespace {

using namespace std::chrono_literals;

json view_of(Engine& e, const std::string& plan) { return json::parse(*e.view(plan).value()); }

}  // namespace

TEST_CASE("a failing store: commands are refused 503 with a clear message, then resume, and nothing acked is lost",
          "[faults]") {
  MemoryDb db;
  auto engine = open_engine(db);
  make_plan(*engine, "d", 2);
  auto ok = engine->execute_sync(request("d", "edit-item", {{"item", "it0"}, {"title", "Before"}}, {{"id", "before"}}));
  REQUIRE(ok.ok);
  const uint64_t rev = ok.revision;

  db.faults->fail = true;  // the disk is full
  auto refused = engine->execute_sync(request("d", "edit-item", {{"item", "it1"}, {"title", "During"}}, {{"id", "during"}}));
  REQUIRE_FALSE(refused.ok);
  CHECK(refused.error->code() == ErrorCode::unavailable);
  CHECK(http_status(refused.error->code()) == 503);
  CHECK_THAT(refused.error->message(), Catch::Contains("No space left on device"));
  auto again = engine->execute_sync(request("d", "edit-item", {{"item", "it1"}, {"title", "During 2"}}));
  REQUIRE_FALSE(again.ok);
  CHECK(again.error->code() == ErrorCode::unavailable);
  CHECK_THAT(again.error->message(), Catch::Contains("No space left on device"));  // still says why
  CHECK(engine->stats().storage_failed);
  CHECK(engine->revision("d") == rev);
  CHECK(view_of(*engine, "d")["items"][1]["title"] != "During");
  // The server's meta writes (tokens) fail the same way.
  auto meta = engine->put_meta("token/x", "{}");
  REQUIRE_FALSE(meta.ok());
  CHECK(meta.error().code() == ErrorCode::unavailable);
  // A plan cannot be created either, and is not half there afterwards.
  auto created = engine->create_plan(R"({"id":"during-plan","title":"x","timezone":"UTC"})", "admin");
  REQUIRE_FALSE(created.ok);
  CHECK_FALSE(engine->has_plan("during-plan"));

  db.faults->fail = false;  // space returns
  auto after = engine->execute_sync(request("d", "edit-item", {{"item", "it1"}, {"title", "After"}}, {{"id", "during"}}));
  INFO(after.to_json());
  REQUIRE(after.ok);
  CHECK_FALSE(after.duplicate);  // the refused attempt was not remembered
  CHECK(after.revision == rev + 1);
  CHECK_FALSE(engine->stats().storage_failed);
  REQUIRE(engine->create_plan(R"({"id":"during-plan","title":"x","timezone":"UTC"})", "admin").ok);
  REQUIRE(engine->put_meta("token/x", "{}").ok());

  auto log = all_events(*engine, "d");
  REQUIRE(log.size() == rev + 1);
  CHECK(log[rev - 1]->command == "before");
  CHECK(log[rev]->command == "during");
  const std::string view = *engine->view("d").value();
  engine.reset();
  auto fresh = open_engine(db);
  CHECK(*fresh->view("d").value() == view);
  CHECK(fresh->has_plan("during-plan"));
}

TEST_CASE("storage failing at random moments under load: acked commands survive once, failed ones leave no trace",
          "[faults][concurrency]") {
  MemoryDb db;
  auto engine = open_engine(db, 4);
  const std::vector<std::string> plans = {"f0", "f1"};
  for (auto& p : plans) make_plan(*engine, p, 3);
  std::map<std::string, std::shared_ptr<Recorder>> recorders;
  std::vector<std::unique_ptr<Subscription>> subs;
  for (auto& p : plans) {
    recorders[p] = std::make_shared<Recorder>();
    subs.push_back(std::move(engine->subscribe(p, std::nullopt, recorders[p]).value()));
  }

  std::mutex mu;
  std::map<std::string, CommandOutcome> outcomes;  // GUARDED_BY(mu)
  std::vector<std::string> bad;                    // GUARDED_BY(mu)
  std::atomic<int> pending{0};
  std::atomic<bool> running{true};
  std::thread chaos([&] {
    std::mt19937 rng(42);
    while (running) {
      std::this_thread::sleep_for(std::chrono::microseconds(2000 + rng() % 8000));
      db.faults->fail = true;
      std::this_thread::sleep_for(std::chrono::microseconds(rng() % 3000));
      db.faults->fail = false;
    }
  });
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      // 150 commands each, and on until the store has refused a few writes: group commit may
      // make few, large writes (slow machine, sanitizers), and a run must meet the faults.
      for (int i = 0; i < 150 || (db.faults->failures < 3 && i < 5000); ++i) {
        const std::string plan = plans[(w + i) % plans.size()];
        const std::string id = "ff" + std::to_string(w) + "-" + std::to_string(i);
        json data = i % 2 ? json{{"item", "it" + std::to_string(i % 3)}, {"title", id}} : schedule_item("n" + id, 8 + i % 9);
        pending++;
        engine->execute(request(plan, i % 2 ? "edit-item" : "schedule-item", data, {{"id", id}}), [&, id](CommandOutcome o) {
          std::lock_guard lock(mu);
          if (!o.ok && o.error->code() != ErrorCode::unavailable) bad.push_back(o.to_json());
          if (!o.ok && o.error->message().empty()) bad.push_back("a refusal without a message");
          outcomes[id] = std::move(o);
          pending--;
        });
        if (i % 10 == 0) std::this_thread::sleep_for(1ms);
      }
    });
  }
  for (auto& t : writers) t.join();
  while (pending > 0) std::this_thread::sleep_for(1ms);
  running = false;
  chaos.join();
  db.faults->fail = false;
  // The next command goes through: the store resumed.
  for (auto& p : plans) {
    auto o = engine->execute_sync(request(p, "edit-item", {{"item", "it0"}, {"title", "calm"}}, {{"id", "calm-" + p}}));
    INFO(o.to_json());
    REQUIRE(o.ok);
    std::lock_guard lock(mu);
    outcomes["calm-" + p] = o;
  }
  {
    std::lock_guard lock(mu);
    INFO(bad.size() << " unexpected outcomes, first: " << (bad.empty() ? "" : bad[0]));
    REQUIRE(bad.empty());
  }
  INFO("writes " << db.faults->writes << ", refused " << db.faults->failures);
  CHECK(db.faults->failures > 0);

  // A copy: the engine calls back (and so takes `mu`) under its plan lock; the checks below
  // call the engine, so they must not hold `mu`.
  std::map<std::string, CommandOutcome> answers;
  {
    std::lock_guard lock(mu);
    answers = outcomes;
  }
  size_t acked = 0, refused = 0;
  for (auto& [id, o] : answers)
    if (!o.ok) ++refused;
  for (auto& p : plans) {
    auto log = all_events(*engine, p);
    std::map<std::string, uint64_t> in_log;
    for (size_t i = 0; i < log.size(); ++i) {
      REQUIRE(log[i]->revision == i + 1);
      REQUIRE_FALSE(in_log.count(log[i]->command));  // every command once
      in_log[log[i]->command] = log[i]->revision;
    }
    for (auto& [id, o] : answers) {
      const bool mine = (o.ok && o.events.front()->plan == p) || (!o.ok && in_log.count(id));
      if (!mine) continue;
      INFO(id << ": " << o.to_json());
      if (o.ok) {
        ++acked;
        REQUIRE(in_log.count(id));
        CHECK(in_log[id] == o.revision);
        CHECK(log[o.revision - 1]->hash == o.events.front()->hash);
      } else {
        FAIL("a refused command is in the log");
      }
    }
    // Subscribers saw the log, and nothing of the failed batches.
    REQUIRE(engine->revision(p) == log.size());
    auto seen = recorders[p]->events();
    INFO("problems: " << recorders[p]->problems().size());
    REQUIRE(recorders[p]->problems().empty());
    REQUIRE(seen.size() == log.size() - recorders[p]->snapshot_revision());
    for (size_t i = 0; i < seen.size(); ++i) REQUIRE(seen[i].second == log[recorders[p]->snapshot_revision() + i]->hash);
    auto verify = engine->verify(p);
    REQUIRE(verify.ok());
    CHECK(verify->ok);
  }
  CHECK(acked > 0);
  CHECK(refused > 0);
  // The state in memory is the log's: a fresh engine replays to the same views.
  std::map<std::string, std::string> views;
  for (auto& p : plans) views[p] = *engine->view(p).value();
  subs.clear();
  engine.reset();
  auto fresh = open_engine(db);
  for (auto& p : plans) CHECK(*fresh->view(p).value() == views[p]);
}

}  // namespace kartiba::reliability
