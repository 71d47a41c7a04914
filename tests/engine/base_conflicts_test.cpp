// Field-level conflicts with `base`: two organisers editing from the same revision.
#include <condition_variable>
#include <mutex>

#include <catch2/catch.hpp>

#include "test_support.h"

using namespace kartiba;
using namespace kartiba::test;

namespace {
const json kBase = {{"base", kSeedRevision}};
json at(const std::string& local) { return time_at(local); }
}  // namespace

TEST_CASE("base: the same field from a stale base is a 409 with current and events", "[conflicts][base]") {
  TestEngine t;
  seed(t);
  auto first = t.ok("p", "reschedule-item", {{"item", "talk"}, {"start", at("2024-05-15T10:30")}, {"end", at("2024-05-15T11:30")}},
                    kBase, "Anna");
  auto second = t.run("p", "reschedule-item", {{"item", "talk"}, {"start", at("2024-05-15T09:00")}}, kBase, "Jānis");
  REQUIRE_REJECTED(second, "conflict", "/data/start");
  auto err = error_body(second);
  INFO(err.dump(2));
  CHECK(err["message"].get<std::string>().find("revision 9") != std::string::npos);
  REQUIRE(err.contains("current"));
  CHECK(err["current"]["id"] == "talk");
  CHECK(err["current"]["start"]["local"] == "2024-05-15T10:30");
  REQUIRE(err.contains("events"));
  REQUIRE(err["events"].size() == 1);
  CHECK(err["events"][0] == outcome_events(first)[0]);
  CHECK(err["fields"] == json{"start"});
  CHECK(t.revision() == kSeedRevision + 1);
  CHECK(find_by_id(t.view("p")["items"], "talk")["start"]["local"] == "2024-05-15T10:30");
}

TEST_CASE("base: the events in the way are only those of that entity", "[conflicts][base]") {
  TestEngine t;
  seed(t);
  t.ok("p", "edit-item", {{"item", "lunch"}, {"title", "Pusdienas kafejnīcā"}}, kBase);
  t.ok("p", "edit-item", {{"item", "talk"}, {"title", "Atklāšana"}}, kBase);
  t.ok("p", "update-venue", {{"venue", "hall"}, {"room", "1"}}, kBase);
  t.ok("p", "edit-item", {{"item", "talk"}, {"title", "Atklāšana!"}});
  auto o = t.run("p", "edit-item", {{"item", "talk"}, {"title", "Ievads"}}, kBase);
  REQUIRE_REJECTED(o, "conflict", "/data/title");
  auto evs = error_body(o)["events"];
  REQUIRE(evs.size() == 2);
  CHECK(evs[0]["revision"] == kSeedRevision + 2);
  CHECK(evs[1]["revision"] == kSeedRevision + 4);
}

TEST_CASE("base: another field of the same entity goes through", "[conflicts][base]") {
  TestEngine t;
  seed(t);
  t.ok("p", "reschedule-item", {{"item", "talk"}, {"start", at("2024-05-15T10:30")}}, kBase, "Anna");
  REQUIRE_OK(t.run("p", "edit-item", {{"item", "talk"}, {"title", "Atklāšana"}}, kBase, "Jānis"));
  REQUIRE_OK(t.run("p", "set-item-venue", {{"item", "talk"}, {"venue", "room"}}, kBase, "Ilze"));
  REQUIRE_OK(t.run("p", "tag-item", {{"item", "talk"}, {"sdgs", {4, 16}}}, kBase));
  auto v = find_by_id(t.view("p")["items"], "talk");
  CHECK(v["start"]["local"] == "2024-05-15T10:30");
  CHECK(v["title"] == "Atklāšana");
  CHECK(v["venue"] == "room");
  CHECK(v["sdgs"] == json{4, 16});
  // The end was not changed by the first reschedule: moving only the end still goes through.
  REQUIRE_OK(t.run("p", "reschedule-item", {{"item", "talk"}, {"end", at("2024-05-15T11:15")}}, kBase));
  // But a reschedule naming the start as well does not; both fields are now stale.
  auto o = t.run("p", "reschedule-item", {{"item", "talk"}, {"start", at("2024-05-15T10:45")}, {"end", at("2024-05-15T11:45")}}, kBase);
  REQUIRE_REJECTED(o, "conflict", "/data/end");
  CHECK(error_body(o)["fields"] == json{"end", "start"});
}

TEST_CASE("base: another entity goes through", "[conflicts][base]") {
  TestEngine t;
  seed(t);
  t.ok("p", "reschedule-item", {{"item", "talk"}, {"start", at("2024-05-15T10:30")}}, kBase);
  REQUIRE_OK(t.run("p", "reschedule-item", {{"item", "lunch"}, {"start", at("2024-05-15T12:30")}}, kBase));
  REQUIRE_OK(t.run("p", "update-venue", {{"venue", "hall"}, {"name", "Zāle"}}, kBase));
  REQUIRE_OK(t.run("p", "update-plan", {{"title", "Cits"}}, kBase));
  REQUIRE_OK(t.run("p", "set-day", {{"date", "2024-05-15"}, {"title", "Diena"}}, kBase));
  CHECK(t.revision() == kSeedRevision + 5);
}

TEST_CASE("base: an edit from before a removal is a 409", "[conflicts][base]") {
  TestEngine t;
  seed(t);
  auto removed = t.ok("p", "remove-item", {{"item", "lunch"}}, kBase, "Anna");
  auto o = t.run("p", "edit-item", {{"item", "lunch"}, {"title", "Vakariņas"}}, kBase, "Jānis");
  REQUIRE_REJECTED(o, "conflict", "/data/item");
  auto err = error_body(o);
  INFO(err.dump(2));
  CHECK(err.contains("current"));
  CHECK(err["current"].is_null());
  REQUIRE(err["events"].size() == 1);
  CHECK(err["events"][0]["type"] == "ItemRemoved");
  // From a base after the removal it is simply not there.
  REQUIRE_REJECTED(t.run("p", "edit-item", {{"item", "lunch"}, {"title", "Vakariņas"}}, {{"base", kSeedRevision + 1}}),
                   "not_found", "/data/item");
  // Without a base: not there either.
  REQUIRE_REJECTED(t.run("p", "edit-item", {{"item", "lunch"}, {"title", "Vakariņas"}}), "not_found", "/data/item");
  (void)removed;
}

TEST_CASE("base: a removal from before another's edit is a 409", "[conflicts][base]") {
  TestEngine t;
  seed(t);
  t.ok("p", "edit-item", {{"item", "lunch"}, {"title", "Pusdienas 2"}}, kBase, "Anna");
  auto o = t.run("p", "remove-item", {{"item", "lunch"}}, kBase, "Jānis");
  REQUIRE_REJECTED(o, "conflict", "/data/item");
  auto err = error_body(o);
  CHECK(err["current"]["title"] == "Pusdienas 2");
  REQUIRE(err["events"].size() == 1);
  CHECK(err["events"][0]["type"] == "ItemEdited");
  CHECK_FALSE(find_by_id(t.view("p")["items"], "lunch").is_null());
  // Same for venues and people.
  t.ok("p", "update-venue", {{"venue", "room"}, {"room", "2"}}, kBase);
  REQUIRE_REJECTED(t.run("p", "remove-venue", {{"venue", "room"}}, kBase), "conflict", "/data/venue");
  t.ok("p", "update-person", {{"person", "janis"}, {"role", "x"}}, kBase);
  REQUIRE_REJECTED(t.run("p", "remove-person", {{"person", "janis"}}, kBase), "conflict", "/data/person");
  // From a fresh base the removal goes through.
  REQUIRE_OK(t.run("p", "remove-item", {{"item", "lunch"}}, {{"base", t.revision()}}));
}

TEST_CASE("base: speakers are per person", "[conflicts][base][speakers]") {
  TestEngine t;
  seed(t);
  t.ok("p", "add-person", {{"person", "liga"}, {"name", "Līga Ozola"}});
  json base = {{"base", kSeedRevision + 1}};
  REQUIRE_OK(t.run("p", "assign-speaker", {{"item", "talk"}, {"person", "janis"}}, base, "Anna"));
  REQUIRE_OK(t.run("p", "assign-speaker", {{"item", "talk"}, {"person", "liga"}}, base, "Jānis"));
  REQUIRE_OK(t.run("p", "unassign-speaker", {{"item", "talk"}, {"person", "anna"}}, base, "Ilze"));
  CHECK(find_by_id(t.view("p")["items"], "talk")["speakers"] == json{"janis", "liga"});
  // The same person from the same base is a conflict, not a silent double.
  auto o = t.run("p", "unassign-speaker", {{"item", "talk"}, {"person", "janis"}}, base);
  REQUIRE_REJECTED(o, "conflict", "/data/person");
  CHECK(error_body(o)["events"][0]["type"] == "SpeakerAssigned");
  // Speakers and other fields do not block each other.
  REQUIRE_OK(t.run("p", "edit-item", {{"item", "talk"}, {"title", "Jauns"}}, base));
}

TEST_CASE("base: no base means last writer wins", "[conflicts][base]") {
  TestEngine t;
  seed(t);
  REQUIRE_OK(t.run("p", "reschedule-item", {{"item", "talk"}, {"start", at("2024-05-15T10:30")}}, {}, "Anna"));
  REQUIRE_OK(t.run("p", "reschedule-item", {{"item", "talk"}, {"start", at("2024-05-15T09:30")}}, {}, "Jānis"));
  REQUIRE_OK(t.run("p", "edit-item", {{"item", "talk"}, {"title", "A"}}));
  REQUIRE_OK(t.run("p", "edit-item", {{"item", "talk"}, {"title", "B"}}));
  auto v = find_by_id(t.view("p")["items"], "talk");
  CHECK(v["start"]["local"] == "2024-05-15T09:30");
  CHECK(v["title"] == "B");
}

TEST_CASE("base: a base at or after the last change goes through", "[conflicts][base]") {
  TestEngine t;
  seed(t);
  auto o = t.ok("p", "edit-item", {{"item", "talk"}, {"title", "A"}});
  REQUIRE_OK(t.run("p", "edit-item", {{"item", "talk"}, {"title", "B"}}, {{"base", o.revision}}));
  // base 0 is before everything: every field of the item changed after it.
  REQUIRE_REJECTED(t.run("p", "edit-item", {{"item", "talk"}, {"title", "C"}}, {{"base", 0}}), "conflict", "/data/title");
}

TEST_CASE("base: plan fields, days and pledges are per field too", "[conflicts][base]") {
  TestEngine t;
  seed(t);
  t.ok("p", "update-plan", {{"title", "A"}}, kBase);
  REQUIRE_REJECTED(t.run("p", "update-plan", {{"title", "B"}}, kBase), "conflict", "/data/title");
  REQUIRE_OK(t.run("p", "update-plan", {{"place", "Rīga"}}, kBase));

  t.ok("p", "set-day", {{"date", "2024-05-16"}, {"title", "A"}}, kBase);
  REQUIRE_REJECTED(t.run("p", "set-day", {{"date", "2024-05-16"}, {"title", "B"}}, kBase), "conflict", "/data/title");
  REQUIRE_OK(t.run("p", "set-day", {{"date", "2024-05-16"}, {"place", "Bornem"}}, kBase));
  REQUIRE_OK(t.run("p", "set-day", {{"date", "2024-05-17"}, {"title", "B"}}, kBase));

  t.ok("p", "set-pledge-status", {{"pledge", "pl"}, {"status", "committed"}}, kBase);
  REQUIRE_REJECTED(t.run("p", "set-pledge-status", {{"pledge", "pl"}, {"status", "withdrawn"}}, kBase), "conflict",
                   "/data/status");
  REQUIRE_OK(t.run("p", "report-pledge-progress", {{"pledge", "pl"}, {"percent", 20}}, kBase));
  REQUIRE_REJECTED(t.run("p", "report-pledge-progress", {{"pledge", "pl"}, {"percent", 30}}, kBase), "conflict",
                   "/data/percent");
  REQUIRE_OK(t.run("p", "update-pledge", {{"pledge", "pl"}, {"title", "Jauns"}}, kBase));
}

TEST_CASE("base: commands queued together are decided one after another", "[conflicts][base][concurrency]") {
  // Several commands sent at once may share one group commit; each is still decided against
  // the state the ones before it left, so the second edit of a field from the same base conflicts.
  TestEngine t;
  seed(t);
  std::mutex mu;
  std::condition_variable cv;
  std::vector<CommandOutcome> got(4);
  int left = 4;
  auto send = [&](int i, json data) {
    json c = {{"type", "edit-item"}, {"base", kSeedRevision}, {"data", data}};
    t.engine->execute({"p", "A" + std::to_string(i), c.dump(), false}, [&, i](CommandOutcome o) {
      std::lock_guard lock(mu);
      got[i] = std::move(o);
      if (--left == 0) cv.notify_all();
    });
  };
  send(0, {{"item", "talk"}, {"title", "Pirmais"}});
  send(1, {{"item", "talk"}, {"title", "Otrais"}});
  send(2, {{"item", "lunch"}, {"title", "Trešais"}});
  send(3, {{"item", "talk"}, {"track", "A"}});
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return left == 0; });
  }
  REQUIRE_OK(got[0]);
  REQUIRE_REJECTED(got[1], "conflict", "/data/title");
  REQUIRE_OK(got[2]);
  REQUIRE_OK(got[3]);
  CHECK(t.revision() == kSeedRevision + 3);
  auto talk = find_by_id(t.view("p")["items"], "talk");
  CHECK(talk["title"] == "Pirmais");
  CHECK(talk["track"] == "A");
}
