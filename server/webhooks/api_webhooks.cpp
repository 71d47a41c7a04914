#include "webhooks/api_webhooks.h"

#include <nlohmann/json.hpp>

#include "api.h"
#include "app.h"
#include "json_check.h"
#include "url.h"
#include "webhooks/webhooks.h"

namespace kartiba::server {
namespace {

constexpr uint64_t kDefaultDeliveries = 50;

void create(ApiCall call, std::string plan) {
  auto parsed = parse_json_object(call.http.body, call.app->config.max_json_depth);
  if (!parsed.ok()) {
    call.respond(error_response(parsed.error()));
    return;
  }
  // Resolving the target's name and the synced writes block: the work pool.
  offload(std::move(call), [plan, body = std::move(*parsed)](ApiCall& c) {
    auto created = c.app->webhooks->create(plan, body, c.who->name);
    if (!created.ok()) return error_response(created.error());
    return HttpResponse::json(201, nlohmann::json{{"id", created->id}, {"secret", created->secret}}.dump());
  });
}

void list(ApiCall call, std::string plan) {
  offload(std::move(call), [plan](ApiCall& c) {
    if (!c.app->engine->has_plan(plan)) return error_response(Error::not_found("no such plan: " + plan));
    return HttpResponse::json(200, c.app->webhooks->list_json(plan));
  });
}

void remove(ApiCall call, std::string plan, std::string id) {
  offload(std::move(call), [plan, id](ApiCall& c) {
    Status st = c.app->webhooks->remove(plan, id);
    if (!st.ok()) return error_response(st.error());
    return HttpResponse::json(200, nlohmann::json{{"removed", id}}.dump());
  });
}

void enable(ApiCall call, std::string plan, std::string id) {
  offload(std::move(call), [plan, id](ApiCall& c) {
    auto entry = c.app->webhooks->enable(plan, id);
    if (!entry.ok()) return error_response(entry.error());
    return HttpResponse::json(200, std::move(*entry));
  });
}

void deliveries(ApiCall call, std::string plan, std::string id) {
  uint64_t limit = kDefaultDeliveries;
  if (auto it = call.target.query.find("limit"); it != call.target.query.end() && !it->second.empty()) {
    auto v = parse_uint(it->second);
    if (!v || *v == 0) {
      call.respond(error_response(Error::invalid("limit must be a positive whole number")));
      return;
    }
    limit = *v;
  }
  auto text = call.app->webhooks->deliveries_json(plan, id, static_cast<size_t>(limit));
  call.respond(text.ok() ? HttpResponse::json(200, std::move(*text)) : error_response(text.error()));
}

}  // namespace

void handle_webhooks(ApiCall call, std::string plan) {
  if (!call.app->webhooks) {  // a core built without them (the fuzz harness)
    call.respond(error_response(Error::unavailable("webhooks are not running on this server")));
    return;
  }
  if (!call.who->may_write(plan)) {
    call.respond(error_response(Error::forbidden("only an organiser of " + plan + " or an admin may manage its webhooks")));
    return;
  }
  const auto& parts = call.parts;
  const std::string& method = call.http.method;
  const bool get = method == "GET" || method == "HEAD";
  if (parts.size() == 4) {
    if (get) return list(std::move(call), plan);
    if (method == "POST") return create(std::move(call), plan);
  } else if (parts.size() == 5) {
    if (method == "DELETE") return remove(std::move(call), plan, parts[4]);
  } else if (parts.size() == 6) {
    if (parts[5] == "deliveries" && get) return deliveries(std::move(call), plan, parts[4]);
    if (parts[5] == "enable" && method == "POST") return enable(std::move(call), plan, parts[4]);
  }
  call.respond(error_response(Error::not_found("no such endpoint: " + method + " " + call.target.path)));
}

}  // namespace kartiba::server
