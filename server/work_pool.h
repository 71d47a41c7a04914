// kartiba::server::WorkPool — a small thread pool for work too heavy for a network thread:
// views, history, exports, token writes. Jobs post their result back to the connection's
// strand themselves.
//
// Bounded: submit() refuses new jobs while `max_pending` are queued or running, so a flood
// of reads gets 503 instead of growing memory.
// Thread-safety: submit() may be called from any thread; join() once, from the owner.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>

namespace kartiba::server {

class WorkPool {
 public:
  WorkPool(size_t threads, size_t max_pending);
  ~WorkPool();
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  // Queues `job`; false (and `job` dropped) when the pool is full or stopped.
  [[nodiscard]] bool submit(std::function<void()> job);
  // Finishes queued jobs and stops the threads.
  void join();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  const size_t max_pending_;
  std::atomic<size_t> pending_{0};
  std::atomic<bool> stopped_{false};
};

}  // namespace kartiba::server
