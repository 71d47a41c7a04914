#include "exports/text_agenda.h"

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include <nlohmann/json.hpp>

#include "exports/export_util.h"
#include "exports/text_lines.h"

namespace kartiba::exports {

using json = nlohmann::json;
using namespace text_lines;

TextAgenda parse_text_agenda(const std::string& text, const TextAgendaOptions& options) {
  TextAgenda a;
  std::vector<std::string> lines;
  for (auto& l : split(text, '\n')) lines.push_back(clean(l));
  // split() trimmed already; keep 1-based numbering aligned with the file.

  // Where the agenda starts: after a "Darba kārtība" heading, else at the first day heading.
  size_t agenda_at = lines.size();
  bool heading = false;
  for (size_t i = 0; i < lines.size(); ++i)
    if (is_agenda_heading(lines[i])) {
      agenda_at = i + 1;
      heading = true;
      break;
    }
  if (!heading)
    for (size_t i = 0; i < lines.size(); ++i)
      if (day_heading(lines[i])) {
        agenda_at = i;
        break;
      }

  // The preamble: title lines, the date line, the place, then prose.
  size_t date_line = agenda_at;
  for (size_t i = 0; i < agenda_at; ++i) {
    std::string from, to;
    int y;
    if (date_range_line(lines[i], y, from, to)) {
      date_line = i;
      a.year = y;
      a.start_date = from;
      a.end_date = to;
      break;
    }
  }
  if (date_line < agenda_at) {
    for (size_t i = 0; i < date_line; ++i)
      if (!lines[i].empty()) a.title += (a.title.empty() ? "" : " ") + lines[i];
    size_t i = date_line + 1;
    while (i < agenda_at && lines[i].empty()) ++i;
    if (i < agenda_at && lines[i].size() < 80 && !has_digit(lines[i]) && lines[i].find(':') == std::string::npos) {
      a.place = strip_period(lines[i]);
      ++i;
    }
    std::string description;
    for (; i < agenda_at; ++i) {
      if (lines[i].empty()) continue;
      if (description.size() + lines[i].size() > 4900) break;
      description += (description.empty() ? "" : "\n") + lines[i];
    }
    a.description = description;
  } else {
    for (size_t i = 0; i < agenda_at && a.title.empty(); ++i) a.title = lines[i];
  }
  if (options.year) {
    if (a.year && a.year != options.year) a.notes.push_back("--year " + std::to_string(options.year) +
                                                            " overrides the document's year " + std::to_string(a.year));
    a.year = options.year;
    if (!a.start_date.empty()) a.start_date = std::to_string(a.year) + a.start_date.substr(4);
    if (!a.end_date.empty()) a.end_date = std::to_string(a.year) + a.end_date.substr(4);
  }

  // The plan's zone.
  a.timezone = options.timezone;
  if (a.timezone.empty()) {
    a.timezone = zone_of_place(a.place);
    if (!a.timezone.empty()) a.notes.push_back("plan time zone " + a.timezone + " from the place '" + a.place + "'");
  }

  // The agenda, line by line.
  std::set<std::string> item_ids, venue_ids, person_ids;
  std::map<std::string, std::string> venue_by_key, person_by_name;
  TextDay* day = nullptr;
  TextItem* item = nullptr;
  bool expect_title = false;
  int latvian_votes = 0, english_votes = 0;
  auto unplaced = [&](size_t i, const std::string& why) {
    a.unplaced.push_back({int(i + 1), lines[i], why});
  };
  auto venue_for = [&](const TextVenue& v) -> std::string {
    std::string key = v.name + "\x1f" + v.building + "\x1f" + v.room;
    if (auto it = venue_by_key.find(key); it != venue_by_key.end()) return it->second;
    TextVenue nv = v;
    nv.id = unique_id(ascii_slug(v.name, 32), venue_ids, "venue");
    venue_by_key[key] = nv.id;
    a.venues.push_back(nv);
    return nv.id;
  };
  auto find_venue = [&](const std::string& id) -> TextVenue* {
    for (auto& v : a.venues)
      if (v.id == id) return &v;
    return nullptr;
  };

  for (size_t i = agenda_at; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (line.empty()) continue;
    if (auto h = day_heading(line)) {
      (h->latvian ? latvian_votes : english_votes)++;
      int year = h->year && !options.year ? h->year : a.year;
      if (!year) {
        a.error = "line " + std::to_string(i + 1) + ": the document names no year; give --year";
        return a;
      }
      a.days.push_back({iso_date(year, h->month, h->day), "", h->place});
      day = &a.days.back();
      item = nullptr;
      expect_title = false;
      continue;
    }
    if (auto s = slot_line(line)) {
      if (!day) {
        unplaced(i, "a time slot before any day heading");
        continue;
      }
      TextItem it;
      it.line = int(i + 1);
      it.start_local = day->date + "T" + two(s->h1) + ":" + two(s->m1);
      std::string end_date = day->date;
      if (s->h2 * 60 + s->m2 < s->h1 * 60 + s->m1 || s->h2 == 24) end_date = next_date(day->date);
      it.end_local = end_date + "T" + two(s->h2 % 24) + ":" + two(s->m2);
      a.items.push_back(it);
      item = &a.items.back();
      // Pointers into a.items stay valid: only this loop appends, and `item` is reset below.
      expect_title = true;
      if (!s->rest.empty()) {
        item->title = s->rest;
        expect_title = false;
      }
      continue;
    }
    if (!day) {
      unplaced(i, "text before the first day heading");
      continue;
    }
    if (!item) {
      if (day->title.empty())
        day->title = strip_period(line);
      else
        unplaced(i, "text between a day heading and its first time slot");
      continue;
    }
    if (expect_title) {
      item->title = line;
      expect_title = false;
      continue;
    }
    if (auto p = person_line(line)) {
      auto& [name, rest] = *p;
      std::string id;
      if (auto it = person_by_name.find(name); it != person_by_name.end()) {
        id = it->second;
      } else {
        TextPerson person;
        person.name = name;
        if (rest.size() >= 2 && looks_like_organisation(rest.back())) {
          person.organisation = rest.back();
          rest.pop_back();
        }
        for (auto& r : rest) person.role += (person.role.empty() ? "" : ", ") + r;
        auto w = words_of(name);
        std::string base = ascii_slug(w.back(), 32);
        if (person_ids.count(base)) base = ascii_slug(name, 32);
        person.id = unique_id(base, person_ids, "person");
        person_by_name[name] = person.id;
        a.people.push_back(person);
        id = person.id;
      }
      if (std::find(item->speakers.begin(), item->speakers.end(), id) == item->speakers.end())
        item->speakers.push_back(id);
      continue;
    }
    if (is_venue_details(line)) {
      TextVenue v;
      auto parts = split(strip_period(line), ',');
      for (size_t k = 0; k < parts.size(); ++k) {
        std::string lw = utf8_lower(parts[k]);
        auto w = words_of(parts[k]);
        auto without = [&](std::initializer_list<const char*> keys) {
          std::string out;
          for (auto& x : w) {
            bool key = false;
            for (const char* kk : keys)
              if (letters_lower(x) == kk) key = true;
            if (!key) out += (out.empty() ? "" : " ") + x;
          }
          return out;
        };
        const bool building = contains_word(lw, {"ēka", "ēkā", "building"});
        const bool room = contains_word(lw, {"telpa", "telpā", "room", "auditorija", "salle"});
        if (k == 0 && !(building && w.size() <= 2) && !(room && w.size() <= 2))
          v.name = parts[k];  // "Eiropas Reģionu komiteja", "Town Hall"
        else if (building)
          v.building = without({"ēka", "ēkā", "building"});
        else if (room)
          v.room = without({"telpa", "telpā", "room"});
        else if (is_address(parts[k]))
          v.address += (v.address.empty() ? "" : ", ") + parts[k];
        else
          v.name += (v.name.empty() ? "" : ", ") + parts[k];
      }
      if (v.name.empty()) v.name = !v.building.empty() ? v.building : v.room;
      if (item->venue.empty()) item->venue = venue_for(v);
      else unplaced(i, "a second venue for one item");
      continue;
    }
    if (is_address(line)) {
      std::string address = strip_period(line);
      // "Rue Montoyer 90-102 , B-1040 Brussels": tidy the space before commas.
      for (size_t at; (at = address.find(" ,")) != std::string::npos;) address.erase(at, 1);
      TextVenue* v = item->venue.empty() ? nullptr : find_venue(item->venue);
      if (v && v->address.empty()) {
        v->address = address;
      } else if (!v) {
        TextVenue nv;
        nv.name = split(address, ',')[0];
        nv.address = address;
        item->venue = venue_for(nv);
      } else if (v->address != address) {
        unplaced(i, "a second address for one venue");
      }
      continue;
    }
    if (is_venue_name(line) && item->venue.empty()) {
      TextVenue v;
      v.name = strip_period(line);
      item->venue = venue_for(v);
      continue;
    }
    item->topics.push_back(line);
  }

  if (a.days.empty()) {
    a.error = "no day headings found (a line like \"15. maijs, Brisele\" or \"15 May, Brussels\")";
    return a;
  }
  if (a.start_date.empty()) a.start_date = a.days.front().date;
  if (a.end_date.empty()) a.end_date = a.days.back().date;
  for (auto& d : a.days) {
    a.start_date = std::min(a.start_date, d.date);
    a.end_date = std::max(a.end_date, d.date);
  }
  if (a.timezone.empty()) {
    for (auto& d : a.days)
      if (a.timezone.empty()) a.timezone = zone_of_place(d.place);
    if (a.timezone.empty()) {
      a.timezone = "Europe/Riga";
      a.notes.push_back("no known place named: plan time zone Europe/Riga (give --timezone)");
    }
  }
  if (a.title.empty()) a.title = a.place.empty() ? "Agenda" : a.place;
  a.language = english_votes > latvian_votes ? "en" : "lv";

  // Titles, statuses, kinds, zones and ids.
  for (auto& it : a.items) {
    std::string title = it.title;
    static const std::regex kTbc(R"(\(\s*(tbc|TBC|t\.b\.c\.|jāapstiprina|to be confirmed|tiks precizēts)\s*\.?\s*\))");
    static const std::regex kCancelled(R"(\(\s*(atcelts|cancelled|canceled)\s*\))", std::regex::icase);
    if (std::regex_search(title, kTbc)) {
      it.status = "tentative";
      title = std::regex_replace(title, kTbc, "");
    }
    if (std::regex_search(title, kCancelled)) {
      it.status = "cancelled";
      title = std::regex_replace(title, kCancelled, "");
    }
    it.title = strip_period(title);
    if (it.title.empty()) it.title = "—";
    it.kind = kind_of(it.title);
    it.start_tz = it.end_tz = a.timezone;
    if (it.kind == "travel") {
      auto [from, to] = travel_zones(it.title);
      if (!from.empty()) {
        it.start_tz = from;
        it.end_tz = to;
        if (from != a.timezone || to != a.timezone)
          a.notes.push_back("line " + std::to_string(it.line) + ": '" + it.title + "' starts in " + from +
                            " and ends in " + to);
      }
    }
    it.id = unique_id(ascii_slug(it.title, 40), item_ids, "item");
  }
  for (auto& d : a.days)
    if (d.title.empty()) d.title = d.place;
  return a;
}

json text_agenda_commands(const TextAgenda& a, const std::string& plan_id, const json& existing) {
  const bool exists = existing.is_object() && existing.contains("id");
  json out = {{"create", nullptr}, {"commands", json::array()}};
  if (!exists) {
    json plan = {{"id", plan_id}, {"title", a.title}, {"timezone", a.timezone}, {"language", a.language}};
    if (!a.start_date.empty()) plan["start_date"] = a.start_date;
    if (!a.end_date.empty()) plan["end_date"] = a.end_date;
    if (!a.description.empty()) plan["description"] = a.description;
    if (!a.place.empty()) plan["place"] = a.place;
    out["create"] = plan;
  }
  auto list = [&](const char* key) -> const json& {
    static const json kEmpty = json::array();
    return exists && existing.contains(key) && existing[key].is_array() ? existing[key] : kEmpty;
  };
  auto add = [&](const std::string& type, json data) {
    json c = {{"type", type}, {"data", data}};
    c["id"] = "text-" + sha256_hex(plan_id + "\n" + c.dump()).substr(0, 24);
    out["commands"].push_back(std::move(c));
  };

  for (auto& d : a.days) {
    json data = {{"date", d.date}};
    if (!d.title.empty()) data["title"] = d.title;
    if (!d.place.empty()) data["place"] = d.place;
    bool same = false;
    for (auto& ed : list("days"))
      if (ed.value("date", "") == d.date && ed.value("title", json()) == data.value("title", json()) &&
          ed.value("place", json()) == data.value("place", json()))
        same = true;
    if (!same && data.size() > 1) add("set-day", data);
  }

  std::set<std::string> taken_venues, taken_people, taken_items;
  for (auto& v : list("venues")) taken_venues.insert(v.value("id", ""));
  for (auto& p : list("people")) taken_people.insert(p.value("id", ""));
  for (auto& i : list("items")) taken_items.insert(i.value("id", ""));

  // The items not in the plan yet, and the venues and people they use.
  std::vector<const TextItem*> new_items;
  std::set<std::string> used_venues, used_people;
  for (auto& it : a.items) {
    bool present = false;
    for (auto& ei : list("items"))
      if (ei.value("title", "") == it.title && ei.contains("start") &&
          ei["start"].value("local", "").substr(0, 16) == it.start_local)
        present = true;
    if (present) continue;
    new_items.push_back(&it);
    if (!it.venue.empty()) used_venues.insert(it.venue);
    used_people.insert(it.speakers.begin(), it.speakers.end());
  }

  std::map<std::string, std::string> venue_ids, person_ids;  // text id → plan id
  for (auto& v : a.venues) {
    if (!used_venues.count(v.id)) continue;
    for (auto& ev : list("venues"))
      if (ev.value("name", "") == v.name && ev.value("room", "") == v.room) venue_ids[v.id] = ev.value("id", "");
    if (venue_ids.count(v.id)) continue;
    std::string id = unique_id(v.id, taken_venues, "venue");
    venue_ids[v.id] = id;
    json data = {{"venue", id}, {"name", v.name}};
    if (!v.building.empty()) data["building"] = v.building;
    if (!v.room.empty()) data["room"] = v.room;
    if (!v.address.empty()) data["address"] = v.address;
    add("add-venue", data);
  }
  for (auto& p : a.people) {
    if (!used_people.count(p.id)) continue;
    for (auto& ep : list("people"))
      if (ep.value("name", "") == p.name) person_ids[p.id] = ep.value("id", "");
    if (person_ids.count(p.id)) continue;
    std::string id = unique_id(p.id, taken_people, "person");
    person_ids[p.id] = id;
    json data = {{"person", id}, {"name", p.name}};
    if (!p.role.empty()) data["role"] = p.role;
    if (!p.organisation.empty()) data["organisation"] = p.organisation;
    add("add-person", data);
  }
  for (const TextItem* ip : new_items) {
    const TextItem& it = *ip;
    std::string id = unique_id(it.id, taken_items, "item");
    json data = {{"item", id},
                 {"title", it.title},
                 {"kind", it.kind},
                 {"start", {{"local", it.start_local}, {"tz", it.start_tz}}},
                 {"end", {{"local", it.end_local}, {"tz", it.end_tz}}},
                 {"status", it.status}};
    if (!it.venue.empty()) data["venue"] = venue_ids[it.venue];
    if (!it.topics.empty()) data["topics"] = it.topics;
    if (!it.speakers.empty()) {
      json s = json::array();
      for (auto& p : it.speakers) s.push_back(person_ids[p]);
      data["speakers"] = s;
    }
    add("schedule-item", data);
  }
  return out;
}

}  // namespace kartiba::exports
