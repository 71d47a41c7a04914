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

std::map<std::string, json>& PlanState::entities(Kind k) {
  switch (k) {
    case Kind::venue: return venues;
    case Kind::person: return people;
    case Kind::item: return items;
    case Kind::pledge: return pledges;
    case Kind::decision: break;
  }
  return decisions;
}

const std::map<std::string, json>& PlanState::entities(Kind k) const {
  return const_cast<PlanState*>(this)->entities(k);
}

std::string field_key(const std::string& kind, const std::string& id, const std::string& field) {
  std::string k;
  k.reserve(kind.size() + id.size() + field.size() + 2);
  k.append(kind).push_back('/');
  k.append(id).push_back('/');
  k.append(field);
  return k;
}

}  // namespace kartiba
