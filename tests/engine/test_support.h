// Helpers for engine tests: a throwaway data directory, a controllable clock, one-line
// command execution, a small seeded plan, and the assertions every test file repeats.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

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
  void close() { engine.reset(); }

  // Executes {"type":type,"data":data,...extra} on `plan` as `actor`.
  CommandOutcome run(const std::string& plan, const std::string& type, json data, json extra = json::object(),
                     const std::string& actor = "K. Miķelsone");
  // The same, REQUIRE-ing success.
  CommandOutcome ok(const std::string& plan, const std::string& type, json data, json extra = json::object(),
                    const std::string& actor = "K. Miķelsone");
  // Executes a whole command object {"type","data",…} as text.
  CommandOutcome raw(const std::string& plan, const std::string& command_json,
                     const std::string& actor = "K. Miķelsone");
  json view(const std::string& plan, ViewAt at = {});
  void create_plan(const std::string& plan = "p", const std::string& tz = "Europe/Brussels");
  void load_demo();
  // Every event of the plan as its JSON, oldest first.
  std::vector<json> events(const std::string& plan);
  json history(const std::string& plan, const std::string& lang = "lv");
  json changelog(const std::string& plan, const std::string& from = "", const std::string& to = "");
  uint64_t revision(const std::string& plan = "p") { return engine->revision(plan); }

  TempDir dir;
  std::shared_ptr<FakeClock> clock = std::make_shared<FakeClock>();
  Options options;
  std::unique_ptr<Engine> engine;
};

// Plan "p" (Europe/Brussels, 2024-05-15…17) with:
//   venues  hall "Lielā zāle", room "Mazā istaba"
//   people  anna "Anna Bērziņa", janis "Jānis Kalniņš"
//   items   talk "Ievadruna" 2024-05-15 10:00–11:00 at hall, speaker anna, sdgs [4]
//           lunch "Pusdienas" 2024-05-15 12:00–13:00, kind meal
//   pledge  pl "Klimata stunda" by Ādažu novads, sdgs [13], targets ["13.3"]
// at revision kSeedRevision.
inline constexpr uint64_t kSeedRevision = 8;
void seed(TestEngine& t);

json time_at(const std::string& local, const std::string& tz = "");
std::string demo_plan_json();
std::string error_code(const CommandOutcome& o);
std::string error_path(const CommandOutcome& o);
// The error object {"code","message","path",…details} of a rejected outcome.
json error_body(const CommandOutcome& o);
// The outcome's events as JSON.
std::vector<json> outcome_events(const CommandOutcome& o);
// The entity with that id in a view's list ("items", "venues", …); null when absent.
json find_by_id(const json& list, const std::string& id);
// `actual` contains everything in `expected` (objects: recursively by key; other values: equal).
bool json_contains(const json& actual, const json& expected);
// A string of n copies of a (possibly multi-byte) character.
std::string repeat(const std::string& s, size_t n);

}  // namespace kartiba::test

// Asserts that an outcome was rejected with this code and JSON pointer path.
#define REQUIRE_REJECTED(outcome, code, path)                     \
  do {                                                            \
    const auto& o_ = (outcome);                                   \
    INFO("outcome: " << o_.to_json());                            \
    REQUIRE_FALSE(o_.ok);                                         \
    CHECK(::kartiba::test::error_code(o_) == (code));             \
    CHECK(::kartiba::test::error_path(o_) == (path));             \
  } while (0)

#define REQUIRE_OK(outcome)                                       \
  do {                                                            \
    const auto& o_ = (outcome);                                   \
    INFO("outcome: " << o_.to_json());                            \
    REQUIRE(o_.ok);                                               \
  } while (0)
