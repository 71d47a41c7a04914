// import-text: a plain-text agenda (like the seed's "Darba kārtība") into a new or existing
// plan, through the server, or --dry-run to see the commands first.
#include <CLI/CLI.hpp>

#include <iostream>

#include "context.h"
#include "exports/text_agenda.h"
#include "verbs.h"

namespace kartiba::cli {
namespace {

int import_text(Context& ctx, const std::string& file, const std::string& plan, bool dry_run,
                const exports::TextAgendaOptions& options) {
  auto text = read_input(file);
  if (!text) return fail("cannot read " + file);
  auto agenda = exports::parse_text_agenda(*text, options);
  if (!agenda.error.empty()) return fail(file + ": " + agenda.error);

  // The plan as it is now, if it exists.
  json existing = nullptr;
  auto reply = http_request(ctx.server, ctx.token, "GET", "/api/plans/" + url_encode(plan));
  if (reply.status == 200) {
    existing = json::parse(reply.body, nullptr, false);
  } else if (reply.status != 404 && !dry_run) {
    call(ctx, "GET", "/api/plans/" + url_encode(plan));  // prints the reason
    return ctx.exit_code ? ctx.exit_code : kExitFailed;
  } else if (reply.status != 404 && dry_run && !ctx.quiet) {
    std::cerr << "kartiba: could not read plan " << plan << " from " << ctx.server.text()
              << (reply.status ? " (HTTP " + std::to_string(reply.status) + ")" : "") << "; showing it as a new plan\n";
  }
  auto requests = exports::text_agenda_commands(agenda, plan, existing);

  json unplaced = json::array();
  for (auto& u : agenda.unplaced) unplaced.push_back({{"line", u.line}, {"text", u.text}, {"why", u.why}});
  if (dry_run) {
    if (ctx.json_output) {
      requests["unplaced"] = unplaced;
      requests["notes"] = agenda.notes;
      std::cout << requests.dump() << "\n";
      return kExitOk;
    }
    if (requests["create"].is_object()) std::cout << "POST /api/plans " << requests["create"].dump() << "\n";
    for (auto& c : requests["commands"])
      std::cout << "POST /api/plans/" << plan << "/commands " << c.dump() << "\n";
    for (auto& n : agenda.notes) std::cout << "# note: " << n << "\n";
    if (unplaced.empty()) std::cout << "# every line was placed\n";
    for (auto& u : agenda.unplaced)
      std::cout << "# not placed: line " << u.line << ": " << u.text << "  (" << u.why << ")\n";
    return kExitOk;
  }

  if (requests["create"].is_object()) {
    if (!call_json(ctx, "POST", "/api/plans", requests["create"].dump())) return ctx.exit_code;
  }
  uint64_t revision = 0;
  size_t sent = 0;
  for (auto& c : requests["commands"]) {
    auto ack = call_json(ctx, "POST", "/api/plans/" + url_encode(plan) + "/commands", c.dump());
    if (!ack) {
      std::cerr << "kartiba: stopped at command " << sent + 1 << " of " << requests["commands"].size() << " ("
                << c.value("type", "") << "); the ones before it were applied, and running the import again "
                << "resends only what is missing\n";
      return ctx.exit_code;
    }
    revision = ack->value("revision", revision);
    ++sent;
  }
  for (auto& u : agenda.unplaced)
    std::cerr << "kartiba: not placed: line " << u.line << ": " << u.text << "  (" << u.why << ")\n";
  if (ctx.json_output) {
    std::cout << json{{"plan", plan}, {"created", requests["create"].is_object()}, {"commands", sent},
                      {"revision", revision}, {"unplaced", unplaced}}
                     .dump()
              << "\n";
  } else {
    std::cout << (requests["create"].is_object() ? "created " : "updated ") << plan << ": " << agenda.items.size()
              << " items read, " << sent << " commands sent" << (revision ? ", revision " + std::to_string(revision) : "")
              << "\n";
  }
  return kExitOk;
}

}  // namespace

void add_import_text_verb(CLI::App& app, Context& ctx) {
  auto* t = app.add_subcommand("import-text", "read a plain-text agenda (\"Darba kārtība\") into a plan");
  auto file = std::make_shared<std::string>(), plan = std::make_shared<std::string>();
  auto dry_run = std::make_shared<bool>(false);
  auto options = std::make_shared<exports::TextAgendaOptions>();
  t->add_option("file", *file, "the text file, or - for stdin")->required();
  t->add_option("--plan", *plan, "plan id (created when it does not exist)")->required();
  t->add_flag("--dry-run", *dry_run, "print the commands and the lines that could not be placed; send nothing");
  t->add_option("--year", options->year, "the year, when the document names none (or to override it)");
  t->add_option("--timezone", options->timezone, "the plan's IANA zone (default: from the document's place)");
  t->callback([&ctx, file, plan, dry_run, options] {
    ctx.exit_code = import_text(ctx, *file, *plan, *dry_run, *options);
  });
}

}  // namespace kartiba::cli
