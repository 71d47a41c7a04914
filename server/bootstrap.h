// Start-up steps of kartiba-server that are not networking: where the web assets and the
// demo plan are, the admin token, the demo plan.
//
// Thread-safety: called once from main() before serving.
#pragma once

#include <optional>
#include <string>

#include "kartiba/error.h"

namespace kartiba::server {

struct App;

// The web asset directory: `flag` when given, else the source tree's clients/web, else the
// installed share/kartiba/web. "" when none exists.
std::string find_web_dir(const std::string& flag);
// The demo plan file (brussels-2024.json): source tree, then installed. "" when none (then
// load_demo uses the copy embedded in the engine library).
std::string find_demo_file();

// Makes the bootstrap admin token known to the token store: KARTIBA_ADMIN_TOKEN, else
// DIR/admin-token, else a new random one written to DIR/admin-token (mode 0600).
// Returns the token when it was created just now (to print once), nullopt otherwise.
Result<std::optional<std::string>> bootstrap_admin(App& app);

// Loads the demo plan into an empty data directory. Returns the plan id loaded, "" when the
// directory was not empty.
Result<std::string> load_demo(App& app);

}  // namespace kartiba::server
