// revert: undoing one event by appending its inverse; history is never rewritten.
#include <catch2/catch.hpp>

#include "test_support.h"

using namespace kartiba;
using namespace kartiba::test;

namespace {
CommandOutcome revert(TestEngine& t, uint64_t rev, json extra = json::object()) {
  return t.run("p", "revert", {{"revision", rev}}, extra);
}
}  // namespace

TEST_CASE("revert: a change goes back to what it replaced", "[revert]") {
  TestEngine t;
  seed(t);
  auto before = t.view("p");
  auto moved = t.ok("p", "reschedule-item", {{"item", "talk"}, {"start", time_at("2024-05-15T10:30")}, {"end", time_at("2024-05-15T11:30")}});
  auto count = t.events("p").size();
  auto o = revert(t, moved.revision);
  REQUIRE_OK(o);
  auto e = outcome_events(o);
  REQUIRE(e.size() == 1);
  CHECK(e[0]["type"] == "ItemRescheduled");
  CHECK(e[0]["data"]["reverts"] == moved.revision);
  CHECK(e[0]["data"]["set"]["start"]["local"] == "2024-05-15T10:00");
  CHECK(e[0]["data"]["was"]["start"]["local"] == "2024-05-15T10:30");
  CHECK(t.events("p").size() == count + 1);  // appended, nothing rewritten
  auto after = t.view("p");
  CHECK(after["items"] == before["items"]);
  CHECK(after["revision"] == kSeedRevision + 2);
}

TEST_CASE("revert: a field that did not exist before is cleared again", "[revert]") {
  TestEngine t;
  seed(t);
  auto o = t.ok("p", "edit-item", {{"item", "talk"}, {"track", "A"}, {"title", "X"}});
  REQUIRE_OK(revert(t, o.revision));
  auto talk = find_by_id(t.view("p")["items"], "talk");
  CHECK_FALSE(talk.contains("track"));
  CHECK(talk["title"] == "Ievadruna");
  auto d = t.ok("p", "set-day", {{"date", "2024-05-16"}, {"title", "Flandrija"}});
  REQUIRE_OK(revert(t, d.revision));
  CHECK(t.view("p")["days"][1]["title"].is_null());
  // The history of a revert that cleared a day's title (regression: the sentence read the
  // null title as text and the exception escaped Engine::history).
  CHECK(t.history("p", "lv")["entries"].back()["text"] == "(atsaucot 11. izmaiņas) K. Miķelsone iestatīja dienu 2024-05-16");
  CHECK(t.history("p", "en")["entries"].back()["text"] == "(reverting revision 11) K. Miķelsone set the day 2024-05-16");
}

TEST_CASE("revert: an addition is removed", "[revert]") {
  TestEngine t;
  seed(t);
  auto added = t.ok("p", "add-venue", {{"venue", "extra"}, {"name", "Papildu"}});
  auto o = revert(t, added.revision);
  REQUIRE_OK(o);
  auto e = outcome_events(o)[0];
  CHECK(e["type"] == "VenueRemoved");
  CHECK(e["data"]["venue"] == "extra");
  CHECK(e["data"]["reverts"] == added.revision);
  CHECK(find_by_id(t.view("p")["venues"], "extra").is_null());
  // A pledge and a decision too.
  auto d = t.ok("p", "record-decision", {{"decision", "d"}, {"title", "Lēmums"}});
  REQUIRE_OK(revert(t, d.revision));
  CHECK(t.view("p")["decisions"].empty());
  auto pl = t.ok("p", "make-pledge", {{"pledge", "x"}, {"by", {{"municipality", "Rīga"}}}, {"title", "X"}});
  auto r = revert(t, pl.revision);
  REQUIRE_OK(r);
  CHECK(outcome_events(r)[0]["type"] == "PledgeRemoved");
  CHECK(find_by_id(t.view("p")["pledges"], "x").is_null());
}

TEST_CASE("revert: an addition changed since cannot be undone", "[revert]") {
  TestEngine t;
  seed(t);
  auto added = t.ok("p", "add-venue", {{"venue", "extra"}, {"name", "Papildu"}});
  t.ok("p", "update-venue", {{"venue", "extra"}, {"room", "1"}});
  REQUIRE_REJECTED(revert(t, added.revision), "conflict", "/data/revision");
  // An item in use by a pledge cannot be unscheduled either.
  t.ok("p", "update-pledge", {{"pledge", "pl"}, {"item", "lunch"}});
  REQUIRE_REJECTED(revert(t, 7), "conflict", "/data/revision");  // 7 scheduled lunch
}

TEST_CASE("revert: a removal is added back whole", "[revert]") {
  TestEngine t;
  seed(t);
  auto before = find_by_id(t.view("p")["items"], "talk");
  t.ok("p", "unassign-speaker", {{"item", "talk"}, {"person", "anna"}});
  t.ok("p", "assign-speaker", {{"item", "talk"}, {"person", "janis"}});
  before["speakers"] = {"janis"};
  auto removed = t.ok("p", "remove-item", {{"item", "talk"}});
  auto o = revert(t, removed.revision);
  REQUIRE_OK(o);
  auto e = outcome_events(o)[0];
  CHECK(e["type"] == "ItemScheduled");
  CHECK(e["data"]["reverts"] == removed.revision);
  CHECK(find_by_id(t.view("p")["items"], "talk") == before);
  // It exists again: a second revert of the same removal is refused.
  REQUIRE_REJECTED(revert(t, removed.revision), "conflict", "/data/revision");
}

TEST_CASE("revert: a removal whose references are gone is refused", "[revert]") {
  TestEngine t;
  seed(t);
  auto removed = t.ok("p", "remove-item", {{"item", "talk"}});
  t.ok("p", "remove-venue", {{"venue", "hall"}});
  auto o = revert(t, removed.revision);
  REQUIRE_FALSE(o.ok);
  CHECK(error_path(o) == "/data/revision/venue");
  CHECK(find_by_id(t.view("p")["items"], "talk").is_null());
}

TEST_CASE("revert: speakers", "[revert][speakers]") {
  TestEngine t;
  seed(t);
  auto a = t.ok("p", "assign-speaker", {{"item", "talk"}, {"person", "janis"}});
  auto o = revert(t, a.revision);
  REQUIRE_OK(o);
  CHECK(outcome_events(o)[0]["type"] == "SpeakerUnassigned");
  CHECK(find_by_id(t.view("p")["items"], "talk")["speakers"] == json{"anna"});
  auto u = t.ok("p", "unassign-speaker", {{"item", "talk"}, {"person", "anna"}});
  auto o2 = revert(t, u.revision);
  REQUIRE_OK(o2);
  CHECK(outcome_events(o2)[0]["type"] == "SpeakerAssigned");
  CHECK(find_by_id(t.view("p")["items"], "talk")["speakers"] == json{"anna"});
  // The assignment of janis was already undone: undoing it again is a conflict.
  REQUIRE_REJECTED(revert(t, a.revision), "conflict", "/data/revision");
}

TEST_CASE("revert: a later change of the same field is a conflict", "[revert]") {
  TestEngine t;
  seed(t);
  auto first = t.ok("p", "edit-item", {{"item", "talk"}, {"title", "A"}});
  t.ok("p", "edit-item", {{"item", "talk"}, {"title", "B"}});
  auto o = revert(t, first.revision);
  REQUIRE_REJECTED(o, "conflict", "/data/revision");
  auto err = error_body(o);
  INFO(err.dump(2));
  CHECK(err["fields"] == json{"title"});
  CHECK(err["current"]["title"] == "B");
  CHECK(err["events"].size() >= 1);
  CHECK(find_by_id(t.view("p")["items"], "talk")["title"] == "B");
  // A later change of another field is no obstacle.
  auto moved = t.ok("p", "reschedule-item", {{"item", "lunch"}, {"start", time_at("2024-05-15T12:30")}});
  t.ok("p", "edit-item", {{"item", "lunch"}, {"title", "C"}});
  REQUIRE_OK(revert(t, moved.revision));
  auto lunch = find_by_id(t.view("p")["items"], "lunch");
  CHECK(lunch["start"]["local"] == "2024-05-15T12:00");
  CHECK(lunch["title"] == "C");
}

TEST_CASE("revert: a revert can itself be reverted (redo)", "[revert]") {
  TestEngine t;
  seed(t);
  auto edit = t.ok("p", "edit-item", {{"item", "talk"}, {"title", "A"}});
  auto undo = t.ok("p", "revert", {{"revision", edit.revision}});
  CHECK(find_by_id(t.view("p")["items"], "talk")["title"] == "Ievadruna");
  REQUIRE_OK(revert(t, undo.revision));
  CHECK(find_by_id(t.view("p")["items"], "talk")["title"] == "A");
}

TEST_CASE("revert: pledge status and progress", "[revert][pledges]") {
  TestEngine t;
  seed(t);
  auto st = t.ok("p", "set-pledge-status", {{"pledge", "pl"}, {"status", "fulfilled"}, {"note", "Paveikts"}});
  REQUIRE_OK(revert(t, st.revision));
  auto pl = find_by_id(t.view("p")["pledges"], "pl");
  CHECK(pl["status"] == "proposed");
  CHECK(pl["status_note"] == "");
  CHECK(pl["progress"] == 0);
  auto pr = t.ok("p", "report-pledge-progress", {{"pledge", "pl"}, {"percent", 50}});
  REQUIRE_OK(revert(t, pr.revision));
  CHECK(find_by_id(t.view("p")["pledges"], "pl")["progress"] == 0);
}

TEST_CASE("revert: the plan's fields", "[revert]") {
  TestEngine t;
  seed(t);
  auto o = t.ok("p", "update-plan", {{"title", "Jauns"}, {"priority_sdgs", {4}}});
  REQUIRE_OK(revert(t, o.revision));
  auto v = t.view("p");
  CHECK(v["title"] == "Plāns");
  CHECK(v["priority_sdgs"] == json::array());
}

TEST_CASE("revert: what cannot be reverted", "[revert]") {
  TestEngine t;
  seed(t);
  REQUIRE_REJECTED(revert(t, 1), "invalid", "/data/revision");  // PlanCreated
  auto rel = t.ok("p", "publish-release", {{"name", "v1"}});
  REQUIRE_REJECTED(revert(t, rel.revision), "invalid", "/data/revision");
  REQUIRE_REJECTED(revert(t, 0), "not_found", "/data/revision");
  REQUIRE_REJECTED(revert(t, 999), "not_found", "/data/revision");
  REQUIRE_REJECTED(t.run("p", "revert", json::object()), "invalid", "/data/revision");
  REQUIRE_REJECTED(t.run("p", "revert", {{"revision", "5"}}), "invalid", "/data/revision");
  REQUIRE_REJECTED(t.run("p", "revert", {{"revision", -5}}), "invalid", "/data/revision");
  REQUIRE_REJECTED(t.run("p", "revert", {{"revision", 5}, {"why", "x"}}), "invalid", "/data/why");
}

TEST_CASE("revert: history tells it was a revert", "[revert][history]") {
  TestEngine t;
  seed(t);
  auto o = t.ok("p", "edit-item", {{"item", "talk"}, {"title", "A"}});
  REQUIRE_OK(revert(t, o.revision, {{"reason", "kļūda"}}));
  auto lv = t.history("p", "lv")["entries"].back()["text"];
  auto en = t.history("p", "en")["entries"].back()["text"];
  CHECK(lv == "(atsaucot 9. izmaiņas) K. Miķelsone laboja 'A' (title) — kļūda");
  CHECK(en == "(reverting revision 9) K. Miķelsone edited 'A' (title) — kļūda");
}

TEST_CASE("revert: survives a reopen and old events are read from the log", "[revert][reopen]") {
  Options o;
  o.recent_events = 2;  // the event to revert is no longer in memory
  TestEngine t(o);
  seed(t);
  auto moved = t.ok("p", "reschedule-item", {{"item", "talk"}, {"start", time_at("2024-05-15T09:00")}});
  t.ok("p", "edit-item", {{"item", "lunch"}, {"title", "a"}});
  t.ok("p", "edit-item", {{"item", "lunch"}, {"title", "b"}});
  t.ok("p", "edit-item", {{"item", "lunch"}, {"title", "c"}});
  t.reopen();
  REQUIRE_OK(revert(t, moved.revision));
  CHECK(find_by_id(t.view("p")["items"], "talk")["start"]["local"] == "2024-05-15T10:00");
}
