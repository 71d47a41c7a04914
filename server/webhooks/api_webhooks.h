// /api/plans/{plan}/webhooks…: register, list, remove, re-enable webhooks and read their
// deliveries (docs/PROTOCOL.md, "Webhooks"). Organisers of the plan and admins only.
// Thread-safety: like every handler, called once per request from a network thread; the
// blocking work runs on the work pool.
#pragma once

#include <string>

namespace kartiba::server {

struct ApiCall;

// REQUIRES: call.parts[3] == "webhooks" and the caller may read `plan`.
void handle_webhooks(ApiCall call, std::string plan);

}  // namespace kartiba::server
