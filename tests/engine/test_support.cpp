#include "test_support.h"

#include <fstream>
#include <random>
#include <sstream>

#include <catch2/catch.hpp>

namespace kartiba::test {

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  auto base = std::filesystem::temp_directory_path() /
              ("kartiba-test-" + std::to_string(rd()) + "-" + std::to_string(counter++));
  std::filesystem::create_directories(base);
  path_ = base.string();
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

TestEngine::TestEngine(Options o) : options(std::move(o)) {
  options.data_dir = dir.path() + "/data";
  options.clock = clock;
  if (!options.worker_threads) options.worker_threads = 2;
  reopen();
}

void TestEngine::reopen() {
  engine.reset();
  auto e = Engine::open(options);
  INFO((e.ok() ? std::string() : e.error().to_json()));
  REQUIRE(e.ok());
  engine = std::move(e.value());
}

CommandOutcome TestEngine::run(const std::string& plan, const std::string& type, json data, json extra,
                               const std::string& actor) {
  json c = extra;
  c["type"] = type;
  c["data"] = std::move(data);
  return engine->execute_sync({plan, actor, c.dump(), true});
}

CommandOutcome TestEngine::ok(const std::string& plan, const std::string& type, json data, json extra,
                              const std::string& actor) {
  auto o = run(plan, type, data, extra, actor);
  INFO(type << " " << data.dump() << " → " << o.to_json());
  REQUIRE(o.ok);
  return o;
}

CommandOutcome TestEngine::raw(const std::string& plan, const std::string& command_json, const std::string& actor) {
  return engine->execute_sync({plan, actor, command_json, true});
}

json TestEngine::view(const std::string& plan, ViewAt at) {
  auto v = engine->view(plan, at);
  INFO((v.ok() ? std::string() : v.error().to_json()));
  REQUIRE(v.ok());
  return json::parse(*v.value());
}

void TestEngine::create_plan(const std::string& plan, const std::string& tz) {
  auto o = engine->create_plan(json{{"id", plan}, {"title", "Plāns"}, {"timezone", tz},
                                    {"start_date", "2024-05-15"}, {"end_date", "2024-05-17"}}
                                   .dump(),
                               "admin");
  INFO(o.to_json());
  REQUIRE(o.ok);
}

std::string demo_plan_json() {
  std::ifstream in(std::string(KARTIBA_SOURCE_DIR) + "/engine/data/demo/brussels-2024.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void TestEngine::load_demo() {
  auto o = engine->import_plan(demo_plan_json(), "kartiba demo");
  INFO(o.to_json());
  REQUIRE(o.ok);
}

std::vector<json> TestEngine::events(const std::string& plan) {
  auto evs = engine->events(plan, 0, 100000);
  INFO((evs.ok() ? std::string() : evs.error().to_json()));
  REQUIRE(evs.ok());
  std::vector<json> out;
  for (auto& e : evs.value()) out.push_back(json::parse(e->json));
  return out;
}

json TestEngine::history(const std::string& plan, const std::string& lang) {
  auto h = engine->history(plan, lang, 0, 100000);
  INFO((h.ok() ? std::string() : h.error().to_json()));
  REQUIRE(h.ok());
  return json::parse(h.value());
}

json TestEngine::changelog(const std::string& plan, const std::string& from, const std::string& to) {
  auto c = engine->changelog(plan, from, to);
  INFO((c.ok() ? std::string() : c.error().to_json()));
  REQUIRE(c.ok());
  return json::parse(c.value());
}

void seed(TestEngine& t) {
  t.create_plan("p");
  t.ok("p", "add-venue", {{"venue", "hall"}, {"name", "Lielā zāle"}, {"city", "Rīga"}});
  t.ok("p", "add-venue", {{"venue", "room"}, {"name", "Mazā istaba"}});
  t.ok("p", "add-person", {{"person", "anna"}, {"name", "Anna Bērziņa"}, {"organisation", "LPS"}});
  t.ok("p", "add-person", {{"person", "janis"}, {"name", "Jānis Kalniņš"}});
  t.ok("p", "schedule-item",
       {{"item", "talk"}, {"title", "Ievadruna"}, {"start", time_at("2024-05-15T10:00")},
        {"end", time_at("2024-05-15T11:00")}, {"venue", "hall"}, {"speakers", {"anna"}}, {"sdgs", {4}}});
  t.ok("p", "schedule-item",
       {{"item", "lunch"}, {"title", "Pusdienas"}, {"kind", "meal"}, {"start", time_at("2024-05-15T12:00")},
        {"end", time_at("2024-05-15T13:00")}});
  t.ok("p", "make-pledge",
       {{"pledge", "pl"}, {"by", {{"municipality", "Ādažu novads"}}}, {"title", "Klimata stunda"},
        {"sdgs", {13}}, {"targets", {"13.3"}}});
  REQUIRE(t.revision("p") == kSeedRevision);
}

json time_at(const std::string& local, const std::string& tz) {
  json t = {{"local", local}};
  if (!tz.empty()) t["tz"] = tz;
  return t;
}

std::string error_code(const CommandOutcome& o) {
  if (o.ok || !o.error) return "ok";
  return std::string(to_string(o.error->code()));
}

std::string error_path(const CommandOutcome& o) {
  if (o.ok || !o.error) return "";
  return o.error->path();
}

json error_body(const CommandOutcome& o) {
  if (o.ok || !o.error) return nullptr;
  return json::parse(o.error->to_json())["error"];
}

std::vector<json> outcome_events(const CommandOutcome& o) {
  std::vector<json> out;
  for (auto& e : o.events) out.push_back(e->json.empty() ? e->to_json() : json::parse(e->json));
  return out;
}

json find_by_id(const json& list, const std::string& id) {
  for (auto& e : list)
    if (e.value("id", "") == id) return e;
  return nullptr;
}

bool json_contains(const json& actual, const json& expected) {
  if (expected.is_object()) {
    if (!actual.is_object()) return false;
    for (auto& [k, v] : expected.items())
      if (!actual.contains(k) || !json_contains(actual[k], v)) return false;
    return true;
  }
  return actual == expected;
}

std::string repeat(const std::string& s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

}  // namespace kartiba::test
