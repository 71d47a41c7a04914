#include "commands.h"

#include <chrono>

#include "app.h"
#include "kartiba/event.h"
#include "log.h"

namespace kartiba::server {
namespace {

CommandOutcome refused(Error error, std::string command_id) {
  CommandOutcome o;
  o.ok = false;
  o.error = std::move(error);
  o.command_id = std::move(command_id);
  return o;
}

std::string result_label(const CommandOutcome& o) {
  if (o.ok) return o.duplicate ? "duplicate" : "ok";
  return o.error ? std::string(to_string(o.error->code())) : "error";
}

}  // namespace

void run_command(App& app, const PrincipalPtr& who, const std::string& plan,
                 nlohmann::json command, std::function<void(CommandOutcome)> done) {
  const auto start = std::chrono::steady_clock::now();
  std::string id;
  if (auto it = command.find("id"); it != command.end() && it->is_string()) id = it->get<std::string>();
  std::string type = "unknown";
  if (auto it = command.find("type"); it != command.end() && it->is_string()) type = it->get<std::string>();
  const std::string metric_type = metric_command_type(type);

  auto finish = [&app, plan, actor = who->name, metric_type, id, start,
                 done = std::move(done)](CommandOutcome outcome) {
    if (outcome.command_id.empty()) outcome.command_id = id;
    const std::string result = result_label(outcome);
    app.metrics.count_command(metric_type, result);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    const LogLevel level = outcome.ok ? LogLevel::info : LogLevel::warn;
    if (log::enabled(level)) {
      std::string line = "command plan=" + plan + " type=" + metric_type + " id=" + log::quote(outcome.command_id) +
                         " actor=" + log::quote(actor) + " result=" + result;
      if (outcome.ok) line += " revision=" + std::to_string(outcome.revision);
      if (!outcome.ok && outcome.error) line += " message=" + log::quote(outcome.error->message());
      line += " " + log::format_ms(ms);
      log::write(level, line);
    }
    done(std::move(outcome));
  };

  if (!who->may_write(plan)) {
    finish(refused(Error::forbidden(who->role == Role::viewer
                                        ? "a viewer token cannot send commands"
                                        : "this token may not change plan " + plan),
                   id));
    return;
  }
  if (!app.limiter->allow(who->id)) {
    finish(refused(Error(ErrorCode::rate_limited, "too many commands from this token; slow down"), id));
    return;
  }
  CommandRequest request;
  request.plan = plan;
  request.actor = who->name;
  request.command = std::make_shared<nlohmann::json>(std::move(command));
  request.admin = who->is_admin();
  app.engine->execute(std::move(request), std::move(finish));
}

std::string ws_command_reply(const CommandOutcome& o) {
  if (!o.ok) {
    const Error err = o.error ? *o.error : Error::unavailable("the command failed");
    std::string out = R"({"type":"rejected","id":)";
    out += nlohmann::json(o.command_id).dump();
    out += R"(,"error":)";
    // Error::to_json() is {"error":{…}}: take the inner object.
    const std::string body = err.to_json();
    nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
    out += parsed.is_object() && parsed.contains("error") ? parsed["error"].dump() : body;
    out += '}';
    return out;
  }
  std::string out = R"({"type":"ack","id":)";
  out += nlohmann::json(o.command_id).dump();
  out += R"(,"revision":)";
  out += std::to_string(o.revision);
  out += R"(,"events":[)";
  for (size_t i = 0; i < o.events.size(); ++i) {
    if (i) out += ',';
    out += o.events[i]->json.empty() ? o.events[i]->to_json().dump() : o.events[i]->json;
  }
  out += ']';
  if (o.duplicate) out += R"(,"duplicate":true)";
  if (!o.created_id.empty()) {
    out += R"(,"created":)";
    out += nlohmann::json(o.created_id).dump();
  }
  out += '}';
  return out;
}

}  // namespace kartiba::server
