// The plan exports that are formats of their own: iCalendar, CSV, frab schedule JSON, and the
// printable HTML agenda and visit report.
//
// Each builds the whole response for GET /api/plans/{plan}/<file> from the engine's view.
// The router has checked the token may read the plan; the plan may still not exist
// (answer 404 not_found then).
// Thread-safety: called on a work thread; may block and use CPU freely.
// The formats themselves are pure functions in engine/src/exports (docs/EXPORTS.md).
#pragma once

#include <string>

#include "http_types.h"
#include "url.h"

namespace kartiba {
class Engine;
}

namespace kartiba::server {

// GET /api/plans/{plan}/agenda.ics — RFC 5545 with a VTIMEZONE for every zone used.
HttpResponse export_agenda_ics(Engine& engine, const std::string& plan, const Query& query);
// GET /api/plans/{plan}/pledges.csv — RFC 4180, UTF-8.
HttpResponse export_pledges_csv(Engine& engine, const std::string& plan, const Query& query);
// GET /api/plans/{plan}/schedule.json — the c3voc/frab schedule JSON format.
HttpResponse export_schedule_json(Engine& engine, const std::string& plan, const Query& query);
// GET /api/plans/{plan}/agenda.html?lang=lv|en — the printable agenda.
HttpResponse export_agenda_html(Engine& engine, const std::string& plan, const Query& query);
// GET /api/plans/{plan}/report.html?lang=lv|en — the visit report (docs/REPORT.md).
HttpResponse export_report_html(Engine& engine, const std::string& plan, const Query& query);

}  // namespace kartiba::server
