// kartiba::server::Metrics — the server's counters, rendered in Prometheus text format for
// GET /metrics together with the engine's stats.
//
// Thread-safety: every method may be called from any thread. Gauges and plain counters are
// atomics; labelled counters sit behind one mutex (a map increment per request or command).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace kartiba {
struct EngineStats;
}

namespace kartiba::server {

// A gauge that many threads change often (bytes queued, per frame): one counter per cache
// line, chosen by thread, summed when read, so that threads do not fight over one line.
class ShardedGauge {
 public:
  void add(int64_t delta) { shards_[shard()].value.fetch_add(delta, std::memory_order_relaxed); }
  int64_t load() const {
    int64_t sum = 0;
    for (const auto& s : shards_) sum += s.value.load(std::memory_order_relaxed);
    return sum;
  }

 private:
  static constexpr size_t kShards = 16;
  static size_t shard();
  struct alignas(64) Shard {
    std::atomic<int64_t> value{0};
  };
  std::array<Shard, kShards> shards_;
};

class Metrics {
 public:
  Metrics() = default;
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // `type` must come from a bounded set (the known command types or "other").
  void count_command(const std::string& type, const std::string& result);
  void count_http(int status);

  std::atomic<int64_t> connections{0};
  std::atomic<int64_t> ws_sessions{0};
  std::atomic<int64_t> ws_subscriptions{0};
  std::atomic<uint64_t> ws_lagging_total{0};
  std::atomic<uint64_t> ws_closed_overflow_total{0};
  ShardedGauge ws_queued_bytes;                          // all sessions' write queues
  std::atomic<int64_t> ws_queued_event_bytes_peak{0};    // one session's event frames, at most
  std::atomic<uint64_t> connections_rejected_total{0};
  // Derived frames (derived_feeds.h): renders made, of which with a delta, CPU spent on them.
  std::atomic<int64_t> derived_feeds{0};
  std::atomic<uint64_t> derived_renders_total{0};
  std::atomic<uint64_t> derived_deltas_total{0};
  std::atomic<uint64_t> derived_render_us_total{0};
  // Public dashboard links (links.h): viewers now, turned away at a cap, and the caps.
  std::atomic<int64_t> link_viewers{0};
  std::atomic<uint64_t> link_viewers_refused_total{0};
  int64_t link_viewers_limit = 0;           // set once at start
  int64_t link_viewers_per_link_limit = 0;  // set once at start

  std::string render(const EngineStats& engine) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, uint64_t> commands_;  // GUARDED_BY(mutex_)
  std::map<int, uint64_t> http_;                                       // GUARDED_BY(mutex_)
};

// "reschedule-item" when it is one of the command types of SPEC.md, else "other": keeps the
// metric's label set bounded whatever clients send.
std::string metric_command_type(const std::string& type);

}  // namespace kartiba::server
