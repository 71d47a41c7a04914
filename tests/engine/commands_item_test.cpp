// schedule-item, reschedule-item, edit-item, set-item-venue, set-item-status, assign/unassign
// speaker, tag-item, remove-item: success and every error with its path.
#include <catch2/catch.hpp>

#include "test_support.h"

using namespace kartiba;
using namespace kartiba::test;

namespace {
json item(json extra = json::object()) {
  json d = {{"item", "new"}, {"title", "Jauns"}, {"start", time_at("2024-05-16T09:00")},
            {"end", time_at("2024-05-16T10:00")}};
  for (auto& [k, v] : extra.items()) {
    if (v.is_null()) d.erase(k);
    else d[k] = v;
  }
  return d;
}
}  // namespace

TEST_CASE("schedule-item: ItemScheduled with defaults filled in", "[commands][item]") {
  TestEngine t;
  seed(t);
  auto e = outcome_events(t.ok("p", "schedule-item", item()))[0];
  CHECK(e["type"] == "ItemScheduled");
  CHECK(e["data"]["item"] == "new");
  CHECK(e["data"]["value"] == json{{"title", "Jauns"},
                                   {"kind", "meeting"},
                                   {"status", "confirmed"},
                                   {"start", {{"local", "2024-05-16T09:00"}, {"tz", "Europe/Brussels"}}},
                                   {"end", {{"local", "2024-05-16T10:00"}, {"tz", "Europe/Brussels"}}},
                                   {"topics", json::array()},
                                   {"sdgs", json::array()},
                                   {"speakers", json::array()}});
  auto v = find_by_id(t.view("p")["items"], "new");
  CHECK(v["venue"].is_null());
  CHECK(v["day"] == "2024-05-16");
  CHECK(v["duration_min"] == 60);
}

TEST_CASE("schedule-item: every field is kept", "[commands][item]") {
  TestEngine t;
  seed(t);
  json d = item({{"kind", "visit"}, {"venue", "room"}, {"description", "Pirmā rinda\nOtrā rinda"},
                 {"topics", {"IAM", "Ilgtspējīgu pašvaldību nedēļa"}}, {"status", "tentative"}, {"sdgs", {17, 4}},
                 {"track", "A"}, {"speakers", {"janis", "anna"}}});
  t.ok("p", "schedule-item", d);
  auto v = find_by_id(t.view("p")["items"], "new");
  CHECK(v["kind"] == "visit");
  CHECK(v["venue"] == "room");
  CHECK(v["description"] == "Pirmā rinda\nOtrā rinda");
  CHECK(v["topics"] == json{"IAM", "Ilgtspējīgu pašvaldību nedēļa"});
  CHECK(v["status"] == "tentative");
  CHECK(v["sdgs"] == json{4, 17});
  CHECK(v["track"] == "A");
  CHECK(v["speakers"] == json{"janis", "anna"});
  for (auto kind : {"meeting", "visit", "presentation", "break", "travel", "meal", "other"})
    REQUIRE_OK(t.run("p", "schedule-item", item({{"item", std::string("k-") + kind}, {"kind", kind}})));
  auto made = t.ok("p", "schedule-item", item({{"item", nullptr}}));
  CHECK_FALSE(made.created_id.empty());
  CHECK_FALSE(find_by_id(t.view("p")["items"], made.created_id).is_null());
}

TEST_CASE("schedule-item: missing, unknown and mistyped fields", "[commands][item]") {
  TestEngine t;
  seed(t);
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"title", nullptr}})), "invalid", "/data/title");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"start", nullptr}})), "invalid", "/data/start");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"end", nullptr}})), "invalid", "/data/end");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"room", "x"}})), "invalid", "/data/room");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"title", 1}})), "invalid", "/data/title");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"title", "  "}})), "invalid", "/data/title");
  REQUIRE_REJECTED(t.run("p", "add-person", {{"person", "x"}, {"name", ""}}), "invalid", "/data/name");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"kind", "party"}})), "invalid", "/data/kind");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"status", "maybe"}})), "invalid", "/data/status");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"topics", "one"}})), "invalid", "/data/topics");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"topics", {"ok", 3}}})), "invalid", "/data/topics/1");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"speakers", "anna"}})), "invalid", "/data/speakers");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"sdgs", {"4"}}})), "invalid", "/data/sdgs/0");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"start", "2024-05-16T09:00"}})), "invalid", "/data/start");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"start", {{"tz", "Europe/Riga"}}}})), "invalid",
                   "/data/start/local");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"start", {{"local", "2024-05-16T09:00"}, {"zone", "x"}}}})),
                   "invalid", "/data/start/zone");
  CHECK(t.revision() == kSeedRevision);
}

TEST_CASE("schedule-item: text limits", "[commands][item]") {
  TestEngine t;
  seed(t);
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"title", repeat("ā", 201)}})), "invalid", "/data/title");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"title", "a\nb"}})), "invalid", "/data/title");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"description", std::string(5001, 'd')}})), "invalid",
                   "/data/description");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"description", "a\x01"}})), "invalid", "/data/description");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"topics", {"ok", std::string(501, 't')}}})), "invalid",
                   "/data/topics/1");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"topics", std::vector<std::string>(51, "t")}})), "invalid",
                   "/data/topics");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"track", std::string(201, 'x')}})), "invalid", "/data/track");
  REQUIRE_OK(t.run("p", "schedule-item",
                   item({{"item", "max"}, {"title", repeat("ā", 200)}, {"description", repeat("ē", 5000)},
                         {"topics", std::vector<std::string>(50, repeat("ū", 500))}})));
}

TEST_CASE("schedule-item: ids and references", "[commands][item]") {
  TestEngine t;
  seed(t);
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"item", "a/b"}})), "invalid", "/data/item");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"item", std::string("a\0b", 3)}})), "invalid", "/data/item");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"item", "talk"}})), "conflict", "/data/item");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"venue", "nowhere"}})), "not_found", "/data/venue");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"venue", "a b"}})), "invalid", "/data/venue");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"speakers", {"anna", "ghost"}}})), "not_found",
                   "/data/speakers/1");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"speakers", {"anna", "anna"}}})), "invalid", "/data/speakers/1");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"speakers", {"a/b"}}})), "invalid", "/data/speakers/0");
}

TEST_CASE("schedule-item: SDG goals are 1-17, distinct", "[commands][item][sdg]") {
  TestEngine t;
  seed(t);
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"sdgs", {0}}})), "invalid", "/data/sdgs/0");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"sdgs", {4, 18}}})), "invalid", "/data/sdgs/1");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"sdgs", {-4}}})), "invalid", "/data/sdgs/0");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"sdgs", {4.5}}})), "invalid", "/data/sdgs/0");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"sdgs", {13, 13}}})), "invalid", "/data/sdgs/1");
  REQUIRE_OK(t.run("p", "schedule-item", item({{"sdgs", {1, 17}}})));
}

TEST_CASE("schedule-item: times are checked", "[commands][item][time]") {
  TestEngine t;
  seed(t);
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"start", time_at("2024-05-16 09:00")}})), "invalid",
                   "/data/start/local");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"start", time_at("2024-05-32T09:00")}})), "invalid",
                   "/data/start/local");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"start", time_at("2024-05-16T24:00")}})), "invalid",
                   "/data/start/local");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"end", time_at("2024-05-16T10:00", "Europe/Nowhere")}})),
                   "invalid", "/data/end/tz");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"end", time_at("2024-05-16T08:00")}})), "invalid", "/data/end");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"end", time_at("2024-05-16T09:00")}})), "invalid", "/data/end");
  REQUIRE_REJECTED(t.run("p", "schedule-item", item({{"end", time_at("2024-06-20T09:00")}})), "invalid", "/data/end");
}

TEST_CASE("reschedule-item: ItemRescheduled with set and was", "[commands][item]") {
  TestEngine t;
  seed(t);
  auto e = outcome_events(t.ok("p", "reschedule-item", {{"item", "talk"}, {"start", time_at("2024-05-15T10:30")},
                                                        {"end", time_at("2024-05-15T11:30")}}))[0];
  CHECK(e["type"] == "ItemRescheduled");
  CHECK(e["data"]["set"]["start"] == json{{"local", "2024-05-15T10:30"}, {"tz", "Europe/Brussels"}});
  CHECK(e["data"]["was"]["start"] == json{{"local", "2024-05-15T10:00"}, {"tz", "Europe/Brussels"}});
  CHECK(e["data"]["was"]["end"] == json{{"local", "2024-05-15T11:00"}, {"tz", "Europe/Brussels"}});
  // Only the end.
  auto end_only = outcome_events(t.ok("p", "reschedule-item", {{"item", "talk"}, {"end", time_at("2024-05-15T12:00")}}))[0];
  CHECK_FALSE(end_only["data"]["set"].contains("start"));
  auto v = find_by_id(t.view("p")["items"], "talk");
  CHECK(v["duration_min"] == 90);
}

TEST_CASE("reschedule-item: errors", "[commands][item]") {
  TestEngine t;
  seed(t);
  REQUIRE_REJECTED(t.run("p", "reschedule-item", {{"item", "talk"}}), "invalid", "/data/start");
  REQUIRE_REJECTED(t.run("p", "reschedule-item", {{"start", time_at("2024-05-15T10:30")}}), "invalid", "/data/item");
  REQUIRE_REJECTED(t.run("p", "reschedule-item", {{"item", "ghost"}, {"start", time_at("2024-05-15T10:30")}}),
                   "not_found", "/data/item");
  REQUIRE_REJECTED(t.run("p", "reschedule-item", {{"item", "talk"}, {"start", nullptr}}), "invalid", "/data/start");
  REQUIRE_REJECTED(t.run("p", "reschedule-item", {{"item", "talk"}, {"start", time_at("2024-05-15T11:30")}}),
                   "invalid", "/data/start");
  REQUIRE_REJECTED(t.run("p", "reschedule-item", {{"item", "talk"}, {"end", time_at("2024-05-15T09:30")}}), "invalid",
                   "/data/end");
  REQUIRE_REJECTED(t.run("p", "reschedule-item", {{"item", "talk"}, {"title", "x"}}), "invalid", "/data/title");
  CHECK(t.revision() == kSeedRevision);
}

TEST_CASE("edit-item: ItemEdited, errors", "[commands][item]") {
  TestEngine t;
  seed(t);
  auto e = outcome_events(t.ok("p", "edit-item", {{"item", "talk"}, {"title", "Atklāšana"}, {"kind", "presentation"},
                                                  {"topics", {"IAM 4"}}, {"track", "A"}, {"description", "D"}}))[0];
  CHECK(e["type"] == "ItemEdited");
  CHECK(e["data"]["was"] == json{{"title", "Ievadruna"}, {"kind", "meeting"}, {"topics", json::array()}});
  auto v = find_by_id(t.view("p")["items"], "talk");
  CHECK(v["title"] == "Atklāšana");
  CHECK(v["track"] == "A");
  t.ok("p", "edit-item", {{"item", "talk"}, {"track", nullptr}, {"description", nullptr}});
  v = find_by_id(t.view("p")["items"], "talk");
  CHECK_FALSE(v.contains("description"));

  REQUIRE_REJECTED(t.run("p", "edit-item", {{"item", "talk"}}), "invalid", "/data");
  REQUIRE_REJECTED(t.run("p", "edit-item", {{"item", "talk"}, {"title", nullptr}}), "invalid", "/data/title");
  REQUIRE_REJECTED(t.run("p", "edit-item", {{"item", "talk"}, {"start", time_at("2024-05-15T10:00")}}), "invalid",
                   "/data/start");
  REQUIRE_REJECTED(t.run("p", "edit-item", {{"item", "talk"}, {"status", "cancelled"}}), "invalid", "/data/status");
  REQUIRE_REJECTED(t.run("p", "edit-item", {{"item", "talk"}, {"kind", "gala"}}), "invalid", "/data/kind");
  REQUIRE_REJECTED(t.run("p", "edit-item", {{"item", "ghost"}, {"title", "x"}}), "not_found", "/data/item");
}

TEST_CASE("edit-item: clearing a field with a default resets it to the default", "[commands][item][regression]") {
  TestEngine t;
  seed(t);
  t.ok("p", "edit-item", {{"item", "talk"}, {"kind", "visit"}, {"topics", {"a"}}});
  // The views read every item's lists: a cleared list must stay a list.
  auto e = outcome_events(t.ok("p", "edit-item", {{"item", "talk"}, {"kind", nullptr}, {"topics", nullptr}}))[0];
  CHECK(e["data"]["set"] == json{{"kind", "meeting"}, {"topics", json::array()}});
  auto v = find_by_id(t.view("p")["items"], "talk");
  CHECK(v["kind"] == "meeting");
  CHECK(v["topics"] == json::array());
}

TEST_CASE("set-item-venue: ItemVenueSet, null clears, errors", "[commands][item]") {
  TestEngine t;
  seed(t);
  auto e = outcome_events(t.ok("p", "set-item-venue", {{"item", "lunch"}, {"venue", "room"}}))[0];
  CHECK(e["type"] == "ItemVenueSet");
  CHECK(e["data"] == json{{"item", "lunch"}, {"set", {{"venue", "room"}}}, {"was", json::object()}});
  auto cleared = outcome_events(t.ok("p", "set-item-venue", {{"item", "lunch"}, {"venue", nullptr}}))[0];
  CHECK(cleared["data"]["was"] == json{{"venue", "room"}});
  CHECK(find_by_id(t.view("p")["items"], "lunch")["venue"].is_null());

  REQUIRE_REJECTED(t.run("p", "set-item-venue", {{"item", "lunch"}}), "invalid", "/data/venue");
  REQUIRE_REJECTED(t.run("p", "set-item-venue", {{"item", "lunch"}, {"venue", "ghost"}}), "not_found", "/data/venue");
  REQUIRE_REJECTED(t.run("p", "set-item-venue", {{"item", "lunch"}, {"venue", 4}}), "invalid", "/data/venue");
  REQUIRE_REJECTED(t.run("p", "set-item-venue", {{"item", "ghost"}, {"venue", "room"}}), "not_found", "/data/item");
  REQUIRE_REJECTED(t.run("p", "set-item-venue", {{"item", "lunch"}, {"venue", "room"}, {"title", "x"}}), "invalid",
                   "/data/title");
}

TEST_CASE("set-item-status: ItemStatusSet, errors", "[commands][item]") {
  TestEngine t;
  seed(t);
  for (auto s : {"tentative", "cancelled", "confirmed"}) {
    auto e = outcome_events(t.ok("p", "set-item-status", {{"item", "talk"}, {"status", s}}))[0];
    CHECK(e["type"] == "ItemStatusSet");
    CHECK(e["data"]["set"]["status"] == s);
    CHECK(find_by_id(t.view("p")["items"], "talk")["status"] == s);
  }
  REQUIRE_REJECTED(t.run("p", "set-item-status", {{"item", "talk"}}), "invalid", "/data/status");
  REQUIRE_REJECTED(t.run("p", "set-item-status", {{"item", "talk"}, {"status", "tbc"}}), "invalid", "/data/status");
  REQUIRE_REJECTED(t.run("p", "set-item-status", {{"item", "talk"}, {"status", nullptr}}), "invalid", "/data/status");
  REQUIRE_REJECTED(t.run("p", "set-item-status", {{"item", "ghost"}, {"status", "cancelled"}}), "not_found",
                   "/data/item");
  CHECK(find_by_id(t.view("p")["items"], "talk")["status"] == "confirmed");
}

TEST_CASE("assign-speaker / unassign-speaker: events and errors", "[commands][item]") {
  TestEngine t;
  seed(t);
  auto a = outcome_events(t.ok("p", "assign-speaker", {{"item", "talk"}, {"person", "janis"}}))[0];
  CHECK(a["type"] == "SpeakerAssigned");
  CHECK(a["data"] == json{{"item", "talk"}, {"person", "janis"}});
  CHECK(find_by_id(t.view("p")["items"], "talk")["speakers"] == json{"anna", "janis"});
  auto u = outcome_events(t.ok("p", "unassign-speaker", {{"item", "talk"}, {"person", "anna"}}))[0];
  CHECK(u["type"] == "SpeakerUnassigned");
  CHECK(find_by_id(t.view("p")["items"], "talk")["speakers"] == json{"janis"});

  REQUIRE_REJECTED(t.run("p", "assign-speaker", {{"item", "talk"}, {"person", "ghost"}}), "not_found", "/data/person");
  REQUIRE_REJECTED(t.run("p", "assign-speaker", {{"item", "ghost"}, {"person", "anna"}}), "not_found", "/data/item");
  REQUIRE_REJECTED(t.run("p", "assign-speaker", {{"item", "talk"}, {"person", "janis"}}), "conflict", "/data/person");
  REQUIRE_REJECTED(t.run("p", "unassign-speaker", {{"item", "talk"}, {"person", "anna"}}), "conflict", "/data/person");
  REQUIRE_REJECTED(t.run("p", "assign-speaker", {{"item", "talk"}}), "invalid", "/data/person");
  REQUIRE_REJECTED(t.run("p", "assign-speaker", {{"person", "anna"}}), "invalid", "/data/item");
  REQUIRE_REJECTED(t.run("p", "assign-speaker", {{"item", "talk"}, {"person", "a b"}}), "invalid", "/data/person");
  REQUIRE_REJECTED(t.run("p", "assign-speaker", {{"item", "talk"}, {"person", "anna"}, {"role", "x"}}), "invalid",
                   "/data/role");
}

TEST_CASE("tag-item: ItemTagged with the full new list, errors", "[commands][item][sdg]") {
  TestEngine t;
  seed(t);
  auto e = outcome_events(t.ok("p", "tag-item", {{"item", "talk"}, {"sdgs", {16, 4, 13}}}))[0];
  CHECK(e["type"] == "ItemTagged");
  CHECK(e["data"]["set"] == json{{"sdgs", {4, 13, 16}}});
  CHECK(e["data"]["was"] == json{{"sdgs", {4}}});
  t.ok("p", "tag-item", {{"item", "talk"}, {"sdgs", json::array()}});
  CHECK(find_by_id(t.view("p")["items"], "talk")["sdgs"] == json::array());

  REQUIRE_REJECTED(t.run("p", "tag-item", {{"item", "talk"}}), "invalid", "/data/sdgs");
  REQUIRE_REJECTED(t.run("p", "tag-item", {{"item", "talk"}, {"sdgs", {0}}}), "invalid", "/data/sdgs/0");
  REQUIRE_REJECTED(t.run("p", "tag-item", {{"item", "talk"}, {"sdgs", {1, 2, 18}}}), "invalid", "/data/sdgs/2");
  REQUIRE_REJECTED(t.run("p", "tag-item", {{"item", "talk"}, {"sdgs", 4}}), "invalid", "/data/sdgs");
  REQUIRE_REJECTED(t.run("p", "tag-item", {{"item", "ghost"}, {"sdgs", {4}}}), "not_found", "/data/item");
}

TEST_CASE("tag-item: null sdgs is rejected, not stored", "[commands][item][sdg][regression]") {
  TestEngine t;
  seed(t);
  REQUIRE_REJECTED(t.run("p", "tag-item", {{"item", "talk"}, {"sdgs", nullptr}}), "invalid", "/data/sdgs");
  auto v = t.view("p");  // renders sdg_coverage over every item's list
  CHECK(find_by_id(v["items"], "talk")["sdgs"] == json{4});
  CHECK(v["sdg_coverage"].size() == 17);
}

TEST_CASE("remove-item: ItemRemoved with what it was, refused while a pledge links it", "[commands][item]") {
  TestEngine t;
  seed(t);
  auto e = outcome_events(t.ok("p", "remove-item", {{"item", "lunch"}}))[0];
  CHECK(e["type"] == "ItemRemoved");
  CHECK(e["data"]["item"] == "lunch");
  CHECK(e["data"]["was"]["title"] == "Pusdienas");
  CHECK_FALSE(e["data"]["was"].contains("id"));
  CHECK(find_by_id(t.view("p")["items"], "lunch").is_null());
  REQUIRE_REJECTED(t.run("p", "remove-item", {{"item", "lunch"}}), "not_found", "/data/item");

  t.ok("p", "update-pledge", {{"pledge", "pl"}, {"item", "talk"}});
  REQUIRE_REJECTED(t.run("p", "remove-item", {{"item", "talk"}}), "conflict", "/data/item");
  REQUIRE_REJECTED(t.run("p", "remove-item", {{"item", "talk"}, {"force", true}}), "invalid", "/data/force");
  t.ok("p", "update-pledge", {{"pledge", "pl"}, {"item", nullptr}});
  REQUIRE_OK(t.run("p", "remove-item", {{"item", "talk"}}));
  CHECK(t.view("p")["items"].empty());
}
