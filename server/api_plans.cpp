// /api/plans…: list, create, import, views (now and in the past), commands, events,
// history, verify, releases, changelog and the exports.
#include <chrono>

#include "api.h"
#include "app.h"
#include "commands.h"
#include "exports.h"
#include "json_check.h"
#include "kartiba/engine.h"
#include "kartiba/event.h"
#include "time_util.h"
#include "webhooks/api_webhooks.h"

namespace kartiba::server {
namespace {

constexpr uint64_t kDefaultLimit = 1000;
constexpr uint64_t kMaxLimit = 10000;

bool valid_plan_id(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && i > 0);
    if (!ok) return false;
  }
  return true;
}

// A numeric query parameter; `fallback` when absent.
Result<uint64_t> uint_param(const Query& q, const std::string& name, uint64_t fallback) {
  auto it = q.find(name);
  if (it == q.end() || it->second.empty()) return fallback;
  auto v = parse_uint(it->second);
  if (!v) return Error::invalid(name + " must be a whole non-negative number");
  return *v;
}

std::string param(const Query& q, const std::string& name) {
  auto it = q.find(name);
  return it == q.end() ? std::string() : it->second;
}

HttpResponse view_response(Engine& engine, const std::string& plan, ViewAt at, int status) {
  auto view = engine.view(plan, at);
  if (!view.ok()) return error_response(view.error());
  return HttpResponse::json(status, **view);
}

// The plan id an outcome's events belong to.
std::string outcome_plan(const CommandOutcome& o) {
  for (const auto& e : o.events) {
    if (e && !e->plan.empty()) return e->plan;
  }
  return {};
}

void list_plans(ApiCall call) {
  offload(std::move(call), [](ApiCall& c) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& p : c.app->engine->plans()) {
      if (!c.who->may_read(p.id)) continue;
      list.push_back({{"id", p.id}, {"title", p.title}, {"revision", p.revision}});
    }
    return HttpResponse::json(200, nlohmann::json{{"plans", std::move(list)}}.dump());
  });
}

// POST /api/plans and POST /api/plans/import: both admin, both answer 201 with the view.
void create_or_import(ApiCall call, bool import) {
  if (!call.who->is_admin()) {
    call.respond(error_response(Error::forbidden(import ? "only an admin token may import plans"
                                                        : "only an admin token may create plans")));
    return;
  }
  // An import may be large: even the checks run on the work pool.
  offload(std::move(call), [import](ApiCall& c) {
    auto parsed = parse_json_object(c.http.body, c.app->config.max_json_depth);
    if (!parsed.ok()) return error_response(parsed.error());
    Engine& engine = *c.app->engine;
    CommandOutcome o = import ? engine.import_plan(c.http.body, c.who->name)
                              : engine.create_plan(c.http.body, c.who->name);
    c.app->metrics.count_command(import ? "import-plan" : "create-plan",
                                 o.ok ? "ok" : o.error ? std::string(to_string(o.error->code())) : "error");
    if (!o.ok) {
      return error_response(o.error ? *o.error : Error::unavailable("the plan was not created"));
    }
    const std::string plan = outcome_plan(o);
    if (plan.empty()) return HttpResponse::json(201, o.to_json());
    return view_response(engine, plan, {}, 201);
  });
}

void get_view(ApiCall call, std::string plan) {
  ViewAt at;
  const auto& q = call.target.query;
  if (q.count("at")) {
    auto rev = parse_uint(param(q, "at"));
    if (!rev) {
      call.respond(error_response(Error::invalid("at must be a revision number")));
      return;
    }
    at.revision = *rev;
  }
  if (q.count("asof")) {
    auto ms = parse_rfc3339_ms(param(q, "asof"));
    if (!ms) {
      call.respond(error_response(Error::invalid("asof must be an RFC 3339 time, e.g. 2024-05-15T07:30:00Z")));
      return;
    }
    at.asof_ms = *ms;
  }
  if (at.revision && at.asof_ms) {
    call.respond(error_response(Error::invalid("give at or asof, not both")));
    return;
  }
  offload(std::move(call), [plan, at](ApiCall& c) { return view_response(*c.app->engine, plan, at, 200); });
}

void post_command(ApiCall call, std::string plan) {
  auto parsed = parse_json_object(call.http.body, call.app->config.max_json_depth);
  if (!parsed.ok()) {
    call.respond(error_response(parsed.error()));
    return;
  }
  auto respond = std::move(call.respond);
  run_command(*call.app, call.who, plan, std::move(*parsed), [respond](CommandOutcome o) {
    const int status = o.ok ? 200 : http_status(o.error ? o.error->code() : ErrorCode::unavailable);
    respond(HttpResponse::json(status, o.to_json()));
  });
}

void get_events(ApiCall call, std::string plan) {
  auto from = uint_param(call.target.query, "from", 0);
  auto limit = uint_param(call.target.query, "limit", kDefaultLimit);
  if (!from.ok() || !limit.ok()) {
    call.respond(error_response(!from.ok() ? from.error() : limit.error()));
    return;
  }
  const uint64_t n = std::min<uint64_t>(*limit == 0 ? kDefaultLimit : *limit, kMaxLimit);
  offload(std::move(call), [plan, from = *from, n](ApiCall& c) {
    auto events = c.app->engine->events(plan, from, n);
    if (!events.ok()) return error_response(events.error());
    std::string body = R"({"events":[)";
    uint64_t next = from;
    for (size_t i = 0; i < events->size(); ++i) {
      const auto& e = (*events)[i];
      if (i) body += ',';
      body += e->json.empty() ? e->to_json().dump() : e->json;
      next = e->revision;
    }
    body += R"(],"next":)" + std::to_string(next) + "}";
    return HttpResponse::json(200, std::move(body));
  });
}

void get_history(ApiCall call, std::string plan) {
  const std::string lang = param(call.target.query, "lang");
  if (!lang.empty() && lang != "lv" && lang != "en") {
    call.respond(error_response(Error::invalid("lang must be lv or en")));
    return;
  }
  auto from = uint_param(call.target.query, "from", 0);
  auto limit = uint_param(call.target.query, "limit", kDefaultLimit);
  if (!from.ok() || !limit.ok()) {
    call.respond(error_response(!from.ok() ? from.error() : limit.error()));
    return;
  }
  const uint64_t n = std::min<uint64_t>(*limit == 0 ? kDefaultLimit : *limit, kMaxLimit);
  offload(std::move(call), [plan, lang, from = *from, n](ApiCall& c) {
    std::string language = lang;
    if (language.empty()) {
      // No ?lang: the plan's own language.
      auto view = c.app->engine->view(plan);
      if (!view.ok()) return error_response(view.error());
      auto parsed = nlohmann::json::parse(**view, nullptr, false);
      language = parsed.is_object() && parsed.value("language", "") == "en" ? "en" : "lv";
    }
    auto text = c.app->engine->history(plan, language, from, n);
    if (!text.ok()) return error_response(text.error());
    return HttpResponse::json(200, std::move(*text));
  });
}

void get_verify(ApiCall call, std::string plan) {
  offload(std::move(call), [plan](ApiCall& c) {
    auto report = c.app->engine->verify(plan);
    if (!report.ok()) return error_response(report.error());
    nlohmann::json body = {{"ok", report->ok}, {"revision", report->revision}};
    if (!report->ok) body["message"] = report->message;
    return HttpResponse::json(200, body.dump());
  });
}

void get_text(ApiCall call, std::string plan, std::function<Result<std::string>(Engine&, const std::string&, const Query&)> read,
              std::string filename = {}) {
  offload(std::move(call), [plan, read = std::move(read), filename](ApiCall& c) {
    auto text = read(*c.app->engine, plan, c.target.query);
    if (!text.ok()) return error_response(text.error());
    auto r = HttpResponse::json(200, std::move(*text));
    if (!filename.empty()) {
      r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + filename + "\"");
    }
    return r;
  });
}

using ExportFn = HttpResponse (*)(Engine&, const std::string&, const Query&);

void get_export(ApiCall call, std::string plan, ExportFn fn) {
  offload(std::move(call), [plan, fn](ApiCall& c) { return fn(*c.app->engine, plan, c.target.query); });
}

void plan_endpoint(ApiCall call) {
  const std::string plan = call.parts[2];
  const std::string& method = call.http.method;
  const bool get = method == "GET" || method == "HEAD";
  if (!valid_plan_id(plan)) {
    call.respond(error_response(Error::not_found("no such plan: not a plan id")));
    return;
  }
  if (!call.who->may_read(plan)) {
    call.respond(error_response(Error::forbidden("this token may not read plan " + plan)));
    return;
  }
  if (call.parts.size() >= 4 && call.parts.size() <= 5 && call.parts[3] == "links") {
    return handle_links(std::move(call), plan);
  }
  if (call.parts.size() >= 4 && call.parts[3] == "webhooks") return handle_webhooks(std::move(call), plan);
  if (call.parts.size() == 3) {
    if (get) return get_view(std::move(call), plan);
  } else if (call.parts.size() == 4) {
    const std::string& sub = call.parts[3];
    if (sub == "commands" && method == "POST") return post_command(std::move(call), plan);
    if (get) {
      if (sub == "events") return get_events(std::move(call), plan);
      if (sub == "history") return get_history(std::move(call), plan);
      if (sub == "verify") return get_verify(std::move(call), plan);
      if (sub == "releases") {
        return get_text(std::move(call), plan, [](Engine& e, const std::string& p, const Query&) {
          return e.releases(p);
        });
      }
      if (sub == "changelog") {
        return get_text(std::move(call), plan, [](Engine& e, const std::string& p, const Query& q) {
          return e.changelog(p, param(q, "from"), param(q, "to"));
        });
      }
      if (sub == "export.json") {
        return get_text(std::move(call), plan,
                        [](Engine& e, const std::string& p, const Query&) { return e.export_plan(p); },
                        plan + ".json");
      }
      if (sub == "agenda.ics") return get_export(std::move(call), plan, &export_agenda_ics);
      if (sub == "pledges.csv") return get_export(std::move(call), plan, &export_pledges_csv);
      if (sub == "schedule.json") return get_export(std::move(call), plan, &export_schedule_json);
      if (sub == "agenda.html") return get_export(std::move(call), plan, &export_agenda_html);
      if (sub == "report.html") return get_export(std::move(call), plan, &export_report_html);
    }
  }
  call.respond(error_response(Error::not_found("no such endpoint: " + method + " " + call.target.path)));
}

}  // namespace

void handle_plans(ApiCall call) {
  const auto& parts = call.parts;
  const std::string& method = call.http.method;
  if (parts.size() == 2) {
    if (method == "GET" || method == "HEAD") return list_plans(std::move(call));
    if (method == "POST") return create_or_import(std::move(call), false);
  } else if (parts.size() == 3 && parts[2] == "import" && method == "POST") {
    return create_or_import(std::move(call), true);
  } else if (parts.size() >= 3) {
    return plan_endpoint(std::move(call));
  }
  call.respond(error_response(Error::not_found("no such endpoint: " + method + " " + call.target.path)));
}

}  // namespace kartiba::server
