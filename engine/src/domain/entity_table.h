// kartiba::EntityTable — a plan's entities of one kind (id → typed value and field
// revisions), shared between the states of successive revisions; and the fields of each
// kind by name, for the edges that speak JSON (event data, views, snapshots).
//
// The engine copies the committed PlanState to decide each batch. Copying a table copies
// pointers; a change clones only the entity it touches, and only when another state still
// shares it (copy on write). So a batch costs the entities it changes, not the plan's size.
//
// Thread-safety: a record is mutated only through mutable_record() of a state that no other
// thread can see (the batch's working copy); records shared with a published state are cloned
// first, so published states are never written to.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/entities.h"

namespace kartiba {

// One field of an entity kind: its name in the JSON, and how to read and write it there.
template <class E>
struct FieldDef {
  const char* name;
  json (*get)(const E&);            // null when the entity has no such field
  void (*put)(E&, const json&);     // null clears the field
};

// The fields of each kind, in a fixed order (a field's index is its place here). Defined in
// entities.cpp for PlanFields, Day, Venue, Person, Item, Pledge and RecordedDecision.
template <class E>
const std::array<FieldDef<E>, E::kFieldCount>& field_defs();
template <> const std::array<FieldDef<PlanFields>, PlanFields::kFieldCount>& field_defs<PlanFields>();
template <> const std::array<FieldDef<Day>, Day::kFieldCount>& field_defs<Day>();
template <> const std::array<FieldDef<Venue>, Venue::kFieldCount>& field_defs<Venue>();
template <> const std::array<FieldDef<Person>, Person::kFieldCount>& field_defs<Person>();
template <> const std::array<FieldDef<Item>, Item::kFieldCount>& field_defs<Item>();
template <> const std::array<FieldDef<Pledge>, Pledge::kFieldCount>& field_defs<Pledge>();
template <> const std::array<FieldDef<RecordedDecision>, RecordedDecision::kFieldCount>& field_defs<RecordedDecision>();

// The index of a field by name; -1 when the kind has no such field.
template <class E>
int field_index(std::string_view name) {
  const auto& defs = field_defs<E>();
  for (size_t i = 0; i < defs.size(); ++i)
    if (name == defs[i].name) return int(i);
  return -1;
}

// The entity as JSON: its fields (and the unknown ones it carries), keys sorted.
template <class E>
json entity_json(const E& e) {
  json out = json::object();
  for (auto& d : field_defs<E>()) {
    json v = d.get(e);
    if (!v.is_null()) out.emplace(d.name, std::move(v));
  }
  if (e.extra.is_object())
    for (auto& [k, v] : e.extra.items()) out[k] = v;
  return out;
}

// One field as JSON; null when absent.
template <class E>
json field_json(const E& e, std::string_view name) {
  int i = field_index<E>(name);
  if (i >= 0) return field_defs<E>()[i].get(e);
  if (e.extra.is_object())
    if (auto it = e.extra.find(name); it != e.extra.end()) return *it;
  return json();
}

// Sets a field from JSON (null clears it).
template <class E>
void set_field(E& e, const std::string& name, const json& v) {
  int i = field_index<E>(name);
  if (i >= 0) return field_defs<E>()[i].put(e, v);
  if (v.is_null()) {
    if (e.extra.is_object()) e.extra.erase(name);
  } else {
    e.extra[name] = v;
  }
}

// The revision that last changed each field of one entity, by field index; the speaker
// assignments ("speakers/<person>") and unknown fields by name.
template <class E>
struct Record {
  E value;
  std::array<uint64_t, E::kFieldCount> field_rev{};
  std::vector<std::pair<std::string, uint64_t>> named_rev;
  uint64_t touched_rev = 0;  // the last revision that changed the entity at all

  uint64_t rev(std::string_view field) const {
    int i = field_index<E>(field);
    if (i >= 0) return field_rev[size_t(i)];
    for (auto& [f, r] : named_rev)
      if (f == field) return r;
    return 0;
  }
  void mark(std::string_view field, uint64_t r) {
    int i = field_index<E>(field);
    if (i >= 0) {
      field_rev[size_t(i)] = r;
      return;
    }
    for (auto& [f, old] : named_rev)
      if (f == field) {
        old = r;
        return;
      }
    named_rev.emplace_back(std::string(field), r);
  }
  // Every field revision by name (for snapshots).
  template <class F>
  void each_rev(F&& f) const {
    const auto& defs = field_defs<E>();
    for (size_t i = 0; i < defs.size(); ++i)
      if (field_rev[i]) f(std::string_view(defs[i].name), field_rev[i]);
    for (auto& [name, r] : named_rev) f(std::string_view(name), r);
  }
};

// What decide, history and changelog need of a kind, without knowing its type.
class EntityIndex {
 public:
  virtual ~EntityIndex() = default;
  virtual size_t count(const std::string& id) const = 0;
  // The entity with "id" added, as views and events show it; null when absent.
  virtual json to_json(const std::string& id) const = 0;
  // One field of it; null when the entity or the field is absent.
  virtual json field(const std::string& id, std::string_view name) const = 0;
  // Its title (items, pledges, decisions) or name (venues, people); empty when absent.
  virtual std::string display_name(const std::string& id) const = 0;
  virtual uint64_t field_rev(const std::string& id, std::string_view field) const = 0;
  virtual uint64_t touched_rev(const std::string& id) const = 0;
  // Every entity as JSON (with "id"), by id.
  virtual std::map<std::string, json> all_json() const = 0;
};

// Its title or name, for history sentences and conflict messages.
inline std::string display_name_of(const Venue& v) { return v.name.value_or(""); }
inline std::string display_name_of(const Person& p) { return p.name.value_or(""); }
inline std::string display_name_of(const Item& i) { return i.title.value_or(""); }
inline std::string display_name_of(const Pledge& p) { return p.title.value_or(""); }
inline std::string display_name_of(const RecordedDecision& d) { return d.title.value_or(""); }

template <class E>
class EntityTable final : public EntityIndex {
  using Map = std::map<std::string, std::shared_ptr<Record<E>>>;

 public:
  using const_iterator = typename Map::const_iterator;
  const_iterator begin() const { return m_.begin(); }
  const_iterator end() const { return m_.end(); }
  size_t size() const { return m_.size(); }
  bool empty() const { return m_.empty(); }

  // Null when there is no such entity.
  const E* find(const std::string& id) const {
    auto it = m_.find(id);
    return it == m_.end() ? nullptr : &it->second->value;
  }
  const Record<E>* record(const std::string& id) const {
    auto it = m_.find(id);
    return it == m_.end() ? nullptr : it->second.get();
  }
  // The entity's record for changing it, created empty when absent, cloned when shared.
  Record<E>& mutable_record(const std::string& id) {
    auto& p = m_[id];
    if (!p)
      p = std::make_shared<Record<E>>();
    else if (p.use_count() > 1)
      p = std::make_shared<Record<E>>(*p);
    return *p;
  }
  void erase(const std::string& id) { m_.erase(id); }

  size_t count(const std::string& id) const override { return m_.count(id); }
  json to_json(const std::string& id) const override {
    auto* e = find(id);
    if (!e) return json();
    json j = entity_json(*e);
    j["id"] = id;
    return j;
  }
  json field(const std::string& id, std::string_view name) const override {
    auto* e = find(id);
    return e ? field_json(*e, name) : json();
  }
  std::string display_name(const std::string& id) const override {
    auto* e = find(id);
    return e ? display_name_of(*e) : std::string();
  }
  uint64_t field_rev(const std::string& id, std::string_view field) const override {
    auto* r = record(id);
    return r ? r->rev(field) : 0;
  }
  uint64_t touched_rev(const std::string& id) const override {
    auto* r = record(id);
    return r ? r->touched_rev : 0;
  }
  std::map<std::string, json> all_json() const override {
    std::map<std::string, json> out;
    for (auto& [id, r] : m_) out.emplace(id, to_json(id));
    return out;
  }

 private:
  Map m_;
};

}  // namespace kartiba
