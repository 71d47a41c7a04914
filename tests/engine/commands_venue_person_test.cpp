// add/update/remove venue and person: success and every error with its path.
#include <catch2/catch.hpp>

#include "test_support.h"

using namespace kartiba;
using namespace kartiba::test;

TEST_CASE("add-venue: VenueAdded with the whole entity", "[commands][venue]") {
  TestEngine t;
  seed(t);
  json data = {{"venue", "cor-bvs"}, {"name", "Eiropas Reģionu komiteja"}, {"building", "BvS"}, {"room", "BvS 858"},
               {"address", "Rue Montoyer 90-102, B-1040 Brussels"}, {"city", "Brussels"}, {"country", "BE"}};
  auto o = t.ok("p", "add-venue", data);
  CHECK(o.created_id.empty());
  auto e = outcome_events(o)[0];
  CHECK(e["type"] == "VenueAdded");
  CHECK(e["data"]["venue"] == "cor-bvs");
  json value = data;
  value.erase("venue");
  CHECK(e["data"]["value"] == value);
  auto v = find_by_id(t.view("p")["venues"], "cor-bvs");
  value["id"] = "cor-bvs";
  CHECK(v == value);
}

TEST_CASE("add-venue: an omitted id is made and returned as created", "[commands][venue]") {
  TestEngine t;
  seed(t);
  auto o = t.ok("p", "add-venue", {{"name", "Bez id"}});
  REQUIRE_FALSE(o.created_id.empty());
  CHECK(json::parse(o.to_json())["created"] == o.created_id);
  CHECK(find_by_id(t.view("p")["venues"], o.created_id)["name"] == "Bez id");
  auto o2 = t.ok("p", "add-venue", {{"name", "Bez id 2"}, {"venue", nullptr}});
  CHECK(o2.created_id != o.created_id);
}

TEST_CASE("add-venue: errors", "[commands][venue]") {
  TestEngine t;
  seed(t);
  REQUIRE_REJECTED(t.run("p", "add-venue", {{"venue", "x"}}), "invalid", "/data/name");
  REQUIRE_REJECTED(t.run("p", "add-venue", {{"venue", "x"}, {"name", nullptr}}), "invalid", "/data/name");
  REQUIRE_REJECTED(t.run("p", "add-venue", {{"venue", "x"}, {"name", 12}}), "invalid", "/data/name");
  REQUIRE_REJECTED(t.run("p", "add-venue", {{"venue", "x"}, {"name", std::string(201, 'n')}}), "invalid", "/data/name");
  REQUIRE_OK(t.run("p", "add-venue", {{"venue", "long"}, {"name", repeat("ņ", 200)}}));
  REQUIRE_REJECTED(t.run("p", "add-venue", {{"venue", "x"}, {"name", "N"}, {"address", std::string(301, 'a')}}),
                   "invalid", "/data/address");
  REQUIRE_OK(t.run("p", "add-venue", {{"venue", "addr"}, {"name", "N"}, {"address", std::string(300, 'a')}}));
  REQUIRE_REJECTED(t.run("p", "add-venue", {{"venue", "x"}, {"name", "N"}, {"room", "a\u0007"}}), "invalid",
                   "/data/room");
  REQUIRE_REJECTED(t.run("p", "add-venue", {{"venue", "x"}, {"name", "N"}, {"colour", "red"}}), "invalid",
                   "/data/colour");
  // Ids: path characters, spaces, control characters, length, type.
  for (json bad : {json("../etc"), json("a/b"), json("a b"), json("a\tb"), json("ā"), json(""), json(std::string(65, 'v')),
                   json(7)}) {
    INFO(bad.dump());
    REQUIRE_REJECTED(t.run("p", "add-venue", {{"venue", bad}, {"name", "N"}}), "invalid", "/data/venue");
  }
  REQUIRE_REJECTED(t.run("p", "add-venue", {{"venue", "hall"}, {"name", "Again"}}), "conflict", "/data/venue");
}

TEST_CASE("update-venue: VenueUpdated with set and was, null clears", "[commands][venue]") {
  TestEngine t;
  seed(t);
  auto e = outcome_events(t.ok("p", "update-venue", {{"venue", "hall"}, {"name", "Lielā zāle 2"}, {"room", "101"}}))[0];
  CHECK(e["type"] == "VenueUpdated");
  CHECK(e["data"]["venue"] == "hall");
  CHECK(e["data"]["set"] == json{{"name", "Lielā zāle 2"}, {"room", "101"}});
  CHECK(e["data"]["was"] == json{{"name", "Lielā zāle"}});
  auto cleared = outcome_events(t.ok("p", "update-venue", {{"venue", "hall"}, {"city", nullptr}}))[0];
  CHECK(cleared["data"]["was"] == json{{"city", "Rīga"}});
  auto v = find_by_id(t.view("p")["venues"], "hall");
  CHECK_FALSE(v.contains("city"));
  CHECK(v["room"] == "101");
}

TEST_CASE("update-venue: errors", "[commands][venue]") {
  TestEngine t;
  seed(t);
  REQUIRE_REJECTED(t.run("p", "update-venue", {{"name", "x"}}), "invalid", "/data/venue");
  REQUIRE_REJECTED(t.run("p", "update-venue", {{"venue", "nope"}, {"name", "x"}}), "not_found", "/data/venue");
  REQUIRE_REJECTED(t.run("p", "update-venue", {{"venue", "a/b"}, {"name", "x"}}), "invalid", "/data/venue");
  REQUIRE_REJECTED(t.run("p", "update-venue", {{"venue", "hall"}}), "invalid", "/data");
  REQUIRE_REJECTED(t.run("p", "update-venue", {{"venue", "hall"}, {"name", nullptr}}), "invalid", "/data/name");
  REQUIRE_REJECTED(t.run("p", "update-venue", {{"venue", "hall"}, {"country", 3}}), "invalid", "/data/country");
  REQUIRE_REJECTED(t.run("p", "update-venue", {{"venue", "hall"}, {"floor", 3}}), "invalid", "/data/floor");
  CHECK(t.revision() == kSeedRevision);
}

TEST_CASE("remove-venue: VenueRemoved with what it was, refused while an item uses it", "[commands][venue]") {
  TestEngine t;
  seed(t);
  REQUIRE_REJECTED(t.run("p", "remove-venue", {{"venue", "hall"}}), "conflict", "/data/venue");
  auto e = outcome_events(t.ok("p", "remove-venue", {{"venue", "room"}}))[0];
  CHECK(e["type"] == "VenueRemoved");
  CHECK(e["data"]["venue"] == "room");
  CHECK(e["data"]["was"] == json{{"name", "Mazā istaba"}});
  CHECK(find_by_id(t.view("p")["venues"], "room").is_null());
  REQUIRE_REJECTED(t.run("p", "remove-venue", {{"venue", "room"}}), "not_found", "/data/venue");
  REQUIRE_REJECTED(t.run("p", "remove-venue", {{"venue", "hall"}, {"name", "x"}}), "invalid", "/data/name");
  REQUIRE_REJECTED(t.run("p", "remove-venue", json::object()), "invalid", "/data/venue");
  // Once the item moves elsewhere the venue can go.
  t.ok("p", "set-item-venue", {{"item", "talk"}, {"venue", nullptr}});
  REQUIRE_OK(t.run("p", "remove-venue", {{"venue", "hall"}}));
}

TEST_CASE("add-person: PersonAdded, errors", "[commands][person]") {
  TestEngine t;
  seed(t);
  auto e = outcome_events(t.ok("p", "add-person", {{"person", "voeten"}, {"name", "Heleen Voeten"},
                                                   {"role", "padomniece"}, {"organisation", "VVSG"}}))[0];
  CHECK(e["type"] == "PersonAdded");
  CHECK(e["data"] == json{{"person", "voeten"},
                          {"value", {{"name", "Heleen Voeten"}, {"role", "padomniece"}, {"organisation", "VVSG"}}}});
  CHECK(find_by_id(t.view("p")["people"], "voeten")["organisation"] == "VVSG");
  auto made = t.ok("p", "add-person", {{"name", "Bez id"}});
  CHECK_FALSE(made.created_id.empty());

  REQUIRE_REJECTED(t.run("p", "add-person", {{"person", "x"}}), "invalid", "/data/name");
  REQUIRE_REJECTED(t.run("p", "add-person", {{"person", "x"}, {"name", "X"}, {"email", "x@y"}}), "invalid",
                   "/data/email");
  REQUIRE_REJECTED(t.run("p", "add-person", {{"person", "x"}, {"name", "X"}, {"role", std::string(201, 'r')}}),
                   "invalid", "/data/role");
  REQUIRE_REJECTED(t.run("p", "add-person", {{"person", "x"}, {"name", "X"}, {"organisation", json::array()}}),
                   "invalid", "/data/organisation");
  REQUIRE_REJECTED(t.run("p", "add-person", {{"person", "x y"}, {"name", "X"}}), "invalid", "/data/person");
  REQUIRE_REJECTED(t.run("p", "add-person", {{"person", "anna"}, {"name", "X"}}), "conflict", "/data/person");
}

TEST_CASE("update-person: PersonUpdated, errors", "[commands][person]") {
  TestEngine t;
  seed(t);
  auto e = outcome_events(t.ok("p", "update-person", {{"person", "anna"}, {"role", "vadītāja"}, {"organisation", nullptr}}))[0];
  CHECK(e["type"] == "PersonUpdated");
  CHECK(e["data"]["set"] == json{{"role", "vadītāja"}, {"organisation", nullptr}});
  CHECK(e["data"]["was"] == json{{"organisation", "LPS"}});
  auto anna = find_by_id(t.view("p")["people"], "anna");
  CHECK(anna["role"] == "vadītāja");
  CHECK_FALSE(anna.contains("organisation"));

  REQUIRE_REJECTED(t.run("p", "update-person", {{"person", "nobody"}, {"name", "x"}}), "not_found", "/data/person");
  REQUIRE_REJECTED(t.run("p", "update-person", {{"person", "anna"}}), "invalid", "/data");
  REQUIRE_REJECTED(t.run("p", "update-person", {{"person", "anna"}, {"name", nullptr}}), "invalid", "/data/name");
  REQUIRE_REJECTED(t.run("p", "update-person", {{"person", "anna"}, {"name", "X"}, {"nick", "a"}}), "invalid",
                   "/data/nick");
}

TEST_CASE("remove-person: PersonRemoved, refused while speaking", "[commands][person]") {
  TestEngine t;
  seed(t);
  REQUIRE_REJECTED(t.run("p", "remove-person", {{"person", "anna"}}), "conflict", "/data/person");
  auto e = outcome_events(t.ok("p", "remove-person", {{"person", "janis"}}))[0];
  CHECK(e["type"] == "PersonRemoved");
  CHECK(e["data"] == json{{"person", "janis"}, {"was", {{"name", "Jānis Kalniņš"}}}});
  REQUIRE_REJECTED(t.run("p", "remove-person", {{"person", "janis"}}), "not_found", "/data/person");
  REQUIRE_REJECTED(t.run("p", "remove-person", {{"person", "anna"}, {"why", "x"}}), "invalid", "/data/why");
  t.ok("p", "unassign-speaker", {{"item", "talk"}, {"person", "anna"}});
  REQUIRE_OK(t.run("p", "remove-person", {{"person", "anna"}}));
  CHECK(t.view("p")["people"].empty());
}
