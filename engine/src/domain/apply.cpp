#include "domain/apply.h"

#include <algorithm>

#include "core/time_format.h"
#include "domain/event_types.h"
#include "domain/timezone.h"

namespace kartiba {
namespace {

void refresh_times(PlanState& s, const std::string& id, const json& item) {
  s.times[id] = {instant_of(item["start"]), instant_of(item["end"])};
}

// The fields of an entity's record (or of the plan, a day) changed at `rev`.
void mark_fields(PlanState& s, const std::string& kind, const std::string& id, const json& fields, uint64_t rev) {
  if (auto* m = s.entities(kind)) {
    EntityRecord& r = m->mutable_record(id);
    for (auto& [f, v] : fields.items()) r.field_rev.set(f, rev);
    r.touched_rev = rev;
    return;
  }
  for (auto& [f, v] : fields.items()) s.other_field_rev[field_key(kind, id, f)] = rev;
  s.other_touched_rev[kind + "/" + id] = rev;
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
        auto* m = s.entities(kind);
        if (!m) break;  // cannot happen for a decided event
        json value = e.data["value"];
        value["id"] = id;
        if (kind == "decision") {
          value["revision"] = rev;
          value["at"] = format_utc_ms(e.at_ms);
          value["actor"] = e.actor;
        }
        // A fresh record: what an entity of this id was before its removal is gone with it.
        m->erase(id);
        EntityRecord& r = m->mutable_record(id);
        if (kind == "item") {
          refresh_times(s, id, value);
          for (auto& p : value["speakers"]) r.field_rev.set("speakers/" + p.get<std::string>(), rev);
        }
        for (auto& [f, v] : value.items()) r.field_rev.set(f, rev);
        r.touched_rev = rev;
        r.value = std::move(value);
        s.removed_rev.erase(kind + "/" + id);
        break;
      }
      case Shape::changed: {
        json* target;
        if (kind == "plan") {
          target = &s.plan;
        } else if (kind == "day") {
          target = &s.days[id];
        } else {
          auto* m = s.entities(kind);
          if (!m || !m->count(id)) break;  // cannot happen for a decided event
          target = &m->mutable_record(id).value;
        }
        const json& set = e.data["set"];
        for (auto& [f, v] : set.items()) {
          if (v.is_null())
            target->erase(f);
          else
            (*target)[f] = v;
        }
        if (e.type == "PledgeProgressReported") {
          (*target)["reports"].push_back({{"percent", set["progress"]},
                                          {"note", e.data.value("note", "")},
                                          {"at", format_utc_ms(e.at_ms)},
                                          {"actor", e.actor},
                                          {"revision", rev}});
        }
        if (kind == "item" && (set.contains("start") || set.contains("end"))) refresh_times(s, id, *target);
        mark_fields(s, kind, id, set, rev);  // after: `target` may point into the record
        break;
      }
      case Shape::removed: {
        auto* m = s.entities(kind);
        if (!m) break;
        m->erase(id);
        if (kind == "item") s.times.erase(id);
        s.removed_rev[kind + "/" + id] = rev;
        break;
      }
      case Shape::speaker: {
        if (!s.items.count(id)) break;
        std::string person = e.data["person"];
        EntityRecord& r = s.items.mutable_record(id);
        auto& speakers = r.value["speakers"];
        if (e.type == "SpeakerAssigned") {
          speakers.push_back(person);
        } else {
          auto pos = std::find(speakers.begin(), speakers.end(), person);
          if (pos != speakers.end()) speakers.erase(pos);
        }
        r.field_rev.set("speakers/" + person, rev);
        r.touched_rev = rev;
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
