#include "domain/event_types.h"

#include <unordered_map>

namespace kartiba {

const EventType* event_type(const std::string& type) {
  static const std::unordered_map<std::string, EventType> types = {
      {"PlanCreated", {Shape::created, "plan"}},
      {"PlanUpdated", {Shape::changed, "plan"}},
      {"DaySet", {Shape::changed, "day"}},
      {"VenueAdded", {Shape::added, "venue"}},
      {"VenueUpdated", {Shape::changed, "venue"}},
      {"VenueRemoved", {Shape::removed, "venue"}},
      {"PersonAdded", {Shape::added, "person"}},
      {"PersonUpdated", {Shape::changed, "person"}},
      {"PersonRemoved", {Shape::removed, "person"}},
      {"ItemScheduled", {Shape::added, "item"}},
      {"ItemRescheduled", {Shape::changed, "item"}},
      {"ItemEdited", {Shape::changed, "item"}},
      {"ItemVenueSet", {Shape::changed, "item"}},
      {"ItemStatusSet", {Shape::changed, "item"}},
      {"ItemTagged", {Shape::changed, "item"}},
      {"ItemRemoved", {Shape::removed, "item"}},
      {"SpeakerAssigned", {Shape::speaker, "item"}},
      {"SpeakerUnassigned", {Shape::speaker, "item"}},
      {"PledgeMade", {Shape::added, "pledge"}},
      {"PledgeUpdated", {Shape::changed, "pledge"}},
      {"PledgeStatusSet", {Shape::changed, "pledge"}},
      {"PledgeProgressReported", {Shape::changed, "pledge"}},
      {"PledgeRemoved", {Shape::removed, "pledge"}},
      {"DecisionRecorded", {Shape::added, "decision"}},
      {"DecisionRemoved", {Shape::removed, "decision"}},
      {"ReleasePublished", {Shape::release, ""}},
  };
  auto it = types.find(type);
  return it == types.end() ? nullptr : &it->second;
}

std::string added_type(const std::string& kind) {
  if (kind == "venue") return "VenueAdded";
  if (kind == "person") return "PersonAdded";
  if (kind == "item") return "ItemScheduled";
  if (kind == "pledge") return "PledgeMade";
  if (kind == "decision") return "DecisionRecorded";
  return "";
}

std::string removed_type(const std::string& kind) {
  if (kind == "venue") return "VenueRemoved";
  if (kind == "person") return "PersonRemoved";
  if (kind == "item") return "ItemRemoved";
  if (kind == "pledge") return "PledgeRemoved";
  if (kind == "decision") return "DecisionRemoved";
  return "";
}

std::string id_key(const std::string& kind) {
  if (kind == "plan") return "";
  if (kind == "day") return "date";
  return kind;
}

}  // namespace kartiba
