// export.json: export → import into a fresh engine → export gives the same document; a
// tampered export changes nothing; importing an existing plan is a conflict.
#include <functional>

#include <catch2/catch.hpp>

#include "test_support.h"

using namespace kartiba;
using namespace kartiba::test;

namespace {

// A plan with a varied history: edits, a removal, a revert, a release, Latvian text.
void history_rich(TestEngine& t) {
  seed(t);
  t.ok("p", "reschedule-item", {{"item", "talk"}, {"start", time_at("2024-05-15T10:30")}}, {{"reason", "Annas lūgums"}}, "Anna");
  t.ok("p", "set-day", {{"date", "2024-05-16"}, {"title", "Flandrija"}});
  auto removed = t.ok("p", "remove-item", {{"item", "lunch"}});
  t.ok("p", "revert", {{"revision", removed.revision}});
  t.ok("p", "report-pledge-progress", {{"pledge", "pl"}, {"percent", 30}, {"note", "Sākts"}});
  t.ok("p", "record-decision", {{"decision", "d"}, {"title", "Lēmums"}, {"items", {"talk"}}});
  t.ok("p", "publish-release", {{"name", "v1"}, {"note", "Deputātiem"}});
  t.ok("p", "schedule-item", {{"item", "flight"}, {"title", "Lidojums"}, {"kind", "travel"},
                              {"start", time_at("2024-05-17T09:40")}, {"end", time_at("2024-05-17T13:05", "Europe/Riga")}});
}

std::string export_of(TestEngine& t, const std::string& plan) {
  auto e = t.engine->export_plan(plan);
  INFO((e.ok() ? std::string() : e.error().to_json()));
  REQUIRE(e.ok());
  return e.value();
}

}  // namespace

TEST_CASE("export: the document's shape", "[export]") {
  TestEngine t;
  history_rich(t);
  auto doc = json::parse(export_of(t, "p"));
  CHECK(doc["format"] == "kartiba-export");
  CHECK(doc["version"] == 1);
  CHECK(doc["plan"]["id"] == "p");
  CHECK(doc["days"] == json::array({{{"date", "2024-05-16"}, {"title", "Flandrija"}}}));
  CHECK(doc["venues"].size() == 2);
  CHECK(doc["items"].size() == 3);
  CHECK(doc["releases"] == json::array({{{"name", "v1"}, {"note", "Deputātiem"}}}));
  CHECK_FALSE(doc["pledges"][0].contains("reports"));
  CHECK_FALSE(doc["decisions"][0].contains("revision"));
  REQUIRE(doc["events"].size() == t.revision());
  for (auto& e : doc["events"]) CHECK_FALSE(e.contains("seq"));
  CHECK(doc["events"][0]["type"] == "PlanCreated");
}

TEST_CASE("export → import → export gives the same document", "[export][import]") {
  TestEngine t;
  history_rich(t);
  auto first = export_of(t, "p");
  TestEngine fresh;
  auto o = fresh.engine->import_plan(first, "admin");
  REQUIRE_OK(o);
  CHECK(o.revision == t.revision());
  CHECK(export_of(fresh, "p") == first);
  // The imported plan is the same plan: view, history, time travel, chain.
  CHECK(fresh.view("p") == t.view("p"));
  CHECK(fresh.history("p", "lv") == t.history("p", "lv"));
  CHECK(fresh.view("p", ViewAt{kSeedRevision, {}}) == t.view("p", ViewAt{kSeedRevision, {}}));
  CHECK(fresh.engine->verify("p")->ok);
  // Actors, times and reasons are kept.
  auto a = fresh.events("p");
  auto b = t.events("p");
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    a[i].erase("seq");
    b[i].erase("seq");
    CHECK(a[i] == b[i]);
  }
  // It goes on from there: new commands continue the chain.
  REQUIRE_OK(fresh.run("p", "edit-item", {{"item", "talk"}, {"title", "Jauns"}}));
  CHECK(fresh.engine->verify("p")->ok);
  fresh.reopen();
  CHECK(fresh.engine->verify("p")->ok);
}

TEST_CASE("export → import → export of the demo plan", "[export][import][demo]") {
  TestEngine t;
  t.load_demo();
  auto first = export_of(t, "brussels-2024");
  TestEngine fresh;
  REQUIRE_OK(fresh.engine->import_plan(first, "admin"));
  CHECK(export_of(fresh, "brussels-2024") == first);
  // The entity lists of an export are importable on their own, as a hand-written file is.
  auto doc = json::parse(first);
  doc.erase("events");
  TestEngine third;
  REQUIRE_OK(third.engine->import_plan(doc.dump(), "admin"));
  auto v3 = third.view("brussels-2024");
  auto v1 = t.view("brussels-2024");
  for (const char* list : {"items", "venues", "people", "days", "conflicts", "sdg_coverage", "pledge_board"})
    CHECK(v3[list] == v1[list]);
  // Pledges too, but for the reports, which carry who reported when.
  for (auto* v : {&v1, &v3})
    for (auto& p : (*v)["pledges"]) p.erase("reports");
  CHECK(v3["pledges"] == v1["pledges"]);
}

TEST_CASE("import: a tampered event is rejected and changes nothing", "[import]") {
  TestEngine t;
  history_rich(t);
  auto good = json::parse(export_of(t, "p"));
  struct Case {
    const char* what;
    std::function<void(json&)> change;
  };
  std::vector<Case> cases = {
      {"changed data", [](json& d) { d["events"][5]["data"]["value"]["title"] = "Viltots"; }},
      {"changed actor", [](json& d) { d["events"][9]["actor"] = "Kāds cits"; }},
      {"changed time", [](json& d) { d["events"][3]["at"] = "2024-05-15T07:00:00.000Z"; }},
      {"changed reason", [](json& d) { d["events"][8]["reason"] = ""; }},
      {"changed hash", [](json& d) { d["events"][2]["hash"] = std::string(64, '0'); }},
      {"missing event", [](json& d) { d["events"].erase(d["events"].begin() + 4); }},
      {"swapped events", [](json& d) { std::swap(d["events"][3], d["events"][4]); }},
      {"last event changed", [](json& d) { d["events"].back()["data"]["value"]["title"] = "X"; }},
  };
  for (auto& c : cases) {
    INFO(c.what);
    json doc = good;
    c.change(doc);
    TestEngine fresh;
    auto o = fresh.engine->import_plan(doc.dump(), "admin");
    REQUIRE_FALSE(o.ok);
    CHECK(error_code(o) == "invalid");
    CHECK(fresh.engine->plans().empty());
    CHECK_FALSE(fresh.engine->has_plan("p"));
    CHECK(fresh.engine->view("p").error().code() == ErrorCode::not_found);
    // Nothing was written: after a reopen there is still no plan.
    fresh.reopen();
    CHECK(fresh.engine->plans().empty());
    // And the good document still imports.
    REQUIRE_OK(fresh.engine->import_plan(good.dump(), "admin"));
    CHECK(fresh.view("p") == t.view("p"));
  }
}

TEST_CASE("import: the message names the first bad revision", "[import]") {
  TestEngine t;
  history_rich(t);
  auto doc = json::parse(export_of(t, "p"));
  doc["events"][5]["data"]["value"]["title"] = "Viltots";
  TestEngine fresh;
  auto o = fresh.engine->import_plan(doc.dump(), "admin");
  REQUIRE_FALSE(o.ok);
  CHECK(error_path(o) == "/events");
  CHECK_THAT(o.error->message(), Catch::Contains("revision 6"));
}

TEST_CASE("import: an existing plan is a conflict and stays as it was", "[import]") {
  TestEngine t;
  history_rich(t);
  auto doc = export_of(t, "p");
  auto before = t.view("p");
  auto o = t.engine->import_plan(doc, "admin");
  REQUIRE_REJECTED(o, "conflict", "/plan/id");
  CHECK(t.view("p") == before);
  // Also a hand-written file for an existing plan.
  TestEngine d;
  d.load_demo();
  REQUIRE_REJECTED(d.engine->import_plan(demo_plan_json(), "admin"), "conflict", "/plan/id");
  CHECK(d.revision("brussels-2024") == 41);
}

TEST_CASE("import: malformed documents", "[import]") {
  TestEngine t;
  auto doc = json::parse(demo_plan_json());
  auto with = [&](const char* key, json value) {
    json d = doc;
    if (value.is_null()) d.erase(key);
    else d[key] = value;
    return t.engine->import_plan(d.dump(), "admin");
  };
  CHECK(error_code(t.engine->import_plan("{", "admin")) == "invalid");
  REQUIRE_REJECTED(with("plan", nullptr), "invalid", "/plan");
  REQUIRE_REJECTED(with("format", "other"), "invalid", "/format");
  REQUIRE_REJECTED(with("version", 2), "invalid", "/version");
  REQUIRE_REJECTED(with("items", "none"), "invalid", "/items");
  json bad_id = doc;
  bad_id["plan"]["id"] = "Brussels 2024";
  REQUIRE_REJECTED(t.engine->import_plan(bad_id.dump(), "admin"), "invalid", "/plan/id");
  REQUIRE_REJECTED(with("events", json::array()), "invalid", "/events");
  CHECK(t.engine->plans().empty());
}

TEST_CASE("import: events of another plan or out of order", "[import]") {
  TestEngine t;
  history_rich(t);
  auto good = json::parse(export_of(t, "p"));
  json other = good;
  other["events"][3]["plan"] = "q";
  TestEngine fresh;
  REQUIRE_REJECTED(fresh.engine->import_plan(other.dump(), "admin"), "invalid", "/events/3/plan");
  json first = good;
  first["events"].erase(first["events"].begin());
  REQUIRE_REJECTED(fresh.engine->import_plan(first.dump(), "admin"), "invalid", "/events/0/type");
  json unknown = good;
  unknown["events"][4]["type"] = "ItemTeleported";
  REQUIRE_REJECTED(fresh.engine->import_plan(unknown.dump(), "admin"), "invalid", "/events/4/type");
  CHECK(fresh.engine->plans().empty());
}

TEST_CASE("import: a hand-written file is all or nothing", "[import]") {
  TestEngine t;
  auto doc = json::parse(demo_plan_json());
  doc["items"][9]["venue"] = "nowhere";  // the last item names an unknown venue
  auto o = t.engine->import_plan(doc.dump(), "admin");
  REQUIRE_FALSE(o.ok);
  CHECK(error_code(o) == "not_found");
  CHECK_THAT(o.error->message(), Catch::Contains("nowhere"));
  CHECK(t.engine->plans().empty());
  t.reopen();
  CHECK(t.engine->plans().empty());
  json bad_pledge = json::parse(demo_plan_json());
  bad_pledge["pledges"][0]["targets"] = {"15.1"};
  CHECK(error_code(t.engine->import_plan(bad_pledge.dump(), "admin")) == "invalid");
  CHECK(t.engine->plans().empty());
}
