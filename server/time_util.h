// RFC 3339 timestamps as the HTTP API reads and writes them (`?asof=`, token records).
//
// Thread-safety: free functions without shared state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kartiba::server {

// "2024-05-15T07:30:00Z", "2024-05-15T09:30:00.250+02:00" (seconds optional) → milliseconds
// since the Unix epoch; nullopt when malformed.
std::optional<int64_t> parse_rfc3339_ms(std::string_view text);

// Milliseconds since the epoch → "2024-05-15T07:30:00.000Z".
std::string format_rfc3339_ms(int64_t ms);

int64_t now_ms();

}  // namespace kartiba::server
