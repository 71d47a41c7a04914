// create-plan, update-plan, set-day: success and every error with its path.
#include <catch2/catch.hpp>

#include "test_support.h"

using namespace kartiba;
using namespace kartiba::test;

namespace {
CommandOutcome create(TestEngine& t, json plan) { return t.engine->create_plan(plan.dump(), "admin"); }
json good_plan() { return {{"id", "riga-2024"}, {"title", "Vizīte"}, {"timezone", "Europe/Riga"}}; }
}  // namespace

TEST_CASE("create-plan: PlanCreated with defaults, the view starts at revision 1", "[commands][plan]") {
  TestEngine t;
  auto o = create(t, good_plan());
  REQUIRE_OK(o);
  CHECK(o.revision == 1);
  auto e = outcome_events(o);
  REQUIRE(e.size() == 1);
  CHECK(e[0]["type"] == "PlanCreated");
  CHECK(e[0]["actor"] == "admin");
  CHECK(json_contains(e[0]["data"]["value"], {{"id", "riga-2024"}, {"title", "Vizīte"}, {"timezone", "Europe/Riga"},
                                              {"language", "lv"}, {"priority_sdgs", json::array()}}));
  auto v = t.view("riga-2024");
  CHECK(v["revision"] == 1);
  CHECK(v["language"] == "lv");
  CHECK(v["items"].empty());
  CHECK(t.engine->plans().size() == 1);
}

TEST_CASE("create-plan: every field is kept", "[commands][plan]") {
  TestEngine t;
  json p = {{"id", "b"}, {"title", "T"}, {"timezone", "Europe/Brussels"}, {"language", "en"},
            {"start_date", "2024-05-15"}, {"end_date", "2024-05-17"}, {"description", "Line 1\nLine 2"},
            {"organiser", "LPS"}, {"place", "Brisele"}, {"priority_sdgs", {16, 4, 13}}};
  REQUIRE_OK(create(t, p));
  auto v = t.view("b");
  p["priority_sdgs"] = {4, 13, 16};  // kept sorted
  CHECK(json_contains(v, p));
}

TEST_CASE("create-plan: errors", "[commands][plan]") {
  TestEngine t;
  struct Case { json patch; std::string code, path; };
  std::vector<Case> cases = {
      {{{"id", nullptr}}, "invalid", "/id"},
      {{{"id", "Bad_Id"}}, "invalid", "/id"},
      {{{"id", "-lead"}}, "invalid", "/id"},
      {{{"id", std::string(65, 'a')}}, "invalid", "/id"},
      {{{"id", "a/b"}}, "invalid", "/id"},
      {{{"title", nullptr}}, "invalid", "/title"},
      {{{"title", 5}}, "invalid", "/title"},
      {{{"title", std::string(201, 't')}}, "invalid", "/title"},
      {{{"title", "a\tb"}}, "invalid", "/title"},
      {{{"timezone", nullptr}}, "invalid", "/timezone"},
      {{{"timezone", "Mars/Olympus"}}, "invalid", "/timezone"},
      {{{"language", "de"}}, "invalid", "/language"},
      {{{"start_date", "2024-02-30"}}, "invalid", "/start_date"},
      {{{"start_date", "2024-05-18"}, {"end_date", "2024-05-17"}}, "invalid", "/end_date"},
      {{{"priority_sdgs", {18}}}, "invalid", "/priority_sdgs/0"},
      {{{"priority_sdgs", {4, 0}}}, "invalid", "/priority_sdgs/1"},
      {{{"priority_sdgs", {4, 4}}}, "invalid", "/priority_sdgs/1"},
      {{{"priority_sdgs", "4"}}, "invalid", "/priority_sdgs"},
      {{{"colour", "red"}}, "invalid", "/colour"},
  };
  for (auto& c : cases) {
    json p = good_plan();
    for (auto& [k, v] : c.patch.items()) {
      if (v.is_null()) p.erase(k);
      else p[k] = v;
    }
    INFO(p.dump());
    REQUIRE_REJECTED(create(t, p), c.code, c.path);
  }
  CHECK(t.engine->plans().empty());
  CHECK(error_code(t.engine->create_plan("not json", "admin")) == "invalid");
  CHECK(error_code(t.engine->create_plan("[]", "admin")) == "invalid");
}

TEST_CASE("create-plan: an existing plan is a conflict", "[commands][plan]") {
  TestEngine t;
  REQUIRE_OK(create(t, good_plan()));
  REQUIRE_REJECTED(create(t, good_plan()), "conflict", "/id");
  CHECK(t.revision("riga-2024") == 1);
}

TEST_CASE("update-plan: PlanUpdated with set and was", "[commands][plan]") {
  TestEngine t;
  seed(t);
  auto o = t.ok("p", "update-plan", {{"title", "Jauns"}, {"place", "Brisele"}, {"priority_sdgs", {13, 4}}});
  auto e = outcome_events(o)[0];
  CHECK(e["type"] == "PlanUpdated");
  CHECK(e["data"]["set"] == json{{"title", "Jauns"}, {"place", "Brisele"}, {"priority_sdgs", {4, 13}}});
  // place had no value before, so `was` does not name it.
  CHECK(e["data"]["was"] == json{{"title", "Plāns"}, {"priority_sdgs", json::array()}});
  auto v = t.view("p");
  CHECK(v["title"] == "Jauns");
  CHECK(v["place"] == "Brisele");
  // null clears an optional field.
  t.ok("p", "update-plan", {{"place", nullptr}});
  CHECK_FALSE(t.view("p").contains("place"));
  // Fields with a default go back to it.
  auto reset = outcome_events(t.ok("p", "update-plan", {{"language", nullptr}, {"priority_sdgs", nullptr}}))[0];
  CHECK(reset["data"]["set"] == json{{"language", "lv"}, {"priority_sdgs", json::array()}});
}

TEST_CASE("update-plan: errors", "[commands][plan]") {
  TestEngine t;
  seed(t);
  REQUIRE_REJECTED(t.run("p", "update-plan", json::object()), "invalid", "/data");
  REQUIRE_REJECTED(t.run("p", "update-plan", {{"title", nullptr}}), "invalid", "/data/title");
  REQUIRE_REJECTED(t.run("p", "update-plan", {{"timezone", nullptr}}), "invalid", "/data/timezone");
  REQUIRE_REJECTED(t.run("p", "update-plan", {{"timezone", "Europe/Atlantis"}}), "invalid", "/data/timezone");
  REQUIRE_REJECTED(t.run("p", "update-plan", {{"end_date", "2024-05-01"}}), "invalid", "/data/end_date");
  REQUIRE_REJECTED(t.run("p", "update-plan", {{"start_date", "15.05.2024"}}), "invalid", "/data/start_date");
  REQUIRE_REJECTED(t.run("p", "update-plan", {{"priority_sdgs", {17, 18}}}), "invalid", "/data/priority_sdgs/1");
  REQUIRE_REJECTED(t.run("p", "update-plan", {{"id", "other"}}), "invalid", "/data/id");
  REQUIRE_REJECTED(t.run("p", "update-plan", {{"description", std::string(5001, 'd')}}), "invalid",
                   "/data/description");
  REQUIRE_OK(t.run("p", "update-plan", {{"description", repeat("ž", 5000)}}));
  CHECK(t.revision() == kSeedRevision + 1);
}

TEST_CASE("update-plan: a new zone does not move items that carry their own", "[commands][plan][time]") {
  TestEngine t;
  seed(t);
  auto before = find_by_id(t.view("p")["items"], "talk");
  t.ok("p", "update-plan", {{"timezone", "Europe/Riga"}});
  auto after = find_by_id(t.view("p")["items"], "talk");
  CHECK(after["start"] == before["start"]);
  CHECK(after["start_utc"] == before["start_utc"]);
  // New items without tz now take the plan's new zone.
  t.ok("p", "schedule-item", {{"item", "x"}, {"title", "X"}, {"start", time_at("2024-05-16T10:00")},
                              {"end", time_at("2024-05-16T11:00")}});
  auto x = find_by_id(t.view("p")["items"], "x");
  CHECK(x["start"]["tz"] == "Europe/Riga");
  CHECK(x["start_utc"] == "2024-05-16T07:00:00Z");
}

TEST_CASE("set-day: DaySet, the day shows its title and place", "[commands][plan]") {
  TestEngine t;
  seed(t);
  auto o = t.ok("p", "set-day", {{"date", "2024-05-16"}, {"title", "Flandrija"}, {"place", "Bornem"}});
  auto e = outcome_events(o)[0];
  CHECK(e["type"] == "DaySet");
  CHECK(e["data"]["date"] == "2024-05-16");
  CHECK(e["data"]["set"] == json{{"title", "Flandrija"}, {"place", "Bornem"}});
  CHECK(e["data"]["was"] == json::object());
  auto days = t.view("p")["days"];
  REQUIRE(days.size() == 3);
  CHECK(days[1]["title"] == "Flandrija");
  CHECK(days[1]["place"] == "Bornem");
  auto again = outcome_events(t.ok("p", "set-day", {{"date", "2024-05-16"}, {"title", "Mechelen"}}))[0];
  CHECK(again["data"]["was"] == json{{"title", "Flandrija"}});
  // A day outside the plan's dates appears in the view too.
  t.ok("p", "set-day", {{"date", "2024-05-20"}, {"title", "Pēcāk"}});
  CHECK(t.view("p")["days"].size() == 4);
}

TEST_CASE("set-day: errors", "[commands][plan]") {
  TestEngine t;
  seed(t);
  REQUIRE_REJECTED(t.run("p", "set-day", {{"title", "x"}}), "invalid", "/data/date");
  REQUIRE_REJECTED(t.run("p", "set-day", {{"date", "2024-02-30"}, {"title", "x"}}), "invalid", "/data/date");
  REQUIRE_REJECTED(t.run("p", "set-day", {{"date", 20240516}, {"title", "x"}}), "invalid", "/data/date");
  REQUIRE_REJECTED(t.run("p", "set-day", {{"date", "2024-05-16"}}), "invalid", "/data");
  REQUIRE_REJECTED(t.run("p", "set-day", {{"date", "2024-05-16"}, {"title", std::string(201, 'x')}}), "invalid",
                   "/data/title");
  REQUIRE_REJECTED(t.run("p", "set-day", {{"date", "2024-05-16"}, {"place", "a\nb"}}), "invalid", "/data/place");
  REQUIRE_REJECTED(t.run("p", "set-day", {{"date", "2024-05-16"}, {"weather", "sun"}}), "invalid", "/data/weather");
  CHECK(t.revision() == kSeedRevision);
}
