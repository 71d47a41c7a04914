// Subscriptions: a snapshot or a catch-up from a revision, then live events (published by
// command_path.cpp), none missed, none twice, in order.
#include <algorithm>

#include "engine/engine_impl.h"

namespace kartiba {

// Holds only the plan's handle, not the engine: a subscription may outlive the engine
// (destroyed after it) and cancelling it then is still safe.
class EngineSubscription final : public Subscription {
 public:
  EngineSubscription(std::shared_ptr<PlanHandle> h, uint64_t id) : h_(std::move(h)), id_(id) {}
  ~EngineSubscription() override { cancel(); }
  void cancel() override {
    if (h_) EngineImpl::unsubscribe(h_, id_);
    h_.reset();
  }

 private:
  std::shared_ptr<PlanHandle> h_;
  uint64_t id_;
};


Result<std::unique_ptr<Subscription>> EngineImpl::subscribe(const std::string& plan, std::optional<uint64_t> from,
                                                            std::shared_ptr<Subscriber> subscriber) {
  auto h = handle(plan);
  if (!h || revision(plan) == 0) return Error::not_found("no plan '" + plan + "'");
  uint64_t id = next_subscriber_id_++;
  std::lock_guard lock(h->mu);
  uint64_t current = h->state->revision;
  if (!from) {
    subscriber->on_snapshot(current, render_cached(*h));
  } else {
    if (*from > current)
      return Error::invalid("from " + std::to_string(*from) + " is ahead of the plan's revision " + std::to_string(current), "/from");
    if (*from < current) {
      std::vector<EventPtr> missed;
      if (!h->recent.empty() && h->recent.front()->revision <= *from + 1) {
        for (auto& e : h->recent)
          if (e->revision > *from) missed.push_back(e);
      } else {
        // Older than memory holds: read the log (under the lock, so no event slips between).
        auto evs = read_events(plan, *from, current);
        if (!evs.ok()) return evs.error();
        missed = std::move(evs.value());
      }
      subscriber->on_events(missed);
    }
  }
  h->subscribers.push_back({id, std::move(subscriber)});
  return std::unique_ptr<Subscription>(new EngineSubscription(h, id));
}

void EngineImpl::unsubscribe(const std::shared_ptr<PlanHandle>& h, uint64_t id) {
  std::lock_guard lock(h->mu);
  auto& subs = h->subscribers;
  subs.erase(std::remove_if(subs.begin(), subs.end(), [&](const SubscriberEntry& s) { return s.id == id; }), subs.end());
}


}  // namespace kartiba
