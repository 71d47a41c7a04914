// Helpers for engine tests: a throwaway data directory, a controllable clock, and one-line
// command execution.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "kartiba/engine.h"
#include "kartiba/event.h"

namespace kartiba::test {

using json = nlohmann::json;

// A data directory removed when the object goes.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class FakeClock : public Clock {
 public:
  explicit FakeClock(int64_t start_ms = 1715752800000) : now_(start_ms) {}  // 2024-05-15T06:00Z
  int64_t now_ms() override { return now_ += 1000; }
  std::atomic<int64_t> now_;
};

// An engine on a temporary directory with a fake clock.
struct TestEngine {
  explicit TestEngine(Options options = {});
  void reopen();

  // Executes {"type":type,"data":data,...extra} on `plan` as `actor`.
  CommandOutcome run(const std::string& plan, const std::string& type, json data, json extra = json::object(),
                     const std::string& actor = "K. Miķelsone");
  json view(const std::string& plan, ViewAt at = {});
  void create_plan(const std::string& plan = "p", const std::string& tz = "Europe/Brussels");
  void load_demo();

  TempDir dir;
  std::shared_ptr<FakeClock> clock = std::make_shared<FakeClock>();
  Options options;
  std::unique_ptr<Engine> engine;
};

json time_at(const std::string& local, const std::string& tz = "");
std::string demo_plan_json();
std::string error_code(const CommandOutcome& o);

}  // namespace kartiba::test
