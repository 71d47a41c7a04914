#include "work_pool.h"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "log.h"

namespace kartiba::server {

struct WorkPool::Impl {
  explicit Impl(size_t threads) : pool(threads) {}
  boost::asio::thread_pool pool;
};

WorkPool::WorkPool(size_t threads, size_t max_pending)
    : impl_(std::make_unique<Impl>(threads == 0 ? 1 : threads)), max_pending_(max_pending) {}

WorkPool::~WorkPool() { join(); }

bool WorkPool::submit(std::function<void()> job) {
  if (stopped_.load()) return false;
  if (pending_.fetch_add(1) >= max_pending_) {
    pending_.fetch_sub(1);
    return false;
  }
  boost::asio::post(impl_->pool, [this, job = std::move(job)] {
    try {
      job();
    } catch (const std::exception& e) {
      log::error(std::string("work job failed: ") + e.what());
    }
    pending_.fetch_sub(1);
  });
  return true;
}

void WorkPool::join() {
  stopped_.store(true);
  impl_->pool.join();
}

}  // namespace kartiba::server
