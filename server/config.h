// kartiba::server::Config — how the server runs: every flag of kartiba-server, with its default.
//
// Plain value type, filled once by main() from the command line and then only read.
// Thread-safety: immutable after start; any thread may read it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "webhooks/webhook_options.h"

namespace kartiba::server {

enum class LogLevel { error = 0, warn = 1, info = 2, debug = 3 };

struct Config {
  // --data: the data directory (RocksDB log, admin-token file).
  std::string data_dir = "./data";
  // --listen HOST:PORT; port 0 picks a free port.
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 8080;
  // --demo: load the demo plan into an empty data directory.
  bool demo = false;
  // --web: directory of the web app's assets. Empty = the source tree, then the install dir.
  std::string web_dir;
  // --log-level
  LogLevel log_level = LogLevel::info;
  // --threads: network threads (0 = the machine's core count).
  size_t threads = 0;
  // --work-threads: threads for CPU-heavy reads (views, history, exports).
  size_t work_threads = 2;
  // --max-body: request body and WebSocket message limit, bytes.
  size_t max_body = 1024 * 1024;
  // --max-json-depth: deepest nesting of arrays/objects accepted in a request.
  size_t max_json_depth = 64;
  // --max-header: request header limit, bytes.
  size_t max_header = 16 * 1024;
  // --max-connections: open connections (HTTP and WebSocket) before new ones get 503.
  size_t max_connections = 10000;
  // --rate: commands per second per token (0 = no limit); --rate-burst: bucket size.
  double rate = 50;
  double rate_burst = 100;
  // --idle-timeout: seconds an HTTP keep-alive connection or a silent WebSocket may idle.
  unsigned idle_timeout_s = 60;
  // --allowed-origin (repeatable): Origins allowed to open a WebSocket. Empty = the Origin
  // must name the same host as the request's Host header.
  std::vector<std::string> allowed_origins;
  // --ws-queue-bytes: per-session write-queue limit for event frames.
  size_t ws_queue_bytes = 4 * 1024 * 1024;
  // --ws-send-buffer: SO_SNDBUF of WebSocket sockets (0 = the system's default).
  int ws_send_buffer = 0;
  // --max-pending-work: queued read jobs before new ones get 503.
  size_t max_pending_work = 1024;
  // --link-viewers-max: live viewers over all public dashboard links; --link-viewers-per-link.
  size_t link_viewers_max = 10000;
  size_t link_viewers_per_link = 2000;
  // --webhooks-*: how webhooks are delivered (webhooks/webhook_options.h).
  webhooks::WebhookOptions webhooks;
};

}  // namespace kartiba::server
