// kartiba-server: HTTP + WebSocket on one port over the engine's log in a data directory.
//
// Start: flags, engine, tokens, demo plan, listen, print `listening on http://HOST:PORT`.
// Stop (SIGTERM/SIGINT): stop accepting, let in-flight commands finish and be acknowledged,
// close every connection, flush, exit 0.
#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <future>
#include <iostream>
#include <thread>

#include <boost/asio/signal_set.hpp>
#include <CLI/CLI.hpp>

#include "app.h"
#include "beast.h"
#include "bootstrap.h"
#include "kartiba/engine.h"
#include "listener.h"
#include "log.h"
#include "webhooks/webhook_flags.h"
#include "webhooks/webhooks.h"

using namespace kartiba;
using namespace kartiba::server;

namespace {

struct HostPort {
  std::string host;
  uint16_t port = 0;
};

std::optional<HostPort> parse_listen(const std::string& text) {
  HostPort hp;
  std::string port;
  if (!text.empty() && text[0] == '[') {
    const size_t close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') return std::nullopt;
    hp.host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string::npos) return std::nullopt;
    hp.host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (hp.host.empty() || port.empty() || port.size() > 5) return std::nullopt;
  unsigned long value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned long>(c - '0');
  }
  if (value > 65535) return std::nullopt;
  hp.port = static_cast<uint16_t>(value);
  return hp;
}

// Raises the soft limit of open files to the hard limit: each connection is a descriptor, and
// shells often start programs with a soft limit of 1024.
void raise_open_files_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

std::string url_host(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace

int main(int argc, char** argv) {
  Config cfg;
  std::string listen = "127.0.0.1:8080";
  std::string level = "info";

  CLI::App cli{"kartiba-server: the kartiba planning server (HTTP + WebSocket)"};
  // A flag given twice takes its last value (scripts append overrides).
  cli.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  cli.add_option("--data", cfg.data_dir, "data directory")->capture_default_str();
  cli.add_option("--listen", listen, "HOST:PORT to listen on; port 0 picks a free port")->capture_default_str();
  cli.add_flag("--demo", cfg.demo, "load the demo plan (brussels-2024) into an empty data directory");
  cli.add_option("--web", cfg.web_dir, "web app directory (default: the source tree's clients/web, else the installed one)");
  cli.add_option("--log-level", level, "error|warn|info|debug")
      ->check(CLI::IsMember({"error", "warn", "info", "debug"}))
      ->capture_default_str();
  cli.add_option("--threads", cfg.threads, "network threads (0 = one per core)")->capture_default_str();
  cli.add_option("--work-threads", cfg.work_threads, "threads for heavy reads (views, history, exports)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cli.add_option("--max-body", cfg.max_body, "request body and WebSocket message limit, bytes")
      ->check(CLI::Range(size_t{1}, size_t{1} << 34))
      ->capture_default_str();
  cli.add_option("--max-json-depth", cfg.max_json_depth, "deepest JSON nesting accepted")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  cli.add_option("--max-header", cfg.max_header, "request header limit, bytes")
      ->check(CLI::Range(size_t{256}, size_t{1} << 24))
      ->capture_default_str();
  cli.add_option("--max-connections", cfg.max_connections, "open connections before new ones get 503")
      ->check(CLI::Range(size_t{1}, size_t{1} << 24))
      ->capture_default_str();
  cli.add_option("--rate", cfg.rate, "commands per second per token (0 = unlimited)")
      ->check(CLI::Range(0.0, 1e9))
      ->capture_default_str();
  cli.add_option("--rate-burst", cfg.rate_burst, "commands a token may send at once before --rate applies")
      ->check(CLI::Range(1.0, 1e9))
      ->capture_default_str();
  cli.add_option("--idle-timeout", cfg.idle_timeout_s, "seconds an idle connection stays open")
      ->check(CLI::Range(1u, 86400u))
      ->capture_default_str();
  cli.add_option("--allowed-origin", cfg.allowed_origins,
                 "Origin allowed to open a WebSocket (repeatable; default: same host as Host)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cli.add_option("--ws-queue-bytes", cfg.ws_queue_bytes, "per-WebSocket write-queue limit for events, bytes")
      ->check(CLI::Range(size_t{1024}, size_t{1} << 34))
      ->capture_default_str();
  cli.add_option("--ws-send-buffer", cfg.ws_send_buffer, "SO_SNDBUF of WebSocket sockets, bytes (0 = system default)")
      ->check(CLI::Range(0, 1 << 30))
      ->capture_default_str();
  cli.add_option("--max-pending-work", cfg.max_pending_work, "queued heavy reads before new ones get 503")
      ->check(CLI::Range(size_t{1}, size_t{1} << 24))
      ->capture_default_str();
  cli.add_option("--link-viewers-max", cfg.link_viewers_max, "live viewers over all public dashboard links")
      ->check(CLI::Range(size_t{0}, size_t{1} << 24))
      ->capture_default_str();
  cli.add_option("--link-viewers-per-link", cfg.link_viewers_per_link, "live viewers of one public dashboard link")
      ->check(CLI::Range(size_t{0}, size_t{1} << 24))
      ->capture_default_str();
  webhooks::add_webhook_flags(cli, cfg.webhooks);
  CLI11_PARSE(cli, argc, argv);

  auto hp = parse_listen(listen);
  if (!hp) {
    std::cerr << "kartiba-server: --listen must be HOST:PORT, got " << listen << "\n";
    return 2;
  }
  cfg.listen_host = hp->host;
  cfg.listen_port = hp->port;
  cfg.log_level = level == "error" ? LogLevel::error
                  : level == "warn" ? LogLevel::warn
                  : level == "debug" ? LogLevel::debug
                                     : LogLevel::info;
  log::set_level(cfg.log_level);
  if (cfg.threads == 0) cfg.threads = std::max(1u, std::thread::hardware_concurrency());
  raise_open_files_limit();

  // Resolve the address before opening anything.
  // Destroyed explicitly before the engine: its handlers own sessions that own subscriptions.
  auto ioc_owner = std::make_unique<net::io_context>(static_cast<int>(cfg.threads));
  net::io_context& ioc = *ioc_owner;
  tcp::endpoint endpoint;
  {
    beast::error_code ec;
    auto address = net::ip::make_address(cfg.listen_host, ec);
    if (ec) {
      tcp::resolver resolver(ioc);
      auto results = resolver.resolve(cfg.listen_host, std::to_string(cfg.listen_port), ec);
      if (ec || results.empty()) {
        std::cerr << "kartiba-server: cannot resolve " << cfg.listen_host << ": " << ec.message() << "\n";
        return 2;
      }
      endpoint = *results.begin();
    } else {
      endpoint = tcp::endpoint(address, cfg.listen_port);
    }
  }

  auto app = std::make_shared<App>(cfg);
  app->web_dir = find_web_dir(cfg.web_dir);

  Options options;
  options.data_dir = cfg.data_dir;
  auto engine = Engine::open(options);
  if (!engine.ok()) {
    std::cerr << "kartiba-server: cannot open " << cfg.data_dir << ": " << engine.error().message() << "\n";
    return 1;
  }
  app->engine = std::move(engine.value());
  app->tokens = std::make_unique<TokenStore>(*app->engine);
  app->limiter = std::make_unique<RateLimiter>(cfg.rate, cfg.rate_burst);
  app->work = std::make_unique<WorkPool>(cfg.work_threads, cfg.max_pending_work);
  if (Status st = app->tokens->load(); !st.ok()) {
    std::cerr << "kartiba-server: " << st.error().message() << "\n";
    return 1;
  }
  app->links = std::make_unique<LinkStore>(*app->engine, cfg.link_viewers_max, cfg.link_viewers_per_link);
  if (Status st = app->links->load(); !st.ok()) {
    std::cerr << "kartiba-server: " << st.error().message() << "\n";
    return 1;
  }
  app->metrics.link_viewers_limit = static_cast<int64_t>(cfg.link_viewers_max);
  app->metrics.link_viewers_per_link_limit = static_cast<int64_t>(cfg.link_viewers_per_link);
  app->derived = std::make_unique<DerivedFeeds>(*app->engine, app->metrics);
  app->webhooks = std::make_unique<webhooks::Webhooks>(*app->engine, *app->work, ioc, cfg.webhooks);
  if (Status st = app->webhooks->start(); !st.ok()) {
    std::cerr << "kartiba-server: webhooks: " << st.error().message() << "\n";
    return 1;
  }
  auto admin = bootstrap_admin(*app);
  if (!admin.ok()) {
    std::cerr << "kartiba-server: " << admin.error().message() << "\n";
    return 1;
  }
  std::string demo_plan;
  if (cfg.demo) {
    auto loaded = load_demo(*app);
    if (!loaded.ok()) {
      std::cerr << "kartiba-server: --demo: " << loaded.error().message() << "\n";
      return 1;
    }
    demo_plan = loaded.value().empty() ? "brussels-2024" : loaded.value();
  }

  beast::error_code ec;
  auto listener = std::make_shared<Listener>(ioc, endpoint, app, ec);
  if (ec) {
    std::cerr << "kartiba-server: cannot listen on " << listen << ": " << ec.message() << "\n";
    return 1;
  }
  const std::string base = "http://" + url_host(cfg.listen_host) + ":" + std::to_string(listener->local_endpoint().port());
  // The first line on stdout, flushed: scripts and tests wait for it.
  std::printf("listening on %s\n", base.c_str());
  if (admin.value()) {
    std::printf("admin dashboard: %s/?token=%s%s\n", base.c_str(), admin.value()->c_str(),
                demo_plan.empty() ? "" : ("&plan=" + demo_plan).c_str());
    std::printf("(the admin token is stored in %s/admin-token)\n", cfg.data_dir.c_str());
  }
  std::fflush(stdout);
  log::info("kartiba-server on " + base + " data=" + cfg.data_dir +
            " web=" + (app->web_dir.empty() ? std::string("(none)") : app->web_dir) +
            " threads=" + std::to_string(cfg.threads));
  listener->run();

  std::promise<int> stop_signal;
  auto signals = std::make_unique<net::signal_set>(ioc, SIGINT, SIGTERM);
  signals->async_wait([&stop_signal](beast::error_code ec, int signo) {
    stop_signal.set_value(ec ? 0 : signo);
  });

  auto guard = net::make_work_guard(ioc);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < cfg.threads; ++i) threads.emplace_back([&ioc] { ioc.run(); });

  const int signo = stop_signal.get_future().get();
  log::info("signal " + std::to_string(signo) + ": stopping");

  // 1. Stop accepting; sessions stop keeping connections alive.
  app->stopping.store(true);
  listener->stop();
  app->webhooks->stop();  // no delivery starts now; an interrupted one is sent again on restart
  // 2. In-flight commands finish; their acks are posted to the connections' strands.
  app->engine->shutdown();
  // 3. Close every connection once what it is writing is written.
  app->hub.shutdown_all();
  app->connections.close_all();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (app->connections.size() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // 4. Stop the network, then the work pool; the engine flushes as it is destroyed.
  guard.reset();
  ioc.stop();
  for (auto& t : threads) t.join();
  app->work->join();
  listener.reset();
  signals.reset();
  app->webhooks.reset();  // before the io_context its timers and sockets belong to
  ioc_owner.reset();     // sessions and their subscriptions end here
  app->derived->stop();  // its subscriptions end before the engine
  app->engine.reset();   // flushes and closes the log
  log::info("stopped");
  return 0;
}
