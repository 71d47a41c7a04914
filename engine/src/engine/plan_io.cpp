// Creating, exporting and importing whole plans (docs/PROTOCOL.md, export.json).
#include <future>

#include "core/time_format.h"
#include "domain/event_types.h"
#include "domain/fields.h"
#include "engine/engine_impl.h"

namespace kartiba {
namespace {

using json = nlohmann::json;

CommandOutcome fail(Error e) {
  CommandOutcome o;
  o.error = std::move(e);
  return o;
}

CommandOutcome run(EngineImpl& engine, const std::string& plan, PendingCommand pending) {
  std::promise<CommandOutcome> promise;
  auto future = promise.get_future();
  pending.done = [&promise](CommandOutcome o) { promise.set_value(std::move(o)); };
  engine.submit(plan, std::move(pending), true);
  return future.get();
}

PendingCommand make(const std::string& type, json data, const std::string& actor) {
  PendingCommand p;
  p.command.type = type;
  p.command.data = std::move(data);
  p.actor = actor;
  p.admin = true;
  return p;
}

json pick(const json& from, std::initializer_list<const char*> fields) {
  json out = json::object();
  for (auto* f : fields)
    if (from.contains(f) && !from[f].is_null()) out[f] = from[f];
  return out;
}

// The commands a user would send to build the document's plan.
Result<std::vector<PendingCommand>> commands_for(const json& doc, const std::string& actor) {
  std::vector<PendingCommand> out;
  auto list = [&](const char* name) -> const json& {
    static const json empty = json::array();
    if (!doc.contains(name)) return empty;
    return doc[name];
  };
  for (const char* name : {"days", "venues", "people", "items", "pledges", "decisions", "releases"})
    if (doc.contains(name) && !doc[name].is_array())
      return Error::invalid(std::string(name) + " must be a list", std::string("/") + name);
  out.push_back(make("create-plan", doc["plan"], actor));
  for (auto& d : list("days")) out.push_back(make("set-day", pick(d, {"date", "title", "place"}), actor));
  for (auto& v : list("venues")) {
    json data = v;
    if (v.is_object() && v.contains("id")) {
      data.erase("id");
      data["venue"] = v["id"];
    }
    out.push_back(make("add-venue", data, actor));
  }
  for (auto& p : list("people")) {
    json data = p;
    if (p.is_object() && p.contains("id")) {
      data.erase("id");
      data["person"] = p["id"];
    }
    out.push_back(make("add-person", data, actor));
  }
  for (auto& i : list("items")) {
    json data = pick(i, {"title", "kind", "start", "end", "venue", "description", "topics", "status", "sdgs", "track", "speakers"});
    if (i.is_object() && i.contains("id")) data["item"] = i["id"];
    out.push_back(make("schedule-item", data, actor));
  }
  for (auto& p : list("pledges")) {
    json data = pick(p, {"by", "title", "description", "sdgs", "targets", "campaign", "window", "item"});
    if (p.is_object() && p.contains("id")) data["pledge"] = p["id"];
    out.push_back(make("make-pledge", data, actor));
    if (!p.is_object() || !p.contains("id")) continue;
    std::string status = p.value("status", "proposed");
    int progress = p.contains("progress") && p["progress"].is_number_integer() ? p["progress"].get<int>() : 0;
    if (progress > 0 && status != "fulfilled")
      out.push_back(make("report-pledge-progress", {{"pledge", p["id"]}, {"percent", progress}}, actor));
    if (status != "proposed") {
      json s = {{"pledge", p["id"]}, {"status", status}};
      if (p.contains("status_note") && p["status_note"].is_string() && !p["status_note"].get<std::string>().empty())
        s["note"] = p["status_note"];
      out.push_back(make("set-pledge-status", s, actor));
    }
  }
  for (auto& d : list("decisions")) {
    json data = pick(d, {"title", "text", "items", "pledges"});
    if (d.is_object() && d.contains("id")) data["decision"] = d["id"];
    out.push_back(make("record-decision", data, actor));
  }
  for (auto& r : list("releases")) out.push_back(make("publish-release", pick(r, {"name", "note"}), actor));
  return out;
}

Result<std::vector<Event>> events_for(const json& doc, const std::string& plan) {
  std::vector<Event> out;
  const json& events = doc["events"];
  if (!events.is_array() || events.empty()) return Error::invalid("events must be a non-empty list", "/events");
  for (size_t i = 0; i < events.size(); ++i) {
    const json& j = events[i];
    std::string path = "/events/" + std::to_string(i);
    try {
      Event e;
      e.plan = plan;
      e.revision = j.at("revision").get<uint64_t>();
      e.type = j.at("type").get<std::string>();
      if (!event_type(e.type)) return Error::invalid("unknown event type '" + e.type + "'", path + "/type");
      auto at = parse_rfc3339_ms(j.at("at").get<std::string>());
      if (!at) return Error::invalid("at is not an RFC 3339 time", path + "/at");
      e.at_ms = *at;
      e.actor = j.at("actor").get<std::string>();
      e.command = j.at("command").get<std::string>();
      e.reason = j.value("reason", "");
      e.data = j.at("data");
      if (!e.data.is_object()) return Error::invalid("data must be an object", path + "/data");
      e.hash = j.at("hash").get<std::string>();
      if (j.at("plan").get<std::string>() != plan)
        return Error::invalid("event belongs to plan '" + j["plan"].get<std::string>() + "'", path + "/plan");
      out.push_back(std::move(e));
    } catch (const json::exception& ex) {
      return Error::invalid(std::string("malformed event: ") + ex.what(), path);
    }
  }
  if (out.front().type != "PlanCreated") return Error::invalid("the first event must be PlanCreated", "/events/0/type");
  return out;
}

}  // namespace

CommandOutcome Engine::create_plan(const std::string& plan_json, const std::string& actor) {
  auto& self = static_cast<EngineImpl&>(*this);
  auto data = json::parse(plan_json, nullptr, false);
  if (data.is_discarded()) return fail(Error::invalid("the body is not valid JSON"));
  if (!data.is_object()) return fail(Error::invalid("a plan is an object {\"id\",\"title\",\"timezone\",…}"));
  if (!data.contains("id") || !data["id"].is_string() || !is_plan_id(data["id"]))
    return fail(Error::invalid("a plan id is 1–64 characters of a–z 0–9 and -, starting with a letter or digit", "/id"));
  std::string id = data["id"];
  if (self.has_plan(id)) return fail(Error::conflict("plan '" + id + "' already exists", "/id"));
  auto out = run(self, id, make("create-plan", data, actor));
  if (!out.ok && out.error && out.error->path().rfind("/data", 0) == 0)
    out.error = Error(out.error->code(), out.error->message(), out.error->path().substr(5), out.error->details_json());
  return out;
}

CommandOutcome Engine::import_plan(const std::string& export_json, const std::string& actor) {
  auto& self = static_cast<EngineImpl&>(*this);
  auto doc = json::parse(export_json, nullptr, false);
  if (doc.is_discarded()) return fail(Error::invalid("the document is not valid JSON"));
  if (!doc.is_object() || !doc.contains("plan") || !doc["plan"].is_object())
    return fail(Error::invalid("an export has a \"plan\" object", "/plan"));
  if (doc.contains("format") && doc["format"] != "kartiba-export")
    return fail(Error::invalid("not a kartiba export", "/format"));
  if (doc.contains("version") && doc["version"] != 1)
    return fail(Error::invalid("this server reads export version 1", "/version"));
  const json& plan = doc["plan"];
  if (!plan.contains("id") || !plan["id"].is_string() || !is_plan_id(plan["id"]))
    return fail(Error::invalid("a plan id is 1–64 characters of a–z 0–9 and -", "/plan/id"));
  std::string id = plan["id"];
  if (self.has_plan(id)) return fail(Error::conflict("plan '" + id + "' already exists", "/plan/id"));

  PendingCommand p;
  p.actor = actor;
  p.admin = true;
  p.command.type = "import";
  p.command.id = "import-" + id;
  if (doc.contains("events")) {
    auto events = events_for(doc, id);
    if (!events.ok()) return fail(events.error());
    p.verbatim = std::make_shared<std::vector<Event>>(std::move(events.value()));
  } else {
    auto commands = commands_for(doc, actor);
    if (!commands.ok()) return fail(commands.error());
    p.group = std::make_shared<std::vector<PendingCommand>>(std::move(commands.value()));
  }
  return run(self, id, std::move(p));
}

Result<std::string> EngineImpl::export_unguarded(const std::string& plan) {
  auto state = current_state(plan);
  if (!state) return Error::not_found("no plan '" + plan + "'");
  auto strip = [](const EntityIndex& m, std::initializer_list<const char*> drop) {
    json a = json::array();
    for (auto& [id, e] : m.all_json()) {
      json x = std::move(e);
      for (auto* d : drop) x.erase(d);
      a.push_back(std::move(x));
    }
    return a;
  };
  json days = json::array();
  for (auto& [date, d] : state->days) {
    json x = entity_json(d.value);
    x["date"] = date;
    days.push_back(std::move(x));
  }
  json releases = json::array();
  for (auto& r : state->releases) releases.push_back({{"name", r.name}, {"note", r.note}});
  auto evs = read_events(plan, 0, state->revision, false);
  if (!evs.ok()) return evs.error();
  json events = json::array();
  for (auto& e : evs.value()) {
    json j = e->to_json();
    j.erase("seq");  // where this log put it; another server numbers it anew
    events.push_back(std::move(j));
  }
  json doc = {{"format", "kartiba-export"},
              {"version", 1},
              {"plan", state->plan_json()},
              {"revision", state->revision},
              {"days", days},
              {"venues", strip(state->venues, {})},
              {"people", strip(state->people, {})},
              {"items", strip(state->items, {})},
              {"pledges", strip(state->pledges, {"reports"})},
              {"decisions", strip(state->decisions, {"revision", "at", "actor"})},
              {"releases", releases},
              {"events", events}};
  return doc.dump(2);
}

}  // namespace kartiba
