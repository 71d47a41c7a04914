// kartiba::PlanState — the state of one plan at one revision, built only by apply().
//
// Entities are kept as JSON objects in the shape commands and views use, so that the generic
// "set / was" events patch them field by field. Instants are derived and cached in `times`.
// A PlanState is a value: the engine shares committed states as shared_ptr<const PlanState>
// and copies one to build the next; the entities themselves are shared between those copies
// until one changes them (EntityMap).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/event_format.h"
#include "domain/entity_map.h"

namespace kartiba {

using json = nlohmann::json;

// The entity kinds that have ids; their event data names the id under the kind's name.
enum class Kind { venue, person, item, pledge, decision };
const char* kind_name(Kind k);

struct ItemTimes {
  int64_t start_s = 0;  // UTC seconds
  int64_t end_s = 0;
};

struct PlanState {
  std::string id;
  uint64_t revision = 0;
  int64_t updated_ms = 0;
  format::Hash last_hash{};

  json plan = json::object();                 // the plan's own fields
  std::map<std::string, json> days;           // date → {"title","place"}
  EntityMap venues, people, items, pledges, decisions;
  std::vector<json> releases;                 // {"name","note","revision","at","actor"}
  std::map<std::string, ItemTimes> times;     // item id → its instants

  // Conflict detection: the revision that last changed a field, an entity, or removed an
  // entity (0: never). Entities keep theirs in their records; the plan's own fields and the
  // days here, keyed "plan//title", "day/2024-05-15/title" (field_key) and "plan/", "day/<date>".
  std::unordered_map<std::string, uint64_t> other_field_rev;
  std::unordered_map<std::string, uint64_t> other_touched_rev;
  std::unordered_map<std::string, uint64_t> removed_rev;  // "item/bornem" → revision removing it

  uint64_t field_rev(const std::string& kind, const std::string& id, const std::string& field) const;
  uint64_t touched_rev(const std::string& kind, const std::string& id) const;
  uint64_t removed_revision(const std::string& kind, const std::string& id) const;
  void mark_field(const std::string& kind, const std::string& id, const std::string& field, uint64_t rev);
  void mark_touched(const std::string& kind, const std::string& id, uint64_t rev);

  EntityMap& entities(Kind k);
  const EntityMap& entities(Kind k) const;
  // The entities of a kind by its name ("venue", "item", …); null for "plan" and "day".
  EntityMap* entities(const std::string& kind);
  const EntityMap* entities(const std::string& kind) const;
  std::string timezone() const { return plan.value("timezone", std::string("UTC")); }
};

std::string field_key(const std::string& kind, const std::string& id, const std::string& field);

}  // namespace kartiba
