// The HTTP API's router: answers every request that is not a WebSocket upgrade.
//
// /healthz and /metrics at once; /api/* after the bearer token checks out, the engine work
// on the work pool or, for commands, on the engine's threads; anything else from the web
// directory. Never blocks the calling (network) thread on the engine or the disk.
// Thread-safety: call from any thread; `respond` is called exactly once, from any thread.
#pragma once

#include <memory>
#include <string_view>

#include "http_types.h"
#include "tokens.h"

namespace kartiba::server {

struct App;

void route(std::shared_ptr<App> app, HttpRequest request, Respond respond);

// The principal of an "Authorization: Bearer T" header; null when absent or not valid.
PrincipalPtr authenticate_bearer(App& app, std::string_view authorization);

}  // namespace kartiba::server
