// Golden files: everything the engine renders from a plan's state, byte for byte, over the
// demo plan and the commands of every scenario in tests/engine/scenarios. They hold the
// outputs still while the state behind them changes shape (issue 12: the typed plan state).
//
// One file per scenario file (tests/engine/golden/<file>.golden) and one for the demo plan
// alone (demo-plan.golden); each holds, per scenario, sections "#### <scenario> · <what>":
// the events' JSON, the view now, at several past revisions and at a past time, export.json,
// agenda.ics, pledges.csv, schedule.json, agenda.html (lv, en), history (lv, en), the
// changelogs and the releases. Times come from the test clock (FakeClock), never the wall's.
//
// To regenerate after a deliberate change of an output:
//   KARTIBA_UPDATE_GOLDEN=1 build/tests/engine_tests '[golden]'
// then read the diff of tests/engine/golden/ before committing it. A mismatch leaves the
// actual output in golden-actual/ under the test's working directory for diffing.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <catch2/catch.hpp>

#include "exports/exports.h"
#include "kartiba/event.h"
#include "scenario_file.h"
#include "test_support.h"

using namespace kartiba;
using namespace kartiba::test;

namespace {

const std::string kGoldenDir = std::string(KARTIBA_SOURCE_DIR) + "/tests/engine/golden";

bool updating() {
  const char* v = std::getenv("KARTIBA_UPDATE_GOLDEN");
  return v && *v && std::string(v) != "0";
}

std::string text_of(const Result<std::string>& r) { return r.ok() ? r.value() : "error " + r.error().to_json(); }

std::string view_text(Engine& e, const std::string& plan, ViewAt at) {
  auto v = e.view(plan, at);
  return v.ok() ? *v.value() : "error " + v.error().to_json();
}

// Every output of one plan, appended to `out` as sections named after `title`.
void render_plan(Engine& engine, const std::string& plan, const std::string& title, std::string& out) {
  auto section = [&](const std::string& what, const std::string& body) {
    out += "#### " + title + " · " + what + "\n" + body + "\n";
  };
  auto events = engine.events(plan, 0, 1000000);
  REQUIRE(events.ok());
  std::string lines;
  for (auto& e : *events) lines += e->json + "\n";
  section("events", lines);

  const uint64_t now = engine.revision(plan);
  section("view", view_text(engine, plan, {}));
  std::set<uint64_t> past;
  for (uint64_t r : {uint64_t(1), now / 2, now > 1 ? now - 1 : 0})
    if (r >= 1 && r < now) past.insert(r);
  for (uint64_t r : past) section("view at revision " + std::to_string(r), view_text(engine, plan, {r, {}}));
  if (now >= 2) {
    // Half a second after the middle event: time travel by time lands on that revision.
    const int64_t t = (*events)[now / 2 - 1]->at_ms + 500;
    section("view as of " + std::to_string(t), view_text(engine, plan, {{}, t}));
  }

  section("export.json", text_of(engine.export_plan(plan)));
  auto view_json = engine.view(plan);
  REQUIRE(view_json.ok());
  const auto view = nlohmann::json::parse(*view_json.value());
  section("agenda.ics", exports::agenda_ics(view, exports::item_histories(*events)));
  section("pledges.csv", exports::pledges_csv(view));
  section("schedule.json", exports::schedule_json(view));
  exports::ScheduleOptions linked;
  linked.base_url = "https://plans.example.lv/";
  section("schedule.json (base_url)", exports::schedule_json(view, linked));
  section("agenda.html lv", exports::agenda_html(view, "lv"));
  section("agenda.html en", exports::agenda_html(view, "en"));
  section("history lv", text_of(engine.history(plan, "lv", 0, 100000)));
  section("history en", text_of(engine.history(plan, "en", 0, 100000)));
  section("changelog", text_of(engine.changelog(plan, "", "")));
  section("changelog from 1", text_of(engine.changelog(plan, "1", "")));
  if (now >= 2)
    section("changelog 1 to " + std::to_string(now / 2), text_of(engine.changelog(plan, "1", std::to_string(now / 2))));
  section("releases", text_of(engine.releases(plan)));
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// The first section where the two differ, for the failure message.
std::string first_difference(const std::string& expected, const std::string& actual) {
  size_t i = 0;
  while (i < expected.size() && i < actual.size() && expected[i] == actual[i]) ++i;
  auto header = actual.rfind("#### ", i);
  std::string where = header == std::string::npos ? "(start)" : actual.substr(header, actual.find('\n', header) - header);
  return "first difference at byte " + std::to_string(i) + ", in section " + where;
}

void check_golden(const std::string& name, const std::string& actual) {
  const std::string path = kGoldenDir + "/" + name + ".golden";
  if (updating()) {
    write_file(path, actual);
    WARN("wrote " << path);
    return;
  }
  INFO("golden file " << path << " (regenerate: KARTIBA_UPDATE_GOLDEN=1 engine_tests '[golden]')");
  REQUIRE(std::filesystem::exists(path));
  const std::string expected = read_file(path);
  if (expected != actual) {
    const std::string out = "golden-actual/" + name + ".golden";
    write_file(out, actual);
    FAIL(first_difference(expected, actual) << "; the actual output is in " << std::filesystem::absolute(out));
  }
}

// Replays a scenario's commands (given and when alike; a rejected `when` changes nothing,
// which is part of what the files record) and renders the plan.
void render_scenario(const Scenario& sc, std::string& out) {
  TestEngine t;
  std::string plan = "p";
  std::string kind = "seed";
  for (auto& s : sc.steps)
    if (s.keyword == "plan") kind = s.rest;
  if (kind == "demo") {
    t.load_demo();
    plan = "brussels-2024";
  } else if (kind == "empty") {
    t.create_plan("p");
  } else {
    seed(t);
  }
  for (auto& s : sc.steps) {
    if (s.keyword != "given" && s.keyword != "when") continue;
    auto c = nlohmann::json::parse(s.rest);
    std::string actor = "K. Miķelsone";
    if (c.contains("as")) {
      actor = c["as"];
      c.erase("as");
    }
    auto o = t.raw(plan, c.dump(), actor);
    if (s.keyword == "given") REQUIRE(o.ok);
  }
  render_plan(*t.engine, plan, sc.name, out);
}

class GoldenInvoker : public Catch::ITestInvoker {
 public:
  explicit GoldenInvoker(std::filesystem::path file) : file_(std::move(file)) {}
  void invoke() const override {
    std::string out;
    for (auto& sc : parse_scenario_file(file_)) render_scenario(sc, out);
    check_golden(file_.stem().string(), out);
  }

 private:
  std::filesystem::path file_;
};

bool register_golden() {
  for (auto& f : scenario_files(KARTIBA_SCENARIO_DIR)) {
    Catch::AutoReg(new GoldenInvoker(f), CATCH_INTERNAL_LINEINFO, Catch::StringRef(),
                   Catch::NameAndTags{"golden: " + f.stem().string(), "[golden]"});
  }
  return true;
}

const bool registered = register_golden();

}  // namespace

TEST_CASE("golden: the demo plan", "[golden]") {
  TestEngine t;
  t.load_demo();
  std::string out;
  render_plan(*t.engine, "brussels-2024", "demo plan", out);
  CHECK(registered);
  check_golden("demo-plan", out);
}

TEST_CASE("golden: a reopened engine renders the same as before", "[golden]") {
  // The state restored at open (snapshot and log tail) renders what the live state did; with a
  // snapshot every 7 events, the past views come from snapshots too.
  Options o;
  o.snapshot_every = 7;
  TestEngine t(o);
  t.load_demo();
  t.ok("brussels-2024", "publish-release", {{"name", "v1"}});
  std::string before;
  render_plan(*t.engine, "brussels-2024", "demo plan", before);
  t.reopen();
  std::string after;
  render_plan(*t.engine, "brussels-2024", "demo plan", after);
  CHECK(before == after);
}
