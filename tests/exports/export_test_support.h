// Helpers for the export tests: files of the source tree, a real engine on a temporary
// directory with the demo plan imported, and checks on iCalendar text.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kartiba/engine.h"

namespace kartiba::test {

using json = nlohmann::json;

std::string read_file(const std::string& path);
// A file of the repository (KARTIBA_SOURCE_DIR/relative).
std::string source_file(const std::string& relative);

// An engine on a fresh temporary directory, removed with the object.
struct ExportEngine {
  ExportEngine();
  ~ExportEngine();
  // Imports engine/data/demo/brussels-2024.json; returns its view.
  json load_demo();
  // Runs one command, REQUIRE-ing success.
  void ok(const std::string& plan, const json& command);
  json view(const std::string& plan);

  std::string dir;
  std::unique_ptr<Engine> engine;
};

// The physical lines of CRLF text (without their CRLF); REQUIREs every line to end in CRLF.
std::vector<std::string> crlf_lines(const std::string& text);
// Unfolds RFC 5545 content lines.
std::vector<std::string> unfold(const std::vector<std::string>& physical);

}  // namespace kartiba::test
