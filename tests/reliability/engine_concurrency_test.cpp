// The engine under concurrency (docs/RELIABILITY.md, "Ordering", "Isolation between plans"):
// many threads executing commands on several plans while others read, subscribe and cancel;
// retries of one command id racing; shutdown with commands in flight. Tagged [concurrency]:
// tests/reliability/tsan.sh runs these under ThreadSanitizer.
#include <chrono>
#include <map>
#include <random>
#include <set>
#include <thread>

#include <catch2/catch.hpp>

#include "reliability_support.h"

namespace kartiba::reliability {
namespace {

using namespace std::chrono_literals;

// Waits until `pred` holds, up to 60 s.
template <class Pred>
bool eventually(Pred pred) {
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// Catch2's assertions are not thread-safe: threads note what went wrong here, and the test
// checks the list on its own thread.
struct Failures {
  std::mutex mu;
  std::vector<std::string> list;  // GUARDED_BY(mu)
  void expect(bool ok, const std::string& what) {
    if (ok) return;
    std::lock_guard lock(mu);
    list.push_back(what);
  }
  std::string all() {
    std::lock_guard lock(mu);
    std::string s;
    for (auto& x : list) s += x + "\n";
    return s;
  }
};

std::string two(int h) { return (h < 10 ? "0" : "") + std::to_string(h); }

struct Acks {
  std::mutex mu;
  std::map<std::string, CommandOutcome> by_id;  // GUARDED_BY(mu)
  std::atomic<int> pending{0};
  std::atomic<int> answered{0};
  void record(const CommandOutcome& o) {
    std::lock_guard lock(mu);
    if (o.ok && !o.duplicate) by_id[o.command_id] = o;
  }
};

// A random command on `plan` that usually succeeds: new items, edits, moves, tags.
CommandRequest random_command(std::mt19937& rng, const std::string& plan, const std::string& id) {
  std::uniform_int_distribution<int> kind(0, 5), item(0, 3), hour(7, 18), goal(1, 17);
  const std::string it = "it" + std::to_string(item(rng));
  json extra = {{"id", id}};
  switch (kind(rng)) {
    case 0: return request(plan, "schedule-item", schedule_item("n-" + id, hour(rng)), extra);
    case 1: return request(plan, "edit-item", {{"item", it}, {"title", "T " + id}}, extra);
    case 2: {
      const int h = hour(rng);
      return request(plan, "reschedule-item", {{"item", it}, {"start", {{"local", "2024-05-16T" + two(h) + ":00"}}},
                                               {"end", {{"local", "2024-05-16T" + two(h) + ":30"}}}}, extra);
    }
    case 3: return request(plan, "tag-item", {{"item", it}, {"sdgs", {goal(rng)}}}, extra);
    case 4: return request(plan, "set-day", {{"date", "2024-05-16"}, {"title", "Day " + id}}, extra);
    default: return request(plan, "edit-item", {{"item", it}, {"description", std::string(200, 'd')}}, extra);
  }
}

// Every acknowledged command is in the log with the revisions and hashes its ack named, and
// every event of the log is one of them (or the plan's setup, revisions 1..setup).
void check_log_against_acks(Engine& engine, const std::string& plan, Acks& acks, uint64_t setup) {
  auto log = all_events(engine, plan);
  for (size_t i = 0; i < log.size(); ++i) REQUIRE(log[i]->revision == i + 1);
  std::map<std::string, std::vector<uint64_t>> runs;
  for (auto& e : log) runs[e->command].push_back(e->revision);
  // A copy: the engine calls acks.record() under its plan lock, so the test must not call the
  // engine while holding acks.mu.
  std::map<std::string, CommandOutcome> acked;
  {
    std::lock_guard lock(acks.mu);
    acked = acks.by_id;
  }
  size_t acked_events = 0;
  for (auto& [id, o] : acked) {
    if (o.events.empty() || o.events.front()->plan != plan) continue;
    INFO("command " << id);
    REQUIRE(runs.count(id));
    REQUIRE(runs[id].size() == o.events.size());
    for (size_t k = 0; k < o.events.size(); ++k) {
      REQUIRE(runs[id][k] == o.events[k]->revision);
      REQUIRE(log[o.events[k]->revision - 1]->hash == o.events[k]->hash);
    }
    acked_events += o.events.size();
  }
  CHECK(acked_events + setup == log.size());
  auto verify = engine.verify(plan);
  REQUIRE(verify.ok());
  CHECK(verify->ok);
  CHECK(verify->revision == log.size());
}

// The recorder saw exactly the log after its starting point.
void check_recorder(Recorder& r, const std::vector<EventPtr>& log) {
  INFO("problems: " << [&] { std::string s; for (auto& p : r.problems()) s += p + "; "; return s; }());
  REQUIRE(r.problems().empty());
  auto seen = r.events();
  const uint64_t from = r.snapshot_revision();
  REQUIRE(seen.size() == log.size() - from);
  for (size_t i = 0; i < seen.size(); ++i) {
    REQUIRE(seen[i].first == log[from + i]->revision);
    REQUIRE(seen[i].second == log[from + i]->hash);
  }
}

}  // namespace

TEST_CASE("many threads execute commands on several plans while others read, subscribe and cancel",
          "[concurrency]") {
  MemoryDb db;
  auto engine = open_engine(db, 4, /*snapshot_every=*/64);
  const std::vector<std::string> plans = {"c0", "c1", "c2", "c3"};
  for (auto& p : plans) make_plan(*engine, p, 4);
  const uint64_t setup = 5;  // creation + 4 items

  // A subscriber per plan from the start, and one joining later with `from`.
  std::map<std::string, std::shared_ptr<Recorder>> early, late;
  std::vector<std::unique_ptr<Subscription>> subs;
  for (auto& p : plans) {
    early[p] = std::make_shared<Recorder>();
    auto s = engine->subscribe(p, std::nullopt, early[p]);
    REQUIRE(s.ok());
    subs.push_back(std::move(s.value()));
  }

  Acks acks;
  Failures failures;
  std::atomic<bool> writing{true};
  constexpr int kWriters = 6, kPerWriter = 120;
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      std::mt19937 rng(1000 + w);
      for (int i = 0; i < kPerWriter; ++i) {
        const std::string plan = plans[rng() % plans.size()];
        const std::string id = "w" + std::to_string(w) + "-" + std::to_string(i);
        auto req = random_command(rng, plan, id);
        if (i % 3 == 0) {
          auto o = engine->execute_sync(req);
          acks.record(o);
          acks.answered++;
          // A retry of the same id: the first answer again, nothing appended.
          if (o.ok && i % 9 == 0) {
            auto again = engine->execute_sync(req);
            failures.expect(again.ok && again.duplicate && again.revision == o.revision,
                            "retry of " + id + ": " + again.to_json());
          }
        } else {
          acks.pending++;
          engine->execute(req, [&acks](CommandOutcome o) {
            acks.record(o);
            acks.answered++;
            acks.pending--;
          });
        }
      }
    });
  }
  // Readers: views now and in the past, events, history, verify, the plan list.
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&, r] {
      std::mt19937 rng(77 + r);
      while (writing) {
        const std::string plan = plans[rng() % plans.size()];
        const uint64_t rev = engine->revision(plan);
        failures.expect(engine->view(plan).ok(), "view of " + plan);
        if (rev > 1) failures.expect(engine->view(plan, ViewAt{1 + rng() % rev, std::nullopt}).ok(), "past view of " + plan);
        auto evs = engine->events(plan, rng() % (rev + 1), 50);
        failures.expect(evs.ok(), "events of " + plan);
        if (evs.ok())
          for (size_t i = 1; i < evs->size(); ++i)
            failures.expect((*evs)[i]->revision == (*evs)[i - 1]->revision + 1, "a gap in events of " + plan);
        failures.expect(engine->history(plan, "en", 0, 20).ok(), "history of " + plan);
        failures.expect(engine->plans().size() == plans.size(), "plans()");
        if (rng() % 10 == 0) {
          auto vr = engine->verify(plan);
          failures.expect(vr.ok() && vr->ok, "verify of " + plan);
        }
      }
    });
  }
  // Churn: subscribe and cancel over and over; nothing may arrive after cancel() returns.
  std::vector<std::shared_ptr<Recorder>> churned;
  std::mutex churn_mu;
  threads.emplace_back([&] {
    std::mt19937 rng(5);
    while (writing) {
      const std::string plan = plans[rng() % plans.size()];
      auto rec = std::make_shared<Recorder>();
      std::optional<uint64_t> from;
      if (rng() % 2) {
        const uint64_t rev = engine->revision(plan);
        from = rev - std::min<uint64_t>(rev, rng() % 40);
        rec->start_at(*from);
      }
      auto s = engine->subscribe(plan, from, rec);
      failures.expect(s.ok(), "subscribe to " + plan);
      if (!s.ok()) continue;
      std::this_thread::sleep_for(std::chrono::microseconds(rng() % 2000));
      (*s)->cancel();
      rec->mark_cancelled();
      std::lock_guard lock(churn_mu);
      churned.push_back(rec);
    }
  });
  // Late subscribers with `from`, while the writers run.
  std::this_thread::sleep_for(20ms);
  for (auto& p : plans) {
    late[p] = std::make_shared<Recorder>();
    const uint64_t rev = engine->revision(p);
    const uint64_t from = rev > 3 ? rev - 3 : 0;
    late[p]->start_at(from);
    auto s = engine->subscribe(p, from, late[p]);
    REQUIRE(s.ok());
    subs.push_back(std::move(s.value()));
  }

  for (int w = 0; w < kWriters; ++w) threads[w].join();
  REQUIRE(eventually([&] { return acks.pending == 0; }));
  writing = false;
  for (size_t i = kWriters; i < threads.size(); ++i) threads[i].join();
  CHECK(acks.answered == kWriters * kPerWriter);
  INFO(failures.all());
  REQUIRE(failures.list.empty());

  for (auto& p : plans) {
    INFO("plan " << p);
    check_log_against_acks(*engine, p, acks, setup);
    auto log = all_events(*engine, p);
    REQUIRE(eventually([&] { return early[p]->last() == log.size() && late[p]->last() == log.size(); }));
    check_recorder(*early[p], log);
    check_recorder(*late[p], log);
  }
  for (auto& rec : churned) {
    INFO("a churned subscriber");
    auto problems = rec->problems();
    CHECK(problems.empty());
    auto seen = rec->events();
    for (size_t i = 1; i < seen.size(); ++i) CHECK(seen[i].first == seen[i - 1].first + 1);
  }
  // Global seqs are unique across plans.
  std::set<uint64_t> seqs;
  size_t total = 0;
  for (auto& p : plans)
    for (auto& e : all_events(*engine, p)) {
      seqs.insert(e->seq);
      ++total;
    }
  CHECK(seqs.size() == total);

  // A fresh engine on the same data replays every plan to the same view.
  std::map<std::string, std::string> views;
  for (auto& p : plans) views[p] = *engine->view(p).value();
  subs.clear();
  engine.reset();
  auto fresh = open_engine(db, 2);
  for (auto& p : plans) CHECK(*fresh->view(p).value() == views[p]);
}

TEST_CASE("one command id sent from many threads at once is applied exactly once", "[concurrency]") {
  MemoryDb db;
  auto engine = open_engine(db, 4);
  make_plan(*engine, "dup", 1);
  for (int round = 0; round < 20; ++round) {
    const std::string id = "same-" + std::to_string(round);
    auto req = request("dup", "edit-item", {{"item", "it0"}, {"title", "Round " + std::to_string(round)}}, {{"id", id}});
    std::vector<CommandOutcome> outcomes(8);
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        ready++;
        while (ready < 8) std::this_thread::yield();
        outcomes[t] = engine->execute_sync(req);
      });
    }
    for (auto& t : threads) t.join();
    int fresh = 0;
    for (auto& o : outcomes) {
      INFO(o.to_json());
      REQUIRE(o.ok);
      if (!o.duplicate) ++fresh;
      CHECK(o.revision == outcomes[0].revision);
      REQUIRE(o.events.size() == 1);
      CHECK(o.events[0]->hash == outcomes[0].events[0]->hash);
    }
    CHECK(fresh == 1);
  }
  auto log = all_events(*engine, "dup");
  CHECK(log.size() == 2 + 20);
}

TEST_CASE("plans are isolated: the same command ids on two plans, each applied on its own plan", "[concurrency]") {
  MemoryDb db;
  auto engine = open_engine(db, 4);
  make_plan(*engine, "left", 2);
  make_plan(*engine, "right", 2);
  std::vector<std::thread> threads;
  Failures failures;
  for (const std::string plan : {"left", "right"}) {
    threads.emplace_back([&, plan] {
      for (int i = 0; i < 100; ++i) {
        auto o = engine->execute_sync(request(plan, "edit-item", {{"item", "it" + std::to_string(i % 2)}, {"title", plan + std::to_string(i)}},
                                              {{"id", "shared-" + std::to_string(i)}}));
        failures.expect(o.ok && !o.duplicate && o.events.size() == 1 && o.events[0]->plan == plan, o.to_json());
      }
    });
  }
  for (auto& t : threads) t.join();
  INFO(failures.all());
  REQUIRE(failures.list.empty());
  for (const std::string plan : {"left", "right"}) {
    auto log = all_events(*engine, plan);
    REQUIRE(log.size() == 3 + 100);
    for (auto& e : log) CHECK(e->plan == plan);
    auto view = json::parse(*engine->view(plan).value());
    CHECK(view["items"][0]["title"].get<std::string>().rfind(plan, 0) == 0);
  }
}

TEST_CASE("shutdown with commands in flight answers every caller exactly once, and what was acked survives",
          "[concurrency]") {
  MemoryDb db;
  auto engine = open_engine(db, 4);
  make_plan(*engine, "s0", 4);
  make_plan(*engine, "s1", 4);
  Acks acks;
  Failures failures;
  std::atomic<int> sent{0};
  std::mutex answers_mu;
  std::map<std::string, int> answers;  // id → times answered
  std::atomic<bool> go{true};
  std::vector<std::thread> threads;
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([&, w] {
      std::mt19937 rng(w);
      for (int i = 0; go; ++i) {
        const std::string id = "sd" + std::to_string(w) + "-" + std::to_string(i);
        sent++;
        engine->execute(random_command(rng, w % 2 ? "s1" : "s0", id), [&, id](CommandOutcome o) {
          failures.expect(o.ok || o.error->code() == ErrorCode::unavailable, o.to_json());
          acks.record(o);
          std::lock_guard lock(answers_mu);
          answers[id]++;
        });
        if (i % 50 == 49) std::this_thread::sleep_for(1ms);
      }
    });
  }
  std::this_thread::sleep_for(30ms);
  engine->shutdown();  // concurrently with the senders
  go = false;
  for (auto& t : threads) t.join();
  REQUIRE(eventually([&] {
    std::lock_guard lock(answers_mu);
    return answers.size() == size_t(sent.load());
  }));
  {
    std::lock_guard lock(answers_mu);
    for (auto& [id, n] : answers) CHECK(n == 1);
  }
  INFO(failures.all());
  REQUIRE(failures.list.empty());
  // After shutdown every command is refused at once.
  auto late = engine->execute_sync(request("s0", "edit-item", {{"item", "it0"}, {"title", "late"}}));
  REQUIRE_FALSE(late.ok);
  CHECK(late.error->code() == ErrorCode::unavailable);
  engine.reset();

  auto again = open_engine(db, 2);
  check_log_against_acks(*again, "s0", acks, 5);
  check_log_against_acks(*again, "s1", acks, 5);
}

}  // namespace kartiba::reliability
