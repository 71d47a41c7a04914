// Verbs that read: plans, agenda, view, history, changelog, export, import, watch.
#include <CLI/CLI.hpp>

#include <chrono>
#include <fstream>
#include <iostream>
#include <thread>

#include "context.h"
#include "exports/export_util.h"
#include "text_width.h"
#include "verbs.h"

namespace kartiba::cli {
namespace {

std::string plan_path(const std::string& plan) { return "/api/plans/" + url_encode(plan); }

std::string clock(const json& time) {
  std::string local = time.is_object() ? time.value("local", "") : "";
  return local.size() >= 16 ? local.substr(11, 5) : local;
}

int plans(Context& ctx) {
  auto body = call_json(ctx, "GET", "/api/plans");
  if (!body) return ctx.exit_code;
  if (ctx.json_output) {
    std::cout << body->dump() << "\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows = {{"PLAN", "REVISION", "TITLE"}};
  for (auto& p : (*body)["plans"])
    rows.push_back({p.value("id", ""), std::to_string(p.value("revision", 0)), p.value("title", "")});
  std::cout << format_table(rows, terminal_width(), {2});
  return kExitOk;
}

std::string view_target(const std::string& plan, const std::string& at, const std::string& asof) {
  std::string t = plan_path(plan);
  if (!at.empty()) t += "?at=" + url_encode(at);
  else if (!asof.empty()) t += "?asof=" + url_encode(asof);
  return t;
}

int agenda(Context& ctx, const std::string& plan, const std::string& at, std::string lang) {
  auto view = call_json(ctx, "GET", view_target(plan, at, ""));
  if (!view) return ctx.exit_code;
  if (ctx.json_output) {
    std::cout << json{{"plan", plan}, {"revision", (*view)["revision"]}, {"days", (*view)["days"]},
                      {"items", (*view)["items"]}}
                     .dump()
              << "\n";
    return kExitOk;
  }
  if (lang != "lv" && lang != "en") lang = view->value("language", "lv") == "en" ? "en" : "lv";
  const std::string tz = view->value("timezone", "");
  std::map<std::string, std::string> venue_names;
  for (auto& v : (*view)["venues"]) venue_names[v.value("id", "")] = v.value("name", "");
  std::map<std::string, const json*> items;
  for (auto& i : (*view)["items"]) items[i.value("id", "")] = &i;

  std::cout << view->value("title", plan) << "\n"
            << plan << " · " << (lang == "lv" ? "versija " : "revision ") << view->value("revision", 0) << " · "
            << tz << "\n";
  std::vector<std::vector<std::string>> rows;
  rows.push_back({lang == "lv" ? "DIENA" : "DAY", lang == "lv" ? "LAIKS" : "TIME", "", lang == "lv" ? "NOSAUKUMS" : "TITLE",
                  lang == "lv" ? "VIETA" : "VENUE"});
  for (auto& day : (*view)["days"]) {
    std::string date = day.value("date", "");
    std::string heading = exports::long_date(date, lang);
    if (day.contains("place") && day["place"].is_string()) heading += ", " + day["place"].get<std::string>();
    bool first = true;
    for (auto& id : day["items"]) {
      auto it = items.find(id.get<std::string>());
      if (it == items.end()) continue;
      const json& item = *it->second;
      std::string time = clock(item["start"]) + "–" + clock(item["end"]);
      std::string st = item["start"].value("tz", tz), et = item["end"].value("tz", tz);
      if (st != tz || et != tz) time += " (" + exports::zone_city(st) + "→" + exports::zone_city(et) + ")";
      std::string status = item.value("status", "");
      std::string flag = status == "tentative" ? "tbc" : status == "cancelled" ? (lang == "lv" ? "atcelts" : "cancelled") : "";
      std::string venue = item["venue"].is_string() ? venue_names[item["venue"].get<std::string>()] : "";
      rows.push_back({first ? heading : "", time, flag, item.value("title", ""), venue});
      first = false;
    }
    if (first) rows.push_back({heading, "", "", "", ""});
  }
  std::cout << format_table(rows, terminal_width(), {0, 3, 4});
  if (auto& conflicts = (*view)["conflicts"]; conflicts.is_array() && !conflicts.empty()) {
    std::cout << "\n" << (lang == "lv" ? "Konflikti:" : "Conflicts:") << "\n";
    for (auto& c : conflicts) std::cout << "  ! " << c["message"].value(lang, "") << "\n";
  }
  return kExitOk;
}

int view(Context& ctx, const std::string& plan, const std::string& at, const std::string& asof) {
  auto body = call_json(ctx, "GET", view_target(plan, at, asof));
  if (!body) return ctx.exit_code;
  std::cout << (ctx.json_output ? body->dump() : body->dump(2)) << "\n";
  return kExitOk;
}

int history(Context& ctx, const std::string& plan, const std::string& lang, uint64_t from) {
  json all = json::array();
  for (;;) {
    std::string target = plan_path(plan) + "/history?limit=1000&from=" + std::to_string(from);
    if (!lang.empty()) target += "&lang=" + url_encode(lang);
    auto page = call_json(ctx, "GET", target);
    if (!page) return ctx.exit_code;
    auto& entries = (*page)["entries"];
    if (!entries.is_array() || entries.empty()) break;
    for (auto& e : entries) {
      if (ctx.json_output) {
        std::cout << e.dump() << "\n";
        continue;
      }
      std::string at = e.value("at", "");
      std::cout << "r" << e.value("revision", 0) << "  " << at.substr(0, 16) << "  " << e.value("actor", "") << "  "
                << e.value("text", "") << "\n";
    }
    const json& n = (*page)["next"];
    uint64_t next = n.is_number_unsigned() ? n.get<uint64_t>() : 0;
    if (next <= from) break;
    from = next;
  }
  return kExitOk;
}

std::string when(const json& t) {
  return t.is_object() ? t.value("local", "").substr(0, 16) + (t.contains("tz") ? " " + exports::zone_city(t["tz"]) : "")
                       : "";
}

int changelog(Context& ctx, const std::string& plan, const std::string& from, const std::string& to) {
  std::string target = plan_path(plan) + "/changelog";
  std::string sep = "?";
  if (!from.empty()) target += sep + "from=" + url_encode(from), sep = "&";
  if (!to.empty()) target += sep + "to=" + url_encode(to);
  auto c = call_json(ctx, "GET", target);
  if (!c) return ctx.exit_code;
  if (ctx.json_output) {
    std::cout << c->dump() << "\n";
    return kExitOk;
  }
  std::cout << "changes from revision " << c->value("from", 0) << " to " << c->value("to", 0) << "\n";
  auto section = [&](const char* key, const char* heading, auto line) {
    auto& list = (*c)[key];
    if (!list.is_array() || list.empty()) return;
    std::cout << heading << ":\n";
    for (auto& e : list) std::cout << "  " << e.value("kind", "") << " " << e.value("id", "") << "  " << line(e) << "\n";
  };
  auto title = [](const json& e) { return e.value("title", ""); };
  section("added", "added", title);
  section("removed", "removed", title);
  section("moved", "moved", [&](const json& e) {
    return e.value("title", "") + "  " + when(e["old"]["start"]) + " → " + when(e["new"]["start"]);
  });
  section("cancelled", "cancelled", title);
  section("changed", "changed", [&](const json& e) {
    std::string s = e.value("title", "");
    for (auto& [f, v] : e["fields"].items()) {
      auto show = [](const json& x) { return x.is_string() ? x.get<std::string>() : x.dump(); };
      s += "\n      " + f + ": " + show(v["old"]) + " → " + show(v["new"]);
    }
    return s;
  });
  return kExitOk;
}

int export_plan(Context& ctx, const std::string& plan, const std::string& format, const std::string& lang,
                const std::string& output) {
  static const std::map<std::string, std::string> kFiles = {
      {"json", "export.json"}, {"ics", "agenda.ics"}, {"csv", "pledges.csv"}, {"schedule", "schedule.json"},
      {"html", "agenda.html"}, {"report", "report.html"}};
  auto file = kFiles.find(format);
  if (file == kFiles.end()) return fail("--format must be json, ics, csv, schedule, html or report", kExitUsage);
  std::string target = plan_path(plan) + "/" + file->second;
  if ((format == "html" || format == "report") && !lang.empty()) target += "?lang=" + url_encode(lang);
  auto body = call(ctx, "GET", target);
  if (!body) return ctx.exit_code;
  if (output.empty() || output == "-") {
    std::cout << *body;
    if (format == "json") std::cout << "\n";
    return kExitOk;
  }
  std::ofstream out(output, std::ios::binary);
  out << *body;
  if (!out.good()) return fail("cannot write " + output);
  if (!ctx.quiet) std::cerr << "wrote " << output << " (" << body->size() << " bytes)\n";
  return kExitOk;
}

int import_plan(Context& ctx, const std::string& file) {
  auto text = read_input(file);
  if (!text) return fail("cannot read " + file);
  auto view = call_json(ctx, "POST", "/api/plans/import", *text);
  if (!view) return ctx.exit_code;
  if (ctx.json_output) std::cout << json{{"plan", (*view)["id"]}, {"revision", (*view)["revision"]}}.dump() << "\n";
  else std::cout << "imported " << view->value("id", "") << " at revision " << view->value("revision", 0) << "\n";
  return kExitOk;
}

// One event as a line: "r12 2024-05-15T10:20 K. Miķelsone ItemRescheduled bornem — reason".
std::string event_line(const json& e) {
  std::string line = "r" + std::to_string(e.value("revision", 0)) + "  " + e.value("at", "").substr(0, 19) + "  " +
                     e.value("actor", "") + "  " + e.value("type", "");
  if (e.contains("data") && e["data"].is_object())
    for (const char* k : {"item", "venue", "person", "pledge", "decision", "date", "name"})
      if (e["data"].contains(k) && e["data"][k].is_string()) {
        line += "  " + e["data"][k].get<std::string>();
        break;
      }
  if (auto reason = e.value("reason", ""); !reason.empty()) line += "  — " + reason;
  return line;
}

int watch(Context& ctx, const std::string& plan, std::optional<uint64_t> from, uint64_t count) {
  uint64_t seen = 0;
  bool welcomed_once = false;
  int backoff = 1;
  for (;;) {
    std::string error;
    auto ws = ws_connect(ctx.server, error);
    if (!ws) {
      if (!welcomed_once) return fail("cannot reach the server at " + ctx.server.text() + ": " + error, kExitUnreachable);
      std::cerr << "kartiba: connection lost (" << error << "); retrying in " << backoff << " s\n";
      std::this_thread::sleep_for(std::chrono::seconds(backoff));
      backoff = std::min(backoff * 2, 30);
      continue;
    }
    if (!ws->send(json{{"type", "auth"}, {"token", ctx.token}}.dump(), error)) return fail(error);
    json sub = {{"type", "subscribe"}, {"plan", plan}};
    if (from) sub["from"] = *from;
    bool subscribed = false;
    for (;;) {
      auto frame = ws->receive(error);
      if (!frame) break;
      auto m = json::parse(*frame, nullptr, false);
      if (!m.is_object()) continue;
      const std::string type = m.value("type", "");
      if (type == "welcome") {
        welcomed_once = true;
        backoff = 1;
        if (!ws->send(sub.dump(), error)) break;
        subscribed = true;
      } else if (type == "snapshot") {
        from = m.value("revision", uint64_t(0));
        if (!ctx.quiet) std::cerr << "watching " << plan << " from revision " << *from << "\n";
      } else if (type == "event") {
        const json& e = m["event"];
        uint64_t rev = e.value("revision", uint64_t(0));
        if (from && rev <= *from) continue;  // after a reconnect: never twice
        from = rev;
        std::cout << (ctx.json_output ? e.dump() : event_line(e)) << std::endl;
        if (count && ++seen >= count) {
          ws->close();
          return kExitOk;
        }
      } else if (type == "lagging") {
        // Too slow for the server: resubscribe from the last revision printed.
        json again = {{"type", "subscribe"}, {"plan", plan}, {"from", from.value_or(0)}};
        ws->send(json{{"type", "unsubscribe"}, {"plan", plan}}.dump(), error);
        ws->send(again.dump(), error);
      } else if (type == "error" || type == "rejected") {
        auto& err = m["error"];
        std::string message = err.value("code", "error") + ": " + err.value("message", "");
        if (!subscribed || err.value("code", "") == "unauthorized" || err.value("code", "") == "forbidden" ||
            err.value("code", "") == "not_found")
          return fail(message);
        std::cerr << "kartiba: " << message << "\n";
      }
    }
    if (!welcomed_once) return fail("the server refused the connection: " + error);
    if (!subscribed) return fail(error);
    std::cerr << "kartiba: connection lost (" << error << "); resuming from revision " << from.value_or(0) << "\n";
    std::this_thread::sleep_for(std::chrono::seconds(backoff));
    backoff = std::min(backoff * 2, 30);
  }
}

}  // namespace

void add_read_verbs(CLI::App& app, Context& ctx) {
  auto* p = app.add_subcommand("plans", "list the plans this token may read");
  p->callback([&ctx] { ctx.exit_code = plans(ctx); });

  {
    auto* a = app.add_subcommand("agenda", "the plan's agenda as a table");
    auto plan = std::make_shared<std::string>();
    auto at = std::make_shared<std::string>();
    auto lang = std::make_shared<std::string>();
    a->add_option("plan", *plan, "plan id")->required();
    a->add_option("--at", *at, "as it was at this revision");
    a->add_option("--lang", *lang, "lv or en (default: the plan's language)");
    a->callback([&ctx, plan, at, lang] { ctx.exit_code = agenda(ctx, *plan, *at, *lang); });
  }
  {
    auto* v = app.add_subcommand("view", "the plan's whole view (JSON)");
    auto plan = std::make_shared<std::string>();
    auto at = std::make_shared<std::string>();
    auto asof = std::make_shared<std::string>();
    v->add_option("plan", *plan, "plan id")->required();
    v->add_option("--at", *at, "the view at this revision (time travel)");
    v->add_option("--asof", *asof, "the view at this time (RFC 3339)");
    v->callback([&ctx, plan, at, asof] { ctx.exit_code = view(ctx, *plan, *at, *asof); });
  }
  {
    auto* h = app.add_subcommand("history", "the audit trail, one line per event");
    auto plan = std::make_shared<std::string>();
    auto lang = std::make_shared<std::string>();
    auto from = std::make_shared<uint64_t>(0);
    h->add_option("plan", *plan, "plan id")->required();
    h->add_option("--lang", *lang, "lv or en")->check(CLI::IsMember({"lv", "en"}));
    h->add_option("--from", *from, "only events after this revision");
    h->callback([&ctx, plan, lang, from] { ctx.exit_code = history(ctx, *plan, *lang, *from); });
  }
  {
    auto* c = app.add_subcommand("changelog", "what changed between two revisions or releases");
    auto plan = std::make_shared<std::string>();
    auto from = std::make_shared<std::string>();
    auto to = std::make_shared<std::string>();
    c->add_option("plan", *plan, "plan id")->required();
    c->add_option("--from", *from, "revision or release name (default: the last release)");
    c->add_option("--to", *to, "revision or release name (default: now)");
    c->callback([&ctx, plan, from, to] { ctx.exit_code = changelog(ctx, *plan, *from, *to); });
  }
  {
    auto* e = app.add_subcommand("export", "download the plan: export.json (default), ics, csv, schedule, html or report");
    auto plan = std::make_shared<std::string>();
    auto out = std::make_shared<std::string>();
    auto format = std::make_shared<std::string>("json");
    auto lang = std::make_shared<std::string>();
    e->add_option("plan", *plan, "plan id")->required();
    e->add_option("-o,--output", *out, "file to write (default: stdout)");
    e->add_option("--format", *format, "json | ics | csv | schedule | html | report");
    e->add_option("--lang", *lang, "for html and report: lv or en");
    e->callback([&ctx, plan, out, format, lang] { ctx.exit_code = export_plan(ctx, *plan, *format, *lang, *out); });
  }
  {
    auto* i = app.add_subcommand("import", "create a plan from an export.json file (admin)");
    auto file = std::make_shared<std::string>();
    i->add_option("file", *file, "export.json file, or - for stdin")->required();
    i->callback([&ctx, file] { ctx.exit_code = import_plan(ctx, *file); });
  }
  {
    auto* w = app.add_subcommand("watch", "print the plan's events as they happen (WebSocket)");
    auto plan = std::make_shared<std::string>();
    auto from = std::make_shared<uint64_t>(0);
    auto count = std::make_shared<uint64_t>(0);
    w->add_option("plan", *plan, "plan id")->required();
    auto* from_opt = w->add_option("--from", *from, "replay every event after this revision first");
    w->add_option("--count", *count, "stop after this many events (0 = never)");
    w->callback([&ctx, plan, from, from_opt, count] {
      ctx.exit_code = watch(ctx, *plan, from_opt->count() ? std::optional<uint64_t>(*from) : std::nullopt, *count);
    });
  }
}

}  // namespace kartiba::cli
