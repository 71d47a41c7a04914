// Fuzz target: a command's text through the engine's path — depth check, JSON parse,
// parse_command (the envelope), decide() on the demo plan's state — and, when it is accepted,
// its events applied to a copy of the state, the view rendered and the history told in both
// languages. None of it may crash, throw, or produce JSON that cannot be written out.
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/event_format.h"
#include "core/json_limits.h"
#include "domain/apply.h"
#include "domain/decide.h"
#include "fuzz_support.h"
#include "views/history.h"
#include "views/view.h"

using namespace kartiba;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::unique_ptr<Engine> engine = fuzz::demo_engine();
  static std::shared_ptr<const PlanState> state = fuzz::demo_state(*engine);

  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (json_depth(text, 64) > 64) return 0;  // refused before parsing, as the engine does
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  auto command = parse_command(j);
  if (!command.ok()) {
    const Error& e = command.error();
    fuzz::require(e.path().empty() || e.path()[0] == '/', "an error path that is not a JSON pointer: " + e.path());
    (void)nlohmann::json::parse(e.to_json());
    return 0;
  }
  DecideContext ctx;
  ctx.admin = size % 2 == 1;
  ctx.event_at = [](uint64_t revision) -> Result<EventPtr> {
    auto events = engine->events(fuzz::kDemoPlan, revision - 1, 1);
    if (!events.ok()) return events.error();
    if (events->empty()) return Error::not_found("no such revision");
    return events->front();
  };
  auto decision = decide(*state, *command, ctx);
  if (!decision.ok()) {
    const Error& e = decision.error();
    fuzz::require(e.path().empty() || e.path()[0] == '/', "an error path that is not a JSON pointer: " + e.path());
    auto body = nlohmann::json::parse(e.to_json());  // a conflict's details included
    fuzz::require(body.contains("error"), "an error body without error");
    return 0;
  }
  // Accepted: what the engine would append, applied and shown.
  PlanState next = *state;
  for (const auto& draft : decision->drafts) {
    Event e;
    e.plan = fuzz::kDemoPlan;
    e.revision = next.revision + 1;
    e.type = draft.type;
    e.at_ms = next.updated_ms + 1000;
    e.actor = "fuzz";
    e.command = command->id.empty() ? "c-fuzz" : command->id;
    e.reason = command->reason;
    e.data = draft.data;
    std::string record = format::encode(e, next.last_hash);
    bool matches = false;
    auto back = format::decode(record + std::string(8, '\0'), &next.last_hash, &matches);
    fuzz::require(back.ok() && matches, "an event does not decode to itself");
    fuzz::require(back->data == e.data, "an event's data changes through the record");
    e.finish_encoding();
    (void)history_sentence(next, e, "lv");
    (void)history_sentence(next, e, "en");
    apply(next, e);
  }
  (void)render_view(next).dump();
  (void)changelog(*state, next).dump();
  return 0;
}
