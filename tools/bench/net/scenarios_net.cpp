// ws-commands, fanout and cold-start: kartiba-server in its own process, driven over loopback
// by clients on this process's own event loops (fanout: a writer loop and several subscriber
// loops, each on its own thread).
#include <atomic>
#include <chrono>
#include <mutex>
#include <deque>
#include <filesystem>
#include <stdexcept>
#include <cstdio>
#include <cstring>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "../scenarios.h"
#include "../workload.h"
#include "net_helpers.h"
#include "server_process.h"
#include "ws_client.h"

namespace kartiba::bench {

void fill_log(const std::string& dir, int plans, uint64_t events_per_plan);

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

namespace {

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
  // Phase 0: closed loop, each connection one command in flight, base = its last ack: an
  //   organiser's browser. Bound by the round trip (commands/s = 64 / latency), not the server.
  // Phase 1: closed loop with 4 in flight per connection (a script, an importer): what the
  //   server can take. A connection's commands in flight are on different items of its own,
  //   and its base is its last ack, so they never conflict with each other.
  // Phase 2: open loop at a fixed offered rate, acks measured against send times.
  for (int phase = 0; phase < 3; ++phase) {
    const bool closed_loop = phase < 2;
    const int window = phase == 1 ? 4 : 1;
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
    // The phase ends when its time is up and nothing is in flight: checked on every answer,
    // and when the time runs out (open loop: possibly with every command already answered).
    auto finish_if_idle = [&] {
      if (running) return;
      for (auto& x : conns)
        if (!x.sent_ns.empty()) return;
      tick.cancel();
      for (auto& x : clients) x->close();
    };
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
            stop_timer.async_wait([&](auto) {
              running = false;
              finish_if_idle();
            });
            if (closed_loop)
              for (int k = 0; k < window; ++k)
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
            if (closed_loop && running) send(cl);
            finish_if_idle();
          });
      cl->index = i;
      clients.push_back(cl);
    }
    io.run();
    double secs = seconds_since(started);
    rows.push_back({{"mode", closed_loop ? "closed loop" : "offered 5000/s"},
                    {"connections", connections},
                    {"in_flight_per_connection", closed_loop ? json(window) : json(nullptr)},
                    {"acked_per_s", double(acked) / secs},
                    {"rejected", rejected},
                    {"p50_ms", percentile(latency_ms, 50)},
                    {"p99_ms", percentile(latency_ms, 99)}});
  }
  report(s, "ws-commands", rows);
}

namespace {

// One event loop of fanout subscribers: its own io_context, thread and latency samples. Only
// the loop's thread writes its fields; the main thread reads `received` (to know when every
// delivery has come) and the rest after joining the thread.
struct alignas(64) FanoutLoop {
  net::io_context io{1};
  std::vector<std::shared_ptr<WsClient>> clients;
  std::vector<double> latency_ms;
  std::atomic<uint64_t> received{0};
  uint64_t lagging = 0;
  uint64_t busy_retries = 0;  // subscribes answered `unavailable` (work pool full), sent again
  std::thread thread;
};

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

// The writer's send time, from the event's reason "t=NANOSECONDS" (memmem: one pass, not a
// comparison at every quote as string_view::find makes).
uint64_t send_time(std::string_view event) {
  static constexpr std::string_view key = "\"reason\":\"t=";
  const void* at = memmem(event.data(), event.size(), key.data(), key.size());
  if (!at) return 0;
  return number_after(event.substr(size_t(static_cast<const char*>(at) - event.data())), key);
}

}  // namespace

// N subscribers on one plan, one writer sending `rate` commands per second, for `seconds`.
// The writer has its own io_context and thread; the subscribers are spread over
// `subscriber_loops` io_contexts, one thread each, so that neither the writer's pace nor one
// loop's backlog distorts the other. Latency is measured from the writer's send time (carried
// in the command's reason) to the subscriber's read.
void run_fanout(const Settings& s) {
  raise_fd_limit();
  std::vector<int> sizes = s.quick ? std::vector<int>{500} : std::vector<int>{1000, 10000};
  if (!s.fanout_subscribers.empty()) sizes = s.fanout_subscribers;
  const int rate = s.fanout_rate > 0 ? s.fanout_rate : 100;
  const double seconds = s.fanout_seconds > 0 ? s.fanout_seconds : (s.quick ? 2.0 : 10.0);
  // After the last send, how long the deliveries still missing may take before they count as lost.
  const double drain_limit = s.quick ? 2.0 : 5.0;
  const unsigned subscriber_loops = std::max(2u, std::thread::hardware_concurrency() / 2);
  std::vector<json> rows;
  for (int subscribers : sizes) {
    std::string dir = s.dir + "/fanout-" + std::to_string(subscribers);
    std::filesystem::remove_all(dir);
    ServerProcess srv(require_server(s), dir, {"--rate", "0", "--max-connections", std::to_string(subscribers + 100)});
    create_plan_over_http(srv, "fan");
    std::fprintf(stderr, "fanout: %d subscribers, %d events/s, server pid %d\n", subscribers, rate, int(srv.pid()));
    long rss_before = srv.rss_bytes();

    std::atomic<int> snapshots{0};
    std::atomic<uint64_t> closed{0};
    std::mutex close_mutex;  // only for the first close's reason (not the hot path)
    std::string first_close;
    auto on_closed = [&](WsClient&, const std::string& why) {
      if (closed.fetch_add(1) == 0) {
        std::lock_guard lock(close_mutex);
        first_close = why;
      }
    };

    // The writer: its own loop; it sends on a fixed schedule (a late send does not delay the next).
    net::io_context writer_io{1};
    auto writer_guard = net::make_work_guard(writer_io);
    std::atomic<bool> writer_ready{false}, writer_done{false};
    std::atomic<uint64_t> acked{0}, rejected{0};
    uint64_t sent = 0;  // writer thread; read after writer_done
    const uint64_t to_send = uint64_t(double(rate) * seconds);
    const auto period = std::chrono::nanoseconds(1000000000LL / rate);
    std::chrono::steady_clock::time_point writer_t0;
    net::steady_timer tick(writer_io);
    auto writer = WsClient::start(
        writer_io, srv.host(), srv.port(), srv.token(), [&](WsClient&) { writer_ready = true; },
        [&](WsClient&, std::string_view msg) {
          if (msg.find("\"type\":\"ack\"") != std::string_view::npos) {
            acked.fetch_add(1, std::memory_order_relaxed);
          } else if (msg.find("\"type\":\"rejected\"") != std::string_view::npos) {
            if (rejected.fetch_add(1) == 0)
              std::fprintf(stderr, "fanout: first rejection: %.*s\n", int(std::min<size_t>(msg.size(), 400)), msg.data());
          }
        },
        on_closed);
    std::function<void()> write_next = [&] {
      if (sent == to_send) {
        writer_done = true;
        return;
      }
      ++sent;
      writer->send(command_frame("fan", "i0", 0, sent, "t=" + std::to_string(now_ns())));
      tick.expires_at(writer_t0 + period * sent);
      tick.async_wait([&](const boost::system::error_code& ec) {
        if (!ec) write_next();
      });
    };
    std::thread writer_thread([&] { writer_io.run(); });

    // The subscribers, dealt round-robin over their loops.
    std::vector<std::unique_ptr<FanoutLoop>> loops;
    std::vector<decltype(net::make_work_guard(writer_io))> guards;
    for (unsigned l = 0; l < subscriber_loops; ++l) {
      loops.push_back(std::make_unique<FanoutLoop>());
      loops.back()->latency_ms.reserve(size_t(subscribers) * to_send / subscriber_loops + 1024);
      guards.push_back(net::make_work_guard(loops.back()->io));
    }
    for (int i = 0; i < subscribers; ++i) {
      FanoutLoop& loop = *loops[size_t(i) % loops.size()];
      auto c = WsClient::start_lean(
          loop.io, srv.host(), srv.port(), srv.token(),
          [](WsClient& cl) { cl.send("{\"type\":\"subscribe\",\"plan\":\"fan\"}"); },
          [&loop, &snapshots](WsClient& cl, std::string_view msg) {
            if (starts_with(msg, R"({"type":"event",)")) {
              uint64_t t = send_time(msg);
              if (t) loop.latency_ms.push_back(double(now_ns() - int64_t(t)) / 1e6);
              loop.received.store(loop.received.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
            } else if (starts_with(msg, R"({"type":"snapshot",)")) {
              snapshots.fetch_add(1);
            } else if (msg.find("\"type\":\"lagging\"") != std::string_view::npos) {
              ++loop.lagging;
            } else if (msg.find("\"code\":\"unavailable\"") != std::string_view::npos) {
              // 10,000 subscribes at once pass the server's --max-pending-work: subscribe again
              // a little later, as a client would.
              ++loop.busy_retries;
              auto timer = std::make_shared<net::steady_timer>(loop.io, std::chrono::milliseconds(50));
              timer->async_wait([timer, &cl](const boost::system::error_code& ec) {
                if (!ec) cl.send("{\"type\":\"subscribe\",\"plan\":\"fan\"}");
              });
            }
          },
          on_closed);
      c->index = i;
      loop.clients.push_back(std::move(c));
    }
    for (auto& loop : loops) loop->thread = std::thread([l = loop.get()] { l->io.run(); });

    auto wait_until = [](double limit_s, const std::function<bool()>& done) {
      int64_t t0 = now_ns();
      while (!done()) {
        if (seconds_since(t0) > limit_s) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      return true;
    };
    auto stop_all = [&] {
      for (auto& loop : loops)
        net::post(loop->io, [l = loop.get()] {
          for (auto& c : l->clients) c->close();
        });
      net::post(writer_io, [&] {
        tick.cancel();
        writer->close();
      });
      guards.clear();
      writer_guard.reset();
      for (auto& loop : loops) loop->thread.join();
      writer_thread.join();
    };
    const bool subscribed = wait_until(s.quick ? 60 : 300, [&] {
      return writer_ready && uint64_t(snapshots.load()) + closed.load() >= uint64_t(subscribers);
    });
    if (!subscribed || closed.load() > 0) {
      stop_all();
      throw std::runtime_error("fanout: " + std::to_string(snapshots.load()) + " of " + std::to_string(subscribers) +
                               " subscribers got a snapshot; " + std::to_string(closed.load()) + " closed (" +
                               first_close + ")");
    }
    long rss_connected = srv.rss_bytes();
    const double server_cpu0 = srv.cpu_seconds(), bench_cpu0 = own_cpu_seconds();
    const int64_t started = now_ns();
    net::post(writer_io, [&] {
      writer_t0 = std::chrono::steady_clock::now();
      write_next();
    });
    wait_until(seconds + 60, [&] { return writer_done.load(); });
    const uint64_t expected = sent * uint64_t(subscribers);
    auto delivered = [&] {
      uint64_t n = 0;
      for (auto& loop : loops) n += loop->received.load(std::memory_order_relaxed);
      return n;
    };
    wait_until(drain_limit, [&] { return delivered() >= expected && acked + rejected >= sent; });
    const double window = seconds_since(started);
    const double server_cpu = srv.cpu_seconds() - server_cpu0, bench_cpu = own_cpu_seconds() - bench_cpu0;
    long rss_after = srv.rss_bytes();
    stop_all();

    std::vector<double> latency_ms;
    uint64_t received = 0, lagging = 0, busy_retries = 0;
    for (auto& loop : loops) {
      busy_retries += loop->busy_retries;
      latency_ms.insert(latency_ms.end(), loop->latency_ms.begin(), loop->latency_ms.end());
      received += loop->received.load();
      lagging += loop->lagging;
    }
    if (busy_retries > 0)
      std::fprintf(stderr, "fanout: %llu subscribes were answered `unavailable` and sent again\n",
                   (unsigned long long)busy_retries);
    if (closed.load() > 0)
      std::fprintf(stderr, "fanout: %llu connections closed; the first: %s\n", (unsigned long long)closed.load(),
                   first_close.c_str());
    const bool held = received == expected && lagging == 0 && closed.load() == 0 && rejected.load() == 0;
    rows.push_back({{"subscribers", subscribers},
                    {"offered_per_s", rate},
                    {"events_sent", sent},
                    {"deliveries", received},
                    {"expected", expected},
                    {"lagging", lagging},
                    {"held", held},
                    {"p50_ms", percentile(latency_ms, 50)},
                    {"p99_ms", percentile(latency_ms, 99)},
                    {"max_ms", percentile(latency_ms, 100)},
                    {"server_rss_mb", double(rss_connected) / 1048576.0},
                    {"rss_after_mb", double(rss_after) / 1048576.0},
                    {"kb_per_connection", double(rss_connected - rss_before) / 1024.0 / subscribers},
                    {"server_cpu_pct", 100.0 * server_cpu / window},
                    {"bench_cpu_pct", 100.0 * bench_cpu / window}});
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
