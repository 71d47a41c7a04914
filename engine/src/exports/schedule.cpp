#include "exports/schedule.h"

#include <map>
#include <regex>
#include <set>

#include <nlohmann/json.hpp>

#include "exports/export_util.h"

namespace kartiba::exports {

using json = nlohmann::json;

namespace {

const json& member(const json& obj, const char* key) {
  static const json kNull;
  if (!obj.is_object()) return kNull;
  auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}

std::string hh_mm(int64_t minutes) {
  if (minutes < 0) minutes = 0;
  char buf[24];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld", static_cast<long long>(minutes / 60),
                static_cast<long long>(minutes % 60));
  return buf;
}

std::string room_name(const json* venue, const std::string& lang) {
  if (!venue) return lang == "lv" ? "Bez norises vietas" : "No venue";
  std::string name = str(*venue, "name");
  std::string room = str(*venue, "room");
  if (!room.empty() && name.find(room) == std::string::npos) name += " – " + room;
  return name.empty() ? str(*venue, "id") : name;
}

std::string room_description(const json& venue) {
  std::string out;
  for (const char* key : {"building", "room", "address", "city", "country"}) {
    auto v = str(venue, key);
    if (v.empty()) continue;
    if (!out.empty()) out += ", ";
    out += v;
  }
  return out;
}

// "2024-05-15T06:30:00+02:00" in the plan's zone, or nullopt.
struct ZoneTime {
  std::string date_time;
  std::string date;
  std::string clock;
};
std::optional<ZoneTime> in_zone(const std::string& utc, const std::string& tz) {
  auto s = parse_utc_seconds(utc);
  if (!s) return std::nullopt;
  auto lt = local_time_in(*s, tz);
  if (!lt) return std::nullopt;
  return ZoneTime{lt->local + format_offset(lt->offset_s), lt->local.substr(0, 10), lt->local.substr(11, 5)};
}

std::string clock_in_own_zone(const json& time) {
  std::string local = str(time, "local");
  return (local.size() >= 16 ? local.substr(11, 5) : local) + " " + zone_city(str(time, "tz"));
}

}  // namespace

std::string schedule_acronym(const std::string& plan_id) {
  std::string a;
  for (char c : plan_id) a += (c == '-') ? '_' : c;
  while (a.size() < 4) a += '_';
  return a;
}

std::string schedule_json(const json& view, const ScheduleOptions& options) {
  const std::string plan = str(view, "id");
  const std::string lang = str(view, "language").empty() ? "lv" : str(view, "language");
  std::string tz = str(view, "timezone");
  if (tz.empty()) tz = "UTC";
  const std::string acronym = schedule_acronym(plan);
  const json none = json::array();
  const json& items = view.contains("items") && view["items"].is_array() ? view["items"] : none;

  std::map<std::string, const json*> venues, people;
  if (view.contains("venues"))
    for (auto& v : view["venues"]) venues[str(v, "id")] = &v;
  if (view.contains("people"))
    for (auto& p : view["people"]) people[str(p, "id")] = &p;

  std::string base = options.base_url;
  if (!base.empty() && base.back() != '/') base += '/';
  auto link_for = [&](const std::string& guid, const std::string& item) {
    if (base.empty()) return "urn:uuid:" + guid;
    return base + "?plan=" + plan + (item.empty() ? "" : "&item=" + item);
  };

  // Days: the plan's dates plus every date an item starts on, in the plan's zone.
  std::map<std::string, json> days;  // date → rooms object
  std::map<std::string, std::pair<std::string, std::string>> bounds;  // date → earliest start, latest end
  if (view.contains("days"))
    for (auto& d : view["days"])
      if (auto date = str(d, "date"); !date.empty()) days[date] = json::object();

  std::vector<json> rooms;
  std::set<std::string> room_names;
  std::vector<json> tracks;
  std::set<std::string> track_names;

  for (auto& item : items) {
    if (str(item, "status") == "cancelled") continue;
    auto start = in_zone(str(item, "start_utc"), tz);
    auto end = in_zone(str(item, "end_utc"), tz);
    if (!start || !end) continue;
    const std::string id = str(item, "id");
    const json* venue = nullptr;
    if (auto v = venues.find(str(item, "venue")); v != venues.end()) venue = v->second;
    const std::string room = room_name(venue, lang);
    if (room_names.insert(room).second) {
      json r = {{"name", room}, {"guid", name_uuid(plan + "/room/" + room)}};
      if (venue) {
        if (auto d = room_description(*venue); !d.empty()) r["description"] = d;
      }
      rooms.push_back(std::move(r));
    }
    const std::string track = str(item, "track");
    if (!track.empty() && track_names.insert(track).second) {
      json t = {{"name", track}};
      if (auto slug = ascii_slug(track, 40); slug.size() >= 2) t["slug"] = slug;
      tracks.push_back(std::move(t));
    }

    // The description: the item's text, its topics, and its own local times when they are
    // in other zones than the conference's.
    std::string description = str(item, "description");
    auto add_block = [&](const std::string& text) {
      if (text.empty()) return;
      if (!description.empty()) description += "\n\n";
      description += text;
    };
    std::string topics;
    if (item.contains("topics"))
      for (auto& t : item["topics"])
        if (t.is_string()) topics += (topics.empty() ? "• " : "\n• ") + t.get<std::string>();
    add_block(topics);
    const json& own_start = member(item, "start");
    const json& own_end = member(item, "end");
    if (str(own_start, "tz") != tz || str(own_end, "tz") != tz)
      add_block((lang == "lv" ? "Vietējais laiks: " : "Local time: ") + clock_in_own_zone(own_start) + " – " +
                clock_in_own_zone(own_end));

    json persons = json::array();
    if (item.contains("speakers"))
      for (auto& s : item["speakers"]) {
        if (!s.is_string()) continue;
        const std::string pid = s;
        json p = {{"name", pid}};
        if (auto it = people.find(pid); it != people.end()) {
          p["name"] = str(*it->second, "name");
          std::string bio = str(*it->second, "role");
          if (auto org = str(*it->second, "organisation"); !org.empty()) bio += (bio.empty() ? "" : ", ") + org;
          p["biography"] = bio;
        }
        p["id"] = name_number(plan + "/person/" + pid);
        p["guid"] = name_uuid(plan + "/person/" + pid);
        persons.push_back(std::move(p));
      }

    const std::string guid = name_uuid(plan + "/item/" + id);
    std::string slug = ascii_slug(plan + " " + id + " " + str(item, "title"), 80);
    if (slug.size() < 2) slug = acronym + "-" + std::to_string(name_number(plan + "/item/" + id));
    int64_t minutes = item.contains("duration_min") && item["duration_min"].is_number()
                          ? item["duration_min"].get<int64_t>()
                          : 0;
    json ev = {
        {"guid", guid},
        {"id", name_number(plan + "/item/" + id)},
        {"date", start->date_time},
        {"start", start->clock},
        {"end", end->date_time},
        {"duration", hh_mm(minutes)},
        {"room", room},
        {"slug", slug},
        {"url", link_for(guid, id)},
        {"title", str(item, "title")},
        {"subtitle", str(item, "status") == "tentative" ? (lang == "lv" ? "vēl jāapstiprina (tbc)" : "to be confirmed (tbc)")
                                                        : ""},
        {"track", track.empty() ? json(nullptr) : json(track)},
        {"type", str(item, "kind").empty() ? "meeting" : str(item, "kind")},
        {"language", lang},
        {"abstract", str(item, "description").empty() ? json(nullptr) : json(str(item, "description"))},
        {"description", description.empty() ? json(nullptr) : json(description)},
        {"do_not_record", true},
        {"persons", std::move(persons)},
        {"links", json::array()},
        {"attachments", json::array()},
    };
    json& day_rooms = days[start->date];
    if (!day_rooms.is_object()) day_rooms = json::object();
    day_rooms[room].push_back(std::move(ev));
    auto& b = bounds[start->date];
    if (b.first.empty() || start->date_time < b.first) b.first = start->date_time;
    if (b.second.empty() || end->date_time > b.second) b.second = end->date_time;
  }

  // Day boundaries: midnight to 23:59 in the plan's zone, stretched to cover late items.
  json day_list = json::array();
  int index = 1;
  for (auto& [date, day_rooms] : days) {
    std::string day_start = date + "T00:00:00", day_end = date + "T23:59:00";
    std::string start_offset = "+00:00", end_offset = "+00:00";
    if (auto s = parse_utc_seconds(date + "T12:00:00Z")) {
      if (auto lt = local_time_in(*s, tz)) start_offset = end_offset = format_offset(lt->offset_s);
    }
    day_start += start_offset;
    day_end += end_offset;
    if (auto b = bounds.find(date); b != bounds.end() && b->second.second > day_end) day_end = b->second.second;
    day_list.push_back({{"index", index++}, {"date", date}, {"day_start", day_start}, {"day_end", day_end},
                        {"rooms", day_rooms.is_object() ? day_rooms : json::object()}});
  }

  std::string start_date = str(view, "start_date"), end_date = str(view, "end_date");
  if (start_date.empty() && !days.empty()) start_date = days.begin()->first;
  if (end_date.empty() && !days.empty()) end_date = days.rbegin()->first;

  json conference = {
      {"acronym", acronym},
      {"title", str(view, "title")},
      {"start", start_date},
      {"end", end_date},
      {"daysCount", static_cast<int>(day_list.size())},
      {"timeslot_duration", "00:15"},
      {"rooms", rooms},
      {"days", std::move(day_list)},
  };
  if (auto d = str(view, "description"); !d.empty()) conference["description"] = d;
  static const std::regex kZonePattern("^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$");
  if (std::regex_search(tz, kZonePattern)) conference["time_zone_name"] = tz;
  if (!tracks.empty()) conference["tracks"] = tracks;
  if (!base.empty()) conference["url"] = link_for("", "");

  json schedule = {{"version", std::to_string(view.value("revision", 0))}, {"conference", std::move(conference)}};
  if (!base.empty()) schedule["base_url"] = base;
  json doc = {{"$schema", "https://c3voc.de/schedule/schema.json"},
              {"generator", {{"name", "kartiba"}, {"version", options.version}}},
              {"schedule", std::move(schedule)}};
  return doc.dump(2);
}

}  // namespace kartiba::exports
