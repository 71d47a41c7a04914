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

EntityMap& PlanState::entities(Kind k) {
  switch (k) {
    case Kind::venue: return venues;
    case Kind::person: return people;
    case Kind::item: return items;
    case Kind::pledge: return pledges;
    case Kind::decision: break;
  }
  return decisions;
}

const EntityMap& PlanState::entities(Kind k) const { return const_cast<PlanState*>(this)->entities(k); }

EntityMap* PlanState::entities(const std::string& kind) {
  if (kind == "venue") return &venues;
  if (kind == "person") return &people;
  if (kind == "item") return &items;
  if (kind == "pledge") return &pledges;
  if (kind == "decision") return &decisions;
  return nullptr;
}

const EntityMap* PlanState::entities(const std::string& kind) const {
  return const_cast<PlanState*>(this)->entities(kind);
}

namespace {
uint64_t lookup(const std::unordered_map<std::string, uint64_t>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? 0 : it->second;
}
}  // namespace

uint64_t PlanState::field_rev(const std::string& kind, const std::string& id, const std::string& field) const {
  if (auto* m = entities(kind)) {
    auto* r = m->record(id);
    return r ? r->field_rev.get(field) : 0;
  }
  return lookup(other_field_rev, field_key(kind, id, field));
}

uint64_t PlanState::touched_rev(const std::string& kind, const std::string& id) const {
  if (auto* m = entities(kind)) {
    auto* r = m->record(id);
    return r ? r->touched_rev : 0;
  }
  return lookup(other_touched_rev, kind + "/" + id);
}

uint64_t PlanState::removed_revision(const std::string& kind, const std::string& id) const {
  return lookup(removed_rev, kind + "/" + id);
}

void PlanState::mark_field(const std::string& kind, const std::string& id, const std::string& field, uint64_t rev) {
  if (auto* m = entities(kind))
    m->mutable_record(id).field_rev.set(field, rev);
  else
    other_field_rev[field_key(kind, id, field)] = rev;
}

void PlanState::mark_touched(const std::string& kind, const std::string& id, uint64_t rev) {
  if (auto* m = entities(kind))
    m->mutable_record(id).touched_rev = rev;
  else
    other_touched_rev[kind + "/" + id] = rev;
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
