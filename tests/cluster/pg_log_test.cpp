// The PostgreSQL log of record against a real server (TestPostgres): schema, group commit with a
// lost race, seqs in commit order, command ids, meta, tailing, and PostgreSQL going away.
#include <catch2/catch.hpp>
#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "cluster/pg_log.h"
#include "test_postgres.h"

using namespace kartiba::cluster;
using kartiba::testing::TestPostgres;

namespace {

constexpr auto kWait = std::chrono::seconds(30);

template <typename T>
T await(std::future<T>& f) {
  REQUIRE(f.wait_for(kWait) == std::future_status::ready);
  return f.get();
}

std::unique_ptr<PgLog> open_log(const TestPostgres& pg) {
  auto log = std::make_unique<PgLog>(PgLog::Options{pg.conninfo(), 3000});
  log->start();
  std::promise<std::string> ready;
  auto f = ready.get_future();
  log->when_ready(20000, [&ready](std::string error) { ready.set_value(error); });
  REQUIRE(await(f) == "");
  return log;
}

// An event whose hash is derived from its place and a tag, so that two nodes' events differ.
LogEvent event(const std::string& plan, uint64_t revision, const std::string& command, const std::string& tag) {
  LogEvent e;
  e.revision = revision;
  e.type = "ItemScheduled";
  e.command = command;
  e.at_ms = 1715760000000 + static_cast<int64_t>(revision);
  e.hash = std::string(32, '\0');
  std::string id = plan + "/" + std::to_string(revision) + "/" + tag;
  for (size_t i = 0; i < id.size(); ++i) e.hash[i % 32] = static_cast<char>(e.hash[i % 32] ^ id[i]);
  e.record = "record of " + id + " — Jūrmala";
  return e;
}

PlanAppend batch(const std::string& plan, uint64_t expected, size_t count, const std::string& command,
                 const std::string& tag, std::string expected_hash = "") {
  PlanAppend a;
  a.plan = plan;
  a.expected_revision = expected;
  a.expected_hash = std::move(expected_hash);
  for (size_t i = 1; i <= count; ++i) a.events.push_back(event(plan, expected + i, command, tag));
  a.commands.push_back({command, expected + 1, expected + count, ""});
  return a;
}

std::vector<PlanAppendResult> append(PgLog& log, std::vector<PlanAppend> plans) {
  std::promise<std::vector<PlanAppendResult>> p;
  auto f = p.get_future();
  log.append(std::move(plans), [&p](std::vector<PlanAppendResult> r) { p.set_value(std::move(r)); });
  return await(f);
}

std::vector<LogEvent> read_all(PgLog& log, const std::string& plan, uint64_t after = 0) {
  std::promise<LogResult<std::vector<LogEvent>>> p;
  auto f = p.get_future();
  log.read_events(plan, after, 100000, [&p](LogResult<std::vector<LogEvent>> r) { p.set_value(std::move(r)); });
  auto r = await(f);
  REQUIRE(r.ok());
  return *r.value;
}

std::string sql_value(const TestPostgres& pg, const std::string& sql) {
  PGconn* c = PQconnectdb(pg.conninfo().c_str());
  PGresult* r = PQexec(c, sql.c_str());
  std::string v = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) ? PQgetvalue(r, 0, 0) : PQerrorMessage(c);
  PQclear(r);
  PQfinish(c);
  return v;
}

}  // namespace

TEST_CASE("pg log: nodes starting at once make the schema once") {
  TestPostgres pg;
  std::vector<std::unique_ptr<PgLog>> logs;
  std::vector<std::future<std::string>> ready;
  std::vector<std::promise<std::string>> promises(4);
  for (int i = 0; i < 4; ++i) {
    logs.push_back(std::make_unique<PgLog>(PgLog::Options{pg.conninfo(), 3000}));
    logs.back()->start();
  }
  for (int i = 0; i < 4; ++i) {
    ready.push_back(promises[i].get_future());
    logs[i]->when_ready(20000, [&promises, i](std::string e) { promises[i].set_value(e); });
  }
  for (auto& f : ready) CHECK(await(f) == "");
  CHECK(sql_value(pg, "SELECT string_agg(version::text, ',') FROM kartiba_schema") == "1");
  CHECK(sql_value(pg, "SELECT count(*) FROM kartiba_seq") == "1");
  for (auto& l : logs) CHECK(l->status().connected);
}

TEST_CASE("pg log: a plan that lost its race does not fail the others in the group") {
  TestPostgres pg;
  auto a = open_log(pg);
  auto b = open_log(pg);
  auto first = append(*a, {batch("rīga", 0, 2, "a1", "A"), batch("cēsis", 0, 1, "a2", "A")});
  REQUIRE(first.size() == 2);
  CHECK(first[0].kind == PlanAppendResult::Kind::committed);
  CHECK(first[1].kind == PlanAppendResult::Kind::committed);
  CHECK(first[0].first_seq == 1);
  CHECK(first[1].first_seq == 3);

  // B decided rīga on revision 0 (stale: A took 1 and 2), cēsis on 1 (current), a new plan.
  auto second = append(*b, {batch("rīga", 0, 3, "b1", "B"), batch("cēsis", 1, 2, "b2", "B", event("cēsis", 1, "a2", "A").hash),
                            batch("ogre", 0, 1, "b3", "B")});
  REQUIRE(second.size() == 3);
  CHECK(second[0].kind == PlanAppendResult::Kind::revision_taken);
  CHECK(second[1].kind == PlanAppendResult::Kind::committed);
  CHECK(second[2].kind == PlanAppendResult::Kind::committed);
  CHECK(second[1].first_seq == 4);  // the lost plan took no seqs
  CHECK(second[2].first_seq == 6);

  auto riga = read_all(*b, "rīga");
  REQUIRE(riga.size() == 2);
  CHECK(riga[0].hash == event("rīga", 1, "a1", "A").hash);
  CHECK(riga[1].record == event("rīga", 2, "a1", "A").record);
  CHECK(riga[1].seq == 2);
  auto cesis = read_all(*a, "cēsis");
  REQUIRE(cesis.size() == 3);
  CHECK(cesis[2].command == "b2");
  CHECK(read_all(*a, "cēsis", 1).size() == 2);

  // Command ids: B's lost command was not recorded; the others are, cluster-wide.
  auto lookup = [&](PgLog& log, const std::string& plan, const std::string& id) {
    std::promise<LogResult<std::optional<CommandRecord>>> p;
    auto f = p.get_future();
    log.find_command(plan, id, [&p](auto r) { p.set_value(std::move(r)); });
    auto r = await(f);
    REQUIRE(r.ok());
    return *r.value;
  };
  CHECK_FALSE(lookup(*a, "rīga", "b1").has_value());
  auto b2 = lookup(*a, "cēsis", "b2");
  REQUIRE(b2.has_value());
  CHECK(b2->first_revision == 2);
  CHECK(b2->last_revision == 3);

  std::promise<LogResult<std::vector<std::pair<std::string, uint64_t>>>> hp;
  auto hf = hp.get_future();
  a->heads([&hp](auto r) { hp.set_value(std::move(r)); });
  auto heads = await(hf);
  REQUIRE(heads.ok());
  std::map<std::string, uint64_t> by_plan(heads.value->begin(), heads.value->end());
  CHECK(by_plan == std::map<std::string, uint64_t>{{"cēsis", 3}, {"ogre", 1}, {"rīga", 2}});
}

// Marten issue 3321: with a sequence, seq 12 can commit before seq 11, and a reader that keeps a
// "last seq seen" skips 11 forever. Here a reader does exactly that while two nodes race, and
// must still see every event.
TEST_CASE("pg log: seqs become visible in commit order; tailing by revision misses nothing") {
  TestPostgres pg;
  auto a = open_log(pg);
  auto b = open_log(pg);
  auto tail = open_log(pg);
  const std::vector<std::string> plans = {"p1", "p2", "p3", "p4"};
  constexpr int kRounds = 60;

  // The tailer: woken by NOTIFY, reads each plan from its own revision cursor.
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, uint64_t> wanted;  // plan → highest revision announced
  bool resync = false;
  tail->set_tail_listener([&](const std::string& plan, uint64_t revision) {
    std::lock_guard lock(mu);
    if (plan.empty()) resync = true;
    else wanted[plan] = std::max(wanted[plan], revision);
    cv.notify_all();
  });
  // (listener set after start: the resync from the first connection may be missed; the
  // notifications of the appends below are what this test waits on)

  std::atomic<bool> appending{true};
  std::vector<uint64_t> seen_by_seq;  // the naive reader's log
  std::thread seq_reader([&] {
    PGconn* c = PQconnectdb(pg.conninfo().c_str());
    int64_t last = 0;
    auto read_more = [&] {
      std::string q = "SELECT seq FROM kartiba_events WHERE seq > " + std::to_string(last) + " ORDER BY seq";
      PGresult* r = PQexec(c, q.c_str());
      for (int i = 0; i < PQntuples(r); ++i) {
        int64_t s = std::strtoll(PQgetvalue(r, i, 0), nullptr, 10);
        seen_by_seq.push_back(static_cast<uint64_t>(s));
        last = s;
      }
      PQclear(r);
    };
    while (appending) read_more();
    read_more();
    PQfinish(c);
  });

  auto writer = [&](PgLog& log, const std::string& tag) {
    std::map<std::string, std::pair<uint64_t, std::string>> head;  // revision, hash
    for (int round = 0; round < kRounds; ++round) {
      std::vector<PlanAppend> group;
      for (const auto& p : plans)
        group.push_back(batch(p, head[p].first, 1 + round % 3, tag + std::to_string(round) + p, tag, head[p].second));
      auto results = append(log, group);
      for (size_t i = 0; i < plans.size(); ++i) {
        if (results[i].kind == PlanAppendResult::Kind::committed) {
          head[plans[i]] = {group[i].events.back().revision, group[i].events.back().hash};
        } else {
          REQUIRE(results[i].kind == PlanAppendResult::Kind::revision_taken);
          auto events = read_all(log, plans[i]);  // catch up, decide again next round
          head[plans[i]] = {events.back().revision, events.back().hash};
        }
      }
    }
  };
  std::thread ta([&] { writer(*a, "A"); });
  std::thread tb([&] { writer(*b, "B"); });
  ta.join();
  tb.join();
  appending = false;
  seq_reader.join();

  // Every plan dense from 1, every seq unique, and the naive seq reader saw all of them.
  std::set<uint64_t> all_seqs;
  size_t total = 0;
  for (const auto& p : plans) {
    auto events = read_all(*a, p);
    for (size_t i = 0; i < events.size(); ++i) {
      REQUIRE(events[i].revision == i + 1);
      if (i > 0) CHECK(events[i].seq > events[i - 1].seq);
      all_seqs.insert(events[i].seq);
    }
    total += events.size();
    std::unique_lock lock(mu);
    CHECK(cv.wait_for(lock, kWait, [&] { return wanted[p] == events.size(); }));
  }
  CHECK(all_seqs.size() == total);
  CHECK(seen_by_seq.size() == total);
  CHECK(std::set<uint64_t>(seen_by_seq.begin(), seen_by_seq.end()) == all_seqs);
  CHECK(a->status().revision_taken + b->status().revision_taken > 0);  // they did race
}

TEST_CASE("pg log: meta is cluster-wide, claimed once, and changes are announced") {
  TestPostgres pg;
  auto a = open_log(pg);
  auto b = open_log(pg);
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> changed;
  b->set_meta_listener([&](const std::string& key) {
    std::lock_guard lock(mu);
    changed.push_back(key);
    cv.notify_all();
  });
  auto put = [](PgLog& log, std::string k, std::string v) {
    std::promise<std::string> p;
    auto f = p.get_future();
    log.put_meta(k, v, [&p](std::string e) { p.set_value(e); });
    return await(f);
  };
  auto get = [](PgLog& log, std::string k) {
    std::promise<LogResult<std::optional<std::string>>> p;
    auto f = p.get_future();
    log.get_meta(k, [&p](auto r) { p.set_value(std::move(r)); });
    auto r = await(f);
    REQUIRE(r.ok());
    return *r.value;
  };
  const std::string binary("\x00\x01 Ņ\xff", 6);
  CHECK(put(*a, "token/t1", binary) == "");
  CHECK(put(*a, "token/t2", "two") == "");
  CHECK(put(*a, "other", "x") == "");
  CHECK(get(*b, "token/t1") == std::optional<std::string>(binary));
  {
    std::unique_lock lock(mu);
    CHECK(cv.wait_for(lock, kWait, [&] {
      return std::find(changed.begin(), changed.end(), "token/t2") != changed.end();
    }));
  }
  std::promise<LogResult<std::vector<std::pair<std::string, std::string>>>> lp;
  auto lf = lp.get_future();
  b->list_meta("token/", [&lp](auto r) { lp.set_value(std::move(r)); });
  auto listed = await(lf);
  REQUIRE(listed.ok());
  REQUIRE(listed.value->size() == 2);
  CHECK((*listed.value)[1] == std::pair<std::string, std::string>("token/t2", "two"));

  std::promise<std::string> dp;
  auto df = dp.get_future();
  b->delete_meta("token/t1", [&dp](std::string e) { dp.set_value(e); });
  CHECK(await(df) == "");
  CHECK_FALSE(get(*a, "token/t1").has_value());

  auto claim = [](PgLog& log) {
    std::promise<LogResult<bool>> p;
    auto f = p.get_future();
    log.claim_meta("demo/loaded", "yes", [&p](auto r) { p.set_value(std::move(r)); });
    auto r = await(f);
    REQUIRE(r.ok());
    return *r.value;
  };
  CHECK(claim(*a));
  CHECK_FALSE(claim(*b));
  CHECK_FALSE(claim(*a));
}

TEST_CASE("pg log: PostgreSQL stopped — appends refused, nothing half-written; back — appends go on") {
  TestPostgres pg;
  auto log = open_log(pg);
  REQUIRE(append(*log, {batch("liepāja", 0, 1, "c1", "A")})[0].kind == PlanAppendResult::Kind::committed);

  pg.stop();
  auto refused = append(*log, {batch("liepāja", 1, 1, "c2", "A", event("liepāja", 1, "c1", "A").hash)});
  CHECK(refused[0].kind != PlanAppendResult::Kind::committed);
  CHECK_FALSE(log->status().connected);

  pg.start();
  // The node reconnects by itself (with backoff); appends work again once it has.
  auto deadline = std::chrono::steady_clock::now() + kWait;
  while (!log->status().connected && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE(log->status().connected);
  auto again = append(*log, {batch("liepāja", 1, 1, "c3", "A", event("liepāja", 1, "c1", "A").hash)});
  CHECK(again[0].kind == PlanAppendResult::Kind::committed);
  auto events = read_all(*log, "liepāja");
  REQUIRE(events.size() == 2);
  CHECK(events[1].command == "c3");  // c2 never went in
}

namespace {

// An engine stand-in: takes events only in order from its revision + 1, as the engine does.
class FakeSink : public TailSink {
 public:
  void ingest(const std::string& plan, std::vector<LogEvent> events, std::vector<CommandRecord> commands,
              std::function<void(std::string)> done) override {
    std::string error;
    {
      std::lock_guard lock(mu);
      auto& have = plans[plan];
      for (auto& e : events) {
        if (e.revision <= have.size()) continue;  // already had it
        if (e.revision != have.size() + 1) { error = "gap"; break; }
        have.push_back(std::move(e));
      }
      for (auto& c : commands) this->commands[plan + "/" + c.id] = c;
      ++calls;
    }
    cv.notify_all();
    done(error);
  }
  uint64_t known_revision(const std::string& plan) override {
    std::lock_guard lock(mu);
    auto it = plans.find(plan);
    return it == plans.end() ? 0 : it->second.size();
  }
  bool wait_for(const std::string& plan, size_t revision) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, kWait, [&] { return plans[plan].size() >= revision; });
  }

  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, std::vector<LogEvent>> plans;
  std::map<std::string, CommandRecord> commands;
  size_t calls = 0;
};

}  // namespace

TEST_CASE("pg log: a node catches up from nothing, then tails what others commit") {
  TestPostgres pg;
  auto a = open_log(pg);
  // 20,000 events of one plan (pages of 8,192), 3 of another, in commands of 50 events.
  std::string hash;
  for (uint64_t rev = 0; rev < 20000; rev += 50) {
    auto results = append(*a, {batch("valmiera", rev, 50, "v" + std::to_string(rev), "A", hash)});
    REQUIRE(results[0].kind == PlanAppendResult::Kind::committed);
    hash = event("valmiera", rev + 50, "v" + std::to_string(rev), "A").hash;
  }
  REQUIRE(append(*a, {batch("tukums", 0, 3, "t0", "A")})[0].kind == PlanAppendResult::Kind::committed);

  FakeSink sink;
  PgLog c(PgLog::Options{pg.conninfo(), 3000});
  c.set_sink(&sink);
  c.start();
  std::promise<std::string> ready;
  auto ready_future = ready.get_future();
  c.when_ready(20000, [&ready](std::string e) { ready.set_value(e); });
  REQUIRE(await(ready_future) == "");
  std::promise<std::string> caught;
  auto f = caught.get_future();
  c.catch_up_all([&caught](std::string e) { caught.set_value(e); });
  CHECK(await(f) == "");
  REQUIRE(sink.known_revision("valmiera") == 20000);
  REQUIRE(sink.known_revision("tukums") == 3);
  {
    std::lock_guard lock(sink.mu);
    CHECK(sink.plans["valmiera"][8191].record == event("valmiera", 8192, "v8150", "A").record);
    CHECK(sink.plans["valmiera"][19999].seq == 20000);
    REQUIRE(sink.commands.count("valmiera/v8150"));
    CHECK(sink.commands["valmiera/v8150"].first_revision == 8151);  // spans a page boundary
    CHECK(sink.commands["valmiera/v8150"].last_revision == 8200);
    CHECK(sink.commands.size() == 401);
  }

  // Live: another node commits; this one is woken and reads it.
  REQUIRE(append(*a, {batch("tukums", 3, 2, "t1", "A", event("tukums", 3, "t0", "A").hash),
                      batch("smiltene", 0, 1, "s0", "A")})[0].kind == PlanAppendResult::Kind::committed);
  CHECK(sink.wait_for("tukums", 5));
  CHECK(sink.wait_for("smiltene", 1));
  std::lock_guard lock(sink.mu);
  CHECK(sink.plans["tukums"][4].command == "t1");
}

TEST_CASE("pg log: group commit keeps a plan's batches in order and withdraws unwanted ones") {
  TestPostgres pg;
  auto log = open_log(pg);
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::pair<std::string, PlanAppendResult>> answers;
  auto record = [&](std::string name) {
    return [&, name](PlanAppendResult r) {
      std::lock_guard lock(mu);
      answers.emplace_back(name, std::move(r));
      cv.notify_all();
    };
  };
  // Three batches of one plan, each decided on the one before, without waiting; a fourth of
  // another plan that its engine no longer wants; a fifth that repeats a command id.
  log->enqueue(batch("bauska", 0, 2, "x1", "A"), record("first"));
  log->enqueue(batch("bauska", 2, 1, "x2", "A", event("bauska", 2, "x1", "A").hash), record("second"));
  log->enqueue(batch("bauska", 3, 3, "x3", "A", event("bauska", 3, "x2", "A").hash), record("third"));
  log->enqueue(batch("dobele", 0, 1, "y1", "A"), record("unwanted"), [] { return false; });
  {
    std::unique_lock lock(mu);
    REQUIRE(cv.wait_for(lock, kWait, [&] { return answers.size() == 4; }));
  }
  log->enqueue(batch("bauska", 6, 1, "x2", "A", event("bauska", 6, "x3", "A").hash), record("repeat"));
  std::unique_lock lock(mu);
  REQUIRE(cv.wait_for(lock, kWait, [&] { return answers.size() == 5; }));
  std::map<std::string, PlanAppendResult> by_name(answers.begin(), answers.end());
  CHECK(by_name["first"].kind == PlanAppendResult::Kind::committed);
  CHECK(by_name["second"].kind == PlanAppendResult::Kind::committed);
  CHECK(by_name["third"].kind == PlanAppendResult::Kind::committed);
  CHECK(by_name["second"].first_seq == by_name["first"].first_seq + 2);
  CHECK(by_name["unwanted"].kind == PlanAppendResult::Kind::unavailable);
  CHECK(by_name["repeat"].kind == PlanAppendResult::Kind::revision_taken);  // x2 is in the log already
  lock.unlock();
  CHECK(read_all(*log, "bauska").size() == 6);
  CHECK(read_all(*log, "dobele").empty());
}
