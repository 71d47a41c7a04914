// The per-plan pipeline: a batch is decided on top of the one still syncing. Its answers wait
// for that one (in order), a retry of a command id in flight gets that command's answer, and a
// failed write voids everything decided on top of it. A store whose writes wait at a gate
// holds the first batch in flight while the test sends more.
#include <catch2/catch.hpp>

#include <condition_variable>
#include <future>
#include <mutex>

#include "engine/engine_impl.h"
#include "storage/store.h"
#include "test_support.h"

using namespace kartiba;
using namespace kartiba::test;

namespace {

class GatedStore final : public Store {
 public:
  GatedStore() : inner_(make_memory_store()) {}

  // From now on writes wait until open(); `fail` makes the next write that passes fail.
  void close_gate() {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  void open_gate(bool fail_next = false) {
    std::lock_guard lock(mu_);
    closed_ = false;
    fail_next_ = fail_next;
    cv_.notify_all();
  }
  // Waits until a write is held at the gate.
  void wait_for_waiter() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return waiting_ > 0; });
  }

  Status write(const std::vector<WriteOp>& ops, bool sync) override {
    {
      std::unique_lock lock(mu_);
      ++waiting_;
      cv_.notify_all();
      cv_.wait(lock, [&] { return !closed_; });
      --waiting_;
      if (fail_next_) {
        fail_next_ = false;
        return Error::unavailable("injected: the disk went away");
      }
    }
    return inner_->write(ops, sync);
  }
  Result<std::optional<std::string>> get(Space space, std::string_view key) override { return inner_->get(space, key); }
  Status scan(Space space, std::string_view from, std::string_view to,
              const std::function<bool(std::string_view, std::string_view)>& visit) override {
    return inner_->scan(space, from, to, visit);
  }
  Result<std::optional<std::pair<std::string, std::string>>> last_in_range(Space space, std::string_view from,
                                                                           std::string_view to) override {
    return inner_->last_in_range(space, from, to);
  }
  Status resume() override { return {}; }
  std::string describe() override { return "gated"; }
  Status compact() override { return {}; }
  Status checkpoint(const std::string&) override { return Error::unavailable("no"); }

 private:
  std::unique_ptr<Store> inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool closed_ = false;
  bool fail_next_ = false;
  int waiting_ = 0;
};

struct Pipeline {
  Pipeline() {
    Options o;
    o.clock = std::make_shared<FakeClock>();
    o.worker_threads = 2;
    auto owned = std::make_unique<GatedStore>();
    store = owned.get();
    auto impl = std::make_unique<EngineImpl>(o, std::move(owned));
    REQUIRE(impl->start().ok());
    engine = std::move(impl);
    REQUIRE(engine->create_plan(R"({"id":"p","title":"P","timezone":"Europe/Riga"})", "admin").ok);
  }
  std::future<CommandOutcome> send(const std::string& type, json data, const std::string& id = "") {
    json cmd = {{"type", type}, {"data", std::move(data)}};
    if (!id.empty()) cmd["id"] = id;
    auto promise = std::make_shared<std::promise<CommandOutcome>>();
    auto future = promise->get_future();
    engine->execute({"p", "K. Miķelsone", cmd.dump(), false}, [promise](CommandOutcome o) { promise->set_value(std::move(o)); });
    return future;
  }
  GatedStore* store;
  std::unique_ptr<Engine> engine;
};

bool answered(std::future<CommandOutcome>& f) { return f.wait_for(std::chrono::milliseconds(50)) == std::future_status::ready; }

}  // namespace

TEST_CASE("pipeline: a batch decided on top of one in flight is answered after it, in order", "[pipeline]") {
  Pipeline p;
  p.store->close_gate();
  auto first = p.send("add-venue", {{"venue", "v"}, {"name", "Rīgas dome"}}, "c1");
  p.store->wait_for_waiter();
  // Decided on top of c1 (the venue exists only there), while c1 syncs.
  auto second = p.send("update-venue", {{"venue", "v"}, {"name", "Rīgas Domes zāle"}}, "c2");
  // Refused on top of c1's state: the answer must wait for c1 as well.
  auto refused = p.send("add-venue", {{"venue", "v"}, {"name", "again"}}, "c3");
  // A retry of c1 while it is in flight: the same answer, once.
  auto retry = p.send("add-venue", {{"venue", "v"}, {"name", "Rīgas dome"}}, "c1");
  CHECK_FALSE(answered(first));
  CHECK_FALSE(answered(second));
  CHECK_FALSE(answered(refused));
  CHECK_FALSE(answered(retry));
  CHECK(p.engine->revision("p") == 1);

  p.store->open_gate();
  auto a = first.get(), b = second.get(), c = refused.get(), d = retry.get();
  REQUIRE_OK(a);
  REQUIRE_OK(b);
  CHECK(a.revision == 2);
  CHECK(b.revision == 3);
  CHECK_FALSE(c.ok);
  REQUIRE(d.ok);
  CHECK(d.duplicate);
  CHECK(d.revision == 2);
  CHECK(p.engine->revision("p") == 3);
  CHECK(p.engine->verify("p")->ok);
  auto view = json::parse(*p.engine->view("p").value());
  CHECK(find_by_id(view["venues"], "v")["name"] == "Rīgas Domes zāle");
}

TEST_CASE("pipeline: a failed write voids what was decided on top of it, and the plan goes on", "[pipeline]") {
  Pipeline p;
  p.store->close_gate();
  auto first = p.send("add-venue", {{"venue", "v"}, {"name", "Cēsis"}}, "f1");
  p.store->wait_for_waiter();
  auto second = p.send("update-venue", {{"venue", "v"}, {"name", "Cēsu pils"}}, "f2");
  CHECK_FALSE(answered(second));

  p.store->open_gate(/*fail_next=*/true);
  auto a = first.get(), b = second.get();
  CHECK_FALSE(a.ok);
  CHECK(error_code(a) == "unavailable");
  // Decided on top of f1: an ack of f2 would be false.
  CHECK_FALSE(b.ok);
  CHECK(error_code(b) == "unavailable");
  CHECK(p.engine->revision("p") == 1);

  // The plan goes on from the log: the venue does not exist, and f2 is decided afresh.
  auto again = p.send("update-venue", {{"venue", "v"}, {"name", "Cēsu pils"}}, "f2").get();
  CHECK_FALSE(again.ok);
  CHECK(error_code(again) == "not_found");
  auto retry = p.send("add-venue", {{"venue", "v"}, {"name", "Cēsis"}}, "f1").get();
  REQUIRE_OK(retry);
  CHECK_FALSE(retry.duplicate);
  CHECK(retry.revision == 2);
  CHECK(p.engine->verify("p")->ok);
  auto evs = p.engine->events("p", 0, 100);
  REQUIRE(evs->size() == 2);
  CHECK(evs.value()[1]->seq == evs.value()[0]->seq + 1);
}

TEST_CASE("pipeline: a plan's queue is bounded; past the bound a command fails unavailable at once", "[pipeline]") {
  Options o;
  o.clock = std::make_shared<FakeClock>();
  o.worker_threads = 2;
  o.max_batch_commands = 1;
  o.max_queued_commands = 4;
  auto owned = std::make_unique<GatedStore>();
  GatedStore* store = owned.get();
  auto impl = std::make_unique<EngineImpl>(o, std::move(owned));
  REQUIRE(impl->start().ok());
  std::unique_ptr<Engine> engine = std::move(impl);
  REQUIRE(engine->create_plan(R"({"id":"p","title":"P","timezone":"Europe/Riga"})", "admin").ok);

  store->close_gate();
  std::vector<std::future<CommandOutcome>> sent;
  for (int i = 0; i < 20; ++i) {
    auto promise = std::make_shared<std::promise<CommandOutcome>>();
    sent.push_back(promise->get_future());
    json cmd = {{"type", "add-venue"}, {"data", {{"venue", "v" + std::to_string(i)}, {"name", "Zāle"}}}};
    engine->execute({"p", "K. Miķelsone", cmd.dump(), false},
                    [promise](CommandOutcome out) { promise->set_value(std::move(out)); });
  }
  // At most two batches of one command are in flight and four wait: the rest were refused.
  store->open_gate();
  size_t ok = 0, refused = 0;
  for (auto& f : sent) {
    auto out = f.get();
    if (out.ok) ++ok;
    else if (error_code(out) == "unavailable") ++refused;
  }
  CHECK(refused >= 20 - 2 - 4);
  CHECK(ok + refused == 20);
  CHECK(engine->revision("p") == 1 + ok);
}

TEST_CASE("pipeline: an exception while deciding fails that batch 500 and the plan goes on", "[pipeline]") {
  Options o;
  o.clock = std::make_shared<FakeClock>();
  o.worker_threads = 2;
  auto impl = std::make_unique<EngineImpl>(o, make_memory_store());
  REQUIRE(impl->start().ok());
  impl->before_decide_for_tests = [](const PendingCommand& p) {
    if (p.command.type == "add-person") throw std::runtime_error("a bug on purpose");
  };
  std::unique_ptr<Engine> engine = std::move(impl);
  REQUIRE(engine->create_plan(R"({"id":"p","title":"P","timezone":"Europe/Riga"})", "admin").ok);
  auto run = [&](const std::string& type, json data) {
    return engine->execute_sync({"p", "K. Miķelsone", json{{"type", type}, {"data", data}}.dump(), false});
  };
  REQUIRE_OK(run("add-venue", {{"venue", "v"}, {"name", "Zāle"}}));
  auto broken = run("add-person", {{"person", "anna"}, {"name", "Anna Bērziņa"}});
  REQUIRE_REJECTED(broken, "internal", "");
  CHECK(broken.error->to_json().find("a bug on purpose") != std::string::npos);
  REQUIRE_OK(run("update-venue", {{"venue", "v"}, {"name", "Lielā zāle"}}));
  CHECK(engine->revision("p") == 3);
  CHECK(engine->verify("p")->ok);
}
