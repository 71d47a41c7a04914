#include "exports/html.h"

#include <map>

#include <nlohmann/json.hpp>

#include "exports/export_util.h"

namespace kartiba::exports {

using json = nlohmann::json;

namespace {

struct Words {
  const char* lang;
  const char* agenda;
  const char* organiser;
  const char* venue;
  const char* speakers;
  const char* tbc;
  const char* cancelled;
  const char* revision;
  const char* no_items;
};
const Words kLv{"lv", "Darba kārtība", "Organizē", "Vieta", "Runātāji", "(tbc)", "ATCELTS", "Versija", "Nav ierakstu."};
const Words kEn{"en", "Agenda", "Organised by", "Venue", "Speakers", "(tbc)", "CANCELLED", "Revision", "Nothing planned."};

const char* kStyle = R"(
:root { --ink: #1d1d1b; --muted: #5b5b57; --rule: #c9c9c3; --accent: #8c2332; }
* { box-sizing: border-box; }
body { font: 11pt/1.45 "Noto Serif", Georgia, "Times New Roman", serif; color: var(--ink);
       max-width: 52rem; margin: 2rem auto; padding: 0 1.25rem; }
header { border-bottom: 2px solid var(--ink); padding-bottom: .75rem; margin-bottom: 1.5rem; }
h1 { font-size: 1.45rem; line-height: 1.25; margin: 0 0 .5rem; }
header p { margin: .15rem 0; }
.dates { font-weight: bold; }
.muted, .organiser, footer { color: var(--muted); }
h2 { font-size: 1.2rem; text-transform: uppercase; letter-spacing: .08em; text-align: center; margin: 1.5rem 0; }
.day { margin-bottom: 1.75rem; }
.day h3 { font-size: 1.1rem; margin: 0 0 .35rem; border-bottom: 1px solid var(--rule); padding-bottom: .2rem; }
.day-title { font-style: italic; margin: .25rem 0 .75rem; }
.item { display: grid; grid-template-columns: 9.5rem 1fr; gap: .75rem; padding: .5rem 0;
        border-bottom: 1px dotted var(--rule); }
.time { font-variant-numeric: tabular-nums; font-weight: bold; white-space: nowrap; }
.time small { display: block; font-weight: normal; color: var(--muted); }
.title { font-weight: bold; margin: 0; }
.badge { font-weight: normal; color: var(--accent); }
.cancelled .title { text-decoration: line-through; }
.cancelled .badge { text-decoration: none; }
ul { margin: .3rem 0; padding-left: 1.2rem; }
.body p { margin: .3rem 0; }
.venue, .speakers { color: var(--muted); }
.speakers { list-style: none; padding-left: 0; }
footer { border-top: 1px solid var(--rule); margin-top: 2rem; padding-top: .5rem; font-size: .85rem; }
@media print {
  @page { size: A4; margin: 16mm 14mm 18mm; }
  body { margin: 0; max-width: none; padding: 0; font-size: 10.5pt; }
  h2 { margin: 1rem 0; }
  .day h3, .day-title { break-after: avoid; page-break-after: avoid; }
  .item { break-inside: avoid; page-break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
)";

}  // namespace

std::string agenda_html(const json& view, const std::string& requested_lang) {
  std::string lang = requested_lang;
  if (lang != "lv" && lang != "en") lang = str(view, "language") == "en" ? "en" : "lv";
  const Words& w = lang == "en" ? kEn : kLv;
  const std::string plan_tz = str(view, "timezone");
  const json none = json::array();

  std::map<std::string, const json*> items, venues, people;
  for (const char* list : {"items", "venues", "people"}) {
    if (!view.contains(list) || !view[list].is_array()) continue;
    auto& target = std::string(list) == "items" ? items : std::string(list) == "venues" ? venues : people;
    for (auto& e : view[list]) target[str(e, "id")] = &e;
  }

  const std::string title = str(view, "title");
  std::string h = "<!DOCTYPE html>\n<html lang=\"" + lang + "\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  h += "<meta name=\"generator\" content=\"kartiba\">\n";
  h += "<title>" + html_escape(std::string(w.agenda) + (title.empty() ? "" : " — " + title)) + "</title>\n";
  h += "<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n<header>\n";
  h += "<h1>" + html_escape(title) + "</h1>\n";
  if (auto range = date_range(str(view, "start_date"), str(view, "end_date"), lang); !range.empty())
    h += "<p class=\"dates\">" + html_escape(range) + "</p>\n";
  if (auto place = str(view, "place"); !place.empty()) h += "<p class=\"place\">" + html_escape(place) + "</p>\n";
  if (auto org = str(view, "organiser"); !org.empty())
    h += "<p class=\"organiser\">" + html_escape(std::string(w.organiser) + ": " + org) + "</p>\n";
  h += "</header>\n<main>\n<h2>" + html_escape(w.agenda) + "</h2>\n";

  bool any = false;
  const json& days = view.contains("days") && view["days"].is_array() ? view["days"] : none;
  for (auto& day : days) {
    const std::string date = str(day, "date");
    const std::string place = str(day, "place");
    const std::string day_title = str(day, "title");
    std::vector<const json*> day_items;
    if (day.contains("items"))
      for (auto& id : day["items"])
        if (id.is_string())
          if (auto it = items.find(id.get<std::string>()); it != items.end()) day_items.push_back(it->second);
    if (day_items.empty() && place.empty() && day_title.empty()) continue;
    any = true;
    h += "<section class=\"day\" id=\"day-" + html_escape(date) + "\">\n";
    h += "<h3>" + html_escape(long_date(date, lang) + (place.empty() ? "" : ", " + place)) + "</h3>\n";
    if (!day_title.empty() && day_title != place) h += "<p class=\"day-title\">" + html_escape(day_title) + "</p>\n";
    for (const json* ip : day_items) {
      const json& item = *ip;
      const std::string status = str(item, "status");
      h += "<div class=\"item status-" + html_escape(status) + (status == "cancelled" ? " cancelled" : "") +
           "\" id=\"item-" + html_escape(str(item, "id")) + "\">\n";
      // Times: wall clock at each end; the zone is named when it is not the plan's.
      const json& start = item.contains("start") ? item["start"] : none;
      const json& end = item.contains("end") ? item["end"] : none;
      std::string times = html_escape(local_clock(start)) + " – " + html_escape(local_clock(end));
      std::string zones;
      if (str(start, "tz") != plan_tz || str(end, "tz") != plan_tz)
        zones = zone_city(str(start, "tz")) + " → " + zone_city(str(end, "tz"));
      h += "<div class=\"time\">" + times + (zones.empty() ? "" : "<small>" + html_escape(zones) + "</small>") + "</div>\n";
      h += "<div class=\"body\">\n<p class=\"title\">" + html_escape(str(item, "title"));
      if (status == "tentative") h += " <span class=\"badge\">" + html_escape(w.tbc) + "</span>";
      if (status == "cancelled") h += " <span class=\"badge\">" + html_escape(w.cancelled) + "</span>";
      h += "</p>\n";
      if (auto d = str(item, "description"); !d.empty()) h += "<p class=\"description\">" + html_text(d) + "</p>\n";
      if (item.contains("topics") && item["topics"].is_array() && !item["topics"].empty()) {
        h += "<ul class=\"topics\">\n";
        for (auto& t : item["topics"])
          if (t.is_string()) h += "<li>" + html_text(t.get<std::string>()) + "</li>\n";
        h += "</ul>\n";
      }
      if (auto v = venues.find(str(item, "venue")); v != venues.end())
        h += "<p class=\"venue\">" + html_escape(std::string(w.venue) + ": " + venue_line(*v->second)) + "</p>\n";
      if (item.contains("speakers") && item["speakers"].is_array() && !item["speakers"].empty()) {
        h += "<ul class=\"speakers\" aria-label=\"" + html_escape(w.speakers) + "\">\n";
        for (auto& s : item["speakers"]) {
          if (!s.is_string()) continue;
          auto p = people.find(s.get<std::string>());
          if (p == people.end()) {
            h += "<li>" + html_escape(s.get<std::string>()) + "</li>\n";
            continue;
          }
          std::string rest;
          for (const char* key : {"role", "organisation"})
            if (auto v = str(*p->second, key); !v.empty()) rest += ", " + v;
          h += "<li><strong>" + html_escape(str(*p->second, "name")) + "</strong>" + html_escape(rest) + "</li>\n";
        }
        h += "</ul>\n";
      }
      h += "</div>\n</div>\n";
    }
    h += "</section>\n";
  }
  if (!any) h += "<p class=\"muted\">" + html_escape(w.no_items) + "</p>\n";
  h += "</main>\n<footer>" +
       html_escape(std::string(w.revision) + " " + std::to_string(view.value("revision", 0)) +
                   (str(view, "updated_at").empty() ? "" : " · " + str(view, "updated_at"))) +
       "</footer>\n</body>\n</html>\n";
  return h;
}

}  // namespace kartiba::exports
