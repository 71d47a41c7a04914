// The network scenarios (ws-commands, fanout, cold-start) need kartiba-server; until they are
// written they report that they did not run.
#include "scenarios.h"

namespace kartiba::bench {
void run_ws_commands(const Settings& s) { report(s, "ws-commands", {{{"ran", false}, {"why", "not written yet"}}}); }
void run_fanout(const Settings& s) { report(s, "fanout", {{{"ran", false}, {"why", "not written yet"}}}); }
void run_cold_start(const Settings& s) { report(s, "cold-start", {{{"ran", false}, {"why", "not written yet"}}}); }
}  // namespace kartiba::bench
