#include "fuzz_support.h"

#include <cstdio>
#include <cstdlib>

#include "engine/engine_impl.h"
#include "storage/store.h"
#include "views/reference_data.h"

namespace kartiba::fuzz {

void require(bool ok, const std::string& what) {
  if (ok) return;
  std::fprintf(stderr, "FUZZ FINDING: %s\n", what.c_str());
  std::abort();
}

std::unique_ptr<Engine> demo_engine() {
  Options options;
  options.data_dir = "(memory)";
  options.worker_threads = 2;
  auto engine = std::make_unique<EngineImpl>(options, make_memory_store());
  Status st = engine->start();
  require(st.ok(), "the engine does not start on a memory store");
  auto imported = engine->import_plan(std::string(demo_plan_text()), "fuzz");
  require(imported.ok, "the demo plan does not import: " + imported.to_json());
  return engine;
}

std::shared_ptr<const PlanState> demo_state(Engine& engine) {
  auto state = static_cast<EngineImpl&>(engine).current_state(kDemoPlan);
  require(state != nullptr, "no demo plan state");
  return state;
}

}  // namespace kartiba::fuzz
