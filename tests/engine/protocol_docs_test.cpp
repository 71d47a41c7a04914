// What docs/PROTOCOL.md says of the less travelled corners, held to the code: PledgeRemoved and
// DecisionRemoved (only from a revert), export.json's `revision`, history's `next` at the end,
// and the shape of /releases.
#include <catch2/catch.hpp>

#include "test_support.h"

using namespace kartiba;
using namespace kartiba::test;

TEST_CASE("protocol: PledgeRemoved comes from reverting PledgeMade, whole, and is undone whole", "[protocol][pledge]") {
  TestEngine t;
  seed(t);
  auto made = t.ok("p", "make-pledge", {{"pledge", "np"}, {"by", {{"municipality", "Cēsu novads"}}}, {"title", "Koki"}});
  t.ok("p", "record-decision", {{"decision", "d"}, {"title", "Atbalstīt"}, {"pledges", {"np"}}});
  // Changed after it was made: the revert is refused.
  t.ok("p", "report-pledge-progress", {{"pledge", "np"}, {"percent", 20}});
  REQUIRE_REJECTED(t.run("p", "revert", {{"revision", made.revision}}), "conflict", "/data/revision");

  TestEngine u;
  seed(u);
  made = u.ok("p", "make-pledge", {{"pledge", "np"}, {"by", {{"municipality", "Cēsu novads"}}}, {"title", "Koki"}});
  u.ok("p", "record-decision", {{"decision", "d"}, {"title", "Atbalstīt"}, {"pledges", {"np"}}});
  auto removed = outcome_events(u.ok("p", "revert", {{"revision", made.revision}}));
  REQUIRE(removed.size() == 1);
  CHECK(removed[0]["type"] == "PledgeRemoved");
  CHECK(removed[0]["data"]["pledge"] == "np");
  CHECK(removed[0]["data"]["reverts"] == made.revision);
  const json was = removed[0]["data"]["was"];
  CHECK_FALSE(was.contains("id"));
  CHECK(was["status"] == "proposed");
  CHECK(was["progress"] == 0);
  CHECK(was["reports"] == json::array());
  // The decision keeps its link.
  CHECK(find_by_id(u.view("p")["decisions"], "d")["pledges"] == json::array({"np"}));
  CHECK(find_by_id(u.view("p")["pledges"], "np").is_null());
  auto back = outcome_events(u.ok("p", "revert", {{"revision", u.revision()}}));
  CHECK(back[0]["type"] == "PledgeMade");
  CHECK(back[0]["data"]["value"] == was);
  CHECK(find_by_id(u.view("p")["pledges"], "np")["title"] == "Koki");
}

TEST_CASE("protocol: DecisionRemoved comes from reverting DecisionRecorded; was keeps revision, at, actor", "[protocol]") {
  TestEngine t;
  seed(t);
  auto recorded = t.ok("p", "record-decision", {{"decision", "d"}, {"title", "Lēmums"}});
  auto removed = outcome_events(t.ok("p", "revert", {{"revision", recorded.revision}}));
  REQUIRE(removed.size() == 1);
  CHECK(removed[0]["type"] == "DecisionRemoved");
  CHECK(removed[0]["data"]["decision"] == "d");
  CHECK(removed[0]["data"]["reverts"] == recorded.revision);
  CHECK(removed[0]["data"]["was"]["revision"] == recorded.revision);
  CHECK(removed[0]["data"]["was"].contains("at"));
  CHECK(removed[0]["data"]["was"]["actor"] == "K. Miķelsone");
  CHECK(t.view("p")["decisions"].empty());
  t.ok("p", "revert", {{"revision", t.revision()}});
  CHECK(t.view("p")["decisions"][0]["revision"] == t.revision());  // the new event's
}

TEST_CASE("protocol: export.json's revision is the plan's, the last event's", "[protocol][export]") {
  TestEngine t;
  seed(t);
  t.ok("p", "publish-release", {{"name", "v1"}});
  auto doc = json::parse(t.engine->export_plan("p").value());
  CHECK(doc["revision"] == t.revision());
  CHECK(doc["events"].back()["revision"] == t.revision());
  CHECK(doc["revision"] == t.view("p")["revision"]);
}

TEST_CASE("protocol: history's next is null at the end, and past it", "[protocol][history]") {
  TestEngine t;
  seed(t);
  auto exact = json::parse(t.engine->history("p", "lv", 0, kSeedRevision).value());
  CHECK(exact["entries"].size() == kSeedRevision);
  CHECK(exact["next"].is_null());  // the page reaches the plan's revision
  CHECK(exact["revision"] == kSeedRevision);
  CHECK(exact["entries"][0].contains("command"));
  auto one_short = json::parse(t.engine->history("p", "lv", 0, kSeedRevision - 1).value());
  CHECK(one_short["next"] == kSeedRevision - 1);
  auto past = t.engine->history("p", "lv", kSeedRevision + 50, 10);
  REQUIRE(past.ok());
  auto page = json::parse(past.value());
  CHECK(page["entries"].empty());
  CHECK(page["next"].is_null());
}

TEST_CASE("protocol: /releases lists name, note, revision, at, actor, oldest first", "[protocol]") {
  TestEngine t;
  seed(t);
  CHECK(json::parse(t.engine->releases("p").value()) == json{{"releases", json::array()}});
  auto v1 = t.ok("p", "publish-release", {{"name", "v1"}, {"note", "Deputātiem"}});
  t.ok("p", "edit-item", {{"item", "talk"}, {"title", "Atklāšana"}});
  auto v2 = t.ok("p", "publish-release", {{"name", "v2"}}, json::object(), "Ilze");
  auto list = json::parse(t.engine->releases("p").value())["releases"];
  REQUIRE(list.size() == 2);
  CHECK(list[0]["name"] == "v1");
  CHECK(list[0]["note"] == "Deputātiem");
  CHECK(list[0]["revision"] == v1.revision);
  CHECK(list[0]["actor"] == "K. Miķelsone");
  CHECK(list[1]["name"] == "v2");
  CHECK(list[1]["note"] == "");
  CHECK(list[1]["revision"] == v2.revision);
  CHECK(list[1]["actor"] == "Ilze");
  CHECK(list[1]["at"].get<std::string>().size() == 24);  // 2024-05-15T06:00:09.000Z
  CHECK(list == t.view("p")["releases"]);
}
