// kartiba::server::RateLimiter — a token bucket per auth token for commands.
//
// Each key may spend `burst` commands at once and regains `rate` per second. rate <= 0
// disables the limit.
// Thread-safety: allow() may be called from any thread.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace kartiba::server {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  RateLimiter(double rate, double burst) : rate_(rate), burst_(burst < 1 ? 1 : burst) {}
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Takes one command from `key`'s bucket; false when it is empty.
  bool allow(const std::string& key) { return allow(key, Clock::now()); }
  bool allow(const std::string& key, Clock::time_point now);

 private:
  struct Bucket {
    double tokens;
    Clock::time_point last;
  };
  const double rate_;
  const double burst_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;  // GUARDED_BY(mutex_)
};

}  // namespace kartiba::server
