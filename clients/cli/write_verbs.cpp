// Verbs that change a plan or the server: cmd, schedule, reschedule, status, pledge, tokens.
#include <CLI/CLI.hpp>

#include <iostream>
#include <random>

#include "context.h"
#include "text_width.h"
#include "verbs.h"

namespace kartiba::cli {
namespace {

std::string plan_path(const std::string& plan) { return "/api/plans/" + url_encode(plan); }

std::string new_command_id() {
  std::random_device rd;
  std::mt19937_64 gen((uint64_t(rd()) << 32) ^ rd());
  char buf[40];
  std::snprintf(buf, sizeof buf, "cli-%016llx", static_cast<unsigned long long>(gen()));
  return buf;
}

struct CommandArgs {
  std::string type;
  json data = json::object();
  std::optional<uint64_t> base;
  std::string reason;
  std::string id;
};

// Sends one command; retries on a lost connection with the same id (the server answers a
// repeated id with the first answer and appends nothing).
int send_command(Context& ctx, const std::string& plan, CommandArgs args) {
  json command = {{"id", args.id.empty() ? new_command_id() : args.id}, {"type", args.type}, {"data", args.data}};
  if (args.base) command["base"] = *args.base;
  if (!args.reason.empty()) command["reason"] = args.reason;
  std::optional<json> ack;
  for (int attempt = 0; attempt < 3; ++attempt) {
    ctx.exit_code = kExitOk;
    ack = call_json(ctx, "POST", plan_path(plan) + "/commands", command.dump());
    if (ack || ctx.exit_code != kExitUnreachable) break;
  }
  if (!ack) return ctx.exit_code;
  if (ctx.json_output) {
    std::cout << ack->dump() << "\n";
    return kExitOk;
  }
  std::cout << "ok: " << plan << " revision " << ack->value("revision", 0) << " (" << (*ack)["events"].size()
            << (ack->value("duplicate", false) ? " events, already applied" : " events") << ")";
  if (auto created = ack->value("created", ""); !created.empty()) std::cout << ", created " << created;
  std::cout << "\n";
  return kExitOk;
}

std::vector<int> parse_goals(const std::string& list, bool& ok) {
  std::vector<int> out;
  ok = true;
  std::stringstream ss(list);
  for (std::string part; std::getline(ss, part, ',');) {
    if (part.empty()) continue;
    try {
      size_t used = 0;
      int g = std::stoi(part, &used);
      if (used != part.size()) ok = false;
      out.push_back(g);
    } catch (const std::exception&) {
      ok = false;
    }
  }
  return out;
}

std::vector<std::string> split_list(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream ss(list);
  for (std::string part; std::getline(ss, part, ',');)
    if (!part.empty()) out.push_back(part);
  return out;
}

// "10:30" keeps the date of `current` ("2024-05-16T09:00"); "2024-05-16T10:30" is taken as is.
std::optional<std::string> local_time(const std::string& given, const std::string& current) {
  auto digits = [](const std::string& s, size_t pos, size_t n) {
    for (size_t i = pos; i < pos + n; ++i)
      if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
    return true;
  };
  if (given.size() == 5 && digits(given, 0, 2) && given[2] == ':' && digits(given, 3, 2)) {
    if (current.size() < 10) return std::nullopt;
    return current.substr(0, 10) + "T" + given;
  }
  if ((given.size() == 16 || given.size() == 19) && digits(given, 0, 4) && given[4] == '-' && given[10] == 'T')
    return given;
  return std::nullopt;
}

int reschedule(Context& ctx, const std::string& plan, const std::string& item, const std::string& start,
               const std::string& end, const std::string& reason, bool no_base) {
  if (start.empty() && end.empty()) return fail("give --start, --end or both", kExitUsage);
  auto view = call_json(ctx, "GET", plan_path(plan));
  if (!view) return ctx.exit_code;
  const json* found = nullptr;
  for (auto& i : (*view)["items"])
    if (i.value("id", "") == item) found = &i;
  if (!found) return fail("no item '" + item + "' in " + plan);
  CommandArgs args;
  args.type = "reschedule-item";
  args.reason = reason;
  args.data = {{"item", item}};
  if (!no_base) args.base = view->value("revision", uint64_t(0));
  auto put = [&](const char* key, const std::string& given) {
    if (given.empty()) return true;
    const json& cur = (*found)[key];
    auto local = local_time(given, cur.value("local", ""));
    if (!local) return false;
    args.data[key] = {{"local", *local}, {"tz", cur.value("tz", view->value("timezone", ""))}};
    return true;
  };
  if (!put("start", start)) return fail("--start must be HH:MM or YYYY-MM-DDTHH:MM", kExitUsage);
  if (!put("end", end)) return fail("--end must be HH:MM or YYYY-MM-DDTHH:MM", kExitUsage);
  return send_command(ctx, plan, args);
}

int tokens_list(Context& ctx) {
  auto body = call_json(ctx, "GET", "/api/tokens");
  if (!body) return ctx.exit_code;
  if (ctx.json_output) {
    std::cout << body->dump() << "\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows = {{"ID", "ROLE", "NAME", "PLANS", "CREATED", "REVOKED"}};
  for (auto& t : (*body)["tokens"]) {
    std::string plans;
    for (auto& p : t["plans"]) plans += (plans.empty() ? "" : ",") + p.get<std::string>();
    rows.push_back({t.value("id", ""), t.value("role", ""), t.value("name", ""), plans,
                    t.value("created", "").substr(0, 16),
                    t["revoked"].is_string() ? t["revoked"].get<std::string>().substr(0, 16) : ""});
  }
  std::cout << format_table(rows, terminal_width());
  return kExitOk;
}

}  // namespace

void add_write_verbs(CLI::App& app, Context& ctx) {
  {
    auto* c = app.add_subcommand("cmd", "send one command: cmd PLAN TYPE --data JSON");
    auto plan = std::make_shared<std::string>();
    auto args = std::make_shared<CommandArgs>();
    auto data = std::make_shared<std::string>("{}");
    auto base = std::make_shared<uint64_t>(0);
    c->add_option("plan", *plan, "plan id")->required();
    c->add_option("type", args->type, "command type, e.g. reschedule-item")->required();
    c->add_option("--data", *data, "the command's data: JSON, @file or - for stdin");
    auto* base_opt = c->add_option("--base", *base, "the revision your view is at (conflict check)");
    c->add_option("--reason", args->reason, "why (kept in the history)");
    c->add_option("--id", args->id, "command id (default: a new one; reuse it to retry safely)");
    c->callback([&ctx, plan, args, data, base, base_opt] {
      std::string text = *data;
      if (!text.empty() && (text[0] == '@' || text == "-")) {
        auto read = read_input(text == "-" ? "-" : text.substr(1));
        if (!read) {
          ctx.exit_code = fail("cannot read " + text.substr(1), kExitUsage);
          return;
        }
        text = *read;
      }
      auto parsed = json::parse(text, nullptr, false);
      if (!parsed.is_object()) {
        ctx.exit_code = fail("--data must be a JSON object", kExitUsage);
        return;
      }
      CommandArgs a = *args;
      a.data = parsed;
      if (base_opt->count()) a.base = *base;
      ctx.exit_code = send_command(ctx, *plan, a);
    });
  }
  {
    auto* s = app.add_subcommand("schedule", "add an item to the agenda");
    auto plan = std::make_shared<std::string>();
    struct Opts {
      std::string item, title, kind, start, end, tz, venue, status, description, track, sdgs, reason;
      std::vector<std::string> topics, speakers;
    };
    auto o = std::make_shared<Opts>();
    s->add_option("plan", *plan, "plan id")->required();
    s->add_option("--title", o->title, "title")->required();
    s->add_option("--start", o->start, "YYYY-MM-DDTHH:MM (local time)")->required();
    s->add_option("--end", o->end, "YYYY-MM-DDTHH:MM or HH:MM on the start's date")->required();
    s->add_option("--item", o->item, "item id (default: the server makes one)");
    s->add_option("--kind", o->kind, "meeting, visit, presentation, break, travel, meal, other");
    s->add_option("--tz", o->tz, "zone of both times (default: the plan's)");
    s->add_option("--venue", o->venue, "venue id");
    s->add_option("--status", o->status, "confirmed, tentative or cancelled");
    s->add_option("--description", o->description, "description");
    s->add_option("--topic", o->topics, "a topic (repeat for more)");
    s->add_option("--speaker", o->speakers, "a person id (repeat for more)");
    s->add_option("--track", o->track, "track");
    s->add_option("--sdgs", o->sdgs, "SDG goals, e.g. 4,13");
    s->add_option("--reason", o->reason, "why");
    s->callback([&ctx, plan, o] {
      CommandArgs a;
      a.type = "schedule-item";
      a.reason = o->reason;
      auto start = local_time(o->start, "");
      auto end = local_time(o->end, o->start);
      if (!start || !end) {
        ctx.exit_code = fail("--start must be YYYY-MM-DDTHH:MM, --end that or HH:MM", kExitUsage);
        return;
      }
      json st = {{"local", *start}}, en = {{"local", *end}};
      if (!o->tz.empty()) st["tz"] = en["tz"] = o->tz;
      a.data = {{"title", o->title}, {"start", st}, {"end", en}};
      if (!o->item.empty()) a.data["item"] = o->item;
      for (auto [k, v] : {std::pair{"kind", &o->kind}, {"venue", &o->venue}, {"status", &o->status},
                          {"description", &o->description}, {"track", &o->track}})
        if (!v->empty()) a.data[k] = *v;
      if (!o->topics.empty()) a.data["topics"] = o->topics;
      if (!o->speakers.empty()) a.data["speakers"] = o->speakers;
      if (!o->sdgs.empty()) {
        bool ok;
        a.data["sdgs"] = parse_goals(o->sdgs, ok);
        if (!ok) {
          ctx.exit_code = fail("--sdgs must be goal numbers like 4,13", kExitUsage);
          return;
        }
      }
      ctx.exit_code = send_command(ctx, *plan, a);
    });
  }
  {
    auto* r = app.add_subcommand("reschedule", "move an item: reschedule PLAN ITEM --start HH:MM --end HH:MM");
    auto plan = std::make_shared<std::string>(), item = std::make_shared<std::string>();
    auto start = std::make_shared<std::string>(), end = std::make_shared<std::string>();
    auto reason = std::make_shared<std::string>();
    auto no_base = std::make_shared<bool>(false);
    r->add_option("plan", *plan, "plan id")->required();
    r->add_option("item", *item, "item id")->required();
    r->add_option("--start", *start, "HH:MM (same date) or YYYY-MM-DDTHH:MM");
    r->add_option("--end", *end, "HH:MM (same date) or YYYY-MM-DDTHH:MM");
    r->add_option("--reason", *reason, "why (kept in the history)");
    r->add_flag("--force", *no_base, "last writer wins: no conflict check against the revision read");
    r->callback([&ctx, plan, item, start, end, reason, no_base] {
      ctx.exit_code = reschedule(ctx, *plan, *item, *start, *end, *reason, *no_base);
    });
  }
  {
    auto* s = app.add_subcommand("status", "set an item's status: status PLAN ITEM confirmed|tentative|cancelled");
    auto plan = std::make_shared<std::string>(), item = std::make_shared<std::string>();
    auto status = std::make_shared<std::string>(), reason = std::make_shared<std::string>();
    s->add_option("plan", *plan, "plan id")->required();
    s->add_option("item", *item, "item id")->required();
    s->add_option("status", *status, "confirmed, tentative or cancelled")
        ->required()
        ->check(CLI::IsMember({"confirmed", "tentative", "cancelled"}));
    s->add_option("--reason", *reason, "why");
    s->callback([&ctx, plan, item, status, reason] {
      CommandArgs a;
      a.type = "set-item-status";
      a.reason = *reason;
      a.data = {{"item", *item}, {"status", *status}};
      ctx.exit_code = send_command(ctx, *plan, a);
    });
  }
  {
    auto* p = app.add_subcommand("pledge", "record a pledge: pledge PLAN --municipality M --title T");
    auto plan = std::make_shared<std::string>();
    struct Opts {
      std::string id, municipality, person, title, description, sdgs, targets, campaign, from, to, item, reason;
    };
    auto o = std::make_shared<Opts>();
    p->add_option("plan", *plan, "plan id")->required();
    p->add_option("--municipality", o->municipality, "who pledges")->required();
    p->add_option("--title", o->title, "what")->required();
    p->add_option("--person", o->person, "the person who pledges for it");
    p->add_option("--description", o->description, "details");
    p->add_option("--sdgs", o->sdgs, "SDG goals, e.g. 4,13");
    p->add_option("--targets", o->targets, "SDG targets, e.g. 4.7,13.3");
    p->add_option("--campaign", o->campaign, "campaign, e.g. Ilgtspējīgu pašvaldību nedēļa 2024");
    p->add_option("--from", o->from, "window start YYYY-MM-DD");
    p->add_option("--to", o->to, "window end YYYY-MM-DD");
    p->add_option("--item", o->item, "the agenda item it came from");
    p->add_option("--id", o->id, "pledge id (default: the server makes one)");
    p->add_option("--reason", o->reason, "why");
    p->callback([&ctx, plan, o] {
      CommandArgs a;
      a.type = "make-pledge";
      a.reason = o->reason;
      json by = {{"municipality", o->municipality}};
      if (!o->person.empty()) by["person"] = o->person;
      a.data = {{"by", by}, {"title", o->title}};
      if (!o->id.empty()) a.data["pledge"] = o->id;
      if (!o->description.empty()) a.data["description"] = o->description;
      if (!o->campaign.empty()) a.data["campaign"] = o->campaign;
      if (!o->item.empty()) a.data["item"] = o->item;
      if (!o->from.empty() || !o->to.empty()) {
        json w = json::object();
        if (!o->from.empty()) w["from"] = o->from;
        if (!o->to.empty()) w["to"] = o->to;
        a.data["window"] = w;
      }
      if (!o->sdgs.empty()) {
        bool ok;
        a.data["sdgs"] = parse_goals(o->sdgs, ok);
        if (!ok) {
          ctx.exit_code = fail("--sdgs must be goal numbers like 4,13", kExitUsage);
          return;
        }
      }
      if (!o->targets.empty()) a.data["targets"] = split_list(o->targets);
      ctx.exit_code = send_command(ctx, *plan, a);
    });
  }
  {
    auto* t = app.add_subcommand("tokens", "issue, list and revoke tokens (admin)");
    t->require_subcommand(1);
    auto* create = t->add_subcommand("create", "issue a token; prints it once");
    auto role = std::make_shared<std::string>(), name = std::make_shared<std::string>();
    auto plans = std::make_shared<std::string>();
    create->add_option("--role", *role, "admin, organiser or viewer")
        ->required()
        ->check(CLI::IsMember({"admin", "organiser", "viewer"}));
    create->add_option("--name", *name, "the holder's name: the actor on their events")->required();
    create->add_option("--plans", *plans, "plan ids, comma-separated");
    create->callback([&ctx, role, name, plans] {
      json body = {{"role", *role}, {"name", *name}, {"plans", split_list(*plans)}};
      auto issued = call_json(ctx, "POST", "/api/tokens", body.dump());
      if (!issued) return;
      if (ctx.json_output) {
        std::cout << issued->dump() << "\n";
        return;
      }
      std::cout << issued->value("token", "") << "\n";
      if (!ctx.quiet)
        std::cerr << "token id " << issued->value("id", "") << " (" << *role << ", " << *name
                  << "); the token is shown only this once\n";
    });
    auto* list = t->add_subcommand("list", "every token (without the secrets)");
    list->callback([&ctx] { ctx.exit_code = tokens_list(ctx); });
    auto* revoke = t->add_subcommand("revoke", "revoke a token at once, live sessions included");
    auto id = std::make_shared<std::string>();
    revoke->add_option("id", *id, "token id")->required();
    revoke->callback([&ctx, id] {
      auto done = call_json(ctx, "DELETE", "/api/tokens/" + url_encode(*id));
      if (!done) return;
      if (ctx.json_output) std::cout << done->dump() << "\n";
      else std::cout << "revoked " << *id << " (" << done->value("sessions_closed", 0) << " live sessions closed)\n";
    });
  }
}

}  // namespace kartiba::cli
