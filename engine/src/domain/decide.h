// The domain's decision: a command, validated against a plan's state, yields events.
//
// Pure: no I/O, no clock, no randomness; the caller passes what it needs (the time, the
// events a revert looks at). The same state and command always give the same answer.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "domain/plan_state.h"
#include "kartiba/error.h"
#include "kartiba/event.h"

namespace kartiba {

struct ParsedCommand {
  std::string id;                  // empty: the engine makes one
  std::string type;
  std::optional<uint64_t> base;
  std::string reason;
  json data = json::object();
};

// Parses and checks the envelope {"id","type","base","reason","data"}.
Result<ParsedCommand> parse_command(const json& command);

// An event before the log gives it its envelope (revision, time, actor, hash).
struct Draft {
  std::string type;
  json data;
};

struct DecideContext {
  bool admin = false;
  // The plan's event at a revision (for revert); may read the log.
  std::function<Result<EventPtr>(uint64_t)> event_at;
};

struct Decision {
  std::vector<Draft> drafts;
  std::string created_id;  // the id made for an entity the command created without one
};

// `state` is empty (revision 0) for create-plan.
Result<Decision> decide(const PlanState& state, const ParsedCommand& command, const DecideContext& ctx);

// The command types decide() knows.
const std::vector<std::string>& command_types();

}  // namespace kartiba
