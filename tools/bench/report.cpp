#include "report.h"

#include <chrono>
#include <cstdio>
#include <iostream>

namespace kartiba::bench {

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double seconds_since(int64_t start_ns) { return double(now_ns() - start_ns) / 1e9; }

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = std::min(v.size() - 1, size_t(p / 100.0 * double(v.size() - 1) + 0.5));
  return v[i];
}

void report(const Settings& s, const std::string& scenario, const std::vector<nlohmann::json>& rows) {
  if (s.json) {
    nlohmann::json out = {{"scenario", scenario}, {"quick", s.quick}, {"results", rows}};
    // Lift single-row figures to the top level so scripts can read them directly.
    if (rows.size() == 1)
      for (auto& [k, v] : rows[0].items()) out[k] = v;
    std::cout << out.dump() << std::endl;
    return;
  }
  std::cout << "\n== " << scenario << "\n";
  if (rows.empty()) return;
  std::vector<std::string> cols;
  for (auto& [k, v] : rows[0].items()) cols.push_back(k);
  std::vector<size_t> width(cols.size());
  auto cell = [](const nlohmann::json& v) {
    if (v.is_number_float()) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.2f", v.get<double>());
      return std::string(buf);
    }
    return v.is_string() ? v.get<std::string>() : v.dump();
  };
  for (size_t c = 0; c < cols.size(); ++c) {
    width[c] = cols[c].size();
    for (auto& r : rows) width[c] = std::max(width[c], cell(r.value(cols[c], nlohmann::json())).size());
  }
  for (size_t c = 0; c < cols.size(); ++c) std::printf("%-*s  ", int(width[c]), cols[c].c_str());
  std::printf("\n");
  for (auto& r : rows) {
    for (size_t c = 0; c < cols.size(); ++c)
      std::printf("%*s  ", int(width[c]), cell(r.value(cols[c], nlohmann::json())).c_str());
    std::printf("\n");
  }
  std::fflush(stdout);
}

}  // namespace kartiba::bench
