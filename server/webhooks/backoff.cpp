#include "webhooks/backoff.h"

#include <algorithm>

namespace kartiba::server::webhooks {

uint64_t retry_delay_ms(uint32_t retry, uint64_t base_ms, uint64_t max_ms, double unit) {
  uint64_t d = std::max<uint64_t>(base_ms, 1);
  for (uint32_t i = 1; i < retry && d < max_ms; ++i) d *= 2;
  d = std::min(d, std::max<uint64_t>(max_ms, 1));
  unit = std::clamp(unit, 0.0, 1.0);
  const uint64_t half = d / 2;
  return half + static_cast<uint64_t>(static_cast<double>(d - half) * unit);
}

}  // namespace kartiba::server::webhooks
