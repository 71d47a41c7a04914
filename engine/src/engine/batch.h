// The values the command path passes between its steps (command_path.cpp): what a worker took
// from a plan, and the batch it decided from it.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "domain/plan_state.h"
#include "engine/plan_handle.h"
#include "kartiba/engine.h"
#include "kartiba/log_of_record.h"

namespace kartiba {

// One command's part of a batch, completed once the batch's outcome is known.
struct Completion {
  CommandCallback done;
  CommandOutcome outcome;
  std::vector<std::shared_ptr<Event>> events;  // filled in (seq, json) after the commit
  // A 409 decided at this revision: the events in the way are listed once the batch is
  // durable, because some may be earlier commands of the same batch.
  std::optional<uint64_t> conflict_at;
  // Answered from the store (a retry of a command written before): stands even if this
  // batch's write fails. Every other answer was decided against the batch's own state.
  bool from_store = false;
};

struct Batch {
  std::shared_ptr<const PlanState> base;  // the state it was decided on
  std::shared_ptr<PlanState> next;        // the state after every accepted command
  std::vector<std::string> records;       // the events in storage format, without seq
  std::vector<std::shared_ptr<Event>> events;
  std::vector<uint64_t> seqs;             // given by the log of record once committed
  std::vector<CommandRecord> commands;    // what each accepted command appended
  std::vector<Completion> completions;    // completions[i] answers taken[i]
  std::vector<PendingCommand> taken;      // kept to be decided again after a lost race
  std::map<std::string, size_t> ids_in_batch;  // command id → its completion
  std::vector<IngestRequest> ingests;     // a batch of foreign events: the calls it answers
  uint64_t local_epoch = 0;               // PlanHandle::local_epoch when it was decided
};

// What a worker took from a plan under its lock.
struct TakenWork {
  enum class Kind {
    nothing,   // the plan has nothing a worker may do now
    commands,  // decide these commands
    ingest,    // take in events other nodes committed
    catch_up,  // ask the log of record for the events this node lacks
    refuse,    // the log of record cannot be reached: fail these commands 503
  };
  Kind kind = Kind::nothing;
  std::vector<PendingCommand> commands;
  std::vector<IngestRequest> ingests;
  std::shared_ptr<const PlanState> base;  // committed, or after the batches in flight
  bool behind = false;                    // decided on top of batches in flight
  bool reload = false;                    // reload the state from the store first
  uint64_t epoch = 0;
  uint64_t local_epoch = 0;
  std::string refusal;
};

CommandOutcome rejected(Error e, std::string command_id = {});

}  // namespace kartiba
