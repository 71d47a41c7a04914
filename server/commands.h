// Runs one client command, from HTTP or WebSocket alike: permission, rate limit, the engine,
// metrics and the log line. The one path every command takes through the server.
//
// Thread-safety: call from any thread; never blocks (the engine is asynchronous).
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "kartiba/engine.h"
#include "tokens.h"

namespace kartiba::server {

struct App;

// `command` is the parsed command object ({"id","type","base","reason","data"}); `text`, when
// not empty, is the same object as the client sent it (passed on as is, not encoded again).
// `done` is called exactly once: on an engine thread after the events are durable, or at once
// on the calling thread when the command is refused before reaching the engine (forbidden,
// rate_limited). The outcome's command_id is the client's id whenever it sent one.
// `command` is the parsed command object; the engine takes it as it is (no second parse).
void run_command(App& app, const PrincipalPtr& who, const std::string& plan,
                 nlohmann::json command, std::function<void(CommandOutcome)> done);

// {"type":"ack","id","revision","events",…} or {"type":"rejected","id","error"} for WebSocket.
std::string ws_command_reply(const CommandOutcome& outcome);

}  // namespace kartiba::server
