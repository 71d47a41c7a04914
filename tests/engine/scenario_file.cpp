#include "scenario_file.h"

#include <algorithm>
#include <fstream>

namespace kartiba::test {

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::vector<Scenario> parse_scenario_file(const std::filesystem::path& path) {
  std::vector<Scenario> out;
  std::ifstream in(path);
  std::string raw;
  int n = 0;
  while (std::getline(in, raw)) {
    ++n;
    std::string line = trim(raw);
    if (line.empty() || line[0] == '#') continue;
    auto colon = line.find(':');
    std::string keyword = colon == std::string::npos ? line : trim(line.substr(0, colon));
    std::string rest = colon == std::string::npos ? "" : trim(line.substr(colon + 1));
    if (keyword == "scenario") {
      out.push_back({path.filename().string(), rest, n, {}});
      continue;
    }
    if (out.empty()) out.push_back({path.filename().string(), "(unnamed)", n, {}});
    out.back().steps.push_back({n, keyword, rest});
  }
  return out;
}

std::vector<std::filesystem::path> scenario_files(const std::string& folder) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (auto& entry : std::filesystem::directory_iterator(folder, ec))
    if (entry.path().extension() == ".scenario") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace kartiba::test
