// kartiba — the command-line client and admin tool (docs/CLI.md).
#include <CLI/CLI.hpp>

#include <iostream>

#include "context.h"
#include "verbs.h"

int main(int argc, char** argv) {
  using namespace kartiba::cli;
  Context ctx;
  CLI::App app{"kartiba: the command line of the kartiba planning server"};
  app.name("kartiba");
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the verb: kartiba plans --json
  app.add_option("--server", ctx.server_flag, "server URL (default http://127.0.0.1:8080; env KARTIBA_SERVER)");
  app.add_option("--token", ctx.token_flag, "bearer token (env KARTIBA_TOKEN, or the config file)");
  app.add_option("--config", ctx.config_path, "config file (default ~/.config/kartiba/config.json)");
  app.add_flag("--json", ctx.json_output, "machine-readable JSON output");
  app.add_flag("-q,--quiet", ctx.quiet, "no progress messages on stderr");
  app.add_flag_callback(
      "--version", [] {
        std::cout << "kartiba 0.1.0\n";
        std::exit(0);
      },
      "print the version");

  add_read_verbs(app, ctx);
  add_write_verbs(app, ctx);
  add_import_text_verb(app, ctx);
  add_webhook_verbs(app, ctx);
  add_admin_verbs(app, ctx);

  // Resolve the server and token before any verb's callback runs (the admin verbs need
  // neither: a broken config file must not stop a restore).
  app.parse_complete_callback([&ctx, &app] {
    if (app.got_subcommand("admin")) return;
    if (!ctx.resolve()) throw CLI::RuntimeError(kExitUsage);
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  return ctx.exit_code;
}
