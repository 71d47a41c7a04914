// kartiba::LogOfRecord — where a commit becomes an ack. By default (Options::log_of_record null)
// it is the engine's own RocksDB log: one synced write per group commit, exactly as a single
// node has always worked. A cluster node hands the engine another implementation (PostgreSQL,
// issue 13); the engine then keeps its RocksDB store as this node's copy of the log, for reads,
// time travel and live streams. docs/DESIGN.md, "The log of record", says the same at length.
//
// What the engine does with it:
//   - start(sink) once, before any other call; `sink` is how the log brings in events that
//     other nodes committed (tailing) and tells of meta changes.
//   - append(batch, done) for each plan batch the engine decided, from any engine thread; the
//     log groups whatever is queued (of many plans) into one commit and answers each batch.
//   - catch_up(plan, after, done) when the engine learnt that its copy of a plan is behind
//     (a batch came back `revision_taken`, or its outcome is unknown): the log calls
//     sink.ingest() with every event of the plan after `after` that it has, then done().
//   - the meta calls for the server's cluster-wide records (tokens), and stop() at shutdown.
//
// Thread-safety: every method may be called from any thread at once. Callbacks (done, and the
// sink's methods) may be called from any thread of the log's, must not be called while the log
// holds a lock the engine could wait for, and must not block: the engine only queues work in them.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kartiba/error.h"
#include "kartiba/event.h"

namespace kartiba {

// What a command id appended: a retry of it (at any node) is answered from this record.
struct CommandRecord {
  std::string id;
  uint64_t first_revision = 0;
  uint64_t last_revision = 0;
  std::string created_id;  // the entity id the engine made when the client named none, or ""
};

// One plan's decided batch: events base+1 … base+k, chained by hash on the event at `base`.
struct PlanBatch {
  std::string plan;
  uint64_t base = 0;            // the revision the batch was decided on (0: it creates the plan)
  std::string base_hash;        // the hex hash of event `base` ("" when base is 0)
  // The events, in revision order (seq 0 and json empty: the log assigns the seqs). Read-only.
  std::vector<EventPtr> events;
  // The same events in kartiba's storage format without the seq (docs/EVENT_FORMAT.md):
  // opaque bytes an implementation stores as they are and hands back in StoredEvent::record.
  std::vector<std::string> records;
  // One per command of the batch that appended events (a command that was refused has none).
  std::vector<CommandRecord> commands;
  // Asked just before the batch is committed (inside the log's own flow, not under a lock the
  // engine holds): false means the engine no longer wants it, because a batch of the same plan
  // appended before it failed. Answer such a batch `unavailable` and commit nothing of it.
  std::function<bool()> still_wanted;
};

enum class AppendStatus {
  committed,       // durable in the log of record: the engine acknowledges the commands
  revision_taken,  // the log's latest revision of the plan is not `base` (with `base_hash`):
                   // another node committed first. Nothing of the batch was committed; the
                   // engine catches up (catch_up) and decides the commands again.
  unavailable,     // nothing was committed, or the outcome cannot be known now (a connection
                   // broke during the commit). The commands fail 503; the engine catches the plan
                   // up before its next batch, so a commit that did happen comes back through
                   // ingest and a retry of its command id gets the first answer.
};

struct AppendResult {
  AppendStatus status = AppendStatus::unavailable;
  std::vector<uint64_t> seqs;  // committed: each event's global seq, increasing (gaps allowed)
  std::string message;         // unavailable: why, for the 503's message and the log
};

// An event as the log of record holds it, handed back to the engine.
struct StoredEvent {
  uint64_t revision = 0;
  uint64_t seq = 0;
  std::string record;  // PlanBatch::records' bytes for this revision
};

// Implemented by the engine; the log calls it.
class LogSink {
 public:
  virtual ~LogSink() = default;
  // Events of one plan committed to the log of record, in revision order, with the command
  // records of the commands that appended them (so retries are answered on this node too).
  // Revisions the engine already has are skipped (this node's own batches come back this way
  // too, and a tail may overlap a catch-up); the first new one must be the engine's revision
  // + 1, else done() gets `unavailable` ("gap") and nothing of the call is taken: read again
  // from known_revision(). The engine checks the hash chain, writes the events into its store,
  // applies them with the same apply() as its own, and delivers them to the plan's subscribers,
  // in order, none twice. A plan unknown to the engine is created by its first event.
  // done(status) runs once that is durable in the node's store (or failed); a tailer may
  // pipeline several ingest calls of one plan: they are taken in call order.
  virtual void ingest(const std::string& plan, std::vector<StoredEvent> events,
                      std::vector<CommandRecord> commands, std::function<void(Status)> done) = 0;
  // The revision of the plan this node has taken in (committed or ingested); 0 if unknown.
  // A tailer's per-plan cursor starts here.
  virtual uint64_t known_revision(const std::string& plan) = 0;
  // A meta record changed in the log of record (another node issued or revoked a token).
  // The engine calls Options::on_meta_changed with it.
  virtual void meta_changed(const std::string& key) = 0;
};

class LogOfRecord {
 public:
  virtual ~LogOfRecord() = default;

  // Called once by Engine::open after the node's store is loaded. An implementation starts its
  // tailing here (catching up a node started on an empty data directory through sink.ingest)
  // and may refuse to start (the engine's open then fails with this error).
  virtual Status start(LogSink& sink) = 0;

  // Commits one plan's batch at its expected base: `committed` only if the log's latest event
  // of the plan is at `base` with `base_hash` (none when base is 0), else `revision_taken`.
  // A plan's batches arrive in revision order (the next may come before the last is answered);
  // they must be committed in that order, and a batch whose predecessor was not committed must
  // not be committed either (its base check fails, or still_wanted() says so). Batches of many
  // plans may share one transaction; one plan's lost race must not fail the others in it.
  // Command ids are unique per plan in the log: a batch whose command id is already there has
  // lost a race too (`revision_taken`), its retry is then answered from the caught-up record.
  // done runs exactly once, on any thread of the log's, after the outcome is durable.
  virtual void append(PlanBatch batch, std::function<void(AppendResult)> done) = 0;

  // Brings the engine's copy of `plan` up to the log of record: calls sink.ingest() with the
  // plan's events after revision `after` (in pages, as it likes), then done(). done gets
  // `unavailable` when the log cannot be read; the engine asks again before its next batch.
  virtual void catch_up(const std::string& plan, uint64_t after, std::function<void(Status)> done) = 0;

  // The server's records (tokens), shared by every node: Engine::put_meta and the others go
  // here. Synchronous: the server calls them off its network threads, on token issue and
  // revocation and at start (get/list may be served from a copy kept current by tailing).
  virtual Status put_meta(const std::string& key, const std::string& value) = 0;
  virtual Status delete_meta(const std::string& key) = 0;
  virtual std::optional<std::string> get_meta(const std::string& key) = 0;
  virtual std::vector<std::pair<std::string, std::string>> list_meta(const std::string& prefix) = 0;

  // Answers what is queued (or fails it `unavailable`), stops tailing, and makes no more calls
  // into the sink once it returns. The engine calls it at shutdown, before it goes.
  virtual void stop() = 0;
};

}  // namespace kartiba
