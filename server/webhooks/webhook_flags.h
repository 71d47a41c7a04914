// The --webhooks-* flags of kartiba-server (docs/SERVER.md), registered on its command line.
#pragma once

namespace CLI {
class App;
}

namespace kartiba::server::webhooks {

struct WebhookOptions;

void add_webhook_flags(CLI::App& cli, WebhookOptions& options);

}  // namespace kartiba::server::webhooks
