// The log-of-record seam (kartiba/log_of_record.h), through the public API only: two engines
// ("nodes"), each on its own in-memory store, share one fake log of record that judges appends
// at their expected revision as a cluster's database would. A node whose copy is behind loses
// the race (`revision_taken`), catches up, decides again, and its subscribers see every event
// once, in order; tailing brings each node the other's events; an unknown outcome is resolved
// by the command id.
#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "kartiba/log_of_record.h"
#include "kartiba/store.h"
#include "test_support.h"

using namespace kartiba;
using namespace kartiba::test;

namespace {

// The shared database: every plan's events by revision, their hashes, the command records.
struct FakeCluster {
  std::mutex mu;
  uint64_t next_seq = 1;
  std::map<std::string, std::vector<StoredEvent>> events;
  std::map<std::string, std::vector<std::string>> hashes;
  std::map<std::string, std::vector<CommandRecord>> commands;
  std::map<std::string, std::string> meta;
};

// One node's connection to it.
class FakeLog final : public LogOfRecord {
 public:
  explicit FakeLog(std::shared_ptr<FakeCluster> cluster) : cluster_(std::move(cluster)) {}

  Status start(LogSink& sink) override {
    sink_ = &sink;
    return {};
  }

  void append(PlanBatch batch, std::function<void(AppendResult)> done) override {
    AppendResult r;
    {
      std::lock_guard lock(cluster_->mu);
      auto& events = cluster_->events[batch.plan];
      auto& hashes = cluster_->hashes[batch.plan];
      if (batch.still_wanted && !batch.still_wanted()) {
        r.status = AppendStatus::unavailable;
        r.message = "not wanted";
      } else if (fail_next) {
        fail_next = false;
        r.status = AppendStatus::unavailable;
        r.message = "the connection broke";
      } else if (events.size() != batch.base || (batch.base > 0 && hashes.back() != batch.base_hash)) {
        r.status = AppendStatus::revision_taken;
        ++races_lost;
      } else {
        for (size_t i = 0; i < batch.events.size(); ++i) {
          uint64_t seq = cluster_->next_seq++;
          events.push_back({batch.events[i]->revision, seq, batch.records[i]});
          hashes.push_back(batch.events[i]->hash);
          r.seqs.push_back(seq);
        }
        auto& cmds = cluster_->commands[batch.plan];
        cmds.insert(cmds.end(), batch.commands.begin(), batch.commands.end());
        r.status = AppendStatus::committed;
        if (lose_next_ack) {
          // Committed, but the node never hears so: an outcome it cannot know.
          lose_next_ack = false;
          r = {};
          r.message = "the connection broke during the commit";
        }
      }
    }
    done(std::move(r));
  }

  void catch_up(const std::string& plan, uint64_t after, std::function<void(Status)> done) override {
    ++catch_ups;
    sink_->ingest(plan, events_after(plan, after), commands_of(plan), std::move(done));
  }

  // Tailing, by hand: brings this node every event it lacks, and waits until it is taken in.
  // False if the node refused some (Catch2's assertions are for the test's own thread).
  bool tail() {
    bool ok = true;
    std::vector<std::string> plans;
    {
      std::lock_guard lock(cluster_->mu);
      for (auto& [plan, events] : cluster_->events) plans.push_back(plan);
    }
    for (auto& plan : plans) {
      std::promise<Status> taken;
      sink_->ingest(plan, events_after(plan, sink_->known_revision(plan)), commands_of(plan),
                    [&taken](Status s) { taken.set_value(std::move(s)); });
      auto status = taken.get_future().get();
      if (!status.ok()) last_refusal = status.error().message();
      ok = status.ok() && ok;
    }
    return ok;
  }

  Status put_meta(const std::string& key, const std::string& value) override {
    std::lock_guard lock(cluster_->mu);
    cluster_->meta[key] = value;
    return {};
  }
  Status delete_meta(const std::string& key) override {
    std::lock_guard lock(cluster_->mu);
    cluster_->meta.erase(key);
    return {};
  }
  std::optional<std::string> get_meta(const std::string& key) override {
    std::lock_guard lock(cluster_->mu);
    auto it = cluster_->meta.find(key);
    return it == cluster_->meta.end() ? std::nullopt : std::optional<std::string>(it->second);
  }
  std::vector<std::pair<std::string, std::string>> list_meta(const std::string& prefix) override {
    std::lock_guard lock(cluster_->mu);
    std::vector<std::pair<std::string, std::string>> out;
    for (auto& [k, v] : cluster_->meta)
      if (k.rfind(prefix, 0) == 0) out.emplace_back(k, v);
    return out;
  }
  void stop() override {}

  std::atomic<bool> fail_next{false};
  std::atomic<bool> lose_next_ack{false};
  std::atomic<int> races_lost{0};
  std::atomic<int> catch_ups{0};
  std::string last_refusal;  // why the last tail() was refused, for the test's message

 private:
  std::vector<StoredEvent> events_after(const std::string& plan, uint64_t after) {
    std::lock_guard lock(cluster_->mu);
    auto& events = cluster_->events[plan];
    return {events.begin() + ptrdiff_t(std::min<uint64_t>(after, events.size())), events.end()};
  }
  std::vector<CommandRecord> commands_of(const std::string& plan) {
    std::lock_guard lock(cluster_->mu);
    return cluster_->commands[plan];
  }

  std::shared_ptr<FakeCluster> cluster_;
  LogSink* sink_ = nullptr;
};

class Recorder : public Subscriber {
 public:
  void on_snapshot(uint64_t revision, std::shared_ptr<const std::string>) override {
    std::lock_guard lock(mu);
    snapshot = revision;
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
  uint64_t snapshot = 0;
  std::vector<uint64_t> revisions;
};

struct Node {
  explicit Node(std::shared_ptr<FakeCluster> cluster) : log(std::make_shared<FakeLog>(std::move(cluster))) {
    Options o;
    o.store = make_memory_store();
    o.log_of_record = log;
    o.clock = std::make_shared<FakeClock>();
    o.worker_threads = 2;
    o.snapshot_every = 5;
    auto opened = Engine::open(o);
    REQUIRE(opened.ok());
    engine = std::move(opened.value());
  }
  CommandOutcome run(const std::string& type, json data, json extra = json::object()) {
    json cmd = extra;
    cmd["type"] = type;
    cmd["data"] = std::move(data);
    return engine->execute_sync({"p", "Ā. Bērziņa", cmd.dump(), false});
  }
  std::vector<std::string> event_texts() {
    std::vector<std::string> out;
    auto events = engine->events("p", 0, 1000);
    REQUIRE(events.ok());
    for (auto& e : events.value()) out.push_back(e->json);
    return out;
  }

  std::shared_ptr<FakeLog> log;
  std::unique_ptr<Engine> engine;
};

std::vector<uint64_t> range(uint64_t from, uint64_t to) {
  std::vector<uint64_t> v;
  for (uint64_t r = from; r <= to; ++r) v.push_back(r);
  return v;
}

}  // namespace

TEST_CASE("log of record: a node behind loses the race, catches up and decides again", "[log-of-record]") {
  auto cluster = std::make_shared<FakeCluster>();
  Node a(cluster), b(cluster);
  REQUIRE_OK(a.engine->create_plan(R"({"id":"p","title":"Rīga","timezone":"Europe/Riga"})", "admin"));
  REQUIRE(b.log->tail());
  REQUIRE(b.engine->revision("p") == 1);
  auto watcher = std::make_shared<Recorder>();
  auto sub = b.engine->subscribe("p", uint64_t(1), watcher);
  REQUIRE(sub.ok());

  // A takes revision 2 while B does not know of it.
  REQUIRE_OK(a.run("add-venue", {{"venue", "v"}, {"name", "Lielā zāle"}}));
  auto o = b.run("add-venue", {{"venue", "w"}, {"name", "Mazā zāle"}}, {{"id", "cmd-w"}});
  REQUIRE_OK(o);
  CHECK(o.revision == 3);
  REQUIRE(o.events.size() == 1);
  CHECK(o.events[0]->revision == 3);
  CHECK(b.log->races_lost == 1);
  CHECK(b.engine->revision("p") == 3);

  // Judged against the real latest: A changes v at 4; B, not told, edits v with base 3.
  REQUIRE_OK(a.run("update-venue", {{"venue", "v"}, {"name", "Lielā zāle (jaunā)"}}));
  auto stale = b.run("update-venue", {{"venue", "v"}, {"name", "Cits"}}, {{"base", 3}});
  REQUIRE_REJECTED(stale, "conflict", "/data/name");
  CHECK(b.log->races_lost == 2);

  // Tailing overlaps what B has: nothing twice.
  REQUIRE(b.log->tail());
  REQUIRE(a.log->tail());
  CHECK(watcher->seen() == range(2, 4));
  CHECK(a.event_texts() == b.event_texts());
  CHECK(*a.engine->view("p").value() == *b.engine->view("p").value());
  CHECK(b.engine->verify("p")->ok);

  // The same command id at the other node returns the first answer.
  auto retry = a.run("add-venue", {{"venue", "w"}, {"name", "Mazā zāle"}}, {{"id", "cmd-w"}});
  REQUIRE_OK(retry);
  CHECK(retry.duplicate);
  CHECK(retry.revision == 3);
  CHECK(a.engine->revision("p") == 4);
}

TEST_CASE("log of record: unavailable fails the command 503, an unknown outcome is resolved by its id",
          "[log-of-record]") {
  auto cluster = std::make_shared<FakeCluster>();
  Node a(cluster);
  REQUIRE_OK(a.engine->create_plan(R"({"id":"p","title":"Rīga","timezone":"Europe/Riga"})", "admin"));

  a.log->fail_next = true;
  auto failed = a.run("add-venue", {{"venue", "v"}, {"name", "Lielā zāle"}});
  REQUIRE_REJECTED(failed, "unavailable", "");
  CHECK(a.engine->revision("p") == 1);
  REQUIRE_OK(a.run("add-venue", {{"venue", "v"}, {"name", "Lielā zāle"}}));  // the engine goes on

  // Committed, but the ack was lost: 503 now, the first answer on retry.
  a.log->lose_next_ack = true;
  auto lost = a.run("add-venue", {{"venue", "w"}, {"name", "Mazā zāle"}}, {{"id", "cmd-w"}});
  REQUIRE_REJECTED(lost, "unavailable", "");
  auto retry = a.run("add-venue", {{"venue", "w"}, {"name", "Mazā zāle"}}, {{"id", "cmd-w"}});
  REQUIRE_OK(retry);
  CHECK(retry.duplicate);
  CHECK(retry.revision == 3);
  REQUIRE(retry.events.size() == 1);
  CHECK(retry.events[0]->revision == 3);
  CHECK(a.engine->revision("p") == 3);
  CHECK(a.engine->verify("p")->ok);
}

TEST_CASE("log of record: meta records live in the log of record", "[log-of-record]") {
  auto cluster = std::make_shared<FakeCluster>();
  Node a(cluster), b(cluster);
  REQUIRE(a.engine->put_meta("token/ā", "Ķ").ok());
  CHECK(b.engine->get_meta("token/ā") == std::optional<std::string>("Ķ"));
  CHECK(b.engine->list_meta("token/").size() == 1);
  REQUIRE(b.engine->delete_meta("token/ā").ok());
  CHECK_FALSE(a.engine->get_meta("token/ā"));
}

TEST_CASE("log of record: two nodes writing one plan at once, every event once and in order everywhere",
          "[log-of-record]") {
  auto cluster = std::make_shared<FakeCluster>();
  Node a(cluster), b(cluster);
  REQUIRE_OK(a.engine->create_plan(R"({"id":"p","title":"Rīga","timezone":"Europe/Riga"})", "admin"));
  REQUIRE(b.log->tail());
  auto seen_a = std::make_shared<Recorder>(), seen_b = std::make_shared<Recorder>();
  auto sub_a = a.engine->subscribe("p", uint64_t(1), seen_a);
  auto sub_b = b.engine->subscribe("p", uint64_t(1), seen_b);
  REQUIRE((sub_a.ok() && sub_b.ok()));

  constexpr int kPerWriter = 40;
  std::atomic<int> acked{0};
  std::atomic<bool> writing{true};
  auto writer = [&](Node& n, const std::string& who) {
    for (int i = 0; i < kPerWriter; ++i) {
      auto o = n.run("add-venue", {{"venue", who + std::to_string(i)}, {"name", "Zāle " + std::to_string(i)}});
      if (o.ok) ++acked;
    }
  };
  std::atomic<bool> tails_ok{true};
  std::thread tailer([&] {
    while (writing) {
      if (!a.log->tail() || !b.log->tail()) tails_ok = false;
    }
  });
  std::thread w1([&] { writer(a, "a"); }), w2([&] { writer(a, "c"); }), w3([&] { writer(b, "b"); }),
      w4([&] { writer(b, "d"); });
  w1.join(), w2.join(), w3.join(), w4.join();
  writing = false;
  tailer.join();
  INFO("refused: " << a.log->last_refusal << " / " << b.log->last_refusal);
  CHECK(tails_ok);
  REQUIRE(a.log->tail());
  REQUIRE(b.log->tail());

  CHECK(acked == 4 * kPerWriter);  // every one decided again until it went in: none lost
  const uint64_t last = 1 + 4 * kPerWriter;
  CHECK(a.engine->revision("p") == last);
  CHECK(b.engine->revision("p") == last);
  CHECK(seen_a->seen() == range(2, last));
  CHECK(seen_b->seen() == range(2, last));
  CHECK(a.event_texts() == b.event_texts());
  CHECK(json::parse(*a.engine->view("p").value())["venues"].size() == 4 * kPerWriter);
  CHECK(a.engine->verify("p")->ok);
  CHECK(b.engine->verify("p")->ok);
}
