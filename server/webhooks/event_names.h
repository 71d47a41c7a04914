// The event type names a webhook may subscribe to ("events" at registration).
//
// A copy of the engine's list (engine/src/domain/event_types.cpp), which is not public API; a
// unit test (tests/server/webhooks_unit_test.cpp) reads that file and fails when the two differ,
// so a new event type cannot be forgotten here.
// Thread-safety: read-only data.
#pragma once

#include <string_view>
#include <vector>

namespace kartiba::server::webhooks {

const std::vector<std::string_view>& known_event_types();
bool is_known_event_type(std::string_view type);

}  // namespace kartiba::server::webhooks
