// Subscriptions: a snapshot or a catch-up from a revision, then live events (published by
// command_path.cpp), none missed, none twice, in order.
#include <algorithm>

#include "engine/engine_impl.h"
#include "views/view.h"

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
  // The slow part (rendering the snapshot, reading an old page of the log) runs outside the
  // plan's lock on the state it saw; under the lock the subscriber then gets it, plus what was
  // published meanwhile, and joins in the same step, so no event slips between.
  for (int attempt = 1;; ++attempt) {
    // A plan publishing without pause could outrun the reads: the third try holds the lock.
    const bool last_try = attempt >= 3;
    std::shared_ptr<const PlanState> seen;
    std::shared_ptr<const std::string> view;
    bool from_memory = false;
    {
      std::lock_guard lock(h->mu);
      seen = h->state;
      view = h->view_cache;
      if (from) from_memory = !h->recent.empty() && h->recent.front()->revision <= *from + 1;
    }
    const uint64_t current = seen->revision;
    if (from && *from > current)
      return Error::invalid("from " + std::to_string(*from) + " is ahead of the plan's revision " +
                                std::to_string(current), "/from");
    std::vector<EventPtr> missed;
    if (!from && !view) view = cache_view(*h, seen);
    if (from && *from < current && !from_memory) {
      auto evs = read_events(plan, *from, current);
      if (!evs.ok()) return evs.error();
      missed = std::move(evs.value());
    }
    std::lock_guard lock(h->mu);
    const uint64_t now = h->state->revision;
    if (!from) {
      if (now != current) {
        if (!last_try) continue;  // published meanwhile: render again
        view = std::make_shared<const std::string>(render_view(*h->state).dump());
      }
      subscriber->on_snapshot(now, view);
    } else {
      // From memory, what it holds after what was read (or after `from`).
      uint64_t have = missed.empty() ? *from : missed.back()->revision;
      if (have < now) {
        if (!h->recent.empty() && h->recent.front()->revision <= have + 1) {
          for (auto& e : h->recent)
            if (e->revision > have) missed.push_back(e);
        } else {
          if (!last_try) continue;  // memory moved on: read again
          auto evs = read_events(plan, have, now);
          if (!evs.ok()) return evs.error();
          missed.insert(missed.end(), evs.value().begin(), evs.value().end());
        }
      }
      if (!missed.empty()) subscriber->on_events(missed);
    }
    h->subscribers.push_back({id, std::move(subscriber)});
    return std::unique_ptr<Subscription>(new EngineSubscription(h, id));
  }
}

void EngineImpl::unsubscribe(const std::shared_ptr<PlanHandle>& h, uint64_t id) {
  std::lock_guard lock(h->mu);
  auto& subs = h->subscribers;
  subs.erase(std::remove_if(subs.begin(), subs.end(), [&](const SubscriberEntry& s) { return s.id == id; }), subs.end());
}


}  // namespace kartiba
