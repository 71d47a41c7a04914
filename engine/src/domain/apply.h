// The projection of a plan's log onto its state: apply(state, event) is the one function
// that live updates, replay, restart and time travel all use.
#pragma once

#include "domain/plan_state.h"
#include "kartiba/event.h"

namespace kartiba {

// REQUIRES: event.revision == state.revision + 1 and the event was decided against `state`.
void apply(PlanState& state, const Event& event);

}  // namespace kartiba
