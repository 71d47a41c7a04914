// kartiba::PlanState — the state of one plan at one revision, built only by apply().
//
// Typed: the plan's fields, days, venues, people, items, pledges and decisions are C++ values
// (domain/entities.h) with the revision that last changed each field, for conflict detection.
// JSON is only at the edges: the command's data, the events' data, the rendered view.
// A PlanState is a value: the engine shares committed states as shared_ptr<const PlanState>
// and copies one to build the next; the entities themselves are shared between those copies
// until one changes them (EntityTable).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/event_format.h"
#include "domain/entities.h"
#include "domain/entity_table.h"

namespace kartiba {

// The entity kinds that have ids; their event data names the id under the kind's name.
enum class Kind { venue, person, item, pledge, decision };
const char* kind_name(Kind k);

struct PlanState {
  std::string id;
  uint64_t revision = 0;
  int64_t updated_ms = 0;
  format::Hash last_hash{};

  Record<PlanFields> plan;                 // the plan's own fields
  std::map<std::string, Record<Day>> days;  // date → title, place
  EntityTable<Venue> venues;
  EntityTable<Person> people;
  EntityTable<Item> items;
  EntityTable<Pledge> pledges;
  EntityTable<RecordedDecision> decisions;
  std::vector<Release> releases;

  // The revision that removed an entity ("item/bornem"); 0: never.
  std::unordered_map<std::string, uint64_t> removed_rev;

  // Conflict detection by kind name ("plan", "day", "venue", …): the revision that last
  // changed a field, or the entity at all, or removed it (0: never).
  uint64_t field_rev(const std::string& kind, const std::string& id, std::string_view field) const;
  uint64_t touched_rev(const std::string& kind, const std::string& id) const;
  uint64_t removed_revision(const std::string& kind, const std::string& id) const;

  // The entities of a kind by its name ("venue", "item", …); null for "plan" and "day".
  const EntityIndex* entities(const std::string& kind) const;
  std::string timezone() const { return plan.value.timezone.value_or("UTC"); }
  // The plan's fields as the view and events show them.
  json plan_json() const { return entity_json(plan.value); }
  // A day's fields ({} when the plan has no such day).
  json day_json(const std::string& date) const;
};

// Calls f with the table of a kind by name; false for a kind without a table.
template <class S, class F>
bool with_table(S& s, std::string_view kind, F&& f) {
  if (kind == "venue") return f(s.venues), true;
  if (kind == "person") return f(s.people), true;
  if (kind == "item") return f(s.items), true;
  if (kind == "pledge") return f(s.pledges), true;
  if (kind == "decision") return f(s.decisions), true;
  return false;
}

}  // namespace kartiba
