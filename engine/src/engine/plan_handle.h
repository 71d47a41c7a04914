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
#include "kartiba/log_of_record.h"

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

// Events other nodes committed, waiting to be taken in (LogSink::ingest).
struct IngestRequest {
  std::vector<StoredEvent> events;
  std::vector<CommandRecord> commands;
  std::function<void(Status)> done;
};

// A batch handed to the log and not yet published: what later batches decided on top of it may
// need (its events for conflict checks, its command ids for retries), and, once its outcome is
// known, the step that publishes it. Batches publish in the order they were decided, whatever
// the order their outcomes arrive in.
struct InFlightBatch {
  std::vector<EventPtr> events;
  std::set<std::string> command_ids;
  std::function<void()> publish;  // GUARDED_BY(PlanHandle::mu): set when the outcome is known
};

struct PlanHandle {
  explicit PlanHandle(std::string plan_id) : id(std::move(plan_id)) {}

  const std::string id;
  std::mutex mu;
  std::deque<PendingCommand> queue;                  // GUARDED_BY(mu)
  bool busy = false;                                 // GUARDED_BY(mu): a batch is being decided
  bool stale = false;                                // GUARDED_BY(mu): reload state from the log
  std::deque<std::shared_ptr<InFlightBatch>> in_flight;  // GUARDED_BY(mu): oldest first
  std::shared_ptr<const PlanState> tip;              // GUARDED_BY(mu): state after in_flight, or null
  bool wait_for_publish = false;                     // GUARDED_BY(mu): a retry of an in-flight id waits
  // Bumped (under mu) when a write of this plan fails: batches decided before are void.
  std::atomic<uint64_t> epoch{0};
  // Bumped when a write of this node's copy fails (cluster): the copies of batches decided
  // before are not written after it, which would leave a gap.
  std::atomic<uint64_t> local_epoch{0};
  bool voided_by_race = false;
  bool last_publish_failed = false;                  // GUARDED_BY(mu): the batch published last
                                                     // was not committed (or put back)                       // GUARDED_BY(mu): the last bump was a lost race
  bool publishing = false;                           // GUARDED_BY(mu): a worker publishes in_flight
  // The log of record has events this node lacks (a lost race, an unknown outcome, a failed
  // write): commands wait until catch_up brings them in.
  bool needs_catch_up = false;                       // GUARDED_BY(mu)
  bool catching_up = false;                          // GUARDED_BY(mu): a catch_up is under way
  std::optional<std::string> catch_up_failure;       // GUARDED_BY(mu): why the last one failed
  std::deque<IngestRequest> to_ingest;               // GUARDED_BY(mu): foreign events, in order
  size_t requeued = 0;                               // GUARDED_BY(mu): commands at queue's front
                                                     // put back to be decided again
  std::shared_ptr<const PlanState> state;            // GUARDED_BY(mu)
  std::deque<EventPtr> recent;                       // GUARDED_BY(mu)
  size_t recent_bytes = 0;                           // GUARDED_BY(mu): memory held by `recent`, about
  std::vector<SubscriberEntry> subscribers;          // GUARDED_BY(mu)
  std::shared_ptr<const std::string> view_cache;     // GUARDED_BY(mu): view at state->revision
  uint64_t last_snapshot_revision = 0;               // GUARDED_BY(mu)
};

}  // namespace kartiba
