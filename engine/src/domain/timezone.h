// Wall-clock times at a place ↔ real instants, with the system tz database (date/tz).
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "kartiba/error.h"

namespace kartiba {

bool is_known_zone(const std::string& tz);

// Resolves {"local","tz","offset"} (tz defaulting to default_tz) to UTC seconds. Rejects
// malformed times, unknown zones, local times in a DST gap, and ambiguous ones without an
// offset. `normalized` receives the time as it is stored: tz always filled in.
Result<int64_t> resolve_time(const nlohmann::json& time, const std::string& default_tz,
                             const std::string& path, nlohmann::json* normalized = nullptr);

// The same for a stored (already valid) time; 0 if it no longer resolves.
int64_t instant_of(const nlohmann::json& time);

// "2024-05-15" is a real date.
bool is_date(const std::string& s);

// "HH:MM" of a local time "YYYY-MM-DDTHH:MM[:SS]".
std::string clock_of(const std::string& local);

}  // namespace kartiba
