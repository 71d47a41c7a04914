// PlanHandle — one plan's place in the engine: its command queue, its committed state, the
// recent events kept for catch-up, and its subscribers.
//
// Commands of a plan are decided one batch at a time (busy), each on top of the batches still
// syncing (in_flight, at most a few): deciding the next batch overlaps the disk's sync of the
// last. Batches are published (acks, state, subscribers) in the order they were decided, one
// at a time (publishing), so events are committed and delivered in revision order. Everything
// here is guarded by `mu`; the committed state is immutable and shared, so readers render
// views without holding the lock.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <set>
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

// A batch handed to the commit log and not yet published: what later batches decided on top
// of it may need (its events for conflict checks, its command ids for retries).
struct InFlightBatch {
  std::vector<EventPtr> events;
  std::set<std::string> command_ids;
};

struct PlanHandle {
  explicit PlanHandle(std::string plan_id) : id(std::move(plan_id)) {}

  const std::string id;
  std::mutex mu;
  std::deque<PendingCommand> queue;                  // GUARDED_BY(mu)
  bool busy = false;                                 // GUARDED_BY(mu): a batch is being decided
  bool stale = false;                                // GUARDED_BY(mu): reload state from the log
  std::deque<std::shared_ptr<const InFlightBatch>> in_flight;  // GUARDED_BY(mu): oldest first
  std::shared_ptr<const PlanState> tip;              // GUARDED_BY(mu): state after in_flight, or null
  bool wait_for_publish = false;                     // GUARDED_BY(mu): a retry of an in-flight id waits
  // Bumped (under mu) when a write of this plan fails: batches decided before are void.
  std::atomic<uint64_t> epoch{0};
  std::deque<std::function<void()>> to_publish;      // GUARDED_BY(mu): committed batches, in order
  bool publishing = false;                           // GUARDED_BY(mu): a worker runs to_publish
  std::shared_ptr<const PlanState> state;            // GUARDED_BY(mu)
  std::deque<EventPtr> recent;                       // GUARDED_BY(mu)
  size_t recent_bytes = 0;                           // GUARDED_BY(mu): memory held by `recent`, about
  std::vector<SubscriberEntry> subscribers;          // GUARDED_BY(mu)
  std::shared_ptr<const std::string> view_cache;     // GUARDED_BY(mu): view at state->revision
  uint64_t last_snapshot_revision = 0;               // GUARDED_BY(mu)
};

}  // namespace kartiba
