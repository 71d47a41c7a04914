#include "domain/apply.h"

#include <algorithm>

#include "core/time_format.h"
#include "domain/event_types.h"

namespace kartiba {
namespace {

// The fields of `fields` (an object) set on a record at `rev`; null clears a field.
template <class E>
void set_fields(Record<E>& r, const json& fields, uint64_t rev) {
  for (auto& [f, v] : fields.items()) {
    set_field(r.value, f, v);
    r.mark(f, rev);
  }
  r.touched_rev = rev;
}

template <class E>
void apply_added(PlanState& s, EntityTable<E>& table, const std::string& kind, const std::string& id, const Event& e) {
  const uint64_t rev = e.revision;
  // A fresh record: what an entity of this id was before its removal is gone with it.
  table.erase(id);
  Record<E>& r = table.mutable_record(id);
  const json& value = e.data["value"];
  for (auto& [f, v] : value.items())
    if (f != "id") set_field(r.value, f, v);
  if constexpr (std::is_same_v<E, RecordedDecision>) {
    r.value.revision = rev;
    r.value.at = format_utc_ms(e.at_ms);
    r.value.actor = e.actor;
    for (const char* f : {"revision", "at", "actor"}) r.mark(f, rev);
  }
  if constexpr (std::is_same_v<E, Item>) {
    if (r.value.speakers)
      for (auto& p : *r.value.speakers) r.mark("speakers/" + p, rev);
  }
  for (auto& [f, v] : value.items())
    if (f != "id") r.mark(f, rev);
  r.touched_rev = rev;
  s.removed_rev.erase(kind + "/" + id);
}

template <class E>
void apply_changed(EntityTable<E>& table, const std::string& id, const Event& e) {
  if (!table.count(id)) return;  // cannot happen for a decided event
  Record<E>& r = table.mutable_record(id);
  const json& set = e.data["set"];
  set_fields(r, set, e.revision);
  if constexpr (std::is_same_v<E, Pledge>) {
    if (e.type == "PledgeProgressReported") {
      ProgressReport report;
      report.percent = set["progress"].get<int64_t>();
      report.note = e.data.value("note", "");
      report.at = format_utc_ms(e.at_ms);
      report.actor = e.actor;
      report.revision = e.revision;
      if (!r.value.reports) r.value.reports.emplace();
      r.value.reports->push_back(std::move(report));
    }
  }
}

void apply_speaker(PlanState& s, const std::string& id, const Event& e) {
  if (!s.items.count(id)) return;
  const std::string& person = e.data["person"].get_ref<const std::string&>();
  Record<Item>& r = s.items.mutable_record(id);
  if (!r.value.speakers) r.value.speakers.emplace();
  auto& speakers = *r.value.speakers;
  if (e.type == "SpeakerAssigned") {
    speakers.push_back(person);
  } else {
    auto pos = std::find(speakers.begin(), speakers.end(), person);
    if (pos != speakers.end()) speakers.erase(pos);
  }
  r.mark("speakers/" + person, e.revision);
  r.touched_rev = e.revision;
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
      case Shape::created: {
        const json& value = e.data["value"];
        s.plan = {};
        set_fields(s.plan, value, rev);
        s.id = s.plan.value.id.value_or(e.plan);
        break;
      }
      case Shape::added:
        with_table(s, kind, [&](auto& table) { apply_added(s, table, kind, id, e); });
        break;
      case Shape::changed:
        if (kind == "plan")
          set_fields(s.plan, e.data["set"], rev);
        else if (kind == "day")
          set_fields(s.days[id], e.data["set"], rev);
        else
          with_table(s, kind, [&](auto& table) { apply_changed(table, id, e); });
        break;
      case Shape::removed:
        if (with_table(s, kind, [&](auto& table) { table.erase(id); })) s.removed_rev[kind + "/" + id] = rev;
        break;
      case Shape::speaker:
        apply_speaker(s, id, e);
        break;
      case Shape::release: {
        Release r;
        r.name = e.data["name"].get<std::string>();
        r.note = e.data.value("note", "");
        r.revision = rev;
        r.at = format_utc_ms(e.at_ms);
        r.actor = e.actor;
        s.releases.push_back(std::move(r));
        break;
      }
    }
  }
  s.revision = rev;
  s.updated_ms = e.at_ms;
  s.last_hash = format::hash_from_hex(e.hash);
  if (s.id.empty()) s.id = e.plan;
}

}  // namespace kartiba
