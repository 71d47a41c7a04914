// make-pledge, update-pledge, set-pledge-status, report-pledge-progress, record-decision,
// publish-release: success and every error with its path.
#include <catch2/catch.hpp>

#include "test_support.h"

using namespace kartiba;
using namespace kartiba::test;

namespace {
json pledge(json extra = json::object()) {
  json d = {{"pledge", "np"}, {"by", {{"municipality", "Cēsu novads"}}}, {"title", "Līdzdalības diena"}};
  for (auto& [k, v] : extra.items()) {
    if (v.is_null()) d.erase(k);
    else d[k] = v;
  }
  return d;
}
}  // namespace

TEST_CASE("make-pledge: PledgeMade with defaults", "[commands][pledge]") {
  TestEngine t;
  seed(t);
  auto e = outcome_events(t.ok("p", "make-pledge", pledge()))[0];
  CHECK(e["type"] == "PledgeMade");
  CHECK(e["data"]["pledge"] == "np");
  CHECK(e["data"]["value"] == json{{"by", {{"municipality", "Cēsu novads"}}},
                                   {"title", "Līdzdalības diena"},
                                   {"sdgs", json::array()},
                                   {"status", "proposed"},
                                   {"status_note", ""},
                                   {"progress", 0},
                                   {"reports", json::array()}});
}

TEST_CASE("make-pledge: every field is kept", "[commands][pledge]") {
  TestEngine t;
  seed(t);
  json d = pledge({{"by", {{"municipality", "Ādažu novads"}, {"person", "K. Miķelsone"}}},
                   {"description", "Stundas\nskolās"},
                   {"sdgs", {13, 4}},
                   {"targets", {"4.7", "13.3", "4.a"}},
                   {"campaign", "Ilgtspējīgu pašvaldību nedēļa 2024"},
                   {"window", {{"from", "2024-09-20"}, {"to", "2024-09-29"}}},
                   {"item", "talk"}});
  t.ok("p", "make-pledge", d);
  auto v = find_by_id(t.view("p")["pledges"], "np");
  CHECK(v["by"] == d["by"]);
  CHECK(v["sdgs"] == json{4, 13});
  CHECK(v["targets"] == d["targets"]);
  CHECK(v["window"] == d["window"]);
  CHECK(v["item"] == "talk");
  CHECK(v["campaign"] == "Ilgtspējīgu pašvaldību nedēļa 2024");
  auto made = t.ok("p", "make-pledge", pledge({{"pledge", nullptr}}));
  CHECK_FALSE(made.created_id.empty());
}

TEST_CASE("make-pledge: errors", "[commands][pledge]") {
  TestEngine t;
  seed(t);
  REQUIRE_REJECTED(t.run("p", "make-pledge", pledge({{"by", nullptr}})), "invalid", "/data/by");
  REQUIRE_REJECTED(t.run("p", "make-pledge", pledge({{"title", nullptr}})), "invalid", "/data/title");
  REQUIRE_REJECTED(t.run("p", "make-pledge", pledge({{"by", "Cēsis"}})), "invalid", "/data/by");
  REQUIRE_REJECTED(t.run("p", "make-pledge", pledge({{"by", {{"person", "X"}}}})), "invalid",
                   "/data/by/municipality");
  REQUIRE_REJECTED(t.run("p", "make-pledge", pledge({{"by", {{"municipality", "C"}, {"mayor", "X"}}}})), "invalid",
                   "/data/by/mayor");
  REQUIRE_REJECTED(t.run("p", "make-pledge", pledge({{"by", {{"municipality", std::string(201, 'm')}}}})), "invalid",
                   "/data/by/municipality");
  REQUIRE_REJECTED(t.run("p", "make-pledge", pledge({{"budget", 100}})), "invalid", "/data/budget");
  REQUIRE_REJECTED(t.run("p", "make-pledge", pledge({{"pledge", "pl"}})), "conflict", "/data/pledge");
  REQUIRE_REJECTED(t.run("p", "make-pledge", pledge({{"pledge", "p/l"}})), "invalid", "/data/pledge");
  REQUIRE_REJECTED(t.run("p", "make-pledge", pledge({{"item", "ghost"}})), "not_found", "/data/item");
  REQUIRE_REJECTED(t.run("p", "make-pledge", pledge({{"campaign", "a\rb"}})), "invalid", "/data/campaign");
  REQUIRE_REJECTED(t.run("p", "make-pledge", pledge({{"description", std::string(5001, 'x')}})), "invalid",
                   "/data/description");
  CHECK(t.revision() == kSeedRevision);
}

TEST_CASE("make-pledge: SDG goals and targets", "[commands][pledge][sdg]") {
  TestEngine t;
  seed(t);
  REQUIRE_REJECTED(t.run("p", "make-pledge", pledge({{"sdgs", {18}}})), "invalid", "/data/sdgs/0");
  REQUIRE_REJECTED(t.run("p", "make-pledge", pledge({{"sdgs", {0}}})), "invalid", "/data/sdgs/0");
  // A target's goal must be listed.
  REQUIRE_REJECTED(t.run("p", "make-pledge", pledge({{"sdgs", {4}}, {"targets", {"4.7", "13.3"}}})), "invalid",
                   "/data/targets/1");
  REQUIRE_REJECTED(t.run("p", "make-pledge", pledge({{"targets", {"13.3"}}})), "invalid", "/data/targets/0");
  // Malformed targets.
  for (json bad : {json("13"), json("13."), json("0.1"), json("18.1"), json("13.0"), json("4.z"), json("4.ab"),
                   json("x.1"), json(13.3), json("13.3.1")}) {
    INFO(bad.dump());
    REQUIRE_REJECTED(t.run("p", "make-pledge", pledge({{"sdgs", {4, 13}}, {"targets", {bad}}})), "invalid",
                     "/data/targets/0");
  }
  REQUIRE_REJECTED(t.run("p", "make-pledge", pledge({{"sdgs", {13}}, {"targets", {"13.3", "13.3"}}})), "invalid",
                   "/data/targets/1");
  REQUIRE_OK(t.run("p", "make-pledge", pledge({{"pledge", "ok"}, {"sdgs", {4, 13, 17}}, {"targets", {"4.a", "13.3", "17.17"}}})));
}

TEST_CASE("make-pledge: the window is two dates in order", "[commands][pledge]") {
  TestEngine t;
  seed(t);
  REQUIRE_REJECTED(t.run("p", "make-pledge", pledge({{"window", {{"from", "2024-09-29"}, {"to", "2024-09-20"}}}})),
                   "invalid", "/data/window/to");
  REQUIRE_REJECTED(t.run("p", "make-pledge", pledge({{"window", {{"from", "2024-13-01"}, {"to", "2024-12-20"}}}})),
                   "invalid", "/data/window/from");
  REQUIRE_REJECTED(t.run("p", "make-pledge", pledge({{"window", {{"from", "2024-09-20"}}}})), "invalid",
                   "/data/window/to");
  REQUIRE_REJECTED(t.run("p", "make-pledge", pledge({{"window", "September"}})), "invalid", "/data/window");
  REQUIRE_OK(t.run("p", "make-pledge", pledge({{"window", {{"from", "2024-09-20"}, {"to", "2024-09-20"}}}})));
}

TEST_CASE("update-pledge: PledgeUpdated, errors", "[commands][pledge]") {
  TestEngine t;
  seed(t);
  auto e = outcome_events(t.ok("p", "update-pledge", {{"pledge", "pl"}, {"title", "Klimata nedēļa"}, {"sdgs", {4, 13}},
                                                      {"targets", {"4.7", "13.3"}}}))[0];
  CHECK(e["type"] == "PledgeUpdated");
  CHECK(e["data"]["was"] == json{{"title", "Klimata stunda"}, {"sdgs", {13}}, {"targets", {"13.3"}}});
  // Dropping goal 13 while target 13.3 is still listed breaks the rule: the error points at
  // the request's sdgs (regression: it named /data/targets/1, which the request did not have).
  REQUIRE_REJECTED(t.run("p", "update-pledge", {{"pledge", "pl"}, {"sdgs", {4}}}), "invalid", "/data/sdgs");
  REQUIRE_REJECTED(t.run("p", "update-pledge", {{"pledge", "pl"}, {"sdgs", {4}}, {"targets", {"4.7", "13.3"}}}),
                   "invalid", "/data/targets/1");
  REQUIRE_REJECTED(t.run("p", "update-pledge", {{"pledge", "pl"}}), "invalid", "/data");
  REQUIRE_REJECTED(t.run("p", "update-pledge", {{"pledge", "pl"}, {"title", nullptr}}), "invalid", "/data/title");
  REQUIRE_REJECTED(t.run("p", "update-pledge", {{"pledge", "pl"}, {"by", nullptr}}), "invalid", "/data/by");
  REQUIRE_REJECTED(t.run("p", "update-pledge", {{"pledge", "pl"}, {"status", "fulfilled"}}), "invalid",
                   "/data/status");
  REQUIRE_REJECTED(t.run("p", "update-pledge", {{"pledge", "ghost"}, {"title", "x"}}), "not_found", "/data/pledge");
  REQUIRE_REJECTED(t.run("p", "update-pledge", {{"pledge", "pl"}, {"item", "ghost"}}), "not_found", "/data/item");
}

TEST_CASE("update-pledge: cleared sdgs stay a list", "[commands][pledge][regression]") {
  TestEngine t;
  seed(t);
  t.ok("p", "update-pledge", {{"pledge", "pl"}, {"targets", nullptr}});
  auto e = outcome_events(t.ok("p", "update-pledge", {{"pledge", "pl"}, {"sdgs", nullptr}}))[0];
  CHECK(e["data"]["set"] == json{{"sdgs", json::array()}});
  auto v = t.view("p");  // the board and the coverage read every pledge's goals
  CHECK(find_by_id(v["pledges"], "pl")["sdgs"] == json::array());
  CHECK(v["pledge_board"]["by_sdg"] == json::object());
}

TEST_CASE("set-pledge-status: PledgeStatusSet, fulfilled sets progress 100, errors", "[commands][pledge]") {
  TestEngine t;
  seed(t);
  auto e = outcome_events(t.ok("p", "set-pledge-status", {{"pledge", "pl"}, {"status", "committed"}, {"note", "Domes lēmums"}}))[0];
  CHECK(e["type"] == "PledgeStatusSet");
  CHECK(e["data"]["set"] == json{{"status", "committed"}, {"status_note", "Domes lēmums"}});
  CHECK(e["data"]["was"] == json{{"status", "proposed"}, {"status_note", ""}});
  for (auto s : {"in-progress", "withdrawn", "proposed", "fulfilled"})
    t.ok("p", "set-pledge-status", {{"pledge", "pl"}, {"status", s}});
  auto v = find_by_id(t.view("p")["pledges"], "pl");
  CHECK(v["status"] == "fulfilled");
  CHECK(v["progress"] == 100);
  CHECK(v["status_note"] == "");

  REQUIRE_REJECTED(t.run("p", "set-pledge-status", {{"pledge", "pl"}}), "invalid", "/data/status");
  REQUIRE_REJECTED(t.run("p", "set-pledge-status", {{"pledge", "pl"}, {"status", "done"}}), "invalid", "/data/status");
  REQUIRE_REJECTED(t.run("p", "set-pledge-status", {{"pledge", "pl"}, {"status", "committed"}, {"note", std::string(1001, 'n')}}),
                   "invalid", "/data/note");
  REQUIRE_REJECTED(t.run("p", "set-pledge-status", {{"pledge", "pl"}, {"status", "committed"}, {"by", "x"}}), "invalid",
                   "/data/by");
  REQUIRE_REJECTED(t.run("p", "set-pledge-status", {{"pledge", "ghost"}, {"status", "committed"}}), "not_found",
                   "/data/pledge");
  REQUIRE_OK(t.run("p", "set-pledge-status", {{"pledge", "pl"}, {"status", "committed"}, {"note", "1. rinda\n2. rinda"}}));
}

TEST_CASE("report-pledge-progress: PledgeProgressReported keeps each report, errors", "[commands][pledge]") {
  TestEngine t;
  seed(t);
  auto e = outcome_events(t.ok("p", "report-pledge-progress", {{"pledge", "pl"}, {"percent", 40}, {"note", "Materiāli gatavi"}}))[0];
  CHECK(e["type"] == "PledgeProgressReported");
  CHECK(e["data"]["set"] == json{{"progress", 40}});
  CHECK(e["data"]["was"] == json{{"progress", 0}});
  CHECK(e["data"]["note"] == "Materiāli gatavi");
  t.ok("p", "report-pledge-progress", {{"pledge", "pl"}, {"percent", 60}}, json::object(), "Ilze");
  auto v = find_by_id(t.view("p")["pledges"], "pl");
  CHECK(v["progress"] == 60);
  REQUIRE(v["reports"].size() == 2);
  CHECK(v["reports"][0]["percent"] == 40);
  CHECK(v["reports"][0]["note"] == "Materiāli gatavi");
  CHECK(v["reports"][1]["actor"] == "Ilze");

  REQUIRE_REJECTED(t.run("p", "report-pledge-progress", {{"pledge", "pl"}}), "invalid", "/data/percent");
  REQUIRE_REJECTED(t.run("p", "report-pledge-progress", {{"pledge", "pl"}, {"percent", 101}}), "invalid", "/data/percent");
  REQUIRE_REJECTED(t.run("p", "report-pledge-progress", {{"pledge", "pl"}, {"percent", -1}}), "invalid", "/data/percent");
  REQUIRE_REJECTED(t.run("p", "report-pledge-progress", {{"pledge", "pl"}, {"percent", 50.5}}), "invalid", "/data/percent");
  REQUIRE_REJECTED(t.run("p", "report-pledge-progress", {{"pledge", "pl"}, {"percent", "50"}}), "invalid", "/data/percent");
  REQUIRE_REJECTED(t.run("p", "report-pledge-progress", {{"pledge", "ghost"}, {"percent", 5}}), "not_found", "/data/pledge");
  t.ok("p", "set-pledge-status", {{"pledge", "pl"}, {"status", "withdrawn"}});
  REQUIRE_REJECTED(t.run("p", "report-pledge-progress", {{"pledge", "pl"}, {"percent", 70}}), "conflict", "/data/pledge");
}

TEST_CASE("record-decision: DecisionRecorded with links, errors", "[commands][decision]") {
  TestEngine t;
  seed(t);
  auto o = t.ok("p", "record-decision", {{"decision", "d1"}, {"title", "Rīkot nedēļu"}, {"text", "Vienojāmies.\nTā."},
                                         {"items", {"talk"}}, {"pledges", {"pl"}}}, json::object(), "Ilze");
  auto e = outcome_events(o)[0];
  CHECK(e["type"] == "DecisionRecorded");
  CHECK(e["data"]["decision"] == "d1");
  auto d = find_by_id(t.view("p")["decisions"], "d1");
  CHECK(d["title"] == "Rīkot nedēļu");
  CHECK(d["items"] == json{"talk"});
  CHECK(d["pledges"] == json{"pl"});
  CHECK(d["revision"] == o.revision);
  CHECK(d["actor"] == "Ilze");
  CHECK(d["at"] == e["at"]);

  REQUIRE_REJECTED(t.run("p", "record-decision", {{"text", "x"}}), "invalid", "/data/title");
  REQUIRE_REJECTED(t.run("p", "record-decision", {{"title", "x"}, {"items", {"talk", "ghost"}}}), "not_found",
                   "/data/items/1");
  REQUIRE_REJECTED(t.run("p", "record-decision", {{"title", "x"}, {"pledges", {"ghost"}}}), "not_found",
                   "/data/pledges/0");
  REQUIRE_REJECTED(t.run("p", "record-decision", {{"title", "x"}, {"text", std::string(5001, 't')}}), "invalid",
                   "/data/text");
  REQUIRE_REJECTED(t.run("p", "record-decision", {{"title", "x"}, {"votes", 3}}), "invalid", "/data/votes");
  REQUIRE_REJECTED(t.run("p", "record-decision", {{"decision", "d1"}, {"title", "x"}}), "conflict", "/data/decision");
}

TEST_CASE("publish-release: ReleasePublished, names unique, not numbers", "[commands][release]") {
  TestEngine t;
  seed(t);
  auto o = t.ok("p", "publish-release", {{"name", "v1"}, {"note", "Pirmā versija"}});
  auto e = outcome_events(o)[0];
  CHECK(e["type"] == "ReleasePublished");
  CHECK(e["data"] == json{{"name", "v1"}, {"note", "Pirmā versija"}});
  auto r = t.view("p")["releases"];
  REQUIRE(r.size() == 1);
  CHECK(r[0]["name"] == "v1");
  CHECK(r[0]["revision"] == o.revision);
  CHECK(r[0]["actor"] == "K. Miķelsone");

  REQUIRE_REJECTED(t.run("p", "publish-release", {{"name", "v1"}}), "conflict", "/data/name");
  REQUIRE_REJECTED(t.run("p", "publish-release", {{"name", "12"}}), "invalid", "/data/name");
  REQUIRE_REJECTED(t.run("p", "publish-release", {{"name", ""}}), "invalid", "/data/name");
  REQUIRE_REJECTED(t.run("p", "publish-release", {{"name", std::string(65, 'v')}}), "invalid", "/data/name");
  REQUIRE_REJECTED(t.run("p", "publish-release", json::object()), "invalid", "/data/name");
  REQUIRE_REJECTED(t.run("p", "publish-release", {{"name", "v2"}, {"note", std::string(1001, 'n')}}), "invalid",
                   "/data/note");
  REQUIRE_REJECTED(t.run("p", "publish-release", {{"name", "v2"}, {"tag", "x"}}), "invalid", "/data/tag");
  REQUIRE_OK(t.run("p", "publish-release", {{"name", "galīgā"}}));
}

TEST_CASE("report-pledge-progress on a fulfilled pledge: 409 until it is reopened", "[commands][pledge]") {
  TestEngine t;
  seed(t);
  t.ok("p", "report-pledge-progress", {{"pledge", "pl"}, {"percent", 40}});
  t.ok("p", "set-pledge-status", {{"pledge", "pl"}, {"status", "fulfilled"}});
  const uint64_t before = t.revision();
  for (int percent : {30, 100}) {
    auto o = t.run("p", "report-pledge-progress", {{"pledge", "pl"}, {"percent", percent}});
    REQUIRE_REJECTED(o, "conflict", "/data/pledge");
  }
  CHECK(t.revision() == before);
  auto v = find_by_id(t.view("p")["pledges"], "pl");
  CHECK(v["progress"] == 100);
  CHECK(v["reports"].size() == 1);
  CHECK(t.view("p")["pledge_board"]["by_municipality"][0]["progress"] == 100);
  // Reopened, the progress stays 100 until the next report.
  t.ok("p", "set-pledge-status", {{"pledge", "pl"}, {"status", "in-progress"}});
  CHECK(find_by_id(t.view("p")["pledges"], "pl")["progress"] == 100);
  t.ok("p", "report-pledge-progress", {{"pledge", "pl"}, {"percent", 80}, {"note", "Vēl viena skola"}});
  CHECK(find_by_id(t.view("p")["pledges"], "pl")["progress"] == 80);
}
