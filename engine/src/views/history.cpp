#include "views/history.h"

#include "domain/event_types.h"
#include "domain/timezone.h"

namespace kartiba {

using json = nlohmann::json;

namespace {

struct Words {
  bool lv;
  std::string pick(const char* l, const char* e) const { return lv ? l : e; }
};

std::string quoted(const std::string& s) { return "'" + s + "'"; }

// The entity's title or name as the state has it, else as the event's value or "was" has it,
// else its id.
std::string name_in(const EntityIndex& m, const json& fallback_value, const std::string& id) {
  if (m.count(id)) {
    std::string name = m.display_name(id);
    if (!name.empty()) return name;
    json e = m.to_json(id);
    if (e.contains("title")) return e["title"];
    if (e.contains("name")) return e["name"];
    return id;
  }
  const json& e = fallback_value;
  if (e.is_object()) {
    if (e.contains("title")) return e["title"];
    if (e.contains("name")) return e["name"];
  }
  return id;
}

std::string when(const json& t, const Words& w) {
  if (!t.is_object() || !t.contains("local")) return "?";
  std::string local = t["local"];
  // "2024-05-16T10:30" → "16.05. 10:30" (lv) / "16 May 10:30" (en) is overkill here: keep ISO date.
  (void)w;
  return local.substr(0, 10) + " " + clock_of(local);
}

std::string item_status(const std::string& s, const Words& w) {
  if (s == "confirmed") return w.pick("apstiprināts", "confirmed");
  if (s == "tentative") return w.pick("provizorisks (tbc)", "tentative (tbc)");
  if (s == "cancelled") return w.pick("atcelts", "cancelled");
  return s;
}

std::string pledge_status(const std::string& s, const Words& w) {
  if (s == "proposed") return w.pick("ierosināta", "proposed");
  if (s == "committed") return w.pick("apņemta", "committed");
  if (s == "in-progress") return w.pick("tiek īstenota", "in progress");
  if (s == "fulfilled") return w.pick("izpildīta", "fulfilled");
  if (s == "withdrawn") return w.pick("atsaukta", "withdrawn");
  return s;
}

std::string field_list(const json& set) {
  std::string out;
  for (auto& [k, v] : set.items()) out += (out.empty() ? "" : ", ") + k;
  return out;
}

std::string goals(const json& list) {
  std::string out;
  for (auto& g : list) out += (out.empty() ? "" : ", ") + std::to_string(g.get<int>());
  return out.empty() ? "—" : out;
}

}  // namespace

std::string history_sentence(const PlanState& s, const Event& e, const std::string& lang) {
  Words w{lang != "en"};
  const json& d = e.data;
  const std::string& a = e.actor;
  std::string t;
  auto item_name = [&](const std::string& key = "item") {
    return quoted(name_in(s.items, d.contains("value") ? d["value"] : d.value("was", json()), d.value(key, "")));
  };
  const std::string& type = e.type;
  if (type == "PlanCreated") {
    t = a + w.pick(" izveidoja plānu ", " created the plan ") + quoted(d["value"].value("title", ""));
  } else if (type == "PlanUpdated") {
    t = a + w.pick(" mainīja plāna laukus: ", " changed the plan's ") + field_list(d["set"]);
  } else if (type == "DaySet") {
    // A revert may clear the title or place (null): name what is set, if anything.
    auto text = [&](const char* k) {
      return d["set"].contains(k) && d["set"][k].is_string() ? d["set"][k].get<std::string>() : std::string();
    };
    std::string title = text("title").empty() ? text("place") : text("title");
    t = a + w.pick(" iestatīja dienu ", " set the day ") + d.value("date", "") + (title.empty() ? "" : ": " + title);
  } else if (type == "VenueAdded" || type == "VenueUpdated" || type == "VenueRemoved") {
    std::string n = quoted(name_in(s.venues, d.contains("value") ? d["value"] : d.value("was", json()), d["venue"]));
    if (type == "VenueAdded") t = a + w.pick(" pievienoja norises vietu ", " added the venue ") + n;
    else if (type == "VenueUpdated") t = a + w.pick(" laboja norises vietu ", " edited the venue ") + n + " (" + field_list(d["set"]) + ")";
    else t = a + w.pick(" izņēma norises vietu ", " removed the venue ") + n;
  } else if (type == "PersonAdded" || type == "PersonUpdated" || type == "PersonRemoved") {
    std::string n = name_in(s.people, d.contains("value") ? d["value"] : d.value("was", json()), d["person"]);
    if (type == "PersonAdded") t = a + w.pick(" pievienoja personu ", " added ") + n;
    else if (type == "PersonUpdated") t = a + w.pick(" laboja personas datus: ", " edited the details of ") + n;
    else t = a + w.pick(" izņēma personu ", " removed ") + n;
  } else if (type == "ItemScheduled") {
    const json& v = d["value"];
    t = a + w.pick(" ieplānoja ", " scheduled ") + quoted(v.value("title", "")) + " " + when(v["start"], w) + "–" +
        clock_of(v["end"].value("local", ""));
  } else if (type == "ItemRescheduled") {
    const json& set = d["set"];
    const json& was = d["was"];
    std::string from = was.contains("start") ? clock_of(was["start"]["local"]) : "";
    std::string to = set.contains("start") ? clock_of(set["start"]["local"]) : "";
    bool date_changed = was.contains("start") && set.contains("start") &&
                        was["start"]["local"].get<std::string>().substr(0, 10) !=
                            set["start"]["local"].get<std::string>().substr(0, 10);
    if (date_changed) {
      from = when(was["start"], w);
      to = when(set["start"], w);
    }
    if (!set.contains("start")) {
      from = was.contains("end") ? clock_of(was["end"]["local"]) : "";
      to = clock_of(set["end"]["local"]);
      t = a + w.pick(" mainīja beigu laiku ", " changed the end of ") + item_name() + w.pick(" no ", " from ") + from +
          w.pick(" uz ", " to ") + to;
    } else {
      t = a + w.pick(" pārcēla ", " moved ") + item_name() + w.pick(" no ", " from ") + from + w.pick(" uz ", " to ") + to;
    }
  } else if (type == "ItemEdited") {
    t = a + w.pick(" laboja ", " edited ") + item_name() + " (" + field_list(d["set"]) + ")";
  } else if (type == "ItemVenueSet") {
    const json& v = d["set"]["venue"];
    std::string n = v.is_string() ? quoted(name_in(s.venues, json(), v)) : w.pick("nekur", "none");
    t = a + w.pick(" mainīja norises vietu ", " set the venue of ") + item_name() + w.pick(" uz ", " to ") + n;
  } else if (type == "ItemStatusSet") {
    std::string old = d["was"].value("status", "");
    t = a + w.pick(" mainīja statusu ", " changed the status of ") + item_name() + ": " + item_status(old, w) + " → " +
        item_status(d["set"].value("status", ""), w);
  } else if (type == "ItemTagged") {
    t = a + w.pick(" piešķīra IAM ", " tagged ") + (w.lv ? item_name() + ": " + goals(d["set"]["sdgs"])
                                                         : item_name() + " with SDGs " + goals(d["set"]["sdgs"]));
  } else if (type == "ItemRemoved") {
    t = a + w.pick(" izņēma no darba kārtības ", " removed from the agenda ") + item_name();
  } else if (type == "SpeakerAssigned" || type == "SpeakerUnassigned") {
    std::string p = name_in(s.people, json(), d["person"]);
    if (type == "SpeakerAssigned") t = a + w.pick(" pievienoja runātāju ", " added the speaker ") + p + w.pick(" pie ", " to ") + item_name();
    else t = a + w.pick(" noņēma runātāju ", " removed the speaker ") + p + w.pick(" no ", " from ") + item_name();
  } else if (type == "PledgeMade" || type == "PledgeUpdated" || type == "PledgeStatusSet" ||
             type == "PledgeProgressReported" || type == "PledgeRemoved") {
    std::string n = quoted(name_in(s.pledges, d.contains("value") ? d["value"] : d.value("was", json()), d["pledge"]));
    if (type == "PledgeMade") {
      t = a + w.pick(" reģistrēja apņemšanos ", " recorded the pledge ") + n + " (" +
          d["value"]["by"].value("municipality", "") + ")";
    } else if (type == "PledgeUpdated") {
      t = a + w.pick(" laboja apņemšanos ", " edited the pledge ") + n + " (" + field_list(d["set"]) + ")";
    } else if (type == "PledgeStatusSet") {
      t = a + w.pick(" mainīja apņemšanās ", " set the pledge ") + n + w.pick(" statusu uz: ", " to ") +
          pledge_status(d["set"].value("status", ""), w);
    } else if (type == "PledgeProgressReported") {
      t = a + w.pick(" ziņoja par apņemšanās ", " reported progress on ") + n + w.pick(" izpildi: ", ": ") +
          std::to_string(d["set"].value("progress", 0)) + "%";
    } else {
      t = a + w.pick(" izņēma apņemšanos ", " removed the pledge ") + n;
    }
  } else if (type == "DecisionRecorded") {
    t = a + w.pick(" pierakstīja lēmumu ", " recorded the decision ") + quoted(d["value"].value("title", ""));
  } else if (type == "DecisionRemoved") {
    t = a + w.pick(" atsauca lēmumu ", " withdrew the decision ") +
        quoted(name_in(s.decisions, d.value("was", json()), d["decision"]));
  } else if (type == "ReleasePublished") {
    t = a + w.pick(" publicēja versiju ", " published the release ") + quoted(d.value("name", ""));
  } else {
    t = a + " " + type;
  }
  if (d.contains("reverts"))
    t = w.pick("(atsaucot ", "(reverting revision ") + std::to_string(d["reverts"].get<uint64_t>()) +
        w.pick(". izmaiņas) ", ") ") + t;
  if (!e.reason.empty()) t += " — " + e.reason;
  return t;
}

json changelog(const PlanState& a, const PlanState& b) {
  json out = {{"from", a.revision}, {"to", b.revision}, {"added", json::array()}, {"removed", json::array()},
              {"moved", json::array()}, {"cancelled", json::array()}, {"changed", json::array()}};
  auto title = [](const json& e) { return e.value("title", e.value("name", std::string())); };
  auto diff_kind = [&](const char* kind, const auto& ma, const auto& mb) {
    for (const auto& [id, eb] : mb) {
      auto it = ma.find(id);
      if (it == ma.end()) {
        out["added"].push_back({{"kind", kind}, {"id", id}, {"title", title(eb)}});
        continue;
      }
      const json& ea = it->second;
      json fields = json::object();
      for (auto& [f, v] : eb.items())
        if (!ea.contains(f) || ea[f] != v) fields[f] = {{"old", ea.contains(f) ? ea[f] : json()}, {"new", v}};
      for (auto& [f, v] : ea.items())
        if (!eb.contains(f)) fields[f] = {{"old", v}, {"new", nullptr}};
      fields.erase("reports");
      if (std::string(kind) == "item") {
        if (fields.contains("start") || fields.contains("end")) {
          out["moved"].push_back({{"kind", kind}, {"id", id}, {"title", title(eb)},
                                  {"old", {{"start", ea["start"]}, {"end", ea["end"]}}},
                                  {"new", {{"start", eb["start"]}, {"end", eb["end"]}}}});
        }
        if (fields.contains("status") && eb.value("status", "") == "cancelled")
          out["cancelled"].push_back({{"kind", kind}, {"id", id}, {"title", title(eb)}});
      }
      if (!fields.empty()) out["changed"].push_back({{"kind", kind}, {"id", id}, {"title", title(eb)}, {"fields", fields}});
    }
    for (const auto& [id, ea] : ma)
      if (!mb.count(id)) out["removed"].push_back({{"kind", kind}, {"id", id}, {"title", title(ea)}});
  };
  diff_kind("item", a.items.all_json(), b.items.all_json());
  diff_kind("venue", a.venues.all_json(), b.venues.all_json());
  diff_kind("person", a.people.all_json(), b.people.all_json());
  diff_kind("pledge", a.pledges.all_json(), b.pledges.all_json());
  diff_kind("decision", a.decisions.all_json(), b.decisions.all_json());
  auto days_json = [](const PlanState& s) {
    std::map<std::string, json> out;
    for (auto& [date, r] : s.days) out.emplace(date, entity_json(r.value));
    return out;
  };
  diff_kind("day", days_json(a), days_json(b));
  std::map<std::string, json> pa{{"plan", a.plan_json()}}, pb{{"plan", b.plan_json()}};
  diff_kind("plan", pa, pb);
  return out;
}

}  // namespace kartiba
