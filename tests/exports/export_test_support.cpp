#include "export_test_support.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace kartiba::test {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string source_file(const std::string& relative) {
  return read_file(std::string(KARTIBA_SOURCE_DIR) + "/" + relative);
}

ExportEngine::ExportEngine() {
  std::random_device rd;
  dir = (std::filesystem::temp_directory_path() / ("kartiba-exports-" + std::to_string(rd()))).string();
  Options options;
  options.data_dir = dir;
  options.sync = false;
  options.worker_threads = 2;
  auto opened = Engine::open(options);
  REQUIRE(opened.ok());
  engine = std::move(opened.value());
}

ExportEngine::~ExportEngine() {
  engine.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

json ExportEngine::load_demo() {
  auto outcome = engine->import_plan(source_file("engine/data/demo/brussels-2024.json"), "Demo");
  INFO(outcome.to_json());
  REQUIRE(outcome.ok);
  return view("brussels-2024");
}

void ExportEngine::ok(const std::string& plan, const json& command) {
  auto outcome = engine->execute_sync({plan, "K. Miķelsone", command.dump(), true});
  INFO(outcome.to_json());
  REQUIRE(outcome.ok);
}

json ExportEngine::view(const std::string& plan) {
  auto v = engine->view(plan);
  REQUIRE(v.ok());
  return json::parse(**v);
}

std::vector<std::string> crlf_lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find("\r\n", start);
    REQUIRE(end != std::string::npos);  // every line ends in CRLF
    std::string line = text.substr(start, end - start);
    REQUIRE(line.find('\n') == std::string::npos);  // no bare LF
    REQUIRE(line.find('\r') == std::string::npos);  // no bare CR
    out.push_back(line);
    start = end + 2;
  }
  return out;
}

std::vector<std::string> unfold(const std::vector<std::string>& physical) {
  std::vector<std::string> out;
  for (auto& l : physical) {
    if (!l.empty() && l[0] == ' ' && !out.empty())
      out.back() += l.substr(1);
    else
      out.push_back(l);
  }
  return out;
}

}  // namespace kartiba::test
