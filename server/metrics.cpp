#include "metrics.h"

#include <cstdio>
#include <string_view>

#include "kartiba/engine.h"

namespace kartiba::server {

size_t ShardedGauge::shard() {
  static std::atomic<size_t> next{0};
  thread_local const size_t mine = next.fetch_add(1, std::memory_order_relaxed) % kShards;
  return mine;
}

namespace {

constexpr std::string_view kCommandTypes[] = {
    "create-plan",     "import-plan",       "update-plan",      "set-day",
    "add-venue",       "update-venue",      "remove-venue",     "add-person",
    "update-person",   "remove-person",     "schedule-item",    "reschedule-item",
    "edit-item",       "set-item-venue",    "set-item-status",  "assign-speaker",
    "unassign-speaker", "tag-item",         "remove-item",      "make-pledge",
    "update-pledge",   "set-pledge-status", "report-pledge-progress", "record-decision",
    "publish-release", "revert"};

void line(std::string& out, const std::string& text) {
  out += text;
  out += '\n';
}

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

// A Prometheus histogram from per-bucket (non-cumulative) counts; `count` is the total
// number of observations (+Inf).
template <size_t N>
void histogram(std::string& out, const std::string& name, const std::string& help,
               const uint64_t (&bounds)[N], const std::vector<uint64_t>& counts, double scale,
               double sum, uint64_t count) {
  line(out, "# HELP " + name + " " + help);
  line(out, "# TYPE " + name + " histogram");
  uint64_t cumulative = 0;
  for (size_t i = 0; i < N; ++i) {
    if (i < counts.size()) cumulative += counts[i];
    line(out, name + "_bucket{le=\"" + num(static_cast<double>(bounds[i]) * scale) + "\"} " +
                  std::to_string(cumulative));
  }
  line(out, name + "_bucket{le=\"+Inf\"} " + std::to_string(std::max(count, cumulative)));
  line(out, name + "_sum " + num(sum));
  line(out, name + "_count " + std::to_string(std::max(count, cumulative)));
}

}  // namespace

std::string metric_command_type(const std::string& type) {
  for (auto known : kCommandTypes) {
    if (known == type) return type;
  }
  return "other";
}

void Metrics::count_command(const std::string& type, const std::string& result) {
  std::lock_guard lock(mutex_);
  ++commands_[{type, result}];
}

void Metrics::count_http(int status) {
  std::lock_guard lock(mutex_);
  ++http_[status];
}

std::string Metrics::render(const EngineStats& engine) const {
  std::string out;
  {
    std::lock_guard lock(mutex_);
    line(out, "# HELP kartiba_commands_total Commands handled, by type and result.");
    line(out, "# TYPE kartiba_commands_total counter");
    for (const auto& [key, n] : commands_) {
      line(out, "kartiba_commands_total{type=\"" + key.first + "\",result=\"" + key.second +
                    "\"} " + std::to_string(n));
    }
    line(out, "# HELP kartiba_http_requests_total HTTP requests answered, by status.");
    line(out, "# TYPE kartiba_http_requests_total counter");
    for (const auto& [status, n] : http_) {
      line(out, "kartiba_http_requests_total{status=\"" + std::to_string(status) + "\"} " +
                    std::to_string(n));
    }
  }
  auto gauge = [&](const char* name, const char* help, const char* type, int64_t v) {
    line(out, std::string("# HELP ") + name + " " + help);
    line(out, std::string("# TYPE ") + name + " " + type);
    line(out, std::string(name) + " " + std::to_string(v));
  };
  gauge("kartiba_connections", "Open connections (HTTP and WebSocket).", "gauge", connections.load());
  gauge("kartiba_connections_rejected_total", "Connections turned away at --max-connections.",
        "counter", static_cast<int64_t>(connections_rejected_total.load()));
  gauge("kartiba_websocket_sessions", "Open WebSocket sessions.", "gauge", ws_sessions.load());
  gauge("kartiba_subscribers", "Live plan subscriptions over WebSocket.", "gauge",
        ws_subscriptions.load());
  gauge("kartiba_lagging_sessions_total",
        "Subscriptions cancelled because the session's write queue was full.", "counter",
        static_cast<int64_t>(ws_lagging_total.load()));
  gauge("kartiba_websocket_queued_bytes", "Bytes waiting in all WebSocket sessions' write queues.",
        "gauge", ws_queued_bytes.load());
  gauge("kartiba_websocket_queued_event_bytes_peak",
        "The most event bytes one session's write queue has held (bounded by --ws-queue-bytes).",
        "gauge", ws_queued_event_bytes_peak.load());
  gauge("kartiba_websocket_overflow_closes_total",
        "WebSocket sessions closed because their write queue passed the hard limit.", "counter",
        static_cast<int64_t>(ws_closed_overflow_total.load()));
  gauge("kartiba_derived_feeds", "Plans whose derived parts are followed for subscribers.", "gauge",
        derived_feeds.load());
  gauge("kartiba_derived_renders_total", "Renders of a plan's derived parts, each encoded once.", "counter",
        static_cast<int64_t>(derived_renders_total.load()));
  gauge("kartiba_derived_deltas_total", "Renders that also had a delta frame smaller than the full one.",
        "counter", static_cast<int64_t>(derived_deltas_total.load()));
  gauge("kartiba_derived_render_microseconds_total", "Wall time spent rendering and encoding derived parts.",
        "counter", static_cast<int64_t>(derived_render_us_total.load()));
  gauge("kartiba_link_viewers", "Live sessions opened through public dashboard links.", "gauge",
        link_viewers.load());
  gauge("kartiba_link_viewers_limit", "Most link viewers at once over all links (--link-viewers-max).",
        "gauge", link_viewers_limit);
  gauge("kartiba_link_viewers_per_link_limit", "Most viewers of one link at once (--link-viewers-per-link).",
        "gauge", link_viewers_per_link_limit);
  gauge("kartiba_link_viewers_refused_total", "Link viewers turned away at a cap.", "counter",
        static_cast<int64_t>(link_viewers_refused_total.load()));
  gauge("kartiba_events_appended_total", "Events appended to plan logs.", "counter",
        static_cast<int64_t>(engine.events_appended));
  gauge("kartiba_commits_total", "Synced group-commit writes.", "counter",
        static_cast<int64_t>(engine.commits));
  gauge("kartiba_plans", "Plans in the data directory.", "gauge", static_cast<int64_t>(engine.plans));
  gauge("kartiba_storage_failed", "1 after a failed write: the log refuses appends.", "gauge",
        engine.storage_failed ? 1 : 0);
  histogram(out, "kartiba_append_latency_seconds", "Latency of one group-commit write.",
            kLatencyBucketsUs, engine.commit_latency_us_buckets, 1e-6,
            static_cast<double>(engine.latency_us_sum) * 1e-6, engine.commits);
  histogram(out, "kartiba_commit_batch_events", "Events per group-commit write.", kBatchBuckets,
            engine.batch_size_buckets, 1.0, static_cast<double>(engine.commit_batch_events_sum),
            engine.commits);
  return out;
}

}  // namespace kartiba::server
