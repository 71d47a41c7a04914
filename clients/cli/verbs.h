// The kartiba CLI's verbs, registered on the CLI11 app by topic. Each verb's callback runs
// after parsing and leaves its exit code in ctx.exit_code (docs/CLI.md lists every verb).
#pragma once

namespace CLI {
class App;
}

namespace kartiba::cli {

struct Context;

// plans, agenda, view, history, changelog, export, import, watch
void add_read_verbs(CLI::App& app, Context& ctx);
// cmd, schedule, reschedule, status, pledge, tokens
void add_write_verbs(CLI::App& app, Context& ctx);
// import-text
void add_import_text_verb(CLI::App& app, Context& ctx);
// webhook add | list | deliveries | remove | enable
void add_webhook_verbs(CLI::App& app, Context& ctx);
// admin backup | restore | verify | stats | compact | dump (a data directory, no server)
void add_admin_verbs(CLI::App& app, Context& ctx);

}  // namespace kartiba::cli
