#include "workload.h"

#include <atomic>
#include <condition_variable>
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
  struct Shared {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<int> in_flight;
    uint64_t done = 0, events = 0;
    std::vector<double> latency_ms;
    std::string failure;
  } sh;
  sh.in_flight.assign(plans.size(), 0);
  std::mt19937_64 rng(42);
  // The commands are made before the clock starts: building JSON is the load generator's work,
  // and it should not take the engine's CPU while it is measured.
  std::vector<std::string> commands(16384);
  for (auto& c : commands) c = edit_command(rng);
  LoadResult r;
  int64_t start = now_ns();
  uint64_t sent = 0;
  // The callback runs on an engine thread and must not call the engine: this thread sends.
  std::unique_lock lock(sh.mu);
  size_t next_plan = 0;
  while (seconds_since(start) < seconds && sent < max_commands && sh.failure.empty()) {
    size_t p = next_plan;
    bool found = false;
    for (size_t k = 0; k < plans.size(); ++k) {
      size_t c = (next_plan + k) % plans.size();
      if (sh.in_flight[c] < window) {
        p = c;
        found = true;
        break;
      }
    }
    if (!found) {
      sh.cv.wait(lock);
      continue;
    }
    next_plan = (p + 1) % plans.size();
    sh.in_flight[p]++;
    ++sent;
    lock.unlock();
    int64_t t0 = now_ns();
    engine.execute({plans[p], "bench", commands[sent % commands.size()], false}, [&sh, p, t0](CommandOutcome o) {
      std::lock_guard g(sh.mu);
      sh.in_flight[p]--;
      sh.done++;
      sh.events += o.events.size();
      sh.latency_ms.push_back(double(now_ns() - t0) / 1e6);
      if (!o.ok && sh.failure.empty()) sh.failure = o.to_json();
      sh.cv.notify_all();
    });
    lock.lock();
  }
  sh.cv.wait(lock, [&] { return sh.done == sent; });
  r.seconds = seconds_since(start);
  if (!sh.failure.empty()) throw std::runtime_error("bench command rejected: " + sh.failure);
  r.commands = sh.done;
  r.events = sh.events;
  r.latency_ms = std::move(sh.latency_ms);
  return r;
}

}  // namespace kartiba::bench
