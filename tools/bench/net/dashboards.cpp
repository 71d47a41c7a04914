// dashboards: live dashboards as the web app's page keeps them (snapshot, events, derived
// frames, resume with `from` after a dropped connection), spread over several plans whose
// organisers change things at a fixed rate. Measures how long after a change the page holds
// its derived parts (conflicts, coverage, pledge board) again, what each delivered frame costs
// the server, and how many HTTP requests the pages make per change.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <mutex>
#include <random>
#include <stdexcept>
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
namespace {

using json = nlohmann::json;
namespace net = boost::asio;

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

// The writer's send time, from the event's reason "t=NANOSECONDS".
uint64_t reason_time(std::string_view event) {
  static constexpr std::string_view key = "\"reason\":\"t=";
  const void* at = memmem(event.data(), event.size(), key.data(), key.size());
  if (!at) return 0;
  return number_after(event.substr(size_t(static_cast<const char*>(at) - event.data())), key);
}

// The sum of kartiba_http_requests_total over its labels but 101 (WebSocket upgrades: a
// page's reconnects), from /metrics.
uint64_t http_requests_served(const ServerProcess& srv) {
  std::string body;
  if (http_request(srv.host(), srv.port(), "GET", "/metrics", "", "", &body) != 200) return 0;
  uint64_t total = 0;
  size_t pos = 0;
  while ((pos = body.find("\nkartiba_http_requests_total{", pos)) != std::string::npos) {
    if (body.compare(pos, 42, "\nkartiba_http_requests_total{status=\"101\"}") == 0) {
      ++pos;
      continue;
    }
    pos = body.find("} ", pos);
    if (pos == std::string::npos) break;
    total += number_after(std::string_view(body).substr(pos), "} ");
  }
  return total;
}

uint64_t metric(const ServerProcess& srv, const std::string& name) {
  std::string body;
  if (http_request(srv.host(), srv.port(), "GET", "/metrics", "", "", &body) != 200) return 0;
  return number_after(body, "\n" + name + " ");
}

// One page: which plan it shows and how far its state is.
struct Page {
  int plan = 0;
  std::shared_ptr<WsClient> ws;
  uint64_t revision = 0;  // events applied (0: no snapshot yet)
  uint64_t derived = 0;   // the revision its derived parts are at
  bool measuring = false;  // false from a drop until the first derived frame after the resume
  std::deque<std::pair<uint64_t, int64_t>> waiting;  // changes not yet in its derived parts: revision, send time
};

// One event loop of pages: only its thread touches its pages and samples.
struct alignas(64) PageLoop {
  net::io_context io{1};
  std::vector<std::unique_ptr<Page>> pages;
  std::vector<double> latency_ms;
  std::atomic<uint64_t> events{0}, derived{0};
  std::atomic<int> snapshots{0};
  uint64_t gaps = 0, delta_mismatches = 0, lagging = 0, busy_retries = 0, resumes = 0, unexpected_closes = 0;
  std::thread thread;
};

}  // namespace

void run_dashboards(const Settings& s) {
  raise_fd_limit();
  std::vector<int> sizes = s.quick ? std::vector<int>{200} : std::vector<int>{10000};
  if (!s.dashboards.empty()) sizes = s.dashboards;
  const int plans = s.dashboard_plans > 0 ? s.dashboard_plans : (s.quick ? 4 : 20);
  const double rate = s.dashboard_rate > 0 ? s.dashboard_rate : 5.0;
  const double seconds = s.dashboard_seconds > 0 ? s.dashboard_seconds : (s.quick ? 2.0 : 10.0);
  const unsigned page_loops = std::max(2u, std::thread::hardware_concurrency() / 2);
  // A page's connection drops now and then (a phone changing networks): this share of the
  // pages per second, each back after kDropFor with `from`.
  const double drops_per_page_per_s = 0.01;
  constexpr auto kDropFor = std::chrono::milliseconds(200);
  std::vector<json> rows;

  for (int dashboards : sizes) {
    std::string dir = s.dir + "/dashboards-" + std::to_string(dashboards);
    std::filesystem::remove_all(dir);
    ServerProcess srv(require_server(s), dir,
                      {"--rate", "0", "--max-connections", std::to_string(dashboards + plans + 100)});
    auto plan_id = [](int p) { return "dash-" + std::to_string(p); };
    for (int p = 0; p < plans; ++p) create_plan_over_http(srv, plan_id(p));
    std::fprintf(stderr, "dashboards: %d pages over %d plans, %.3g changes/s per plan, server pid %d\n", dashboards,
                 plans, rate, int(srv.pid()));
    const long rss_before = srv.rss_bytes();

    std::vector<std::unique_ptr<PageLoop>> loops;
    std::vector<net::executor_work_guard<net::io_context::executor_type>> guards;
    for (unsigned l = 0; l < page_loops; ++l) {
      loops.push_back(std::make_unique<PageLoop>());
      guards.push_back(net::make_work_guard(loops.back()->io));
    }
    auto subscribe_frame = [&](const Page& page) {
      std::string f = R"({"type":"subscribe","plan":")" + plan_id(page.plan) + "\"";
      if (page.revision) f += ",\"from\":" + std::to_string(page.revision);
      return f + "}";
    };
    // What a page does with each frame: what clients/web/js/ui/app.js does, minus rendering.
    std::function<void(PageLoop&, Page&)> connect = [&](PageLoop& loop, Page& page) {
      page.ws = WsClient::start_lean(
          loop.io, srv.host(), srv.port(), srv.token(),
          [&page, &subscribe_frame](WsClient& cl) { cl.send(subscribe_frame(page)); },
          [&loop, &page, &subscribe_frame](WsClient& cl, std::string_view msg) {
            if (starts_with(msg, R"({"type":"event",)")) {
              const uint64_t rev = number_after(msg, "\"revision\":");
              if (page.revision && rev != page.revision + 1) ++loop.gaps;
              page.revision = rev;
              if (page.measuring) {
                if (uint64_t t = reason_time(msg)) page.waiting.emplace_back(rev, int64_t(t));
              }
              loop.events.store(loop.events.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
            } else if (starts_with(msg, R"({"type":"derived",)")) {
              const uint64_t rev = number_after(msg, "\"revision\":");
              const auto after_rev = msg.find("\"revision\":") + 11 + std::to_string(rev).size();
              if (msg.substr(after_rev, 8) == ",\"base\":") {
                // A delta applies only to the parts it was made from; else the page would fetch.
                if (number_after(msg.substr(after_rev), ",\"base\":") != page.derived) ++loop.delta_mismatches;
              }
              if (rev > page.derived) page.derived = rev;
              const int64_t now = now_ns();
              while (!page.waiting.empty() && page.waiting.front().first <= page.derived) {
                loop.latency_ms.push_back(double(now - page.waiting.front().second) / 1e6);
                page.waiting.pop_front();
              }
              page.measuring = true;
              loop.derived.store(loop.derived.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
            } else if (starts_with(msg, R"({"type":"snapshot",)")) {
              page.revision = page.derived = number_after(msg, "\"revision\":");
              page.measuring = true;
              loop.snapshots.fetch_add(1);
            } else if (msg.find("\"type\":\"lagging\"") != std::string_view::npos) {
              ++loop.lagging;
              page.waiting.clear();
              cl.send(subscribe_frame(page));
            } else if (msg.find("\"code\":\"unavailable\"") != std::string_view::npos) {
              ++loop.busy_retries;  // many subscribes at once fill the work pool: again, later
              auto timer = std::make_shared<net::steady_timer>(loop.io, std::chrono::milliseconds(50));
              timer->async_wait([timer, &cl, &page, &subscribe_frame](const boost::system::error_code& ec) {
                if (!ec) cl.send(subscribe_frame(page));
              });
            }
          },
          [&loop](WsClient&, const std::string&) { ++loop.unexpected_closes; });
    };
    for (int i = 0; i < dashboards; ++i) {
      PageLoop& loop = *loops[size_t(i) % loops.size()];
      auto page = std::make_unique<Page>();
      page->plan = i % plans;
      connect(loop, *page);
      loop.pages.push_back(std::move(page));
    }
    for (auto& loop : loops) loop->thread = std::thread([l = loop.get()] { l->io.run(); });

    // The organisers: one connection per plan, on one loop, each sending on a fixed schedule.
    net::io_context writer_io{1};
    auto writer_guard = net::make_work_guard(writer_io);
    struct Organiser {
      std::shared_ptr<WsClient> ws;
      std::deque<int64_t> sent_ns;  // in flight (acks come in order per connection)
      uint64_t sent = 0;
      std::unique_ptr<net::steady_timer> tick;
      std::mt19937_64 rng;
    };
    std::vector<Organiser> organisers(static_cast<size_t>(plans));
    std::vector<double> commit_ms;
    std::atomic<int> organisers_ready{0};
    std::atomic<uint64_t> acked{0}, rejected{0};
    for (int p = 0; p < plans; ++p) {
      Organiser& o = organisers[size_t(p)];
      o.rng.seed(uint64_t(p) + 1);
      o.tick = std::make_unique<net::steady_timer>(writer_io);
      o.ws = WsClient::start(
          writer_io, srv.host(), srv.port(), srv.token(), [&](WsClient&) { organisers_ready.fetch_add(1); },
          [&o, &commit_ms, &acked, &rejected](WsClient&, std::string_view msg) {
            const bool ack = msg.find("\"type\":\"ack\"") != std::string_view::npos;
            if (!ack && msg.find("\"type\":\"rejected\"") == std::string_view::npos) return;
            if (!o.sent_ns.empty()) {
              commit_ms.push_back(double(now_ns() - o.sent_ns.front()) / 1e6);
              o.sent_ns.pop_front();
            }
            (ack ? acked : rejected).fetch_add(1);
          },
          [](WsClient&, const std::string& why) { std::fprintf(stderr, "dashboards: an organiser's connection closed: %s\n", why.c_str()); });
    }
    std::thread writer_thread([&] { writer_io.run(); });

    auto wait_until = [](double limit_s, const std::function<bool()>& done) {
      const int64_t t0 = now_ns();
      while (!done()) {
        if (seconds_since(t0) > limit_s) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      return true;
    };
    auto snapshots = [&] {
      int n = 0;
      for (auto& l : loops) n += l->snapshots.load();
      return n;
    };
    auto stop_all = [&] {
      for (auto& loop : loops)
        net::post(loop->io, [l = loop.get()] {
          for (auto& p : l->pages)
            if (p->ws) p->ws->close();
        });
      net::post(writer_io, [&] {
        for (auto& o : organisers) {
          o.tick->cancel();
          o.ws->close();
        }
      });
      guards.clear();
      writer_guard.reset();
      for (auto& loop : loops) loop->thread.join();
      writer_thread.join();
    };
    if (!wait_until(s.quick ? 60 : 300, [&] { return organisers_ready.load() == plans && snapshots() >= dashboards; })) {
      const int got = snapshots();
      stop_all();
      throw std::runtime_error("dashboards: " + std::to_string(got) + " of " + std::to_string(dashboards) +
                               " pages got a snapshot");
    }
    const long rss_connected = srv.rss_bytes();
    const uint64_t renders0 = metric(srv, "kartiba_derived_renders_total");
    const uint64_t deltas0 = metric(srv, "kartiba_derived_deltas_total");
    // Two scrapes: the second tells what a scrape itself adds to the count; the first scrape
    // after the window is the next one.
    const uint64_t http0 = http_requests_served(srv);
    const uint64_t http1 = http_requests_served(srv);
    const uint64_t per_scrape = http1 - http0;
    uint64_t events0 = 0, derived0 = 0;
    for (auto& l : loops) {
      events0 += l->events.load();
      derived0 += l->derived.load();
    }
    const double server_cpu0 = srv.cpu_seconds();
    const int64_t started = now_ns();
    const uint64_t per_plan = uint64_t(rate * seconds);
    const auto period = std::chrono::nanoseconds(int64_t(1e9 / rate));
    std::atomic<int> organisers_done{0};
    net::post(writer_io, [&] {
      const auto t0 = std::chrono::steady_clock::now();
      for (int p = 0; p < plans; ++p) {
        // Spread over the period, so that the plans' changes do not all land at once.
        auto first = t0 + period * p / plans;
        auto step = std::make_shared<std::function<void()>>();
        Organiser& o = organisers[size_t(p)];
        *step = [&, p, first, step, op = &o] {
          Organiser& o = *op;
          if (o.sent == per_plan) {
            organisers_done.fetch_add(1);
            return;
          }
          json command = json::parse(edit_command(o.rng));
          command["reason"] = "t=" + std::to_string(now_ns());
          o.sent_ns.push_back(now_ns());
          o.ws->send(json{{"type", "command"}, {"plan", plan_id(p)}, {"command", command}}.dump());
          ++o.sent;
          o.tick->expires_at(first + period * int64_t(o.sent));
          o.tick->async_wait([step](const boost::system::error_code& ec) {
            if (!ec) (*step)();
          });
        };
        o.tick->expires_at(first);
        o.tick->async_wait([step](const boost::system::error_code& ec) {
          if (!ec) (*step)();
        });
      }
    });
    // Drops: every 100 ms each loop closes a few of its pages and brings them back with `from`.
    std::atomic<bool> dropping{true};
    for (auto& loop : loops) {
      auto timer = std::make_shared<net::steady_timer>(loop->io);
      auto l = loop.get();
      auto tick = std::make_shared<std::function<void()>>();
      auto rng = std::make_shared<std::mt19937_64>(l->pages.size());
      const double per_tick = drops_per_page_per_s * 0.1 * double(l->pages.size());
      *tick = [&, l, timer, tick, rng, per_tick] {
        if (!dropping.load()) return;
        // per_tick may be below one: drop one with that probability.
        int n = int(per_tick) + (double((*rng)() % 1000) / 1000.0 < per_tick - int(per_tick) ? 1 : 0);
        for (int k = 0; k < n && !l->pages.empty(); ++k) {
          Page& page = *l->pages[(*rng)() % l->pages.size()];
          if (!page.ws || !page.measuring) continue;
          page.ws->close();
          page.ws.reset();
          page.measuring = false;
          page.waiting.clear();
          ++l->resumes;
          auto back = std::make_shared<net::steady_timer>(l->io, kDropFor);
          back->async_wait([&, back, l, pg = &page](const boost::system::error_code& ec) {
            if (!ec && dropping.load()) connect(*l, *pg);
          });
        }
        timer->expires_after(std::chrono::milliseconds(100));
        timer->async_wait([tick](const boost::system::error_code& ec) {
          if (!ec) (*tick)();
        });
      };
      net::post(l->io, [tick] { (*tick)(); });
    }

    wait_until(seconds + 60, [&] { return organisers_done.load() == plans; });
    dropping = false;
    const uint64_t changes_sent = per_plan * uint64_t(plans);
    // Every page that is connected ends with its derived parts at its plan's last revision.
    wait_until(s.quick ? 3 : 10, [&] { return acked + rejected >= changes_sent; });
    std::this_thread::sleep_for(std::chrono::milliseconds(s.quick ? 300 : 1000));  // the last frames arrive
    const double window = seconds_since(started);
    const double server_cpu = srv.cpu_seconds() - server_cpu0;
    const uint64_t http2 = http_requests_served(srv);
    const uint64_t renders = metric(srv, "kartiba_derived_renders_total") - renders0;
    const uint64_t deltas = metric(srv, "kartiba_derived_deltas_total") - deltas0;
    const long rss_after = srv.rss_bytes();
    stop_all();

    std::vector<double> latency_ms;
    uint64_t events = 0, derived = 0, gaps = 0, mismatches = 0, lagging = 0, resumes = 0, closes = 0, busy = 0;
    for (auto& l : loops) {
      latency_ms.insert(latency_ms.end(), l->latency_ms.begin(), l->latency_ms.end());
      events += l->events.load();
      derived += l->derived.load();
      gaps += l->gaps;
      mismatches += l->delta_mismatches;
      lagging += l->lagging;
      resumes += l->resumes;
      closes += l->unexpected_closes;
      busy += l->busy_retries;
    }
    events -= events0;
    derived -= derived0;
    const uint64_t http_during = http2 - http1 - per_scrape;
    if (busy) std::fprintf(stderr, "dashboards: %llu subscribes answered `unavailable` and sent again\n", (unsigned long long)busy);
    rows.push_back({{"dashboards", dashboards},
                    {"plans", plans},
                    {"changes_per_s_per_plan", rate},
                    {"changes", acked.load()},
                    {"rejected", rejected.load()},
                    {"event_frames", events},
                    {"derived_frames", derived},
                    {"renders", renders},
                    {"delta_renders", deltas},
                    {"p50_ms", percentile(latency_ms, 50)},
                    {"p99_ms", percentile(latency_ms, 99)},
                    {"max_ms", percentile(latency_ms, 100)},
                    {"commit_p50_ms", percentile(commit_ms, 50)},
                    {"commit_p99_ms", percentile(commit_ms, 99)},
                    {"server_cpu_us_per_frame", events + derived ? server_cpu * 1e6 / double(events + derived) : 0.0},
                    {"server_cpu_pct", 100.0 * server_cpu / window},
                    {"kb_per_connection", double(rss_connected - rss_before) / 1024.0 / dashboards},
                    {"rss_after_mb", double(rss_after) / 1048576.0},
                    {"http_requests_per_change", acked ? double(http_during) / double(acked.load()) : 0.0},
                    {"refetch_needed", gaps + mismatches},
                    {"resumes", resumes},
                    {"lagging", lagging},
                    {"closed", closes}});
  }
  report(s, "dashboards", rows);
}

}  // namespace kartiba::bench
