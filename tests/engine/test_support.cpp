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

json time_at(const std::string& local, const std::string& tz) {
  json t = {{"local", local}};
  if (!tz.empty()) t["tz"] = tz;
  return t;
}

std::string error_code(const CommandOutcome& o) {
  if (o.ok || !o.error) return "ok";
  return std::string(to_string(o.error->code()));
}

}  // namespace kartiba::test
