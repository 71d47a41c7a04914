#include "domain/plan_state.h"

namespace kartiba {

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::venue: return "venue";
    case Kind::person: return "person";
    case Kind::item: return "item";
    case Kind::pledge: return "pledge";
    case Kind::decision: return "decision";
  }
  return "";
}

const EntityIndex* PlanState::entities(const std::string& kind) const {
  const EntityIndex* out = nullptr;
  with_table(*this, kind, [&](const EntityIndex& t) { out = &t; });
  return out;
}

uint64_t PlanState::field_rev(const std::string& kind, const std::string& id, std::string_view field) const {
  if (auto* m = entities(kind)) return m->field_rev(id, field);
  if (kind == "plan") return plan.rev(field);
  if (kind == "day") {
    auto d = days.find(id);
    return d == days.end() ? 0 : d->second.rev(field);
  }
  return 0;
}

uint64_t PlanState::touched_rev(const std::string& kind, const std::string& id) const {
  if (auto* m = entities(kind)) return m->touched_rev(id);
  if (kind == "plan") return plan.touched_rev;
  if (kind == "day") {
    auto d = days.find(id);
    return d == days.end() ? 0 : d->second.touched_rev;
  }
  return 0;
}

uint64_t PlanState::removed_revision(const std::string& kind, const std::string& id) const {
  auto it = removed_rev.find(kind + "/" + id);
  return it == removed_rev.end() ? 0 : it->second;
}

json PlanState::day_json(const std::string& date) const {
  auto d = days.find(date);
  return d == days.end() ? json::object() : entity_json(d->second.value);
}

}  // namespace kartiba
