// The recent delivery attempts of one webhook, newest first, for GET …/webhooks/{id}/deliveries.
//
// Bounded (the last kKeep attempts) and kept in memory: it shows what happened since the server
// started; the cursor, not this log, is what makes delivery durable.
// Thread-safety: every method may be called from any thread (one mutex).
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>

namespace kartiba::server::webhooks {

struct DeliveryAttempt {
  int64_t at_ms = 0;          // when the attempt started
  uint64_t revision = 0;      // the event's revision in its plan
  std::string event_type;
  std::string delivery;       // X-Kartiba-Delivery
  uint32_t attempt = 1;       // 1 = first try
  int status = 0;             // HTTP status, 0 when there was none
  std::string error;          // "" when the target answered
  uint64_t duration_ms = 0;
};

class DeliveryLog {
 public:
  static constexpr size_t kKeep = 100;

  void add(DeliveryAttempt attempt);
  // {"deliveries":[{"at","revision","event","delivery","attempt","status","error","duration_ms"}…]}
  std::string to_json(size_t limit) const;
  std::optional<DeliveryAttempt> last() const;

 private:
  mutable std::mutex mutex_;
  std::deque<DeliveryAttempt> attempts_;  // GUARDED_BY(mutex_): newest first
};

}  // namespace kartiba::server::webhooks
