// Storage failures (the in-memory store with injected faults): a command whose write fails
// is not applied, nothing is half-applied, and the engine recovers when the store does.
#include <catch2/catch.hpp>

#include "kartiba/store.h"
#include "test_support.h"

using namespace kartiba;
using namespace kartiba::test;

namespace {

struct MemoryEngine {
  MemoryEngine() {
    Options o;
    o.clock = std::make_shared<FakeClock>();
    o.worker_threads = 2;
    o.snapshot_every = 4;
    o.store = make_memory_store(fail);  // the storage seam, through the public API
    auto opened = Engine::open(o);
    REQUIRE(opened.ok());
    engine = std::move(opened.value());
  }
  CommandOutcome run(const std::string& type, json data) {
    return engine->execute_sync({"p", "K. Miķelsone", json{{"type", type}, {"data", data}}.dump(), false});
  }
  json view() { return json::parse(*engine->view("p").value()); }

  std::shared_ptr<std::atomic<bool>> fail = std::make_shared<std::atomic<bool>>(false);
  std::unique_ptr<Engine> engine;
};

}  // namespace

TEST_CASE("storage: a failed write applies nothing, the engine recovers with the store", "[storage]") {
  MemoryEngine m;
  REQUIRE(m.engine->create_plan(R"({"id":"p","title":"P","timezone":"Europe/Riga"})", "admin").ok);
  REQUIRE(m.run("add-venue", {{"venue", "v"}, {"name", "V"}}).ok);
  auto before = m.view();

  *m.fail = true;
  auto o = m.run("add-venue", {{"venue", "w"}, {"name", "W"}});
  REQUIRE_FALSE(o.ok);
  CHECK(error_code(o) == "unavailable");
  // Still failing: later commands fail too, without touching the plan.
  CHECK(error_code(m.run("update-venue", {{"venue", "v"}, {"name", "V2"}})) == "unavailable");
  CHECK(m.engine->revision("p") == 2);
  CHECK(m.view() == before);
  CHECK(m.engine->stats().storage_failed);

  *m.fail = false;
  auto again = m.run("add-venue", {{"venue", "w"}, {"name", "W"}});
  REQUIRE_OK(again);
  CHECK(again.revision == 3);
  CHECK(find_by_id(m.view()["venues"], "v")["name"] == "V");  // the failed update left no trace
  CHECK(m.engine->verify("p")->ok);
  auto evs = m.engine->events("p", 0, 100);
  REQUIRE(evs->size() == 3);
  CHECK(evs.value()[2]->seq == evs.value()[1]->seq + 1);
  CHECK_FALSE(m.engine->stats().storage_failed);
}

TEST_CASE("storage: a failed create leaves no plan", "[storage]") {
  MemoryEngine m;
  *m.fail = true;
  CHECK(error_code(m.engine->create_plan(R"({"id":"p","title":"P","timezone":"Europe/Riga"})", "admin")) == "unavailable");
  *m.fail = false;
  CHECK(m.engine->plans().empty());
  REQUIRE(m.engine->create_plan(R"({"id":"p","title":"P","timezone":"Europe/Riga"})", "admin").ok);
  CHECK(m.engine->revision("p") == 1);
}

TEST_CASE("storage: a failed import leaves no plan", "[storage][import]") {
  MemoryEngine m;
  *m.fail = true;
  CHECK(error_code(m.engine->import_plan(demo_plan_json(), "admin")) == "unavailable");
  *m.fail = false;
  CHECK(m.engine->plans().empty());
  REQUIRE(m.engine->import_plan(demo_plan_json(), "admin").ok);
  CHECK(m.engine->revision("brussels-2024") == 41);
}

TEST_CASE("storage: shutdown refuses new commands", "[storage]") {
  MemoryEngine m;
  REQUIRE(m.engine->create_plan(R"({"id":"p","title":"P","timezone":"Europe/Riga"})", "admin").ok);
  m.engine->shutdown();
  CHECK(error_code(m.run("add-venue", {{"venue", "w"}, {"name", "W"}})) == "unavailable");
  m.engine->shutdown();  // idempotent
  CHECK(m.engine->revision("p") == 1);
}
