#include "webhooks/event_names.h"

#include <algorithm>

namespace kartiba::server::webhooks {

const std::vector<std::string_view>& known_event_types() {
  static const std::vector<std::string_view> types = {
      "PlanCreated",       "PlanUpdated",       "DaySet",
      "VenueAdded",        "VenueUpdated",      "VenueRemoved",
      "PersonAdded",       "PersonUpdated",     "PersonRemoved",
      "ItemScheduled",     "ItemRescheduled",   "ItemEdited",
      "ItemVenueSet",      "ItemStatusSet",     "ItemTagged",
      "ItemRemoved",       "SpeakerAssigned",   "SpeakerUnassigned",
      "PledgeMade",        "PledgeUpdated",     "PledgeStatusSet",
      "PledgeProgressReported", "PledgeRemoved", "DecisionRecorded",
      "DecisionRemoved",   "ReleasePublished",
  };
  return types;
}

bool is_known_event_type(std::string_view type) {
  const auto& types = known_event_types();
  return std::find(types.begin(), types.end(), type) != types.end();
}

}  // namespace kartiba::server::webhooks
