#include "domain/apply.h"

#include <algorithm>

#include "core/time_format.h"
#include "domain/event_types.h"
#include "domain/timezone.h"

namespace kartiba {
namespace {

std::map<std::string, json>* entity_map(PlanState& s, const std::string& kind) {
  if (kind == "venue") return &s.venues;
  if (kind == "person") return &s.people;
  if (kind == "item") return &s.items;
  if (kind == "pledge") return &s.pledges;
  if (kind == "decision") return &s.decisions;
  return nullptr;
}

void refresh_times(PlanState& s, const std::string& id, const json& item) {
  s.times[id] = {instant_of(item["start"]), instant_of(item["end"])};
}

void mark_fields(PlanState& s, const std::string& kind, const std::string& id, const json& fields, uint64_t rev) {
  for (auto& [f, v] : fields.items()) s.field_rev[field_key(kind, id, f)] = rev;
  s.touched_rev[kind + "/" + id] = rev;
}

}  // namespace

void apply(PlanState& s, const Event& e) {
  const EventType* t = event_type(e.type);
  const uint64_t rev = e.revision;
  if (t) {
    const std::string& kind = t->kind;
    std::string key = id_key(kind);
    std::string id = key.empty() ? "" : e.data.value(key, "");
    switch (t->shape) {
      case Shape::created:
        s.plan = e.data["value"];
        s.id = s.plan.value("id", e.plan);
        mark_fields(s, "plan", "", s.plan, rev);
        break;
      case Shape::added: {
        auto* m = entity_map(s, kind);
        json value = e.data["value"];
        value["id"] = id;
        if (kind == "decision") {
          value["revision"] = rev;
          value["at"] = format_utc_ms(e.at_ms);
          value["actor"] = e.actor;
        }
        if (kind == "item") {
          refresh_times(s, id, value);
          for (auto& p : value["speakers"]) s.field_rev[field_key("item", id, "speakers/" + p.get<std::string>())] = rev;
        }
        mark_fields(s, kind, id, value, rev);
        s.removed_rev.erase(kind + "/" + id);
        (*m)[id] = std::move(value);
        break;
      }
      case Shape::changed: {
        json* target;
        if (kind == "plan") {
          target = &s.plan;
        } else if (kind == "day") {
          target = &s.days[id];
        } else {
          auto* m = entity_map(s, kind);
          auto it = m->find(id);
          if (it == m->end()) break;  // cannot happen for a decided event
          target = &it->second;
        }
        for (auto& [f, v] : e.data["set"].items()) {
          if (v.is_null())
            target->erase(f);
          else
            (*target)[f] = v;
        }
        mark_fields(s, kind, id, e.data["set"], rev);
        if (kind == "item" && (e.data["set"].contains("start") || e.data["set"].contains("end")))
          refresh_times(s, id, *target);
        if (e.type == "PledgeProgressReported") {
          (*target)["reports"].push_back({{"percent", e.data["set"]["progress"]},
                                          {"note", e.data.value("note", "")},
                                          {"at", format_utc_ms(e.at_ms)},
                                          {"actor", e.actor},
                                          {"revision", rev}});
        }
        break;
      }
      case Shape::removed: {
        auto* m = entity_map(s, kind);
        m->erase(id);
        if (kind == "item") s.times.erase(id);
        s.removed_rev[kind + "/" + id] = rev;
        s.touched_rev[kind + "/" + id] = rev;
        break;
      }
      case Shape::speaker: {
        auto it = s.items.find(id);
        if (it == s.items.end()) break;
        std::string person = e.data["person"];
        auto& speakers = it->second["speakers"];
        if (e.type == "SpeakerAssigned") {
          speakers.push_back(person);
        } else {
          auto pos = std::find(speakers.begin(), speakers.end(), person);
          if (pos != speakers.end()) speakers.erase(pos);
        }
        s.field_rev[field_key("item", id, "speakers/" + person)] = rev;
        s.touched_rev["item/" + id] = rev;
        break;
      }
      case Shape::release:
        s.releases.push_back({{"name", e.data["name"]},
                              {"note", e.data.value("note", "")},
                              {"revision", rev},
                              {"at", format_utc_ms(e.at_ms)},
                              {"actor", e.actor}});
        break;
    }
  }
  s.revision = rev;
  s.updated_ms = e.at_ms;
  s.last_hash = format::hash_from_hex(e.hash);
  if (s.id.empty()) s.id = e.plan;
}

}  // namespace kartiba
