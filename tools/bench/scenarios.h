// The benchmark scenarios (issue "Performance"). Each prints its figures through report().
#pragma once

#include "report.h"

namespace kartiba::bench {

nlohmann::json run_raw_rocksdb(const Settings& s);           // returns the best events/s row
void run_append(const Settings& s, double raw_best);
void run_replay(const Settings& s);
void run_time_travel(const Settings& s);
void run_ws_commands(const Settings& s);
void run_fanout(const Settings& s);
void run_dashboards(const Settings& s);
void run_cold_start(const Settings& s);

// A representative event record size (bytes) and payload, shared by raw-rocksdb and append.
std::string sample_command(int n);

}  // namespace kartiba::bench
