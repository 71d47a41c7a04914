#include "webhooks/webhook_flags.h"

#include <CLI/CLI.hpp>

#include "webhooks/webhook_options.h"

namespace kartiba::server::webhooks {

void add_webhook_flags(CLI::App& cli, WebhookOptions& options) {
  cli.add_flag("--webhooks-allow-private", options.allow_private,
               "allow webhook targets on loopback, private, link-local and other non-public addresses");
  cli.add_option("--webhooks-timeout-ms", options.timeout_ms, "one webhook delivery attempt, at most, ms")
      ->check(CLI::Range(uint64_t{100}, uint64_t{600'000}))
      ->capture_default_str();
  cli.add_option("--webhooks-retry-base-ms", options.retry_base_ms, "first retry of a failed delivery after about this, ms (doubling)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{3'600'000}))
      ->capture_default_str();
  cli.add_option("--webhooks-retry-max-ms", options.retry_max_ms, "longest wait between retries, ms")
      ->check(CLI::Range(uint64_t{1}, uint64_t{86'400'000}))
      ->capture_default_str();
  cli.add_option("--webhooks-disable-after", options.disable_after_s,
                 "seconds of continuous failure after which a webhook is disabled")
      ->check(CLI::Range(uint64_t{1}, uint64_t{365} * 86'400))
      ->capture_default_str();
  cli.add_option("--webhooks-ca-file", options.ca_file, "PEM file of extra CA certificates trusted for https targets");
}

}  // namespace kartiba::server::webhooks
