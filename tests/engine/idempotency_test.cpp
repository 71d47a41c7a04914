// Safe retries: the same command id returns the first answer and appends nothing.
#include <condition_variable>
#include <mutex>

#include <catch2/catch.hpp>

#include "test_support.h"

using namespace kartiba;
using namespace kartiba::test;

namespace {
void check_same_answer(const CommandOutcome& first, const CommandOutcome& again) {
  INFO("first: " << first.to_json() << "\nagain: " << again.to_json());
  REQUIRE(again.ok);
  CHECK(again.duplicate);
  CHECK_FALSE(first.duplicate);
  CHECK(again.revision == first.revision);
  CHECK(again.command_id == first.command_id);
  CHECK(outcome_events(again) == outcome_events(first));
  auto ack = json::parse(again.to_json());
  CHECK(ack["duplicate"] == true);
}
}  // namespace

TEST_CASE("idempotency: the same id twice returns the first answer and appends nothing", "[idempotency]") {
  TestEngine t;
  seed(t);
  json data = {{"item", "talk"}, {"start", time_at("2024-05-15T10:30")}};
  auto first = t.ok("p", "reschedule-item", data, {{"id", "c-retry-1"}});
  auto count = t.events("p").size();
  auto again = t.run("p", "reschedule-item", data, {{"id", "c-retry-1"}});
  check_same_answer(first, again);
  CHECK(t.events("p").size() == count);
  CHECK(t.revision() == first.revision);
}

TEST_CASE("idempotency: the first answer wins even if the retry's content differs", "[idempotency]") {
  TestEngine t;
  seed(t);
  auto first = t.ok("p", "edit-item", {{"item", "talk"}, {"title", "A"}}, {{"id", "c-x"}});
  t.ok("p", "edit-item", {{"item", "talk"}, {"title", "B"}});
  auto again = t.run("p", "edit-item", {{"item", "talk"}, {"title", "C"}}, {{"id", "c-x"}});
  check_same_answer(first, again);
  CHECK(find_by_id(t.view("p")["items"], "talk")["title"] == "B");
  // Also when the retry would now be invalid.
  auto bad = t.run("p", "edit-item", {{"item", "ghost"}, {"title", "C"}}, {{"id", "c-x"}});
  check_same_answer(first, bad);
}

TEST_CASE("idempotency: survives reopening the engine", "[idempotency][reopen]") {
  TestEngine t;
  seed(t);
  auto first = t.ok("p", "add-venue", {{"venue", "v2"}, {"name", "Otrā"}}, {{"id", "c-venue"}});
  auto count = t.events("p").size();
  t.reopen();
  auto again = t.run("p", "add-venue", {{"venue", "v2"}, {"name", "Otrā"}}, {{"id", "c-venue"}});
  check_same_answer(first, again);
  CHECK(t.events("p").size() == count);
}

TEST_CASE("idempotency: a retry learns the id the engine made", "[idempotency][regression]") {
  TestEngine t;
  seed(t);
  auto first = t.ok("p", "add-venue", {{"name", "Bez id"}}, {{"id", "c-made"}});
  REQUIRE_FALSE(first.created_id.empty());
  auto again = t.run("p", "add-venue", {{"name", "Bez id"}}, {{"id", "c-made"}});
  check_same_answer(first, again);
  CHECK(again.created_id == first.created_id);
  t.reopen();
  auto later = t.run("p", "add-venue", {{"name", "Bez id"}}, {{"id", "c-made"}});
  check_same_answer(first, later);
  CHECK(later.created_id == first.created_id);
  CHECK(t.view("p")["venues"].size() == 3);
}

TEST_CASE("idempotency: a rejected command is not remembered", "[idempotency]") {
  TestEngine t;
  seed(t);
  auto bad = t.run("p", "edit-item", {{"item", "talk"}, {"title", 5}}, {{"id", "c-fix"}});
  REQUIRE_FALSE(bad.ok);
  auto fixed = t.run("p", "edit-item", {{"item", "talk"}, {"title", "Labots"}}, {{"id", "c-fix"}});
  REQUIRE_OK(fixed);
  CHECK_FALSE(fixed.duplicate);
  CHECK(find_by_id(t.view("p")["items"], "talk")["title"] == "Labots");
  // A conflict is not remembered either.
  t.ok("p", "edit-item", {{"item", "lunch"}, {"title", "A"}});
  auto stale = t.run("p", "edit-item", {{"item", "lunch"}, {"title", "B"}}, {{"id", "c-stale"}, {"base", kSeedRevision}});
  REQUIRE(error_code(stale) == "conflict");
  auto retry = t.run("p", "edit-item", {{"item", "lunch"}, {"title", "B"}}, {{"id", "c-stale"}, {"base", t.revision()}});
  REQUIRE_OK(retry);
  CHECK_FALSE(retry.duplicate);
}

TEST_CASE("idempotency: ids are per plan", "[idempotency]") {
  TestEngine t;
  seed(t);
  t.create_plan("q");
  auto a = t.ok("p", "add-venue", {{"venue", "v"}, {"name", "V"}}, {{"id", "c-same"}});
  auto b = t.ok("q", "add-venue", {{"venue", "v"}, {"name", "V"}}, {{"id", "c-same"}});
  CHECK_FALSE(b.duplicate);
  CHECK(b.revision == 2);
}

TEST_CASE("idempotency: concurrent retries of one id append once", "[idempotency][concurrency]") {
  TestEngine t;
  seed(t);
  std::vector<CommandOutcome> outcomes(8);
  std::atomic<int> left{8};
  std::mutex mu;
  std::condition_variable cv;
  json c = {{"id", "c-burst"}, {"type", "edit-item"}, {"data", {{"item", "talk"}, {"title", "Vienreiz"}}}};
  for (int i = 0; i < 8; ++i)
    t.engine->execute({"p", "K. Miķelsone", c.dump(), false}, [&, i](CommandOutcome o) {
      outcomes[i] = std::move(o);
      if (--left == 0) {
        std::lock_guard lock(mu);
        cv.notify_all();
      }
    });
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return left == 0; });
  }
  int fresh = 0;
  for (auto& o : outcomes) {
    REQUIRE_OK(o);
    CHECK(o.revision == kSeedRevision + 1);
    if (!o.duplicate) ++fresh;
  }
  CHECK(fresh == 1);
  CHECK(t.revision() == kSeedRevision + 1);
}
