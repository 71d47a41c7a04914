// The webhooks' counters for /metrics. Thread-safety: atomics.
#pragma once

#include <atomic>
#include <cstdint>

namespace kartiba::server::webhooks {

struct Counters {
  std::atomic<uint64_t> deliveries_ok{0};      // attempts answered 2xx
  std::atomic<uint64_t> deliveries_failed{0};  // attempts that failed (each retry counts)
  std::atomic<uint64_t> disabled_total{0};     // webhooks disabled after failing too long
};

}  // namespace kartiba::server::webhooks
