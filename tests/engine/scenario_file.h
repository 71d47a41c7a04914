// Reading tests/engine/scenarios/*.scenario: the steps of each scenario, as written. Shared by
// the scenario runner (scenario_test.cpp, which also documents the format) and the golden
// files (golden_test.cpp, which replays the same commands).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace kartiba::test {

struct ScenarioStep {
  int line;
  std::string keyword;
  std::string rest;
};

struct Scenario {
  std::string file;
  std::string name;
  int line = 0;
  std::vector<ScenarioStep> steps;
};

std::string trim(const std::string& s);
std::vector<Scenario> parse_scenario_file(const std::filesystem::path& path);
// The *.scenario files of a folder, sorted by name.
std::vector<std::filesystem::path> scenario_files(const std::string& folder);

}  // namespace kartiba::test
