// What every CLI verb shares: the resolved server and token, output mode, and the helpers
// that call the server and report its errors (docs/CLI.md: exit codes, config file).
//
// One Context per process, used from the main thread only.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "net.h"

namespace kartiba::cli {

using json = nlohmann::json;

// Exit codes (docs/CLI.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;       // the server refused, or a check failed
inline constexpr int kExitUsage = 2;        // bad arguments
inline constexpr int kExitUnreachable = 3;  // no answer from the server

struct Context {
  // As given on the command line ("" = not given).
  std::string server_flag;
  std::string token_flag;
  std::string config_path;  // --config; default $XDG_CONFIG_HOME/kartiba/config.json or ~/.config/…
  bool json_output = false;
  bool quiet = false;

  // Resolved by resolve(): flag, then KARTIBA_SERVER / KARTIBA_TOKEN, then the config file.
  ServerUrl server;
  std::string token;

  int exit_code = kExitOk;

  // Fills server and token; false (message printed) when the URL is bad.
  bool resolve();
};

// The default config file path.
std::string default_config_path();

// Prints "kartiba: message" to stderr and returns code.
int fail(const std::string& message, int code = kExitFailed);

// Calls the server; on a 2xx answer returns the body. Otherwise prints the server's error
// message (or the transport failure) to stderr, sets ctx.exit_code and returns nullopt.
std::optional<std::string> call(Context& ctx, const std::string& method, const std::string& target,
                                const std::string& body = {});
// The same, parsing the body as JSON.
std::optional<json> call_json(Context& ctx, const std::string& method, const std::string& target,
                              const std::string& body = {});

// Percent-encodes a query or path component.
std::string url_encode(const std::string& text);

// Reads a whole file ("-" = stdin); nullopt when it cannot be read.
std::optional<std::string> read_input(const std::string& path);

// The terminal's width when stdout is a terminal, else 0.
size_t terminal_width();

}  // namespace kartiba::cli
