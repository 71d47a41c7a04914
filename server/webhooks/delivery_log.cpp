#include "webhooks/delivery_log.h"

#include <nlohmann/json.hpp>

#include "time_util.h"

namespace kartiba::server::webhooks {

void DeliveryLog::add(DeliveryAttempt attempt) {
  std::lock_guard lock(mutex_);
  attempts_.push_front(std::move(attempt));
  if (attempts_.size() > kKeep) attempts_.pop_back();
}

std::optional<DeliveryAttempt> DeliveryLog::last() const {
  std::lock_guard lock(mutex_);
  if (attempts_.empty()) return std::nullopt;
  return attempts_.front();
}

std::string DeliveryLog::to_json(size_t limit) const {
  nlohmann::json list = nlohmann::json::array();
  std::lock_guard lock(mutex_);
  for (const auto& a : attempts_) {
    if (list.size() >= limit) break;
    nlohmann::json j = {{"at", format_rfc3339_ms(a.at_ms)},
                        {"revision", a.revision},
                        {"event", a.event_type},
                        {"delivery", a.delivery},
                        {"attempt", a.attempt},
                        {"status", a.status == 0 ? nlohmann::json(nullptr) : nlohmann::json(a.status)},
                        {"duration_ms", a.duration_ms}};
    if (!a.error.empty()) j["error"] = a.error;
    list.push_back(std::move(j));
  }
  return nlohmann::json{{"deliveries", std::move(list)}}.dump();
}

}  // namespace kartiba::server::webhooks
