// kartiba-bench: every scenario of the performance issue in one run, so ratios hold on a
// noisy machine. `--quick` runs them all small (under a minute); `--json` prints one JSON
// object per scenario.
#include <filesystem>
#include <algorithm>
#include <iostream>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include "scenarios.h"

int main(int argc, char** argv) {
  using namespace kartiba::bench;
  Settings s;
  std::vector<std::string> only;
  CLI::App app{"kartiba-bench: measures the log, the engine and the server"};
  app.add_flag("--quick", s.quick, "run every scenario small (under 60 s in all)");
  app.add_flag("--json", s.json, "one JSON object per scenario on stdout");
  app.add_option("--dir", s.dir, "scratch directory (default: a new one under /tmp)");
  app.add_option("--server", s.server, "kartiba-server binary for the network scenarios");
  app.add_option("--only", only, "run only these scenarios");
  app.add_option("--fanout-subscribers", s.fanout_subscribers, "fanout: subscriber counts (default 1000 10000; quick 500)");
  app.add_option("--fanout-rate", s.fanout_rate, "fanout: events per second the writer sends (default 100)");
  app.add_option("--fanout-seconds", s.fanout_seconds, "fanout: seconds the writer sends (default 10; quick 2)");
  app.add_option("--dashboards", s.dashboards, "dashboards: page counts (default 10000; quick 200)");
  app.add_option("--dashboard-plans", s.dashboard_plans, "dashboards: plans they are spread over (default 20; quick 4)");
  app.add_option("--dashboard-rate", s.dashboard_rate, "dashboards: changes per second per plan (default 5)");
  app.add_option("--dashboard-seconds", s.dashboard_seconds, "dashboards: seconds the organisers change (default 10; quick 2)");
  CLI11_PARSE(app, argc, argv);
#ifdef KARTIBA_DEFAULT_SERVER
  if (s.server.empty()) s.server = KARTIBA_DEFAULT_SERVER;
#endif
  bool own_dir = s.dir.empty();
  if (own_dir) s.dir = (std::filesystem::temp_directory_path() / ("kartiba-bench-" + std::to_string(::getpid()))).string();
  std::filesystem::create_directories(s.dir);
  auto want = [&](const std::string& name) {
    return only.empty() || std::find(only.begin(), only.end(), name) != only.end();
  };
  int status = 0;
  try {
    double raw_best = 0;
    if (want("raw-rocksdb") || want("append")) raw_best = run_raw_rocksdb(s).value("events_per_s", 0.0);
    if (want("append")) run_append(s, raw_best);
    if (want("ws-commands")) run_ws_commands(s);
    if (want("fanout")) run_fanout(s);
    if (want("dashboards")) run_dashboards(s);
    if (want("replay")) run_replay(s);
    if (want("time-travel")) run_time_travel(s);
    if (want("cold-start")) run_cold_start(s);
  } catch (const std::exception& e) {
    std::cerr << "kartiba-bench: " << e.what() << "\n";
    status = 1;
  }
  if (own_dir) std::filesystem::remove_all(s.dir);
  return status;
}
