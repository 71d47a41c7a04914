// A PlanState to bytes and back, for persisted snapshots (MessagePack of one JSON document).
#pragma once

#include <string>
#include <string_view>

#include "domain/plan_state.h"
#include "kartiba/error.h"

namespace kartiba {

std::string encode_snapshot(const PlanState& state);
Result<PlanState> decode_snapshot(std::string_view bytes);

}  // namespace kartiba
