// TODO(exports): NOT IMPLEMENTED YET. Each export answers 404 not_found "not implemented yet"
// until it is written. Read the view with engine.view(plan) and build the file.
#include "exports.h"

#include "kartiba/engine.h"

namespace kartiba::server {
namespace {

HttpResponse not_implemented(const char* what) {
  return HttpResponse::error(Error::not_found(std::string(what) + ": not implemented yet"));
}

}  // namespace

HttpResponse export_agenda_ics(Engine&, const std::string&, const Query&) {
  return not_implemented("agenda.ics");
}

HttpResponse export_pledges_csv(Engine&, const std::string&, const Query&) {
  return not_implemented("pledges.csv");
}

HttpResponse export_schedule_json(Engine&, const std::string&, const Query&) {
  return not_implemented("schedule.json");
}

}  // namespace kartiba::server
