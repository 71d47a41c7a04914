#include "derived_feeds.h"

#include <chrono>
#include <vector>

#include <nlohmann/json.hpp>

#include "kartiba/engine.h"
#include "log.h"
#include "metrics.h"

namespace kartiba::server {
namespace {

// The view's keys that the view derives from the rest and a client cannot cheaply derive
// itself (PROTOCOL.md, "The view"). `days` is derivable, but the client's copy then never
// needs the view again to agree with the server's.
constexpr const char* kDerivedKeys[] = {"conflicts", "sdg_coverage", "pledge_board", "days"};

bool is_derived_key(const std::string& key) {
  for (const char* k : kDerivedKeys)
    if (key == k) return true;
  return false;
}

// The engine's deliveries for one feed: each only marks the plan dirty.
class FeedSubscriber final : public Subscriber {
 public:
  FeedSubscriber(DerivedFeeds& feeds, std::string plan) : feeds_(feeds), plan_(std::move(plan)) {}
  void on_snapshot(uint64_t, std::shared_ptr<const std::string>) override { feeds_.changed(plan_); }
  void on_events(const std::vector<EventPtr>& events) override {
    if (!events.empty()) feeds_.changed(plan_);
  }

 private:
  DerivedFeeds& feeds_;
  const std::string plan_;
};

std::string frame_head(const std::string& plan, uint64_t revision) {
  std::string s = R"({"type":"derived","plan":)";
  s += nlohmann::json(plan).dump();
  s += R"(,"revision":)" + std::to_string(revision);
  return s;
}

}  // namespace

struct DerivedFeeds::Feed {
  std::map<uint64_t, std::weak_ptr<DerivedPeer>> peers;  // GUARDED_BY(DerivedFeeds::mutex_)
  std::unique_ptr<Subscription> subscription;           // GUARDED_BY(DerivedFeeds::mutex_)
  bool queued = false;                                   // GUARDED_BY(DerivedFeeds::mutex_): in dirty_
  DerivedPtr latest;                                     // GUARDED_BY(DerivedFeeds::mutex_)
  // The render thread's own: the last render, which the next delta patches.
  nlohmann::json last;
  uint64_t last_revision = 0;
};

DerivedFeeds::DerivedFeeds(Engine& engine, Metrics& metrics)
    : engine_(engine), metrics_(metrics), thread_([this] { run(); }) {}

DerivedFeeds::~DerivedFeeds() { stop(); }

DerivedPtr DerivedFeeds::watch(const std::string& plan, uint64_t session, std::weak_ptr<DerivedPeer> peer) {
  std::lock_guard lock(mutex_);
  if (stopping_) return nullptr;
  auto& feed = feeds_[plan];
  if (!feed) {
    feed = std::make_shared<Feed>();
    metrics_.derived_feeds.fetch_add(1);
    feed->queued = true;  // the render thread subscribes, then renders
    dirty_.push_back(plan);
    wake_.notify_one();
  }
  feed->peers[session] = std::move(peer);
  return feed->latest;
}

void DerivedFeeds::unwatch(const std::string& plan, uint64_t session) {
  std::unique_ptr<Subscription> ended;
  {
    std::lock_guard lock(mutex_);
    auto it = feeds_.find(plan);
    if (it == feeds_.end()) return;
    it->second->peers.erase(session);
    if (!it->second->peers.empty()) return;
    ended = std::move(it->second->subscription);
    feeds_.erase(it);
    metrics_.derived_feeds.fetch_sub(1);
  }
  // Outside the lock: a delivery in progress may be waiting for it in changed().
  if (ended) ended->cancel();
}

size_t DerivedFeeds::feeds() const {
  std::lock_guard lock(mutex_);
  return feeds_.size();
}

void DerivedFeeds::stop() {
  std::vector<std::unique_ptr<Subscription>> ended;
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    for (auto& [plan, feed] : feeds_)
      if (feed->subscription) ended.push_back(std::move(feed->subscription));
    metrics_.derived_feeds.fetch_sub(static_cast<int64_t>(feeds_.size()));
    feeds_.clear();
    wake_.notify_all();
  }
  for (auto& s : ended) s->cancel();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void DerivedFeeds::changed(const std::string& plan) {
  std::lock_guard lock(mutex_);
  auto it = feeds_.find(plan);
  if (it == feeds_.end() || it->second->queued) return;  // already waiting: one render covers both
  it->second->queued = true;
  dirty_.push_back(plan);
  wake_.notify_one();
}

void DerivedFeeds::run() {
  for (;;) {
    std::string plan;
    std::shared_ptr<Feed> feed;
    bool needs_subscription = false;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !dirty_.empty(); });
      if (stopping_) return;
      plan = std::move(dirty_.front());
      dirty_.pop_front();
      auto it = feeds_.find(plan);
      if (it == feeds_.end()) continue;
      feed = it->second;
      feed->queued = false;  // events from here on need another render
      needs_subscription = !feed->subscription;
    }
    if (needs_subscription) {
      // Events from this revision on mark the plan dirty; the render below reads a view at
      // least this recent, so none falls between.
      const uint64_t from = engine_.revision(plan);
      auto sub = engine_.subscribe(plan, from, std::make_shared<FeedSubscriber>(*this, plan));
      if (!sub.ok()) {
        log::warn("derived feed of plan " + plan + ": " + sub.error().message());
      } else {
        std::unique_ptr<Subscription> unused;
        {
          std::lock_guard lock(mutex_);
          auto it = feeds_.find(plan);
          if (it != feeds_.end() && it->second == feed && !stopping_) {
            feed->subscription = std::move(*sub);
          } else {
            unused = std::move(*sub);  // the last watcher left meanwhile
          }
        }
        if (unused) {
          unused->cancel();
          continue;
        }
      }
    }
    try {
      render(plan);
    } catch (const std::exception& e) {
      log::error("derived feed of plan " + plan + " failed: " + e.what());
    }
  }
}

void DerivedFeeds::render(const std::string& plan) {
  const auto started = std::chrono::steady_clock::now();
  std::shared_ptr<Feed> feed;
  {
    std::lock_guard lock(mutex_);
    auto it = feeds_.find(plan);
    if (it == feeds_.end()) return;
    feed = it->second;
  }
  auto text = engine_.view(plan);
  if (!text.ok()) return;  // the plan went away: its sessions are told by their own subscription
  // Only the derived keys (and the revision) are kept: the rest is skipped while parsing.
  auto parsed = nlohmann::json::parse(
      **text,
      [](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
        if (depth == 1 && event == nlohmann::json::parse_event_t::key) {
          const auto& key = parsed.get_ref<const std::string&>();
          return key == "revision" || is_derived_key(key);
        }
        return true;
      },
      false);
  if (!parsed.is_object()) return;
  const uint64_t revision = parsed.value("revision", uint64_t(0));
  if (feed->last_revision && revision <= feed->last_revision) return;  // rendered already
  nlohmann::json parts = nlohmann::json::object();
  for (const char* k : kDerivedKeys) parts[k] = parsed.contains(k) ? std::move(parsed[k]) : nlohmann::json(nullptr);

  auto update = std::make_shared<DerivedUpdate>();
  update->plan = plan;
  update->revision = revision;
  const std::string head = frame_head(plan, revision);
  update->full = std::make_shared<const std::string>(head + R"(,"derived":)" + parts.dump() + "}");
  if (feed->last_revision) {
    std::string delta = head + R"(,"base":)" + std::to_string(feed->last_revision) + R"(,"patch":)" +
                        nlohmann::json::diff(feed->last, parts).dump() + "}";
    if (delta.size() < update->full->size()) {
      update->base = feed->last_revision;
      update->delta = std::make_shared<const std::string>(std::move(delta));
    }
  }
  feed->last = std::move(parts);
  feed->last_revision = revision;

  std::vector<std::shared_ptr<DerivedPeer>> peers;
  {
    std::lock_guard lock(mutex_);
    feed->latest = update;
    for (auto& [session, weak] : feed->peers)
      if (auto p = weak.lock()) peers.push_back(std::move(p));
  }
  // Counted before any session can show the frame (tests read the counters after a frame).
  metrics_.derived_renders_total.fetch_add(1);
  if (update->delta) metrics_.derived_deltas_total.fetch_add(1);
  metrics_.derived_render_us_total.fetch_add(static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count()));
  for (auto& p : peers) p->post_derived(update);
}

}  // namespace kartiba::server
