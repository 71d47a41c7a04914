#include "router.h"

#include "api.h"
#include "app.h"
#include "kartiba/engine.h"
#include "log.h"
#include "static_files.h"

namespace kartiba::server {
namespace {

HttpResponse health(const App& app) {
  if (app.stopping.load()) return HttpResponse::json(503, R"({"status":"stopping"})");
  return HttpResponse::json(200, R"({"status":"ok"})");
}

HttpResponse metrics(App& app) {
  HttpResponse r;
  r.status = 200;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  app.metrics.connections.store(static_cast<int64_t>(app.connections.size()));
  r.body = app.metrics.render(app.engine->stats());
  if (app.webhooks) r.body += app.webhooks->render_metrics();
  return r;
}

void route_api(ApiCall call) {
  const auto& parts = call.parts;
  if (parts.size() >= 2 && parts[1] == "tokens") return handle_tokens(std::move(call));
  if (parts.size() >= 2 && parts[1] == "plans") return handle_plans(std::move(call));
  call.respond(error_response(Error::not_found("no such endpoint: " + call.target.path)));
}

}  // namespace

PrincipalPtr authenticate_bearer(App& app, std::string_view authorization) {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() <= kBearer.size()) return nullptr;
  // The scheme is case-insensitive (RFC 7235).
  for (size_t i = 0; i < kBearer.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) !=
        std::tolower(static_cast<unsigned char>(kBearer[i]))) {
      return nullptr;
    }
  }
  std::string_view token = authorization.substr(kBearer.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return app.tokens->authenticate(token);
}

void route(std::shared_ptr<App> app, HttpRequest request, Respond respond) {
  auto target = parse_target(request.target);
  if (!target) {
    respond(error_response(Error::invalid("malformed request target")));
    return;
  }
  const std::string& path = target->path;
  if (path == "/healthz") {
    if (request.method != "GET" && request.method != "HEAD") {
      respond(error_response(Error::not_found("GET /healthz")));
      return;
    }
    auto r = health(*app);
    r.head = request.method == "HEAD";
    respond(std::move(r));
    return;
  }
  if (path == "/metrics") {
    respond(metrics(*app));
    return;
  }
  if (path == "/ws") {
    respond(error_response(Error::invalid("/ws takes a WebSocket upgrade")));
    return;
  }
  if (path == "/api" || path.rfind("/api/", 0) == 0) {
    PrincipalPtr who = authenticate_bearer(*app, request.authorization);
    if (!who) {
      auto r = error_response(Error::unauthorized(request.authorization.empty()
                                                      ? "missing Authorization: Bearer token"
                                                      : "unknown or revoked token"));
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
      respond(std::move(r));
      return;
    }
    const bool head = request.method == "HEAD";
    ApiCall call;
    call.app = std::move(app);
    call.parts = split_path(path);
    call.target = std::move(*target);
    call.http = std::move(request);
    call.who = who;
    // Every API answer names its actor for the log line and is never cached (tokens).
    call.respond = [respond = std::move(respond), actor = who->name,
                    head](HttpResponse r) {
      r.actor = actor;
      r.head = r.head || head;
      r.headers.emplace_back("Cache-Control", "no-store");
      respond(std::move(r));
    };
    route_api(std::move(call));
    return;
  }
  if (request.method != "GET" && request.method != "HEAD") {
    respond(error_response(Error::not_found("no such endpoint: " + request.method + " " + path)));
    return;
  }
  if (path.rfind("/l/", 0) == 0) return serve_link(std::move(app), std::move(request), path, std::move(respond));
  // Static files are small; reading one is done on the work pool all the same.
  auto web_dir = app->web_dir;
  auto* pool = app->work.get();
  auto shared_respond = std::make_shared<Respond>(std::move(respond));
  const bool queued = pool->submit([web_dir, path, request = std::move(request), shared_respond] {
    (*shared_respond)(serve_static(web_dir, path, request));
  });
  if (!queued) (*shared_respond)(error_response(Error::unavailable("server busy; try again")));
}

void offload(ApiCall call, std::function<HttpResponse(ApiCall&)> job) {
  auto shared = std::make_shared<ApiCall>(std::move(call));
  const bool queued = shared->app->work->submit([shared, job = std::move(job)] {
    HttpResponse r;
    try {
      r = job(*shared);
    } catch (const std::exception& e) {
      log::error(std::string("request failed: ") + e.what());
      r = error_response(Error::unavailable("internal error"));
    }
    shared->respond(std::move(r));
  });
  if (!queued) shared->respond(error_response(Error::unavailable("server busy; try again")));
}

}  // namespace kartiba::server
