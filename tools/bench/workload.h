// Command streams for the benchmarks: a plan with a few dozen items that organisers keep
// rescheduling, retitling, re-tagging and confirming — the shape of real editing.
#pragma once

#include <cstdint>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "kartiba/engine.h"

namespace kartiba::bench {

inline constexpr int kItemsPerPlan = 40;

// create-plan data for plan `id`.
std::string plan_json(const std::string& id);
// The i-th setup command (schedule-item), i < kItemsPerPlan.
std::string setup_command(int i);
// A random editing command.
std::string edit_command(std::mt19937_64& rng);

// Runs `total` commands against `plans` with `window` commands in flight per plan; returns
// latencies (ms). Waits for every ack. Fails loudly on a rejected command.
struct LoadResult {
  uint64_t commands = 0;
  uint64_t events = 0;
  double seconds = 0;
  std::vector<double> latency_ms;
};
LoadResult drive(Engine& engine, const std::vector<std::string>& plans, int window, double seconds,
                 uint64_t max_commands = UINT64_MAX);

}  // namespace kartiba::bench
