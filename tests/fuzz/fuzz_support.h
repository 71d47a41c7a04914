// Shared by the fuzz targets: an engine over an in-memory store holding the demo plan
// (brussels-2024), built once per process.
#pragma once

#include <memory>
#include <string>

#include "domain/plan_state.h"
#include "kartiba/engine.h"

namespace kartiba::fuzz {

inline const std::string kDemoPlan = "brussels-2024";

// A fresh engine (in memory) with the demo plan imported; aborts if that fails.
std::unique_ptr<Engine> demo_engine();
// The demo plan's state in `engine` (made by demo_engine()).
std::shared_ptr<const PlanState> demo_state(Engine& engine);

// Aborts with `what` when `ok` is false: a finding.
void require(bool ok, const std::string& what);

}  // namespace kartiba::fuzz
