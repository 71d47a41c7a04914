// Request-target helpers: split path and query, percent-decode, read query parameters.
//
// Thread-safety: free functions without shared state.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kartiba::server {

using Query = std::map<std::string, std::string>;

struct Target {
  std::string path;   // percent-decoded; nullopt-free: a bad escape makes parse_target fail
  Query query;        // the last value of each name, decoded ('+' is a space)
};

// nullopt when an escape is malformed or decodes to a NUL byte.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);
std::optional<Target> parse_target(std::string_view target);

// "/api/plans/x/events" → {"api","plans","x","events"} (empty segments dropped).
std::vector<std::string> split_path(std::string_view path);

// The target with the values of secret query parameters (token) replaced, for log lines.
std::string redact_target(std::string_view target);

// A whole non-negative decimal number; nullopt otherwise.
std::optional<uint64_t> parse_uint(std::string_view text);

}  // namespace kartiba::server
