// ws-commands, fanout and cold-start: kartiba-server in its own process, driven over loopback
// by clients on this process's own event loop.
#include <atomic>
#include <deque>
#include <filesystem>
#include <stdexcept>
#include <cstdio>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "../scenarios.h"
#include "../workload.h"
#include "server_process.h"
#include "ws_client.h"

namespace kartiba::bench {

void fill_log(const std::string& dir, int plans, uint64_t events_per_plan);

namespace {

using json = nlohmann::json;
namespace net = boost::asio;

std::string require_server(const Settings& s) {
  if (s.server.empty() || !std::filesystem::exists(s.server))
    throw std::runtime_error("the network scenarios need --server PATH/kartiba-server");
  return s.server;
}

// Creates plan `id` with kItemsPerPlan items over HTTP, in one import.
void create_plan_over_http(const ServerProcess& srv, const std::string& id) {
  json doc = {{"format", "kartiba-export"}, {"version", 1}, {"plan", json::parse(plan_json(id))}, {"items", json::array()}};
  for (int i = 0; i < kItemsPerPlan; ++i) {
    json c = json::parse(setup_command(i));
    json item = c["data"];
    item["id"] = item["item"];
    item.erase("item");
    doc["items"].push_back(item);
  }
  std::string body;
  int status = http_request(srv.host(), srv.port(), "POST", "/api/plans/import", srv.token(), doc.dump(), &body);
  if (status != 200 && status != 201) throw std::runtime_error("import failed: " + std::to_string(status) + " " + body);
}

// The value of "key":<number> in a JSON text, without parsing all of it.
uint64_t number_after(std::string_view text, std::string_view key) {
  auto pos = text.find(key);
  if (pos == std::string_view::npos) return 0;
  pos += key.size();
  uint64_t v = 0;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') v = v * 10 + uint64_t(text[pos++] - '0');
  return v;
}

std::string command_frame(const std::string& plan, const std::string& item, uint64_t base, uint64_t n,
                          const std::string& reason) {
  json command = {{"type", "edit-item"},
                  {"reason", reason},
                  {"data", {{"item", item}, {"title", "Tikšanās Nr. " + std::to_string(n) + " — Cēsis"}}}};
  if (base) command["base"] = base;  // a connection's first command has no view yet
  return json{{"type", "command"}, {"plan", plan}, {"command", command}}.dump();
}

}  // namespace

void run_ws_commands(const Settings& s) {
  raise_fd_limit();
  std::string dir = s.dir + "/ws-commands";
  std::filesystem::remove_all(dir);
  ServerProcess srv(require_server(s), dir, {"--rate", "0"});
  const int connections = 64, plans = 8;
  for (int p = 0; p < plans; ++p) create_plan_over_http(srv, "ws-" + std::to_string(p));

  std::vector<json> rows;
  // Phase 1: closed loop, each connection one command in flight, base = its last ack.
  // Phase 2: open loop at a fixed offered rate, acks measured against send times.
  for (int phase = 0; phase < 2; ++phase) {
    net::io_context io;
    struct Conn {
      uint64_t base = 0;
      uint64_t n = 0;
      std::deque<int64_t> sent_ns;  // in flight, oldest first (acks come in order per connection)
    };
    std::vector<Conn> conns(connections);
    std::vector<double> latency_ms;
    uint64_t acked = 0, rejected = 0;
    int ready = 0;
    const double budget = s.quick ? 2.0 : 8.0;
    int64_t started = 0;
    bool running = true;
    std::vector<std::shared_ptr<WsClient>> clients;
    auto plan_of = [&](int c) { return "ws-" + std::to_string(c % plans); };
    // Each connection owns kItemsPerPlan / (connections / plans) items of its plan and rotates
    // over them, so its own commands in flight do not conflict with each other.
    const int owned = kItemsPerPlan / (connections / plans);
    auto item_of = [&](int c, uint64_t n) { return "i" + std::to_string((c / plans) * owned + int(n % owned)); };
    auto send = [&](WsClient& cl) {
      Conn& c = conns[cl.index];
      c.sent_ns.push_back(now_ns());
      ++c.n;
      cl.send(command_frame(plan_of(cl.index), item_of(cl.index, c.n), c.base, c.n, ""));
    };
    net::steady_timer stop_timer(io), tick(io);
    const double offered = 5000;  // commands per second in phase 2
    uint64_t next_conn = 0, due = 0;
    std::function<void()> pace = [&] {
      if (!running) return;
      auto target = uint64_t(seconds_since(started) * offered);
      for (; due < target; ++due) send(*clients[next_conn++ % connections]);
      tick.expires_after(std::chrono::milliseconds(1));
      tick.async_wait([&](auto) { pace(); });
    };
    for (int i = 0; i < connections; ++i) {
      auto cl = WsClient::start(
          io, srv.host(), srv.port(), srv.token(),
          [&](WsClient&) {
            if (++ready < connections) return;
            started = now_ns();
            stop_timer.expires_after(std::chrono::milliseconds(int(budget * 1000)));
            stop_timer.async_wait([&](auto) { running = false; });
            if (phase == 0)
              for (auto& c : clients) send(*c);
            else
              pace();
          },
          [&](WsClient& cl, std::string_view msg) {
            Conn& c = conns[cl.index];
            bool ack = msg.find("\"type\":\"ack\"") != std::string_view::npos;
            bool rej = msg.find("\"type\":\"rejected\"") != std::string_view::npos;
            if (!ack && !rej) return;
            if (!c.sent_ns.empty()) {
              latency_ms.push_back(double(now_ns() - c.sent_ns.front()) / 1e6);
              c.sent_ns.pop_front();
            }
            if (ack) {
              ++acked;
              c.base = std::max(c.base, number_after(msg, "\"revision\":"));
            } else {
              if (rejected++ == 0) std::fprintf(stderr, "ws-commands: first rejection: %.*s\n", int(msg.size()), msg.data());
            }
            if (phase == 0 && running) send(cl);
            bool idle = true;
            for (auto& x : conns) idle = idle && x.sent_ns.empty();
            if (!running && idle) {
              tick.cancel();
              for (auto& x : clients) x->close();
            }
          });
      cl->index = i;
      clients.push_back(cl);
    }
    io.run();
    double secs = seconds_since(started);
    if (phase == 0)
      rows.push_back({{"mode", "closed loop"}, {"connections", connections}, {"acked_per_s", double(acked) / secs},
                      {"rejected", rejected}, {"p50_ms", percentile(latency_ms, 50)}, {"p99_ms", percentile(latency_ms, 99)}});
    else
      rows.push_back({{"mode", "offered 5000/s"}, {"connections", connections}, {"acked_per_s", double(acked) / secs},
                      {"rejected", rejected}, {"p50_ms", percentile(latency_ms, 50)}, {"p99_ms", percentile(latency_ms, 99)}});
  }
  report(s, "ws-commands", rows);
}

void run_fanout(const Settings& s) {
  raise_fd_limit();
  std::vector<int> sizes = s.quick ? std::vector<int>{500} : std::vector<int>{1000, 10000};
  std::vector<json> rows;
  for (int subscribers : sizes) {
    std::string dir = s.dir + "/fanout-" + std::to_string(subscribers);
    std::filesystem::remove_all(dir);
    ServerProcess srv(require_server(s), dir, {"--rate", "0", "--max-connections", "20000"});
    create_plan_over_http(srv, "fan");
    long rss_before = srv.rss_bytes();
    net::io_context io;
    std::vector<std::shared_ptr<WsClient>> clients;
    std::vector<double> latency_ms;
    latency_ms.reserve(size_t(subscribers) * 1000);
    int snapshots = 0;
    const double seconds = s.quick ? 2.0 : 10.0;
    const int rate = 100;
    int64_t started = 0;
    uint64_t sent = 0, received = 0;
    long rss_connected = 0;
    net::steady_timer tick(io);
    std::shared_ptr<WsClient> writer;
    std::function<void()> write_next = [&] {
      if (seconds_since(started) >= seconds) {
        // Let the last events arrive, then close everything.
        tick.expires_after(std::chrono::milliseconds(500));
        tick.async_wait([&](auto) {
          for (auto& c : clients) c->close();
          writer->close();
        });
        return;
      }
      ++sent;
      writer->send(command_frame("fan", "i0", 0, sent, "t=" + std::to_string(now_ns())));
      tick.expires_after(std::chrono::microseconds(1000000 / rate));
      tick.async_wait([&](auto) { write_next(); });
    };
    auto start_writer = [&] {
      rss_connected = srv.rss_bytes();
      writer = WsClient::start(io, srv.host(), srv.port(), srv.token(),
                               [&](WsClient&) {
                                 started = now_ns();
                                 write_next();
                               },
                               [](WsClient&, std::string_view) {});
    };
    for (int i = 0; i < subscribers; ++i) {
      auto c = WsClient::start(
          io, srv.host(), srv.port(), srv.token(),
          [&](WsClient& cl) { cl.send("{\"type\":\"subscribe\",\"plan\":\"fan\"}"); },
          [&](WsClient&, std::string_view msg) {
            if (msg.find("\"type\":\"snapshot\"") != std::string_view::npos) {
              if (++snapshots == subscribers) start_writer();
              return;
            }
            if (msg.find("\"type\":\"event\"") == std::string_view::npos) return;
            if (received == 0 && latency_ms.empty() && msg.find("\"reason\":\"t=") == std::string_view::npos)
              std::fprintf(stderr, "fanout: event without a send time: %.*s\n", int(std::min<size_t>(msg.size(), 400)), msg.data());
            uint64_t t = number_after(msg, "\"reason\":\"t=");
            if (t) latency_ms.push_back(double(now_ns() - int64_t(t)) / 1e6);
            ++received;
          });
      clients.push_back(c);
    }
    io.run();
    rows.push_back({{"subscribers", subscribers},
                    {"events_sent", sent},
                    {"deliveries", received},
                    {"expected", sent * uint64_t(subscribers)},
                    {"p50_ms", percentile(latency_ms, 50)},
                    {"p99_ms", percentile(latency_ms, 99)},
                    {"max_ms", percentile(latency_ms, 100)},
                    {"server_rss_mb", double(rss_connected) / 1048576.0},
                    {"kb_per_connection", double(rss_connected - rss_before) / 1024.0 / subscribers}});
  }
  report(s, "fanout", rows);
}

void run_cold_start(const Settings& s) {
  const uint64_t total = s.quick ? 100000 : 1000000;
  std::string dir = s.dir + "/cold-start";
  fill_log(dir, 10, total / 10);
  int64_t t0 = now_ns();
  ServerProcess srv(require_server(s), dir);
  double listening_ms = double(srv.started_after_ns()) / 1e6;
  std::string body;
  int status = http_request(srv.host(), srv.port(), "GET", "/api/plans/plan-0", srv.token(), "", &body);
  double serving_ms = double(now_ns() - t0) / 1e6;
  if (status != 200) throw std::runtime_error("cold start: GET plan-0 gave " + std::to_string(status));
  report(s, "cold-start", {{{"events", total}, {"listening_ms", listening_ms}, {"first_view_ms", serving_ms}}});
}

}  // namespace kartiba::bench
