// What changed between two revisions or releases, per entity.
#include <catch2/catch.hpp>

#include "test_support.h"

using namespace kartiba;
using namespace kartiba::test;

namespace {
json entry(const json& list, const std::string& id) {
  for (auto& e : list)
    if (e["id"] == id) return e;
  return nullptr;
}
}  // namespace

TEST_CASE("changelog: added, removed, moved, cancelled and changed fields between revisions", "[changelog]") {
  TestEngine t;
  seed(t);
  t.ok("p", "schedule-item", {{"item", "new"}, {"title", "Jauna tikšanās"}, {"start", time_at("2024-05-16T09:00")},
                              {"end", time_at("2024-05-16T10:00")}});
  t.ok("p", "remove-item", {{"item", "lunch"}});
  t.ok("p", "reschedule-item", {{"item", "talk"}, {"start", time_at("2024-05-15T10:30")}, {"end", time_at("2024-05-15T11:30")}});
  t.ok("p", "edit-item", {{"item", "talk"}, {"title", "Atklāšana"}});
  t.ok("p", "set-item-status", {{"item", "new"}, {"status", "cancelled"}});
  t.ok("p", "update-venue", {{"venue", "hall"}, {"name", "Zāle"}, {"city", nullptr}});
  t.ok("p", "set-pledge-status", {{"pledge", "pl"}, {"status", "committed"}});
  auto c = t.changelog("p", std::to_string(kSeedRevision), "");
  INFO(c.dump(2));
  CHECK(c["from"] == kSeedRevision);
  CHECK(c["to"] == t.revision());
  CHECK(c["added"] == json::array({{{"kind", "item"}, {"id", "new"}, {"title", "Jauna tikšanās"}}}));
  CHECK(c["removed"] == json::array({{{"kind", "item"}, {"id", "lunch"}, {"title", "Pusdienas"}}}));
  REQUIRE(c["moved"].size() == 1);
  auto moved = c["moved"][0];
  CHECK(moved["id"] == "talk");
  CHECK(moved["title"] == "Atklāšana");
  CHECK(moved["old"]["start"]["local"] == "2024-05-15T10:00");
  CHECK(moved["new"]["start"]["local"] == "2024-05-15T10:30");
  CHECK(moved["old"]["end"]["local"] == "2024-05-15T11:00");
  CHECK(moved["new"]["end"]["local"] == "2024-05-15T11:30");
  // Cancelled is about items that existed at `from`; a new item cancelled since is just added.
  CHECK(c["cancelled"].empty());
  auto talk = entry(c["changed"], "talk");
  REQUIRE_FALSE(talk.is_null());
  CHECK(talk["kind"] == "item");
  CHECK(talk["fields"]["title"] == json{{"old", "Ievadruna"}, {"new", "Atklāšana"}});
  auto hall = entry(c["changed"], "hall");
  CHECK(hall["fields"] == json{{"name", {{"old", "Lielā zāle"}, {"new", "Zāle"}}}, {"city", {{"old", "Rīga"}, {"new", nullptr}}}});
  auto pl = entry(c["changed"], "pl");
  CHECK(pl["fields"]["status"] == json{{"old", "proposed"}, {"new", "committed"}});
}

TEST_CASE("changelog: a cancelled item", "[changelog]") {
  TestEngine t;
  seed(t);
  t.ok("p", "set-item-status", {{"item", "lunch"}, {"status", "cancelled"}});
  auto c = t.changelog("p", std::to_string(kSeedRevision), "");
  CHECK(c["cancelled"] == json::array({{{"kind", "item"}, {"id", "lunch"}, {"title", "Pusdienas"}}}));
  CHECK(entry(c["changed"], "lunch")["fields"]["status"] == json{{"old", "confirmed"}, {"new", "cancelled"}});
  CHECK(c["moved"].empty());
}

TEST_CASE("changelog: between release names, from defaults to the last release", "[changelog][release]") {
  TestEngine t;
  seed(t);
  t.ok("p", "publish-release", {{"name", "v1"}, {"note", "Pirmā"}});
  t.ok("p", "edit-item", {{"item", "talk"}, {"title", "A"}});
  t.ok("p", "publish-release", {{"name", "v2"}});
  t.ok("p", "edit-item", {{"item", "lunch"}, {"title", "B"}});
  auto v1v2 = t.changelog("p", "v1", "v2");
  CHECK(v1v2["from"] == kSeedRevision + 1);
  CHECK(v1v2["to"] == kSeedRevision + 3);
  REQUIRE(v1v2["changed"].size() == 1);
  CHECK(v1v2["changed"][0]["id"] == "talk");
  auto since = t.changelog("p");  // from v2 to now
  CHECK(since["from"] == kSeedRevision + 3);
  REQUIRE(since["changed"].size() == 1);
  CHECK(since["changed"][0]["id"] == "lunch");
  auto mixed = t.changelog("p", "v1", std::to_string(t.revision()));
  CHECK(mixed["changed"].size() == 2);
  // From the very beginning everything is added.
  auto all = t.changelog("p", "0", "v1");
  CHECK(all["added"].size() == 7);  // 2 venues, 2 people, 2 items, 1 pledge
}

TEST_CASE("changelog: plan and day changes", "[changelog]") {
  TestEngine t;
  seed(t);
  t.ok("p", "update-plan", {{"title", "Jauns"}});
  t.ok("p", "set-day", {{"date", "2024-05-16"}, {"title", "Flandrija"}});
  auto c = t.changelog("p", std::to_string(kSeedRevision), "");
  CHECK(entry(c["changed"], "plan")["fields"]["title"] == json{{"old", "Plāns"}, {"new", "Jauns"}});
  CHECK(entry(c["added"], "2024-05-16")["kind"] == "day");
}

TEST_CASE("changelog: progress reports are not listed as a changed field of their own", "[changelog]") {
  TestEngine t;
  seed(t);
  t.ok("p", "report-pledge-progress", {{"pledge", "pl"}, {"percent", 30}});
  auto c = t.changelog("p", std::to_string(kSeedRevision), "");
  auto pl = entry(c["changed"], "pl");
  CHECK(pl["fields"] == json{{"progress", {{"old", 0}, {"new", 30}}}});
}

TEST_CASE("changelog: errors", "[changelog]") {
  TestEngine t;
  seed(t);
  t.ok("p", "publish-release", {{"name", "v1"}});
  auto unknown = t.engine->changelog("p", "v9", "");
  CHECK(unknown.error().code() == ErrorCode::not_found);
  CHECK(unknown.error().path() == "/from");
  CHECK(t.engine->changelog("p", "", "v9").error().path() == "/to");
  CHECK(t.engine->changelog("p", "999", "").error().code() == ErrorCode::not_found);
  auto backwards = t.engine->changelog("p", "5", "3");
  CHECK(backwards.error().code() == ErrorCode::invalid);
  CHECK(t.engine->changelog("nope", "", "").error().code() == ErrorCode::not_found);
  // An empty range is an empty changelog.
  auto same = t.changelog("p", "v1", "v1");
  CHECK(same["changed"].empty());
  CHECK(same["added"].empty());
}
