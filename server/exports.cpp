// The plan exports: each reads the plan's view (and, for iCalendar, its events) and hands it
// to the pure formatting functions in engine/src/exports (docs/EXPORTS.md).
#include "exports.h"

#include <nlohmann/json.hpp>

#include "../engine/src/exports/exports.h"  // self-contained: std + json_fwd only
#include "kartiba/engine.h"
#include "kartiba/event.h"

namespace kartiba::server {

namespace {

std::string param(const Query& q, const char* name) {
  auto it = q.find(name);
  return it == q.end() ? std::string() : it->second;
}

// The current view as JSON, or the error response to send.
Result<nlohmann::json> read_view(Engine& engine, const std::string& plan) {
  auto text = engine.view(plan);
  if (!text.ok()) return text.error();
  auto parsed = nlohmann::json::parse(**text, nullptr, false);
  if (parsed.is_discarded()) return Error::unavailable("the plan's view could not be read");
  return parsed;
}

HttpResponse file(std::string body, std::string content_type, const std::string& filename, bool inline_ok = false) {
  HttpResponse r;
  r.status = 200;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  r.headers.emplace_back("Content-Disposition",
                         std::string(inline_ok ? "inline" : "attachment") + "; filename=\"" + filename + "\"");
  return r;
}

}  // namespace

HttpResponse export_agenda_ics(Engine& engine, const std::string& plan, const Query&) {
  auto view = read_view(engine, plan);
  if (!view.ok()) return HttpResponse::error(view.error());
  // SEQUENCE and the item timestamps come from the events that named each item.
  const uint64_t revision = view->value("revision", uint64_t(0));
  std::vector<EventPtr> events;
  for (uint64_t from = 0; from < revision;) {
    auto batch = engine.events(plan, from, 10000);
    if (!batch.ok()) return HttpResponse::error(batch.error());
    if (batch->empty()) break;
    from = batch->back()->revision;
    for (auto& e : *batch)
      if (e->revision <= revision) events.push_back(e);
  }
  return file(exports::agenda_ics(*view, exports::item_histories(events)), "text/calendar; charset=utf-8",
              plan + ".ics");
}

HttpResponse export_pledges_csv(Engine& engine, const std::string& plan, const Query&) {
  auto view = read_view(engine, plan);
  if (!view.ok()) return HttpResponse::error(view.error());
  return file(exports::pledges_csv(*view), "text/csv; charset=utf-8; header=present", plan + "-pledges.csv");
}

HttpResponse export_schedule_json(Engine& engine, const std::string& plan, const Query& query) {
  exports::ScheduleOptions options;
  options.base_url = param(query, "base_url");
  if (!options.base_url.empty() && options.base_url.rfind("http://", 0) != 0 &&
      options.base_url.rfind("https://", 0) != 0)
    return HttpResponse::error(Error::invalid("base_url must be an absolute http(s) URL"));
  for (char c : options.base_url)
    if (static_cast<unsigned char>(c) <= ' ' || c == '"' || c == '<' || c == '>' || c == '\\')
      return HttpResponse::error(Error::invalid("base_url must be an absolute http(s) URL"));
  auto view = read_view(engine, plan);
  if (!view.ok()) return HttpResponse::error(view.error());
  return file(exports::schedule_json(*view, options), "application/json", plan + "-schedule.json", true);
}

HttpResponse export_agenda_html(Engine& engine, const std::string& plan, const Query& query) {
  const std::string lang = param(query, "lang");
  if (!lang.empty() && lang != "lv" && lang != "en") return HttpResponse::error(Error::invalid("lang must be lv or en"));
  auto view = read_view(engine, plan);
  if (!view.ok()) return HttpResponse::error(view.error());
  return file(exports::agenda_html(*view, lang), "text/html; charset=utf-8", plan + "-agenda.html", true);
}

HttpResponse export_report_html(Engine& engine, const std::string& plan, const Query& query) {
  const std::string lang = param(query, "lang");
  if (!lang.empty() && lang != "lv" && lang != "en") return HttpResponse::error(Error::invalid("lang must be lv or en"));
  auto view = read_view(engine, plan);
  if (!view.ok()) return HttpResponse::error(view.error());
  return file(exports::report_html(*view, lang), "text/html; charset=utf-8", plan + "-report.html", true);
}

}  // namespace kartiba::server
