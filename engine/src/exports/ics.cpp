#include "exports/ics.h"

#include <chrono>
#include <cstdio>
#include <set>

#include <date/tz.h>
#include <nlohmann/json.hpp>

#include "exports/export_util.h"
#include "kartiba/event.h"

namespace kartiba::exports {

using json = nlohmann::json;

namespace {

constexpr const char* kCrlf = "\r\n";

// ms since the epoch → "20240515T073000Z"
std::string utc_stamp(int64_t ms) {
  auto tp = date::sys_seconds{std::chrono::seconds(ms / 1000)};
  auto day = date::floor<date::days>(tp);
  date::year_month_day ymd{day};
  date::hh_mm_ss<std::chrono::seconds> tod{tp - day};
  char buf[24];
  std::snprintf(buf, sizeof buf, "%04d%02u%02uT%02d%02d%02dZ", int(ymd.year()), unsigned(ymd.month()),
                unsigned(ymd.day()), int(tod.hours().count()), int(tod.minutes().count()),
                int(tod.seconds().count()));
  return buf;
}

// "2024-05-15T07:30[:SS]" → "20240515T073000"
std::string local_stamp(const std::string& local) {
  if (local.size() < 16) return {};
  std::string s = local.substr(0, 4) + local.substr(5, 2) + local.substr(8, 2) + "T" + local.substr(11, 2) +
                  local.substr(14, 2);
  s += local.size() >= 19 ? local.substr(17, 2) : "00";
  return s;
}

std::string ics_offset(std::chrono::seconds off) {
  long s = long(off.count());
  char sign = s < 0 ? '-' : '+';
  s = s < 0 ? -s : s;
  char buf[48];
  if (s % 60)
    std::snprintf(buf, sizeof buf, "%c%02ld%02ld%02ld", sign, s / 3600, s % 3600 / 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%c%02ld%02ld", sign, s / 3600, s % 3600 / 60);
  return buf;
}

std::string local_of(date::sys_seconds t, std::chrono::seconds offset) {
  auto lt = t + offset;
  auto day = date::floor<date::days>(lt);
  date::year_month_day ymd{day};
  date::hh_mm_ss<std::chrono::seconds> tod{lt - day};
  char buf[24];
  std::snprintf(buf, sizeof buf, "%04d%02u%02uT%02d%02d%02d", int(ymd.year()), unsigned(ymd.month()),
                unsigned(ymd.day()), int(tod.hours().count()), int(tod.minutes().count()),
                int(tod.seconds().count()));
  return buf;
}

const date::time_zone* zone_or_null(const std::string& tz) {
  try {
    return date::locate_zone(tz);
  } catch (const std::exception&) {
    return nullptr;
  }
}

// The DTSTART/DTEND property for a time {"local","tz"} whose real instant is `utc`: with
// TZID when the local time names one instant in its zone, in UTC otherwise. A local time
// that happens twice (DST ends) is written in UTC: RFC 5545 reads TZID times as the first
// occurrence, but readers differ (ical.js takes the second), and UTC means the same to all.
std::string time_property(const char* name, const json& time, const std::string& utc) {
  const std::string local = str(time, "local");
  const std::string tz = str(time, "tz");
  auto instant = parse_utc_seconds(utc);
  if (const auto* zone = zone_or_null(tz); zone && instant && local.size() >= 16) {
    int y, mo, d, h, mi, s = 0;
    if (std::sscanf(local.c_str(), "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &s) >= 5) {
      date::local_seconds ls = date::local_days{date::year_month_day{date::year(y), date::month(unsigned(mo)), date::day(unsigned(d))}} +
                               std::chrono::hours(h) + std::chrono::minutes(mi) + std::chrono::seconds(s);
      auto info = zone->get_info(ls);
      if (info.result == date::local_info::unique &&
          (ls - info.first.offset).time_since_epoch().count() == *instant)
        return std::string(name) + ";TZID=" + tz + ":" + local_stamp(local);
    }
  }
  if (instant) return std::string(name) + ":" + utc_stamp(*instant * 1000);
  return std::string(name) + ":" + local_stamp(local);  // floating: the view had no instant
}

struct Words {
  const char* topics;
  const char* speakers;
  const char* sdgs;
};
const Words kLv{"Tēmas", "Runātāji", "IAM"};
const Words kEn{"Topics", "Speakers", "SDGs"};

std::string location_of(const json& venue) {
  std::vector<std::string> parts;
  for (const char* key : {"name", "building", "room", "address"}) parts.push_back(str(venue, key));
  if (str(venue, "address").empty()) parts.push_back(str(venue, "city"));
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& p = parts[i];
    if (p.empty()) continue;
    bool inside_other = false;  // "BvS" is already in the room "BvS 858"
    for (size_t j = 0; j < parts.size(); ++j)
      if (j != i && parts[j].size() > p.size() && parts[j].find(p) != std::string::npos) inside_other = true;
    if (inside_other) continue;
    if (!out.empty()) out += ", ";
    out += p;
  }
  return out;
}

std::string person_line(const json& person) {
  std::string line = str(person, "name");
  for (const char* key : {"role", "organisation"})
    if (auto v = str(person, key); !v.empty()) line += ", " + v;
  return line;
}

std::string description_of(const json& item, const std::map<std::string, const json*>& people, const Words& w) {
  std::string out = str(item, "description");
  auto section = [&](const char* heading, const std::vector<std::string>& lines) {
    if (lines.empty()) return;
    if (!out.empty()) out += "\n\n";
    out += std::string(heading) + ":";
    for (auto& l : lines) out += "\n• " + l;
  };
  std::vector<std::string> topics, speakers;
  if (item.contains("topics"))
    for (auto& t : item["topics"])
      if (t.is_string()) topics.push_back(t);
  if (item.contains("speakers"))
    for (auto& s : item["speakers"]) {
      if (!s.is_string()) continue;
      auto it = people.find(s.get<std::string>());
      speakers.push_back(it == people.end() ? s.get<std::string>() : person_line(*it->second));
    }
  section(w.topics, topics);
  section(w.speakers, speakers);
  if (item.contains("sdgs") && item["sdgs"].is_array() && !item["sdgs"].empty()) {
    if (!out.empty()) out += "\n\n";
    out += std::string(w.sdgs) + ":";
    for (size_t i = 0; i < item["sdgs"].size(); ++i) out += (i ? ", " : " ") + item["sdgs"][i].dump();
  }
  return out;
}

int year_of(const std::string& local) { return local.size() >= 4 ? std::atoi(local.substr(0, 4).c_str()) : 0; }

}  // namespace

ItemHistories item_histories(const std::vector<std::shared_ptr<const Event>>& events) {
  ItemHistories out;
  for (const auto& e : events) {
    if (!e || !e->data.is_object()) continue;
    auto it = e->data.find("item");
    if (it == e->data.end() || !it->is_string()) continue;
    ItemHistory& h = out[it->get<std::string>()];
    if (h.changes == 0) h.created_ms = e->at_ms;
    ++h.changes;
    h.modified_ms = e->at_ms;
  }
  return out;
}

std::string ics_escape_text(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    switch (c) {
      case '\\': out += "\\\\"; break;
      case ';': out += "\\;"; break;
      case ',': out += "\\,"; break;
      case '\n': out += "\\n"; break;
      case '\r':
        if (i + 1 < text.size() && text[i + 1] == '\n') break;  // CRLF → one \n
        out += "\\n";
        break;
      default:
        // Other control characters are not allowed in TEXT; tabs become spaces.
        if (static_cast<unsigned char>(c) < 0x20) out += c == '\t' ? ' ' : '?';
        else out += c;
    }
  }
  return out;
}

std::string ics_fold(std::string_view line) {
  std::string out;
  size_t used = 0;        // octets on the current physical line
  size_t limit = 75;
  for (size_t i = 0; i < line.size();) {
    size_t n = utf8_sequence_length(static_cast<unsigned char>(line[i]));
    if (i + n > line.size()) n = line.size() - i;
    if (used + n > limit) {
      out += kCrlf;
      out += ' ';
      used = 1;
    }
    out.append(line.substr(i, n));
    used += n;
    i += n;
  }
  out += kCrlf;
  return out;
}

std::string ics_vtimezone(const std::string& tz, int first_year, int last_year) {
  const auto* zone = zone_or_null(tz);
  if (!zone) return {};
  using namespace std::chrono;
  std::string out = std::string("BEGIN:VTIMEZONE") + kCrlf + "TZID:" + tz + kCrlf;
  const date::sys_seconds from{date::sys_days{date::year_month_day{date::year(first_year), date::month(1), date::day(1)}}};
  const date::sys_seconds to{date::sys_days{date::year_month_day{date::year(last_year + 1), date::month(1), date::day(1)}}};
  const date::sys_seconds earliest{date::sys_days{date::year_month_day{date::year(1900), date::month(1), date::day(1)}}};
  auto emit = [&](const date::sys_info& info) {
    std::chrono::seconds offset_from = info.offset;
    std::string start;
    if (info.begin <= earliest) {
      start = "19000101T000000";
    } else {
      offset_from = zone->get_info(info.begin - seconds(1)).offset;
      start = local_of(info.begin, offset_from);
    }
    const char* kind = info.save != minutes(0) ? "DAYLIGHT" : "STANDARD";
    out += std::string("BEGIN:") + kind + kCrlf;
    out += "DTSTART:" + start + kCrlf;
    out += "TZOFFSETFROM:" + ics_offset(offset_from) + kCrlf;
    out += "TZOFFSETTO:" + ics_offset(info.offset) + kCrlf;
    if (!info.abbrev.empty()) out += "TZNAME:" + ics_escape_text(info.abbrev) + kCrlf;
    out += std::string("END:") + kind + kCrlf;
  };
  auto info = zone->get_info(from);
  emit(info);
  for (int guard = 0; info.end < to && guard < 1000; ++guard) {
    info = zone->get_info(info.end);
    emit(info);
  }
  out += std::string("END:VTIMEZONE") + kCrlf;
  return out;
}

std::string agenda_ics(const json& view, const ItemHistories& histories) {
  const std::string plan = str(view, "id");
  const std::string lang = str(view, "language");
  const Words& w = lang == "en" ? kEn : kLv;
  const json empty = json::array();
  const json& items = view.contains("items") && view["items"].is_array() ? view["items"] : empty;

  std::map<std::string, const json*> venues, people;
  if (view.contains("venues"))
    for (auto& v : view["venues"]) venues[str(v, "id")] = &v;
  if (view.contains("people"))
    for (auto& p : view["people"]) people[str(p, "id")] = &p;

  // The zones the items use and the years they span.
  std::set<std::string> zones;
  int first_year = 0, last_year = 0;
  auto span = [&](int y) {
    if (y <= 0) return;
    first_year = first_year ? std::min(first_year, y) : y;
    last_year = std::max(last_year, y);
  };
  for (auto& item : items)
    for (const char* key : {"start", "end"})
      if (item.contains(key) && item[key].is_object()) {
        if (auto tz = str(item[key], "tz"); !tz.empty()) zones.insert(tz);
        span(year_of(str(item[key], "local")));
      }
  span(year_of(str(view, "start_date")));
  span(year_of(str(view, "end_date")));

  int64_t updated_ms = 0;
  if (auto u = parse_utc_seconds(str(view, "updated_at"))) updated_ms = *u * 1000;

  std::string out;
  auto line = [&](const std::string& l) { out += ics_fold(l); };
  line("BEGIN:VCALENDAR");
  line("VERSION:2.0");
  line("PRODID:-//kartiba//kartiba agenda.ics 1.0//EN");
  line("CALSCALE:GREGORIAN");
  if (auto title = str(view, "title"); !title.empty()) {
    line("NAME:" + ics_escape_text(title));
    line("X-WR-CALNAME:" + ics_escape_text(title));
  }
  if (auto tz = str(view, "timezone"); !tz.empty()) line("X-WR-TIMEZONE:" + tz);
  for (auto& tz : zones) out += ics_vtimezone(tz, first_year, last_year);  // short lines, no folding needed

  for (auto& item : items) {
    const std::string id = str(item, "id");
    ItemHistory h;
    if (auto it = histories.find(id); it != histories.end()) h = it->second;
    line("BEGIN:VEVENT");
    line("UID:" + id + "@" + plan + ".kartiba");
    line("DTSTAMP:" + utc_stamp(h.modified_ms ? h.modified_ms : updated_ms));
    line("SEQUENCE:" + std::to_string(h.changes > 0 ? h.changes - 1 : 0));
    if (h.created_ms) line("CREATED:" + utc_stamp(h.created_ms));
    if (h.modified_ms) line("LAST-MODIFIED:" + utc_stamp(h.modified_ms));
    if (item.contains("start")) line(time_property("DTSTART", item["start"], str(item, "start_utc")));
    if (item.contains("end")) line(time_property("DTEND", item["end"], str(item, "end_utc")));
    line("SUMMARY:" + ics_escape_text(str(item, "title")));
    const std::string status = str(item, "status");
    line(std::string("STATUS:") + (status == "tentative" ? "TENTATIVE" : status == "cancelled" ? "CANCELLED" : "CONFIRMED"));
    if (auto v = venues.find(str(item, "venue")); v != venues.end()) {
      if (auto loc = location_of(*v->second); !loc.empty()) line("LOCATION:" + ics_escape_text(loc));
    }
    if (auto d = description_of(item, people, w); !d.empty()) line("DESCRIPTION:" + ics_escape_text(d));
    if (auto kind = str(item, "kind"); !kind.empty()) line("CATEGORIES:" + ics_escape_text(kind));
    line("END:VEVENT");
  }
  line("END:VCALENDAR");
  return out;
}

}  // namespace kartiba::exports
