// replay: rebuilding every projection from the log; time-travel: views at random past
// revisions of a long plan.
#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>
#include <random>
#include <stdexcept>

#include "core/event_format.h"
#include "domain/apply.h"
#include "scenarios.h"
#include "storage/store.h"
#include "views/view.h"
#include "workload.h"

namespace kartiba::bench {

// Fills `dir` with `plans` plans of about `events_per_plan` events each (durability off: this
// is set-up, not measurement). Snapshots are written as in production.
void fill_log(const std::string& dir, int plans, uint64_t events_per_plan) {
  std::filesystem::remove_all(dir);
  Options o;
  o.data_dir = dir;
  o.sync = false;
  auto e = Engine::open(o);
  if (!e.ok()) throw std::runtime_error(e.error().message());
  auto& engine = *e.value();
  std::vector<std::string> ids;
  for (int i = 0; i < plans; ++i) {
    std::string id = "plan-" + std::to_string(i);
    if (!engine.create_plan(plan_json(id), "bench").ok) throw std::runtime_error("create-plan failed");
    for (int k = 0; k < kItemsPerPlan; ++k)
      if (!engine.execute_sync({id, "bench", setup_command(k), false}).ok) throw std::runtime_error("setup failed");
    ids.push_back(id);
  }
  uint64_t per = events_per_plan > kItemsPerPlan + 1 ? events_per_plan - kItemsPerPlan - 1 : 0;
  drive(engine, ids, 256, 1e9, per * uint64_t(plans));
}

void run_replay(const Settings& s) {
  const uint64_t total = s.quick ? 100000 : 1000000;
  const int plans = 10;
  std::string dir = s.dir + "/replay";
  fill_log(dir, plans, total / plans);

  auto store = open_rocks_store(dir, true);
  if (!store.ok()) throw std::runtime_error(store.error().message());
  // Every event of every plan: scan, decode, apply; then render each plan's whole view. Plans
  // are independent projections: one thread per core takes the next plan, as the engine's
  // start does on its pool.
  const int threads = int(std::max(1u, std::thread::hardware_concurrency()));
  std::atomic<int> next_plan{0};
  std::atomic<uint64_t> events{0};
  std::atomic<size_t> view_bytes{0};
  std::mutex failure_mu;
  std::string failure;
  int64_t start = now_ns();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      try {
        for (int p = next_plan++; p < plans; p = next_plan++) {
          std::string plan = "plan-" + std::to_string(p);
          PlanState state;
          uint64_t n = 0;
          std::string lo = format::event_key(plan, 1), hi = format::event_key(plan, UINT64_MAX);
          auto st = store.value()->scan(Space::events, lo, hi, [&](std::string_view, std::string_view v) {
            auto e = format::decode(v);
            if (!e.ok()) throw std::runtime_error(e.error().message());
            apply(state, e.value());
            ++n;
            return true;
          });
          if (!st.ok()) throw std::runtime_error(st.error().message());
          events += n;
          view_bytes += render_view(state).dump().size();
        }
      } catch (const std::exception& ex) {
        std::lock_guard lock(failure_mu);
        failure = ex.what();
      }
    });
  }
  for (auto& w : workers) w.join();
  if (!failure.empty()) throw std::runtime_error("replay: " + failure);
  double secs = seconds_since(start);
  report(s, "replay", {{{"events", events.load()}, {"plans", plans}, {"threads", threads}, {"seconds", secs},
                        {"events_per_s", double(events.load()) / secs}, {"view_bytes", view_bytes.load()}}});
  store.value().reset();
  if (!s.server.empty()) return;  // cold-start reuses the directory
}

void run_time_travel(const Settings& s) {
  const uint64_t total = 100000;
  std::string dir = s.dir + "/time-travel";
  fill_log(dir, 1, total);
  Options o;
  o.data_dir = dir;
  auto e = Engine::open(o);
  if (!e.ok()) throw std::runtime_error(e.error().message());
  uint64_t rev = e.value()->revision("plan-0");
  std::mt19937_64 rng(7);
  std::vector<double> ms;
  const int reads = s.quick ? 100 : 500;
  for (int i = 0; i < reads; ++i) {
    uint64_t at = 1 + rng() % rev;
    int64_t t0 = now_ns();
    auto v = e.value()->view("plan-0", ViewAt{at, {}});
    ms.push_back(double(now_ns() - t0) / 1e6);
    if (!v.ok()) throw std::runtime_error(v.error().message());
  }
  report(s, "time-travel", {{{"plan_events", rev}, {"reads", reads}, {"p50_ms", percentile(ms, 50)},
                             {"p99_ms", percentile(ms, 99)}, {"max_ms", percentile(ms, 100)}}});
  e.value().reset();
  std::filesystem::remove_all(dir);
}

}  // namespace kartiba::bench
