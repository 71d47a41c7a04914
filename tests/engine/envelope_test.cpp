// The command envelope {"id","type","base","reason","data"}: what is checked before any
// command type's own rules.
#include <catch2/catch.hpp>

#include "test_support.h"

using namespace kartiba;
using namespace kartiba::test;

TEST_CASE("envelope: an unknown command type is rejected at /type", "[commands][envelope]") {
  TestEngine t;
  seed(t);
  REQUIRE_REJECTED(t.run("p", "move-item", {{"item", "talk"}}), "invalid", "/type");
  REQUIRE_REJECTED(t.raw("p", R"({"data":{}})"), "invalid", "/type");
  REQUIRE_REJECTED(t.raw("p", R"({"type":7,"data":{}})"), "invalid", "/type");
  CHECK(t.revision() == kSeedRevision);
}

TEST_CASE("envelope: create-plan is not a plan command", "[commands][envelope]") {
  TestEngine t;
  seed(t);
  REQUIRE_REJECTED(t.run("p", "create-plan", {{"id", "q"}, {"title", "Q"}, {"timezone", "Europe/Riga"}}), "invalid",
                   "/type");
  CHECK_FALSE(t.engine->has_plan("q"));
}

TEST_CASE("envelope: malformed JSON, non-objects and bad data are invalid", "[commands][envelope]") {
  TestEngine t;
  seed(t);
  CHECK(error_code(t.raw("p", "{\"type\":")) == "invalid");
  CHECK(error_code(t.raw("p", "[1,2]")) == "invalid");
  REQUIRE_REJECTED(t.raw("p", R"({"type":"edit-item","data":[1]})"), "invalid", "/data");
  REQUIRE_REJECTED(t.raw("p", R"({"type":"edit-item","data":{"item":"talk","title":"x"},"colour":"red"})"), "invalid",
                   "/colour");
  // Invalid UTF-8 in a title.
  std::string bad = std::string(R"({"type":"edit-item","data":{"item":"talk","title":"a)") + "\xC3\x28" + "\"}}";
  CHECK(error_code(t.raw("p", bad)) == "invalid");
  CHECK(t.revision() == kSeedRevision);
}

TEST_CASE("envelope: nesting deeper than 64 levels is invalid", "[commands][envelope]") {
  TestEngine t;
  seed(t);
  std::string deep = repeat("[", 70) + repeat("]", 70);
  std::string cmd = R"({"type":"edit-item","data":{"item":"talk","topics":)" + deep + "}}";
  CHECK(error_code(t.raw("p", cmd)) == "invalid");
}

TEST_CASE("envelope: a command on an unknown plan is not_found", "[commands][envelope]") {
  TestEngine t;
  seed(t);
  CHECK(error_code(t.run("nope", "edit-item", {{"item", "talk"}, {"title", "x"}})) == "not_found");
}

TEST_CASE("envelope: command ids are checked", "[commands][envelope]") {
  TestEngine t;
  seed(t);
  for (json bad : {json("a b"), json("a/b"), json(""), json(std::string(129, 'x')), json("c\n1"), json(17)}) {
    INFO(bad.dump());
    REQUIRE_REJECTED(t.run("p", "edit-item", {{"item", "talk"}, {"title", "x"}}, {{"id", bad}}), "invalid", "/id");
  }
  REQUIRE_OK(t.run("p", "edit-item", {{"item", "talk"}, {"title", "x"}}, {{"id", "c-1:retry.2_x"}}));
}

TEST_CASE("envelope: base must be a revision number not ahead of the plan", "[commands][envelope]") {
  TestEngine t;
  seed(t);
  REQUIRE_REJECTED(t.run("p", "edit-item", {{"item", "talk"}, {"title", "x"}}, {{"base", kSeedRevision + 1}}),
                   "invalid", "/base");
  REQUIRE_REJECTED(t.run("p", "edit-item", {{"item", "talk"}, {"title", "x"}}, {{"base", -1}}), "invalid", "/base");
  REQUIRE_REJECTED(t.run("p", "edit-item", {{"item", "talk"}, {"title", "x"}}, {{"base", "8"}}), "invalid", "/base");
  REQUIRE_REJECTED(t.run("p", "edit-item", {{"item", "talk"}, {"title", "x"}}, {{"base", 2.5}}), "invalid", "/base");
  REQUIRE_OK(t.run("p", "edit-item", {{"item", "talk"}, {"title", "x"}}, {{"base", kSeedRevision}}));
  REQUIRE_OK(t.run("p", "edit-item", {{"item", "talk"}, {"title", "y"}}, {{"base", nullptr}}));
}

TEST_CASE("envelope: reason is kept on the event and checked", "[commands][envelope]") {
  TestEngine t;
  seed(t);
  auto o = t.ok("p", "edit-item", {{"item", "talk"}, {"title", "x"}}, {{"reason", "Anna lūdza — “īsāk”"}});
  CHECK(outcome_events(o)[0]["reason"] == "Anna lūdza — “īsāk”");
  auto plain = t.ok("p", "edit-item", {{"item", "talk"}, {"title", "y"}});
  CHECK(outcome_events(plain)[0]["reason"] == "");
  REQUIRE_REJECTED(t.run("p", "edit-item", {{"item", "talk"}, {"title", "z"}}, {{"reason", "a\x01z"}}), "invalid",
                   "/reason");
  REQUIRE_REJECTED(t.run("p", "edit-item", {{"item", "talk"}, {"title", "z"}}, {{"reason", std::string(1001, 'r')}}),
                   "invalid", "/reason");
  REQUIRE_OK(t.run("p", "edit-item", {{"item", "talk"}, {"title", "z"}}, {{"reason", repeat("ā", 1000)}}));
}

TEST_CASE("envelope: an ack carries revision, events, command id and the actor", "[commands][envelope]") {
  TestEngine t;
  seed(t);
  auto o = t.ok("p", "edit-item", {{"item", "talk"}, {"title", "x"}}, {{"id", "c-42"}}, "Ilze Ozola");
  CHECK(o.revision == kSeedRevision + 1);
  CHECK(o.command_id == "c-42");
  auto ack = json::parse(o.to_json());
  CHECK(ack["ok"] == true);
  CHECK(ack["revision"] == kSeedRevision + 1);
  CHECK(ack["command"] == "c-42");
  REQUIRE(ack["events"].size() == 1);
  auto e = ack["events"][0];
  CHECK(e["plan"] == "p");
  CHECK(e["revision"] == kSeedRevision + 1);
  CHECK(e["type"] == "ItemEdited");
  CHECK(e["actor"] == "Ilze Ozola");
  CHECK(e["command"] == "c-42");
  CHECK(e["hash"].get<std::string>().size() == 64);
  CHECK(e["at"].get<std::string>().back() == 'Z');
  CHECK(e["seq"].get<uint64_t>() > 0);
  // Without an id the engine makes one and returns it.
  auto anon = t.ok("p", "edit-item", {{"item", "talk"}, {"title", "y"}});
  CHECK_FALSE(anon.command_id.empty());
  CHECK(outcome_events(anon)[0]["command"] == anon.command_id);
}

TEST_CASE("envelope: a rejected command appends nothing", "[commands][envelope]") {
  TestEngine t;
  seed(t);
  auto before = t.view("p");
  auto evs = t.events("p").size();
  CHECK_FALSE(t.run("p", "schedule-item", {{"title", "x"}}).ok);
  CHECK_FALSE(t.run("p", "edit-item", {{"item", "nope"}, {"title", "x"}}).ok);
  CHECK(t.events("p").size() == evs);
  CHECK(t.view("p") == before);
}
