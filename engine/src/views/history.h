// The audit trail and the changelog, both functions of the log.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "domain/plan_state.h"
#include "kartiba/event.h"

namespace kartiba {

// One sentence for `event` in "lv" or "en", naming entities as they were in `before`
// (the state just before the event), e.g. "K. Miķelsone pārcēla 'Tikšanās Bornem
// pašvaldībā' no 10:00 uz 10:30 — Bornem lūdza 10:30".
std::string history_sentence(const PlanState& before, const Event& event, const std::string& lang);

// What changed from state `a` to state `b`: added, removed, moved, cancelled, changed.
nlohmann::json changelog(const PlanState& a, const PlanState& b);

}  // namespace kartiba
