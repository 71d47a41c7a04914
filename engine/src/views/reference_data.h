// Reference data compiled into the engine: the 17 SDGs and the demo plan.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

namespace kartiba {

std::string_view sdg_goals_text();   // engine/data/sdg-goals.json
std::string_view demo_plan_text();   // engine/data/demo/brussels-2024.json

// {"1": {"en","lv","colour"}, …} parsed once.
const nlohmann::json& sdg_goals();

}  // namespace kartiba
