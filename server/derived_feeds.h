// kartiba::server::DerivedFeeds — what a plan's view derives (conflicts, SDG coverage, the
// pledge board, the days), sent with the live stream so that a dashboard never fetches the view
// again to follow changes (docs/PROTOCOL.md, "Derived frames").
//
// Only plans with at least one subscribed session have a feed. A feed follows its plan through
// an engine subscription of its own; each delivery marks the plan dirty, and one thread renders
// the derived parts of the current view for each dirty plan in turn. Several batches that land
// while a plan waits are covered by one render (coalesced). Each render is encoded once into a
// full frame and, when smaller, a delta frame (a JSON Patch against the previous render); both
// are shared by every session of the plan, which picks one of the two.
//
// Thread-safety: every public method may be called from any thread. Peers are reached through
// post_derived(), which only queues on the session's strand.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace kartiba {
class Engine;
}

namespace kartiba::server {

class Metrics;

// One render of a plan's derived parts, encoded once.
struct DerivedUpdate {
  std::string plan;
  uint64_t revision = 0;  // the view's revision the parts belong to
  uint64_t base = 0;      // the revision of the render `delta` patches (0: no delta)
  std::shared_ptr<const std::string> full;   // {"type":"derived",…,"derived":{…}}
  std::shared_ptr<const std::string> delta;  // {"type":"derived",…,"base":B,"patch":[…]}; null when not smaller
};
using DerivedPtr = std::shared_ptr<const DerivedUpdate>;

// What a feed asks of a session. Implementations post to their strand and return at once.
class DerivedPeer {
 public:
  virtual ~DerivedPeer() = default;
  virtual void post_derived(DerivedPtr update) = 0;
};

class DerivedFeeds {
 public:
  DerivedFeeds(Engine& engine, Metrics& metrics);
  ~DerivedFeeds();
  DerivedFeeds(const DerivedFeeds&) = delete;
  DerivedFeeds& operator=(const DerivedFeeds&) = delete;

  // The session follows the plan's derived parts; returns the latest render (null while the
  // first is being made). A plan's first watcher starts its feed.
  DerivedPtr watch(const std::string& plan, uint64_t session, std::weak_ptr<DerivedPeer> peer);
  // The session stops following; the last one ends the feed.
  void unwatch(const std::string& plan, uint64_t session);
  // Plans with a feed (for /metrics).
  size_t feeds() const;
  // Ends every feed and the render thread. Idempotent.
  void stop();

  // The engine delivered events of the plan (from the feed's own subscription).
  void changed(const std::string& plan);

 private:
  struct Feed;
  void run();
  void render(const std::string& plan);

  Engine& engine_;
  Metrics& metrics_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::string, std::shared_ptr<Feed>> feeds_;  // GUARDED_BY(mutex_)
  std::deque<std::string> dirty_;                       // GUARDED_BY(mutex_): plans to render, each once
  bool stopping_ = false;                               // GUARDED_BY(mutex_)
  std::thread thread_;
};

}  // namespace kartiba::server
