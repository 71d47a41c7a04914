// BatchDecider — decides a plan's taken commands, one after another, into one batch: answers a
// repeated command id, runs decide() on the state the earlier commands of the batch left, and
// drafts, hashes and applies each command's events to the batch's private copy of the state.
//
// Thread-safety: one decider per batch, on the worker that drains the plan.
#pragma once

#include <functional>
#include <string>

#include "domain/decide.h"
#include "engine/batch.h"
#include "kartiba/store.h"

namespace kartiba {

class BatchDecider {
 public:
  // plan_event_at: the plan's event at a revision (recent, in flight, or from the log).
  BatchDecider(std::string plan, Store& store, std::function<Result<EventPtr>(uint64_t)> plan_event_at,
               int64_t at_ms, Batch& batch);

  // Adds one completion to the batch for `p`: an answer, a refusal, or events.
  void add(PendingCommand& p);

 private:
  // A retry of an id this batch or the log has seen: answered with the first answer.
  bool answer_repeat(ParsedCommand& cmd, Completion& c);
  // An import with history: the events as they were, their chain checked.
  bool decide_verbatim(PendingCommand& p, Completion& c);
  // An import without history: its commands decided in order, all or none.
  bool decide_group(PendingCommand& p, Completion& c);
  bool decide_single(PendingCommand& p, Completion& c);
  void add_events(const std::vector<Draft>& drafts, const PendingCommand& p, Completion& c);
  void accept(const ParsedCommand& cmd, Completion c);
  void refuse(Completion c, Error error);

  // Where the batch stood before a command that may have to be undone whole.
  struct Mark {
    PlanState state;
    size_t events, records;
  };
  Mark mark() const;
  void undo(Mark m, Completion& c);

  const std::string plan_;
  Store& store_;
  DecideContext ctx_;
  const int64_t at_ms_;
  Batch& batch_;
  PlanState& working_;
};

}  // namespace kartiba
