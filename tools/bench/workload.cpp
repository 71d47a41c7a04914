#include "workload.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "report.h"
#include "scenarios.h"

namespace kartiba::bench {

using json = nlohmann::json;

std::string plan_json(const std::string& id) {
  return json{{"id", id}, {"title", "Ilgtspējīgu pašvaldību nedēļa — " + id}, {"timezone", "Europe/Riga"},
              {"start_date", "2024-09-20"}, {"end_date", "2024-09-29"}, {"priority_sdgs", {4, 13, 16}}}
      .dump();
}

std::string setup_command(int i) {
  int day = 20 + i % 10;
  int hour = 8 + (i / 10) % 10;
  char start[32], end[32];
  std::snprintf(start, sizeof start, "2024-09-%02dT%02d:00", day, hour);
  std::snprintf(end, sizeof end, "2024-09-%02dT%02d:45", day, hour);
  return json{{"type", "schedule-item"},
              {"data", {{"item", "i" + std::to_string(i)}, {"title", "Tikšanās Nr. " + std::to_string(i) + " — Ādaži"},
                        {"start", {{"local", start}}}, {"end", {{"local", end}}}, {"sdgs", {4, 13}},
                        {"topics", {"Ilgtspējīgas attīstības mērķi pašvaldībās"}}}}}
      .dump();
}

std::string sample_command(int n) {
  return json{{"type", "edit-item"},
              {"data", {{"item", "i" + std::to_string(n % kItemsPerPlan)},
                        {"title", "Tikšanās ar Cēsu novada pašvaldību Nr. " + std::to_string(n)}}}}
      .dump();
}

std::string edit_command(std::mt19937_64& rng) {
  int item = int(rng() % kItemsPerPlan);
  std::string id = "i" + std::to_string(item);
  switch (rng() % 4) {
    case 0: {
      int day = 20 + int(rng() % 10), hour = 8 + int(rng() % 10), minute = int(rng() % 4) * 15;
      char start[32], end[32];
      std::snprintf(start, sizeof start, "2024-09-%02dT%02d:%02d", day, hour, minute);
      std::snprintf(end, sizeof end, "2024-09-%02dT%02d:%02d", day, hour + 1, minute);
      return json{{"type", "reschedule-item"},
                  {"data", {{"item", id}, {"start", {{"local", start}}}, {"end", {{"local", end}}}}}}
          .dump();
    }
    case 1: return sample_command(int(rng() % 100000));
    case 2: {
      static const char* statuses[] = {"confirmed", "tentative", "cancelled"};
      return json{{"type", "set-item-status"}, {"data", {{"item", id}, {"status", statuses[rng() % 3]}}}}.dump();
    }
    default:
    {
      int g = int(1 + rng() % 16);  // 1–16, never 17: 17 is always there
      return json{{"type", "tag-item"}, {"data", {{"item", id}, {"sdgs", {g, 17}}}}}.dump();
    }
  }
}

LoadResult drive(Engine& engine, const std::vector<std::string>& plans, int window, double seconds,
                 uint64_t max_commands) {
  // The completion callbacks run on engine threads, tens of thousands a second: they touch
  // only atomics and their own slot of the latency table, so the generator adds no lock the
  // engine's threads would queue on. The sending thread sleeps on `completed` when every plan
  // has its window full.
  struct Shared {
    std::vector<std::atomic<int>> in_flight;
    std::atomic<uint64_t> completed{0}, events{0};
    std::unique_ptr<float[]> latency_ms;
    std::mutex failure_mu;
    std::string failure;
    std::atomic<bool> failed{false};
    explicit Shared(size_t plans) : in_flight(plans) {}
  } sh(plans.size());
  const uint64_t capacity = std::min<uint64_t>(max_commands, uint64_t(std::max(1.0, seconds) * 400000.0) + 1024);
  sh.latency_ms.reset(new float[capacity]);
  std::mt19937_64 rng(42);
  // The commands are made before the clock starts: building JSON is the load generator's work,
  // and it should not take the engine's CPU while it is measured.
  std::vector<std::string> commands(16384);
  for (auto& c : commands) c = edit_command(rng);
  LoadResult r;
  int64_t start = now_ns();
  uint64_t sent = 0;
  size_t next_plan = 0;
  while (sent < capacity && !sh.failed.load() && seconds_since(start) < seconds) {
    uint64_t seen = sh.completed.load();
    size_t p = plans.size();
    for (size_t k = 0; k < plans.size(); ++k) {
      size_t c = (next_plan + k) % plans.size();
      if (sh.in_flight[c].load(std::memory_order_relaxed) < window) {
        p = c;
        break;
      }
    }
    if (p == plans.size()) {
      sh.completed.wait(seen);  // until some command completes
      continue;
    }
    next_plan = (p + 1) % plans.size();
    sh.in_flight[p].fetch_add(1);
    const uint64_t slot = sent++;
    int64_t t0 = now_ns();
    engine.execute({plans[p], "bench", commands[slot % commands.size()], false, nullptr},
                   [&sh, p, t0, slot](CommandOutcome o) {
                     sh.latency_ms[slot] = float(double(now_ns() - t0) / 1e6);
                     sh.events.fetch_add(o.events.size(), std::memory_order_relaxed);
                     if (!o.ok && !sh.failed.exchange(true)) {
                       std::lock_guard g(sh.failure_mu);
                       sh.failure = o.to_json();
                     }
                     sh.in_flight[p].fetch_sub(1);
                     sh.completed.fetch_add(1);
                     sh.completed.notify_all();
                   });
  }
  for (uint64_t c = sh.completed.load(); c < sent; c = sh.completed.load()) sh.completed.wait(c);
  r.seconds = seconds_since(start);
  if (sh.failed.load()) {
    std::lock_guard g(sh.failure_mu);
    throw std::runtime_error("bench command rejected: " + sh.failure);
  }
  r.commands = sent;
  r.events = sh.events.load();
  r.latency_ms.assign(sh.latency_ms.get(), sh.latency_ms.get() + sent);
  return r;
}

}  // namespace kartiba::bench
