// Helpers the network scenarios share (scenarios_net.cpp, dashboards.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "../report.h"

namespace kartiba::bench {

class ServerProcess;

// The kartiba-server binary to start; throws when there is none.
std::string require_server(const Settings& s);
// Creates plan `id` with kItemsPerPlan items over HTTP, in one import.
void create_plan_over_http(const ServerProcess& srv, const std::string& id);
// The value of "key":<number> in a JSON text, without parsing all of it.
uint64_t number_after(std::string_view text, std::string_view key);

}  // namespace kartiba::bench
