// Verbs for a plan's webhooks: webhook add | list | deliveries | remove | enable
// (docs/CLI.md, docs/WEBHOOKS.md). Organisers of the plan and admins.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "context.h"
#include "text_width.h"
#include "verbs.h"

namespace kartiba::cli {
namespace {

std::string hooks_path(const std::string& plan) { return "/api/plans/" + url_encode(plan) + "/webhooks"; }

std::vector<std::string> comma_list(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string part = text.substr(start, end - start);
    while (!part.empty() && part.front() == ' ') part.erase(part.begin());
    while (!part.empty() && part.back() == ' ') part.pop_back();
    if (!part.empty()) out.push_back(part);
    start = end + 1;
  }
  return out;
}

std::string cell(const json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

int add(Context& ctx, const std::string& plan, const std::string& url, const std::string& events) {
  json body = {{"url", url}};
  if (!events.empty()) body["events"] = comma_list(events);
  auto made = call_json(ctx, "POST", hooks_path(plan), body.dump());
  if (!made) return ctx.exit_code;
  if (ctx.json_output) {
    std::cout << made->dump() << "\n";
    return kExitOk;
  }
  std::cout << "webhook " << made->value("id", "") << "\nsecret  " << made->value("secret", "") << "\n";
  if (!ctx.quiet) std::cerr << "keep the secret: it signs every delivery and is shown only this once\n";
  return kExitOk;
}

int list(Context& ctx, const std::string& plan) {
  auto body = call_json(ctx, "GET", hooks_path(plan));
  if (!body) return ctx.exit_code;
  if (ctx.json_output) {
    std::cout << body->dump() << "\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows = {{"ID", "STATE", "CURSOR", "PENDING", "EVENTS", "URL"}};
  for (auto& w : (*body)["webhooks"]) {
    std::string events = "all";
    if (w["events"].is_array()) {
      events.clear();
      for (auto& e : w["events"]) events += (events.empty() ? "" : ",") + e.get<std::string>();
    }
    std::string state = w.value("disabled", false) ? "disabled" : w.contains("failing_since") ? "failing" : "active";
    rows.push_back({w.value("id", ""), state, cell(w["cursor"]), cell(w["pending"]), events, w.value("url", "")});
  }
  std::cout << format_table(rows, terminal_width(), {4, 5});
  for (auto& w : (*body)["webhooks"]) {
    if (w.value("disabled", false))
      std::cout << w.value("id", "") << " disabled " << w.value("disabled_at", "") << ": " << w.value("disabled_reason", "")
                << "\n  (kartiba webhook enable " << plan << " " << w.value("id", "") << " resumes it)\n";
  }
  return kExitOk;
}

int deliveries(Context& ctx, const std::string& plan, const std::string& id, unsigned limit) {
  auto body = call_json(ctx, "GET", hooks_path(plan) + "/" + url_encode(id) + "/deliveries?limit=" + std::to_string(limit));
  if (!body) return ctx.exit_code;
  if (ctx.json_output) {
    std::cout << body->dump() << "\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows = {{"AT", "REVISION", "EVENT", "ATTEMPT", "RESULT", "MS", "DELIVERY"}};
  for (auto& d : (*body)["deliveries"]) {
    std::string result = d["status"].is_number() ? std::to_string(d["status"].get<int>()) : "";
    if (d.contains("error")) result += (result.empty() ? "" : " ") + d.value("error", "");
    rows.push_back({d.value("at", ""), cell(d["revision"]), d.value("event", ""), cell(d["attempt"]), result,
                    cell(d["duration_ms"]), d.value("delivery", "")});
  }
  std::cout << format_table(rows, terminal_width(), {4});
  return kExitOk;
}

}  // namespace

void add_webhook_verbs(CLI::App& app, Context& ctx) {
  auto* w = app.add_subcommand("webhook", "a plan's webhooks: add, list, deliveries, remove, enable");
  w->require_subcommand(1);
  auto plan = std::make_shared<std::string>(), id = std::make_shared<std::string>();

  auto* a = w->add_subcommand("add", "register a webhook: add PLAN URL [--events T1,T2]; prints its id and secret once");
  auto url = std::make_shared<std::string>(), events = std::make_shared<std::string>();
  a->add_option("plan", *plan, "plan id")->required();
  a->add_option("url", *url, "http(s) URL the events are POSTed to")->required();
  a->add_option("--events", *events, "event types, comma-separated (default: every event)");
  a->callback([&ctx, plan, url, events] { ctx.exit_code = add(ctx, *plan, *url, *events); });

  auto* l = w->add_subcommand("list", "the plan's webhooks with their state and cursor");
  l->add_option("plan", *plan, "plan id")->required();
  l->callback([&ctx, plan] { ctx.exit_code = list(ctx, *plan); });

  auto* d = w->add_subcommand("deliveries", "recent delivery attempts of one webhook, newest first");
  auto limit = std::make_shared<unsigned>(50);
  d->add_option("plan", *plan, "plan id")->required();
  d->add_option("id", *id, "webhook id")->required();
  d->add_option("--limit", *limit, "at most this many attempts")->check(CLI::Range(1u, 1000u))->capture_default_str();
  d->callback([&ctx, plan, id, limit] { ctx.exit_code = deliveries(ctx, *plan, *id, *limit); });

  auto* r = w->add_subcommand("remove", "remove a webhook: nothing more is delivered to it");
  r->add_option("plan", *plan, "plan id")->required();
  r->add_option("id", *id, "webhook id")->required();
  r->callback([&ctx, plan, id] {
    if (!call(ctx, "DELETE", hooks_path(*plan) + "/" + url_encode(*id))) return;
    if (!ctx.quiet) std::cerr << "removed " << *id << "\n";
  });

  auto* e = w->add_subcommand("enable", "enable a disabled webhook again; delivery resumes from its cursor");
  e->add_option("plan", *plan, "plan id")->required();
  e->add_option("id", *id, "webhook id")->required();
  e->callback([&ctx, plan, id] {
    auto entry = call_json(ctx, "POST", hooks_path(*plan) + "/" + url_encode(*id) + "/enable", "{}");
    if (!entry) return;
    if (ctx.json_output) std::cout << entry->dump() << "\n";
    else std::cout << "enabled " << *id << " (resumes after revision " << cell((*entry)["cursor"]) << ")\n";
  });
}

}  // namespace kartiba::cli
