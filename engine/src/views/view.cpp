#include "views/view.h"

#include <algorithm>
#include <set>

#include "core/collate.h"
#include "core/time_format.h"
#include "views/reference_data.h"

namespace kartiba {

using json = nlohmann::json;

std::string item_day(const json& item) {
  auto& local = item["start"]["local"];
  return local.is_string() ? local.get<std::string>().substr(0, 10) : std::string();
}

namespace {

const std::vector<std::string> kNoIds;

struct Ordered {
  const std::string* id;
  const Item* item;
  int64_t start, end;
};

std::vector<Ordered> ordered_items(const PlanState& s) {
  std::vector<Ordered> v;
  v.reserve(s.items.size());
  for (const auto& [id, r] : s.items) {
    const Item& item = r->value;
    v.push_back({&id, &item, item.start ? item.start->utc_s : 0, item.end ? item.end->utc_s : 0});
  }
  std::sort(v.begin(), v.end(), [](const Ordered& a, const Ordered& b) {
    if (a.start != b.start) return a.start < b.start;
    if (a.end != b.end) return a.end < b.end;
    return *a.id < *b.id;
  });
  return v;
}

std::string item_day(const Item& item) {
  return item.start ? item.start->local.substr(0, 10) : std::string();
}

CollationLanguage language_of(const PlanState& s) { return collation_language(s.plan.value.language.value_or("lv")); }

// Venues and people by name as the plan's language sorts them, then by id.
json by_name(json list, CollationLanguage language) {
  std::stable_sort(list.begin(), list.end(), [language](const json& a, const json& b) {
    return collate_less(a.value("name", std::string()), b.value("name", std::string()), language);
  });
  return list;
}

}  // namespace

json render_items(const PlanState& s) {
  json out = json::array();
  for (auto& o : ordered_items(s)) {
    json item = entity_json(*o.item);
    item["id"] = *o.id;
    item["start_utc"] = format_utc_seconds(o.start);
    item["end_utc"] = format_utc_seconds(o.end);
    item["duration_min"] = (o.end - o.start) / 60;
    item["day"] = item_day(item);
    if (!item.contains("venue")) item["venue"] = nullptr;
    out.push_back(std::move(item));
  }
  return out;
}

json render_days(const PlanState& s, const json& items) {
  std::map<std::string, json> days;
  auto start = s.plan.value.start_date.value_or("");
  auto end = s.plan.value.end_date.value_or("");
  if (!start.empty() && !end.empty() && start <= end) {
    // Walk the dates of the plan; at most a few years, so a simple loop is enough.
    auto ms = parse_rfc3339_ms(start + "T00:00:00Z");
    auto me = parse_rfc3339_ms(end + "T00:00:00Z");
    for (int64_t t = *ms, n = 0; t <= *me && n < 1000; t += 86400000, ++n)
      days[format_utc_ms(t).substr(0, 10)] = json::object();
  }
  for (auto& [date, d] : s.days) days[date] = json::object();
  for (auto& item : items) days[item["day"].get<std::string>()] = json::object();
  json out = json::array();
  for (auto& [date, _] : days) {
    json day = {{"date", date}, {"title", nullptr}, {"place", nullptr}, {"items", json::array()}};
    if (auto it = s.days.find(date); it != s.days.end()) {
      const json fields = entity_json(it->second.value);
      for (auto& [k, v] : fields.items()) day[k] = v;
    }
    for (auto& item : items)
      if (item["day"] == date) day["items"].push_back(item["id"]);
    out.push_back(std::move(day));
  }
  return out;
}

json render_conflicts(const PlanState& s) {
  json out = json::array();
  auto items = ordered_items(s);
  std::vector<Ordered> active;
  for (auto& o : items)
    if (o.item->status.value_or("") != "cancelled") active.push_back(o);
  auto name_of = [&](const std::string& id) { return "'" + s.items.display_name(id) + "'"; };
  for (size_t i = 0; i < active.size(); ++i) {
    for (size_t j = i + 1; j < active.size() && active[j].start < active[i].end; ++j) {
      const Item& a = *active[i].item;
      const Item& b = *active[j].item;
      const std::string& ia = *active[i].id;
      const std::string& ib = *active[j].id;
      json pair = json::array({ia, ib});
      if (a.venue && a.venue == b.venue) {
        const std::string& v = *a.venue;
        std::string vname = s.venues.count(v) ? s.venues.display_name(v) : v;
        out.push_back({{"kind", "room"}, {"items", pair}, {"venue", v},
                       {"message", {{"en", name_of(ia) + " and " + name_of(ib) + " both use " + vname + " at the same time"},
                                    {"lv", name_of(ia) + " un " + name_of(ib) + " vienlaikus izmanto " + vname}}}});
      }
      for (auto& pid : a.speakers ? *a.speakers : kNoIds) {
        const auto& bs = b.speakers ? *b.speakers : kNoIds;
        if (std::find(bs.begin(), bs.end(), pid) == bs.end()) continue;
        std::string pname = s.people.count(pid) ? s.people.display_name(pid) : pid;
        out.push_back({{"kind", "speaker"}, {"items", pair}, {"person", pid},
                       {"message", {{"en", pname + " speaks at " + name_of(ia) + " and " + name_of(ib) + " at the same time"},
                                    {"lv", pname + " vienlaikus uzstājas " + name_of(ia) + " un " + name_of(ib)}}}});
      }
      std::string track = a.track.value_or("");
      if (!track.empty() && track == b.track.value_or("")) {
        out.push_back({{"kind", "track"}, {"items", pair}, {"track", track},
                       {"message", {{"en", name_of(ia) + " and " + name_of(ib) + " overlap in track " + track},
                                    {"lv", name_of(ia) + " un " + name_of(ib) + " pārklājas plūsmā " + track}}}});
      }
    }
  }
  auto start = s.plan.value.start_date.value_or("");
  auto end = s.plan.value.end_date.value_or("");
  for (auto& o : active) {
    std::string day = item_day(*o.item);
    if ((!start.empty() && day < start) || (!end.empty() && day > end))
      out.push_back({{"kind", "outside-dates"}, {"items", json::array({*o.id})},
                     {"message", {{"en", name_of(*o.id) + " is on " + day + ", outside the plan's dates"},
                                  {"lv", name_of(*o.id) + " ir " + day + ", ārpus plāna datumiem"}}}});
  }
  return out;
}

json render_pledge_board(const PlanState& s) {
  json by_status = {{"proposed", json::array()}, {"committed", json::array()}, {"in-progress", json::array()},
                    {"fulfilled", json::array()}, {"withdrawn", json::array()}};
  std::map<std::string, std::vector<std::pair<const std::string*, const Pledge*>>> by_muni;
  json by_sdg = json::object();
  for (const auto& [id, r] : s.pledges) {
    const Pledge& p = r->value;
    by_status[p.status.value_or("proposed")].push_back(id);
    by_muni[p.by ? p.by->municipality : std::string()].push_back({&id, &p});
    if (p.sdgs)
      for (int g : *p.sdgs) by_sdg[std::to_string(g)].push_back(id);
  }
  json munis = json::array();
  for (auto& [m, list] : by_muni) {
    json ids = json::array();
    int sum = 0, counted = 0, fulfilled = 0;
    for (auto& [id, p] : list) {
      ids.push_back(*id);
      if (p->status == "withdrawn") continue;
      sum += int(p->progress.value_or(0));
      ++counted;
      if (p->status == "fulfilled") ++fulfilled;
    }
    munis.push_back({{"municipality", m}, {"pledges", ids}, {"count", list.size()},
                     {"progress", counted ? (sum + counted / 2) / counted : 0}, {"fulfilled", fulfilled}});
  }
  // "Ādažu novads" before "Valmieras novads": the plan's language, not bytes.
  std::sort(munis.begin(), munis.end(), [language = language_of(s)](const json& a, const json& b) {
    return collate_less(a["municipality"].get_ref<const std::string&>(), b["municipality"].get_ref<const std::string&>(),
                        language);
  });
  return {{"by_status", by_status}, {"by_municipality", munis}, {"by_sdg", by_sdg}};
}

json render_sdg_coverage(const PlanState& s) {
  std::set<int> priority;
  if (s.plan.value.priority_sdgs)
    for (int g : *s.plan.value.priority_sdgs) priority.insert(g);
  json out = json::array();
  const json& goals = sdg_goals();
  for (int g = 1; g <= 17; ++g) {
    const json& ref = goals[std::to_string(g)];
    json items = json::array(), pledges = json::array();
    for (const auto& [id, r] : s.items)
      if (r->value.sdgs)
        for (int x : *r->value.sdgs)
          if (x == g) items.push_back(id);
    for (const auto& [id, r] : s.pledges)
      if (r->value.sdgs)
        for (int x : *r->value.sdgs)
          if (x == g) pledges.push_back(id);
    out.push_back({{"goal", g}, {"name", {{"en", ref["en"]}, {"lv", ref["lv"]}}}, {"colour", ref["colour"]},
                   {"priority", priority.count(g) > 0}, {"items", items}, {"pledges", pledges}});
  }
  return out;
}

json render_view(const PlanState& s) {
  json v = s.plan_json();
  v["revision"] = s.revision;
  v["updated_at"] = format_utc_ms(s.updated_ms);
  json items = render_items(s);
  v["days"] = render_days(s, items);
  v["items"] = std::move(items);
  auto list = [](const auto& table) {
    json a = json::array();
    for (const auto& [id, r] : table) {
      json e = entity_json(r->value);
      e["id"] = id;
      a.push_back(std::move(e));
    }
    return a;
  };
  v["venues"] = by_name(list(s.venues), language_of(s));
  v["people"] = by_name(list(s.people), language_of(s));
  v["pledges"] = list(s.pledges);
  v["pledge_board"] = render_pledge_board(s);
  json decisions = list(s.decisions);
  std::sort(decisions.begin(), decisions.end(),
            [](const json& a, const json& b) { return a["revision"].get<uint64_t>() < b["revision"].get<uint64_t>(); });
  v["decisions"] = std::move(decisions);
  v["releases"] = s.releases;  // to_json(Release)
  v["conflicts"] = render_conflicts(s);
  v["sdg_coverage"] = render_sdg_coverage(s);
  return v;
}

}  // namespace kartiba
