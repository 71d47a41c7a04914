// PlanHandle — one plan's place in the engine: its command queue, its committed state, the
// recent events kept for catch-up, and its subscribers.
//
// Commands of a plan run one batch at a time (busy), so its events are decided, committed
// and delivered in revision order. Everything here is guarded by `mu`; the committed state
// is immutable and shared, so readers render views without holding the lock.
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "domain/decide.h"
#include "domain/plan_state.h"
#include "kartiba/engine.h"

namespace kartiba {

struct PendingCommand {
  ParsedCommand command;
  std::string actor;
  bool admin = false;
  CommandCallback done;
  // Commands of one import run as one group: all applied or none.
  std::shared_ptr<std::vector<PendingCommand>> group;
  // Verbatim events of an import with history (replaces `command` when set).
  std::shared_ptr<std::vector<Event>> verbatim;
};

struct SubscriberEntry {
  uint64_t id;
  std::shared_ptr<Subscriber> subscriber;
};

struct PlanHandle {
  explicit PlanHandle(std::string plan_id) : id(std::move(plan_id)) {}

  const std::string id;
  std::mutex mu;
  std::deque<PendingCommand> queue;                  // GUARDED_BY(mu)
  bool busy = false;                                 // GUARDED_BY(mu): a batch is in flight
  bool stale = false;                                // GUARDED_BY(mu): reload state from the log
  std::shared_ptr<const PlanState> state;            // GUARDED_BY(mu)
  std::deque<EventPtr> recent;                       // GUARDED_BY(mu)
  size_t recent_bytes = 0;                           // GUARDED_BY(mu): memory held by `recent`, about
  std::vector<SubscriberEntry> subscribers;          // GUARDED_BY(mu)
  std::shared_ptr<const std::string> view_cache;     // GUARDED_BY(mu): view at state->revision
  uint64_t last_snapshot_revision = 0;               // GUARDED_BY(mu)
};

}  // namespace kartiba
