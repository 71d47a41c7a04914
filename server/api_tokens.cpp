// /api/tokens: issue, list and revoke tokens (admin only).
#include "api.h"
#include "app.h"
#include "json_check.h"
#include "log.h"

namespace kartiba::server {

void handle_tokens(ApiCall call) {
  if (!call.who->is_admin()) {
    call.respond(error_response(Error::forbidden("only an admin token may manage tokens")));
    return;
  }
  const auto& parts = call.parts;
  const std::string& method = call.http.method;
  if (parts.size() == 2 && method == "GET") {
    offload(std::move(call), [](ApiCall& c) {
      nlohmann::json body = {{"tokens", c.app->tokens->list()}};
      return HttpResponse::json(200, body.dump());
    });
    return;
  }
  if (parts.size() == 2 && method == "POST") {
    auto parsed = parse_json_object(call.http.body, call.app->config.max_json_depth);
    if (!parsed.ok()) {
      call.respond(error_response(parsed.error()));
      return;
    }
    offload(std::move(call), [request = std::move(parsed.value())](ApiCall& c) {
      auto issued = c.app->tokens->issue(request);
      if (!issued.ok()) return error_response(issued.error());
      log::info("token issued id=" + issued->id + " role=" + request.value("role", "") +
                " name=" + log::quote(request.value("name", "")) + " by=" + log::quote(c.who->name));
      nlohmann::json body = {{"token", issued->token}, {"id", issued->id}};
      return HttpResponse::json(201, body.dump());
    });
    return;
  }
  if (parts.size() == 3 && method == "DELETE") {
    offload(std::move(call), [](ApiCall& c) {
      const std::string id = c.parts[2];
      if (Status st = c.app->tokens->revoke(id); !st.ok()) return error_response(st.error());
      const size_t closed = c.app->hub.revoke_token(id);
      log::info("token revoked id=" + id + " sessions_closed=" + std::to_string(closed) +
                " by=" + log::quote(c.who->name));
      nlohmann::json body = {{"ok", true}, {"id", id}, {"sessions_closed", closed}};
      return HttpResponse::json(200, body.dump());
    });
    return;
  }
  call.respond(error_response(Error::not_found("no such endpoint: " + method + " " + call.target.path)));
}

}  // namespace kartiba::server
