// Views: the JSON a client reads, rendered from a PlanState (docs/PROTOCOL.md, The view).
// Pure functions of the state; the engine caches the rendered text per revision.
#pragma once

#include <nlohmann/json.hpp>

#include "domain/plan_state.h"

namespace kartiba {

nlohmann::json render_view(const PlanState& state);

// The parts, for the exports and tests.
nlohmann::json render_items(const PlanState& state);   // in time order, with computed fields
nlohmann::json render_days(const PlanState& state, const nlohmann::json& items);
nlohmann::json render_conflicts(const PlanState& state);
nlohmann::json render_pledge_board(const PlanState& state);
nlohmann::json render_sdg_coverage(const PlanState& state);

// The item's start date in its own zone ("2024-05-15").
std::string item_day(const nlohmann::json& item);

}  // namespace kartiba
