#include "domain/timezone.h"

#include <date/tz.h>

namespace kartiba {
namespace {

bool parse_digits(const std::string& s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// "YYYY-MM-DDTHH:MM[:SS]" → local seconds since the epoch of local time.
bool parse_local(const std::string& s, date::local_seconds& out) {
  int y, mo, d, h, mi, se = 0;
  if (s.size() != 16 && s.size() != 19) return false;
  if (!parse_digits(s, 0, 4, y) || s[4] != '-' || !parse_digits(s, 5, 2, mo) || s[7] != '-' ||
      !parse_digits(s, 8, 2, d) || s[10] != 'T' || !parse_digits(s, 11, 2, h) || s[13] != ':' ||
      !parse_digits(s, 14, 2, mi))
    return false;
  if (s.size() == 19 && (s[16] != ':' || !parse_digits(s, 17, 2, se))) return false;
  date::year_month_day ymd{date::year(y), date::month(unsigned(mo)), date::day(unsigned(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || se > 59 || y < 1900 || y > 2200) return false;
  out = date::local_days(ymd) + std::chrono::hours(h) + std::chrono::minutes(mi) + std::chrono::seconds(se);
  return true;
}

// "+02:00" → seconds east of UTC.
bool parse_offset(const std::string& s, int& seconds) {
  int h, m;
  if (s.size() != 6 || (s[0] != '+' && s[0] != '-') || !parse_digits(s, 1, 2, h) || s[3] != ':' ||
      !parse_digits(s, 4, 2, m) || h > 18 || m > 59)
    return false;
  seconds = (h * 3600 + m * 60) * (s[0] == '-' ? -1 : 1);
  return true;
}

std::string format_offset(std::chrono::seconds off) {
  auto total = off.count();
  char sign = total < 0 ? '-' : '+';
  total = total < 0 ? -total : total;
  char buf[8];
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", sign, int(total / 3600), int(total % 3600 / 60));
  return buf;
}

const date::time_zone* find_zone(const std::string& tz) {
  if (tz.empty() || tz.size() > 64) return nullptr;
  try {
    return date::locate_zone(tz);
  } catch (const std::exception&) {
    return nullptr;
  }
}

}  // namespace

bool is_known_zone(const std::string& tz) { return find_zone(tz) != nullptr; }

bool is_date(const std::string& s) {
  int y, m, d;
  if (s.size() != 10 || !parse_digits(s, 0, 4, y) || s[4] != '-' || !parse_digits(s, 5, 2, m) ||
      s[7] != '-' || !parse_digits(s, 8, 2, d))
    return false;
  return date::year_month_day{date::year(y), date::month(unsigned(m)), date::day(unsigned(d))}.ok() &&
         y >= 1900 && y <= 2200;
}

std::string clock_of(const std::string& local) { return local.size() >= 16 ? local.substr(11, 5) : local; }

Result<int64_t> resolve_time(const nlohmann::json& t, const std::string& default_tz,
                             const std::string& path, nlohmann::json* normalized) {
  if (!t.is_object()) return Error::invalid("a time is {\"local\":\"YYYY-MM-DDTHH:MM\",\"tz\":\"Area/City\"}", path);
  for (auto& [k, v] : t.items())
    if (k != "local" && k != "tz" && k != "offset")
      return Error::invalid("unknown field '" + k + "' in a time", path + "/" + k);
  auto local_it = t.find("local");
  if (local_it == t.end() || !local_it->is_string())
    return Error::invalid("a time needs \"local\": \"YYYY-MM-DDTHH:MM\"", path + "/local");
  std::string local = *local_it;
  date::local_seconds ls;
  if (!parse_local(local, ls))
    return Error::invalid("'" + local + "' is not a local time YYYY-MM-DDTHH:MM", path + "/local");
  std::string tz = default_tz;
  if (auto it = t.find("tz"); it != t.end()) {
    if (!it->is_string()) return Error::invalid("tz must be an IANA zone name", path + "/tz");
    tz = *it;
  }
  const date::time_zone* zone = find_zone(tz);
  if (!zone) return Error::invalid("unknown time zone '" + tz + "'", path + "/tz");

  std::optional<int> offset;
  if (auto it = t.find("offset"); it != t.end() && !it->is_null()) {
    int off;
    if (!it->is_string() || !parse_offset(*it, off))
      return Error::invalid("offset must look like \"+02:00\"", path + "/offset");
    offset = off;
  }

  auto info = zone->get_info(ls);
  int64_t local_s = ls.time_since_epoch().count();
  int64_t utc;
  switch (info.result) {
    case date::local_info::unique:
      if (offset && *offset != info.first.offset.count())
        return Error::invalid(local + " in " + tz + " is at offset " + format_offset(info.first.offset) +
                                  ", not " + t["offset"].get<std::string>(),
                              path + "/offset");
      utc = local_s - info.first.offset.count();
      break;
    case date::local_info::nonexistent:
      return Error::invalid(local + " does not exist in " + tz +
                                ": the clocks skip it (daylight saving time starts); pick a time after " +
                                format_offset(info.first.offset) + " → " + format_offset(info.second.offset) +
                                " change",
                            path + "/local");
    case date::local_info::ambiguous:
    default:
      if (!offset)
        return Error::invalid(local + " happens twice in " + tz + " (daylight saving time ends): add \"offset\": \"" +
                                  format_offset(info.first.offset) + "\" or \"" +
                                  format_offset(info.second.offset) + "\"",
                              path + "/local");
      if (*offset == info.first.offset.count())
        utc = local_s - info.first.offset.count();
      else if (*offset == info.second.offset.count())
        utc = local_s - info.second.offset.count();
      else
        return Error::invalid("offset " + t["offset"].get<std::string>() + " is neither side of " + local +
                                  " in " + tz,
                              path + "/offset");
      break;
  }
  if (normalized) {
    nlohmann::json n = {{"local", local}, {"tz", tz}};
    if (offset && info.result == date::local_info::ambiguous) n["offset"] = t["offset"];
    *normalized = std::move(n);
  }
  return utc;
}

int64_t instant_of(const nlohmann::json& time) {
  auto r = resolve_time(time, "UTC", "");
  return r.ok() ? r.value() : 0;
}

}  // namespace kartiba
