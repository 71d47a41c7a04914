#include "exports/report.h"

#include <cctype>
#include <map>
#include <set>
#include <vector>

#include <nlohmann/json.hpp>

#include "exports/export_util.h"

namespace kartiba::exports {

using json = nlohmann::json;

namespace {

struct Words {
  const char* lang;
  const char* kicker;
  const char* purpose;
  const char* organised_by;
  const char* priorities;
  const char* delegation;
  const char* no_participants;
  const char* participant_cols[4];  // name, municipality, organisation, role
  const char* hosts_and_speakers;
  const char* hosts;
  const char* speakers;
  const char* programme;
  const char* host;
  const char* address;
  const char* place;
  const char* sdgs;
  const char* tbc;
  const char* cancelled;
  const char* decisions;
  const char* no_decisions;
  const char* concerns_items;
  const char* concerns_pledges;
  const char* pledges;
  const char* no_pledges;
  const char* pledge_cols[4];  // who, pledge, SDGs, status
  const char* campaign;
  const char* coverage;
  const char* coverage_cols[5];  // goal, name, priority, items, pledges
  const char* priority_mark;
  const char* uncovered;
  const char* revision;
  const char* sdg_prefix;  // "IAM" / "SDG"
};

const Words kLv{
    "lv", "Ziņojums par izpētes vizīti", "Vizītes mērķis un organizētāji", "Organizē",
    "Prioritārie mērķi", "Delegācija", "Plānā vēl nav delegācijas dalībnieku saraksta.",
    {"Vārds, uzvārds", "Pašvaldība", "Organizācija", "Loma"}, "Uzņēmēji un runātāji", "Uzņēma", "Runātāji",
    "Vizītes norise", "Uzņem", "Adrese", "Vieta", "IAM", "(tbc)", "ATCELTS", "Lēmumi", "Lēmumi nav reģistrēti.",
    "Attiecas uz", "Saistītās apņemšanās", "Apņemšanās", "Apņemšanās nav reģistrētas.",
    {"Kas", "Apņemšanās", "IAM", "Statuss"}, "Kampaņa",
    "IAM pārklājums", {"Mērķis", "Nosaukums", "Prioritāte", "Punkti", "Apņemšanās"}, "prioritāte",
    "Neaptvertie mērķi", "Versija", "IAM"};
const Words kEn{
    "en", "Study visit report", "Purpose and organisers", "Organised by", "Priority goals", "Delegation",
    "The plan does not list the members of the delegation yet.", {"Name", "Municipality", "Organisation", "Role"},
    "Hosts and speakers", "Hosted by", "Speakers", "The visit day by day", "Host", "Address", "Place", "SDGs", "(tbc)",
    "CANCELLED", "Decisions", "No decisions recorded.", "Concerns", "Related pledges", "Pledges",
    "No pledges recorded.", {"Who", "Pledge", "SDGs", "Status"}, "Campaign", "SDG coverage",
    {"Goal", "Name", "Priority", "Items", "Pledges"}, "priority", "Goals not covered", "Revision", "SDG"};

const char* kStyle = R"(
:root { --ink: #1d1d1b; --muted: #5b5b57; --rule: #c9c9c3; --accent: #8c2332; }
* { box-sizing: border-box; }
body { font: 11pt/1.45 "Noto Serif", Georgia, "Times New Roman", serif; color: var(--ink);
       max-width: 52rem; margin: 2rem auto; padding: 0 1.25rem; }
header { text-align: center; border-bottom: 2px solid var(--ink); padding-bottom: .75rem; margin-bottom: 1.25rem; }
.kicker { text-transform: uppercase; letter-spacing: .12em; font-size: .8rem; color: var(--muted); margin: 0 0 .4rem; }
h1 { font-size: 1.45rem; line-height: 1.25; margin: 0 0 .5rem; }
header p { margin: .15rem 0; }
.dates { font-weight: bold; }
h2 { font-size: 1.15rem; text-transform: uppercase; letter-spacing: .06em; margin: 1.6rem 0 .6rem;
     border-bottom: 1px solid var(--rule); padding-bottom: .2rem; }
h3 { font-size: 1.02rem; margin: 1rem 0 .35rem; }
p { margin: .35rem 0; }
.muted, footer, .meta { color: var(--muted); }
.day-title { font-style: italic; margin: .1rem 0 .5rem; }
.item { display: grid; grid-template-columns: 7.5rem 1fr; gap: .75rem; padding: .45rem 0;
        border-bottom: 1px dotted var(--rule); }
.time { font-variant-numeric: tabular-nums; font-weight: bold; white-space: nowrap; }
.time small { display: block; font-weight: normal; color: var(--muted); }
.title { font-weight: bold; margin: 0; }
.badge { font-weight: normal; color: var(--accent); }
.cancelled .title { text-decoration: line-through; }
ul { margin: .3rem 0; padding-left: 1.2rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .6rem; margin: .3rem 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
dl.facts ul { list-style: none; margin: 0; padding: 0; }
table { width: 100%; border-collapse: collapse; font-size: .92em; margin: .4rem 0; }
th, td { text-align: left; vertical-align: top; padding: .3rem .4rem; border-bottom: 1px solid var(--rule); }
th { font-size: .85em; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.sdg { display: inline-block; min-width: 2.6em; padding: 0 .3em; border-radius: 3px; color: #fff;
       font: bold .78em/1.6 system-ui, sans-serif; text-align: center; margin: 0 .15em .1em 0;
       -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.decision { border-left: 3px solid var(--accent); padding-left: .75rem; margin: .6rem 0; }
footer { border-top: 1px solid var(--rule); margin-top: 2rem; padding-top: .5rem; font-size: .85rem; }
@media print {
  @page { size: A4; margin: 16mm 14mm 18mm; }
  body { margin: 0; max-width: none; padding: 0; font-size: 10pt; }
  h2, h3, .day-title { break-after: avoid; page-break-after: avoid; }
  .item, .decision, tr { break-inside: avoid; page-break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
)";

// A text field as the reader sees it: a string as is; a {"lv":…,"en":…} text in the reader's
// language, else the other one (bilingual texts, issue 15 item 6).
std::string text(const json& obj, const char* key, const std::string& lang) {
  if (!obj.is_object()) return {};
  auto it = obj.find(key);
  if (it == obj.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object()) {
    for (const std::string& l : {lang, std::string(lang == "lv" ? "en" : "lv")})
      if (auto t = it->find(l); t != it->end() && t->is_string()) return t->get<std::string>();
  }
  return {};
}

// The elements of an array field (none when absent or not an array).
const json& list(const json& obj, const char* key) {
  static const json none = json::array();
  if (!obj.is_object()) return none;
  auto it = obj.find(key);
  return it != obj.end() && it->is_array() ? *it : none;
}

using Index = std::map<std::string, const json*>;
Index index_by_id(const json& view, const char* key) {
  Index out;
  for (auto& e : list(view, key)) out[str(e, "id")] = &e;
  return out;
}

// Paragraphs: one <p> per non-empty line of user text.
std::string paragraphs(const std::string& body, const char* cls) {
  std::string out, line;
  auto flush = [&] {
    if (!line.empty()) out += std::string("<p class=\"") + cls + "\">" + html_escape(line) + "</p>\n";
    line.clear();
  };
  for (char c : body) {
    if (c == '\n') flush();
    else if (c != '\r') line += c;
  }
  flush();
  return out;
}

struct Goals {
  std::map<int, const json*> by_number;  // from the view's sdg_coverage (names, colours)
};

bool hex_colour(const std::string& c) {
  if (c.size() != 7 || c[0] != '#') return false;
  for (size_t i = 1; i < 7; ++i)
    if (!std::isxdigit(static_cast<unsigned char>(c[i]))) return false;
  return true;
}

// "IAM 4" as a coloured tile, its name as the tooltip.
std::string goal_tile(int goal, const Goals& goals, const Words& w) {
  std::string colour, name;
  if (auto it = goals.by_number.find(goal); it != goals.by_number.end()) {
    colour = str(*it->second, "colour");
    name = text(*it->second, "name", w.lang);
  }
  std::string style = hex_colour(colour) ? " style=\"background:" + colour + "\"" : " style=\"background:#5b5b57\"";
  return "<span class=\"sdg\"" + style + (name.empty() ? "" : " title=\"" + html_escape(name) + "\"") + ">" +
         html_escape(std::string(w.sdg_prefix) + " " + std::to_string(goal)) + "</span>";
}

std::string goal_tiles(const json& numbers, const Goals& goals, const Words& w) {
  std::string out;
  for (auto& g : numbers)
    if (g.is_number_integer()) out += goal_tile(g.get<int>(), goals, w);
  return out;
}

std::string pledge_status(const std::string& s, const Words& w) {
  const bool lv = std::string(w.lang) == "lv";
  if (s == "proposed") return lv ? "Ierosināta" : "Proposed";
  if (s == "committed") return lv ? "Apņēmusies" : "Committed";
  if (s == "in-progress") return lv ? "Notiek" : "In progress";
  if (s == "fulfilled") return lv ? "Izpildīta" : "Fulfilled";
  if (s == "withdrawn") return lv ? "Atsaukta" : "Withdrawn";
  return s;
}

// Items the delegation meets someone at (not travel, breaks or meals).
bool is_meeting(const json& item) {
  const std::string kind = str(item, "kind");
  return kind != "travel" && kind != "break" && kind != "meal";
}

std::string person_line(const json& person, const std::string& lang) {
  std::string rest;
  for (const char* key : {"role", "organisation"})
    if (auto v = text(person, key, lang); !v.empty()) rest += ", " + v;
  return "<strong>" + html_escape(text(person, "name", lang)) + "</strong>" + html_escape(rest);
}

struct Context {
  const json& view;
  const Words& w;
  std::string lang;
  Index items, venues, people;
  Goals goals;
};

std::string purpose_section(const Context& c) {
  const Words& w = c.w;
  std::string h = "<section id=\"purpose\">\n<h2>" + html_escape(w.purpose) + "</h2>\n";
  if (auto org = text(c.view, "organiser", c.lang); !org.empty())
    h += "<p class=\"organiser\"><strong>" + html_escape(w.organised_by) + ":</strong> " + html_escape(org) + "</p>\n";
  h += paragraphs(text(c.view, "description", c.lang), "description");
  const json& priority = list(c.view, "priority_sdgs");
  if (!priority.empty()) {
    h += "<p class=\"priorities\"><strong>" + html_escape(w.priorities) + ":</strong></p>\n<ul class=\"priorities\">\n";
    for (auto& g : priority) {
      if (!g.is_number_integer()) continue;
      auto it = c.goals.by_number.find(g.get<int>());
      h += "<li>" + goal_tile(g.get<int>(), c.goals, w) + " " +
           html_escape(it == c.goals.by_number.end() ? std::string() : text(*it->second, "name", c.lang)) + "</li>\n";
    }
    h += "</ul>\n";
  }
  return h + "</section>\n";
}

std::string delegation_section(const Context& c) {
  const Words& w = c.w;
  std::string h = "<section id=\"delegation\">\n<h2>" + html_escape(w.delegation) + "</h2>\n";
  const json& participants = list(c.view, "participants");
  if (participants.empty()) {
    h += "<p class=\"muted no-participants\">" + html_escape(w.no_participants) + "</p>\n";
  } else {
    // Name, municipality, organisation, role only: contact fields never reach a report.
    h += "<table class=\"participants\">\n<thead><tr>";
    for (const char* col : w.participant_cols) h += "<th>" + html_escape(col) + "</th>";
    h += "</tr></thead>\n<tbody>\n";
    for (auto& p : participants) {
      h += "<tr>";
      for (const char* key : {"name", "municipality", "organisation", "role"})
        h += "<td>" + html_escape(text(p, key, c.lang)) + "</td>";
      h += "</tr>\n";
    }
    h += "</tbody>\n</table>\n";
  }

  // Who received the delegation and who spoke, in the order the visit met them.
  std::vector<std::string> hosts, speakers;
  std::set<std::string> seen_hosts, seen_speakers;
  for (auto& item : list(c.view, "items")) {
    if (!is_meeting(item) || str(item, "status") == "cancelled") continue;
    if (auto v = c.venues.find(str(item, "venue")); v != c.venues.end())
      if (seen_hosts.insert(v->first).second) hosts.push_back(v->first);
    for (auto& s : list(item, "speakers"))
      if (s.is_string() && seen_speakers.insert(s.get<std::string>()).second) speakers.push_back(s.get<std::string>());
  }
  if (!hosts.empty() || !speakers.empty()) {
    h += "<h3>" + html_escape(w.hosts_and_speakers) + "</h3>\n<dl class=\"facts hosts-speakers\">\n";
    if (!hosts.empty()) {
      h += "<dt>" + html_escape(w.hosts) + "</dt>\n<dd><ul class=\"hosts\">\n";
      for (auto& id : hosts) h += "<li>" + html_escape(text(*c.venues.at(id), "name", c.lang)) + "</li>\n";
      h += "</ul></dd>\n";
    }
    if (!speakers.empty()) {
      h += "<dt>" + html_escape(w.speakers) + "</dt>\n<dd><ul class=\"speakers\">\n";
      for (auto& id : speakers) {
        auto p = c.people.find(id);
        h += "<li>" + (p == c.people.end() ? html_escape(id) : person_line(*p->second, c.lang)) + "</li>\n";
      }
      h += "</ul></dd>\n";
    }
    h += "</dl>\n";
  }
  return h + "</section>\n";
}

std::string item_block(const Context& c, const json& item) {
  const Words& w = c.w;
  const std::string status = str(item, "status");
  const std::string plan_tz = str(c.view, "timezone");
  std::string h = "<div class=\"item status-" + html_escape(status) + (status == "cancelled" ? " cancelled" : "") +
                  "\" id=\"item-" + html_escape(str(item, "id")) + "\">\n";
  const json none = json::object();
  const json& start = item.contains("start") ? item["start"] : none;
  const json& end = item.contains("end") ? item["end"] : none;
  std::string zones;
  if (str(start, "tz") != plan_tz || str(end, "tz") != plan_tz)
    zones = zone_city(str(start, "tz")) + " → " + zone_city(str(end, "tz"));
  h += "<div class=\"time\">" + html_escape(local_clock(start)) + " – " + html_escape(local_clock(end)) +
       (zones.empty() ? "" : "<small>" + html_escape(zones) + "</small>") + "</div>\n";
  h += "<div class=\"body\">\n<p class=\"title\">" + html_escape(text(item, "title", c.lang));
  if (status == "tentative") h += " <span class=\"badge\">" + html_escape(w.tbc) + "</span>";
  if (status == "cancelled") h += " <span class=\"badge\">" + html_escape(w.cancelled) + "</span>";
  h += "</p>\n";
  if (auto d = text(item, "description", c.lang); !d.empty()) h += "<p class=\"description\">" + html_text(d) + "</p>\n";
  const json& topics = list(item, "topics");
  if (!topics.empty()) {
    h += "<ul class=\"topics\">\n";
    for (auto& t : topics)
      if (t.is_string()) h += "<li>" + html_text(t.get<std::string>()) + "</li>\n";
    h += "</ul>\n";
  }
  std::string facts;
  if (auto v = c.venues.find(str(item, "venue")); v != c.venues.end()) {
    // At a meeting the venue's organisation is the host and the rest its address; a flight or
    // a break just has a place.
    json where = *v->second;
    const bool hosted = is_meeting(item);
    if (hosted) {
      facts += "<dt>" + html_escape(w.host) + "</dt><dd class=\"host\">" + html_escape(text(where, "name", c.lang)) +
               "</dd>\n";
      where.erase("name");
    }
    if (auto line = venue_line(where); !line.empty())
      facts += "<dt>" + html_escape(hosted ? w.address : w.place) + "</dt><dd class=\"venue\">" + html_escape(line) +
               "</dd>\n";
  }
  const json& speakers = list(item, "speakers");
  if (!speakers.empty()) {
    facts += "<dt>" + html_escape(w.speakers) + "</dt><dd><ul class=\"speakers\">";
    for (auto& s : speakers) {
      if (!s.is_string()) continue;
      auto p = c.people.find(s.get<std::string>());
      facts += "<li>" + (p == c.people.end() ? html_escape(s.get<std::string>()) : person_line(*p->second, c.lang)) + "</li>";
    }
    facts += "</ul></dd>\n";
  }
  if (!list(item, "sdgs").empty())
    facts += "<dt>" + html_escape(w.sdgs) + "</dt><dd>" + goal_tiles(list(item, "sdgs"), c.goals, w) + "</dd>\n";
  if (!facts.empty()) h += "<dl class=\"facts\">\n" + facts + "</dl>\n";
  return h + "</div>\n</div>\n";
}

std::string programme_section(const Context& c) {
  std::string h = "<section id=\"programme\">\n<h2>" + html_escape(c.w.programme) + "</h2>\n";
  for (auto& day : list(c.view, "days")) {
    const std::string place = text(day, "place", c.lang), day_title = text(day, "title", c.lang);
    std::vector<const json*> day_items;
    for (auto& id : list(day, "items"))
      if (auto it = c.items.find(id.is_string() ? id.get<std::string>() : ""); it != c.items.end())
        day_items.push_back(it->second);
    if (day_items.empty() && place.empty() && day_title.empty()) continue;
    const std::string date = str(day, "date");
    h += "<section class=\"day\" id=\"day-" + html_escape(date) + "\">\n<h3>" +
         html_escape(long_date(date, c.lang) + (place.empty() ? "" : ", " + place)) + "</h3>\n";
    if (!day_title.empty() && day_title != place) h += "<p class=\"day-title\">" + html_escape(day_title) + "</p>\n";
    for (const json* item : day_items) h += item_block(c, *item);
    h += "</section>\n";
  }
  return h + "</section>\n";
}

std::string titles_of(const json& ids, const Index& index, const char* key, const std::string& lang) {
  std::string out;
  for (auto& id : ids) {
    if (!id.is_string()) continue;
    auto it = index.find(id.get<std::string>());
    std::string t = it == index.end() ? id.get<std::string>() : text(*it->second, key, lang);
    out += (out.empty() ? "" : "; ") + t;
  }
  return out;
}

std::string decisions_section(const Context& c, const Index& pledges) {
  const Words& w = c.w;
  std::string h = "<section id=\"decisions\">\n<h2>" + html_escape(w.decisions) + "</h2>\n";
  const json& decisions = list(c.view, "decisions");
  if (decisions.empty()) h += "<p class=\"muted\">" + html_escape(w.no_decisions) + "</p>\n";
  for (auto& d : decisions) {
    h += "<div class=\"decision\" id=\"decision-" + html_escape(str(d, "id")) + "\">\n<h3>" +
         html_escape(text(d, "title", c.lang)) + "</h3>\n" + paragraphs(text(d, "text", c.lang), "text");
    if (auto items = titles_of(list(d, "items"), c.items, "title", c.lang); !items.empty())
      h += "<p class=\"meta\">" + html_escape(std::string(w.concerns_items) + ": " + items) + "</p>\n";
    if (auto ps = titles_of(list(d, "pledges"), pledges, "title", c.lang); !ps.empty())
      h += "<p class=\"meta\">" + html_escape(std::string(w.concerns_pledges) + ": " + ps) + "</p>\n";
    h += "</div>\n";
  }
  return h + "</section>\n";
}

std::string pledges_section(const Context& c) {
  const Words& w = c.w;
  std::string h = "<section id=\"pledges\">\n<h2>" + html_escape(w.pledges) + "</h2>\n";
  const json& pledges = list(c.view, "pledges");
  if (pledges.empty()) return h + "<p class=\"muted\">" + html_escape(w.no_pledges) + "</p>\n</section>\n";
  h += "<table class=\"pledges\">\n<thead><tr>";
  for (const char* col : w.pledge_cols) h += "<th>" + html_escape(col) + "</th>";
  h += "</tr></thead>\n<tbody>\n";
  for (auto& p : pledges) {
    const json none = json::object();
    const json& by = p.contains("by") && p["by"].is_object() ? p["by"] : none;
    std::string who = html_escape(text(by, "municipality", c.lang));
    if (auto person = text(by, "person", c.lang); !person.empty()) who += "<br><small>" + html_escape(person) + "</small>";
    std::string what = "<strong>" + html_escape(text(p, "title", c.lang)) + "</strong>";
    if (auto campaign = text(p, "campaign", c.lang); !campaign.empty()) {
      std::string window;
      if (p.contains("window") && p["window"].is_object())
        window = date_range(str(p["window"], "from"), str(p["window"], "to"), c.lang);
      what += "<br><small>" + html_escape(std::string(w.campaign) + ": " + campaign + (window.empty() ? "" : ", " + window)) +
              "</small>";
    }
    const std::string status = str(p, "status");
    std::string state = html_escape(pledge_status(status, w));
    // Progress says something only between the commitment and its fulfilment.
    if ((status == "committed" || status == "in-progress") && p.contains("progress") &&
        p["progress"].is_number() && p["progress"].get<int>() > 0)
      state += " · " + std::to_string(p["progress"].get<int>()) + "%";
    if (auto note = text(p, "status_note", c.lang); !note.empty()) state += "<br><small>" + html_escape(note) + "</small>";
    h += "<tr id=\"pledge-" + html_escape(str(p, "id")) + "\"><td>" + who + "</td><td>" + what + "</td><td>" +
         goal_tiles(list(p, "sdgs"), c.goals, w) + "</td><td class=\"status status-" + html_escape(status) + "\">" +
         state + "</td></tr>\n";
  }
  return h + "</tbody>\n</table>\n</section>\n";
}

std::string coverage_section(const Context& c) {
  const Words& w = c.w;
  std::string h = "<section id=\"sdg-coverage\">\n<h2>" + html_escape(w.coverage) + "</h2>\n";
  h += "<table class=\"coverage\">\n<thead><tr>";
  for (const char* col : w.coverage_cols) h += "<th>" + html_escape(col) + "</th>";
  h += "</tr></thead>\n<tbody>\n";
  std::string uncovered;
  for (auto& g : list(c.view, "sdg_coverage")) {
    if (!g.contains("goal") || !g["goal"].is_number_integer()) continue;
    const int goal = g["goal"].get<int>();
    const size_t items = list(g, "items").size(), pledges = list(g, "pledges").size();
    const bool priority = g.value("priority", false);
    if (items == 0 && pledges == 0 && !priority) {
      uncovered += (uncovered.empty() ? "" : ", ") + std::to_string(goal);
      continue;
    }
    h += "<tr" + std::string(priority ? " class=\"priority\"" : "") + "><td>" + goal_tile(goal, c.goals, w) + "</td><td>" +
         html_escape(text(g, "name", c.lang)) + "</td><td>" + (priority ? html_escape(w.priority_mark) : "") +
         "</td><td class=\"num\">" + std::to_string(items) + "</td><td class=\"num\">" + std::to_string(pledges) +
         "</td></tr>\n";
  }
  h += "</tbody>\n</table>\n";
  if (!uncovered.empty())
    h += "<p class=\"meta uncovered\">" + html_escape(std::string(w.uncovered) + " (" + w.sdg_prefix + "): " + uncovered) +
         "</p>\n";
  return h + "</section>\n";
}

}  // namespace

std::string report_html(const json& view, const std::string& requested_lang) {
  std::string lang = requested_lang;
  if (lang != "lv" && lang != "en") lang = str(view, "language") == "en" ? "en" : "lv";
  const Words& w = lang == "en" ? kEn : kLv;
  Context c{view, w, lang, index_by_id(view, "items"), index_by_id(view, "venues"), index_by_id(view, "people"), {}};
  for (auto& g : list(view, "sdg_coverage"))
    if (g.contains("goal") && g["goal"].is_number_integer()) c.goals.by_number[g["goal"].get<int>()] = &g;
  const Index pledges = index_by_id(view, "pledges");

  const std::string title = text(view, "title", lang);
  std::string h = "<!DOCTYPE html>\n<html lang=\"" + lang + "\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  h += "<meta name=\"generator\" content=\"kartiba\">\n";
  h += "<title>" + html_escape(std::string(w.kicker) + (title.empty() ? "" : " — " + title)) + "</title>\n";
  h += "<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n<header>\n";
  h += "<p class=\"kicker\">" + html_escape(w.kicker) + "</p>\n<h1>" + html_escape(title) + "</h1>\n";
  if (auto range = date_range(str(view, "start_date"), str(view, "end_date"), lang); !range.empty())
    h += "<p class=\"dates\">" + html_escape(range) + "</p>\n";
  if (auto place = text(view, "place", lang); !place.empty()) h += "<p class=\"place\">" + html_escape(place) + "</p>\n";
  h += "</header>\n<main>\n";
  h += purpose_section(c) + delegation_section(c) + programme_section(c) + decisions_section(c, pledges) +
       pledges_section(c) + coverage_section(c);
  h += "</main>\n<footer>" +
       html_escape(std::string(w.revision) + " " + std::to_string(view.value("revision", 0)) +
                   (str(view, "updated_at").empty() ? "" : " · " + str(view, "updated_at"))) +
       "</footer>\n</body>\n</html>\n";
  return h;
}

}  // namespace kartiba::exports
