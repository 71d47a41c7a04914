// RFC 3339 formatting and parsing of UTC instants (milliseconds since the Unix epoch).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kartiba {

// "2024-05-15T07:30:00.000Z"
std::string format_utc_ms(int64_t ms);
// "2024-05-15T07:30:00Z" (whole seconds, as views show item times)
std::string format_utc_seconds(int64_t seconds);
// Accepts "YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)"; nullopt when malformed.
std::optional<int64_t> parse_rfc3339_ms(std::string_view text);

}  // namespace kartiba
