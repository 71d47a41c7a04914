// Bench results: a readable table on stderr-free stdout, or one JSON object per scenario.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kartiba::bench {

struct Settings {
  bool quick = false;
  bool json = false;
  std::string dir;            // scratch directory for databases
  std::string server;         // kartiba-server binary (network scenarios)
  // fanout: subscriber counts, events/s and seconds instead of the defaults (empty / 0 = default)
  std::vector<int> fanout_subscribers;
  int fanout_rate = 0;
  double fanout_seconds = 0;
  // dashboards: dashboard counts, plans, changes per second per plan, seconds (empty / 0 = default)
  std::vector<int> dashboards;
  int dashboard_plans = 0;
  double dashboard_rate = 0;
  double dashboard_seconds = 0;
};

// Prints one scenario's figures: JSON line with --json, else an aligned table.
void report(const Settings& s, const std::string& scenario, const std::vector<nlohmann::json>& rows);

// Percentile of a sample (sorted copy), in the sample's unit.
double percentile(std::vector<double> v, double p);

double seconds_since(int64_t start_ns);
int64_t now_ns();

}  // namespace kartiba::bench
