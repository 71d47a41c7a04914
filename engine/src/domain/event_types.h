// The event types of the log and their data shapes (docs/PROTOCOL.md, Events).
#pragma once

#include <string>

namespace kartiba {

enum class Shape {
  created,   // PlanCreated: {"value":{…}}
  added,     // {"<kind>":id,"value":{…}}
  changed,   // {"<kind>":id,"set":{…},"was":{…}}; the plan has no id, a day's id is "date"
  removed,   // {"<kind>":id,"was":{…}}
  speaker,   // {"item":id,"person":id}
  release,   // {"name","note"}
};

struct EventType {
  Shape shape;
  std::string kind;  // "plan", "day", "venue", "person", "item", "pledge", "decision", ""
};

// nullptr for a type the engine does not know.
const EventType* event_type(const std::string& type);

// The "added"/"removed" event type of an entity kind, for revert.
std::string added_type(const std::string& kind);
std::string removed_type(const std::string& kind);

// The data key naming the entity of a kind: "item", …, "date" for days, "" for the plan.
std::string id_key(const std::string& kind);

}  // namespace kartiba
