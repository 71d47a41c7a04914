// When a failed webhook delivery is tried again: exponential backoff with jitter.
//
// Attempt n (1 = the first retry) waits a random time in [d/2, d], d = min(base·2^(n-1), max):
// the doubling spreads retries out, the jitter keeps many webhooks that failed together from
// retrying together. Never less than base/2; never more than max.
// Thread-safety: pure function; `unit` is a uniform random number in [0, 1] from the caller.
#pragma once

#include <cstdint>

namespace kartiba::server::webhooks {

uint64_t retry_delay_ms(uint32_t retry, uint64_t base_ms, uint64_t max_ms, double unit);

}  // namespace kartiba::server::webhooks
