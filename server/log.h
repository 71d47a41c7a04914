// kartiba::server::Log — one line per request, per command and per notable event, on stderr.
//
// Lines look like `2024-05-15T07:30:00.123Z INFO http GET /api/plans 200 actor="x" 1.20ms`.
// Thread-safety: every function may be called from any thread; a line is written whole.
#pragma once

#include <string>
#include <string_view>

#include "config.h"

namespace kartiba::server::log {

void set_level(LogLevel level);
bool enabled(LogLevel level);
void write(LogLevel level, std::string_view line);

inline void error(std::string_view line) { write(LogLevel::error, line); }
inline void warn(std::string_view line) { write(LogLevel::warn, line); }
inline void info(std::string_view line) { write(LogLevel::info, line); }
inline void debug(std::string_view line) { write(LogLevel::debug, line); }

// Milliseconds with two decimals, e.g. "1.20ms".
std::string format_ms(double ms);
// `s` as a double-quoted string safe for one log line (control characters escaped).
std::string quote(std::string_view s);

}  // namespace kartiba::server::log
