// Internal to the router: one /api request on its way through the handlers, and the helpers
// they share. Handlers live in api_plans.cpp and api_tokens.cpp.
//
// Thread-safety: an ApiCall is owned by one handler at a time and moved along.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "http_types.h"
#include "tokens.h"
#include "url.h"

namespace kartiba::server {

struct App;

struct ApiCall {
  std::shared_ptr<App> app;
  HttpRequest http;
  Target target;                    // decoded path and query
  std::vector<std::string> parts;   // path segments: {"api","plans","x",…}
  PrincipalPtr who;                 // authenticated; never null in handlers
  Respond respond;                  // exactly once
};

// Runs `job` on the work pool and responds with what it returns; 503 when the pool is full,
// 503 when the job throws.
void offload(ApiCall call, std::function<HttpResponse(ApiCall&)> job);

// /api/tokens…
void handle_tokens(ApiCall call);
// /api/plans…
void handle_plans(ApiCall call);
// /api/plans/{plan}/links… (api_links.cpp)
void handle_links(ApiCall call, std::string plan);
// /l/{secret}…: a public link's page or calendar, without a token (api_links.cpp).
void serve_link(std::shared_ptr<App> app, HttpRequest request, const std::string& path, Respond respond);

inline HttpResponse error_response(const Error& e) { return HttpResponse::error(e); }

}  // namespace kartiba::server
