// append: durable appends through the engine (no network) with 1, 8 and 64 plans.
#include <filesystem>
#include <stdexcept>

#include "scenarios.h"
#include "workload.h"

namespace kartiba::bench {

namespace {
std::unique_ptr<Engine> open_engine(const std::string& dir) {
  std::filesystem::remove_all(dir);
  Options o;
  o.data_dir = dir;
  auto e = Engine::open(o);
  if (!e.ok()) throw std::runtime_error(e.error().message());
  return std::move(e.value());
}

std::vector<std::string> make_plans(Engine& engine, int n) {
  std::vector<std::string> plans;
  for (int i = 0; i < n; ++i) {
    std::string id = "plan-" + std::to_string(i);
    auto o = engine.create_plan(plan_json(id), "bench");
    if (!o.ok) throw std::runtime_error(o.to_json());
    for (int k = 0; k < kItemsPerPlan; ++k) {
      auto r = engine.execute_sync({id, "bench", setup_command(k), false, nullptr});
      if (!r.ok) throw std::runtime_error(r.to_json());
    }
    plans.push_back(id);
  }
  return plans;
}
}  // namespace

void run_append(const Settings& s, double raw_best) {
  std::vector<nlohmann::json> rows;
  const double budget = s.quick ? 1.0 : 5.0;
  for (int plans : {1, 8, 64}) {
    std::string dir = s.dir + "/append-" + std::to_string(plans);
    auto engine = open_engine(dir);
    auto ids = make_plans(*engine, plans);
    const int window = 64;  // commands in flight per plan: organisers and scripts at once
    auto before = engine->stats();
    auto r = drive(*engine, ids, window, budget);
    auto after = engine->stats();
    double rate = double(r.events) / r.seconds;
    uint64_t commits = after.commits - before.commits;
    rows.push_back({{"plans", plans},
                    {"in_flight", plans * window},
                    {"events_per_s", rate},
                    {"p50_ms", percentile(r.latency_ms, 50)},
                    {"p99_ms", percentile(r.latency_ms, 99)},
                    {"events_per_commit", commits ? double(after.events_appended - before.events_appended) / double(commits) : 0.0},
                    // How long the log's writer spends in a synced write, and how busy that keeps it:
                    // near 1, the disk path is the limit; well below, deciding the commands is.
                    {"commit_ms", commits ? double(after.latency_us_sum - before.latency_us_sum) / 1000.0 / double(commits) : 0.0},
                    {"writer_busy", double(after.latency_us_sum - before.latency_us_sum) / 1e6 / r.seconds},
                    {"ratio_to_raw_best", raw_best > 0 ? rate / raw_best : 0.0}});
    engine.reset();
    std::filesystem::remove_all(dir);
  }
  report(s, "append", rows);
}

}  // namespace kartiba::bench
