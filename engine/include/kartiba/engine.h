// kartiba::Engine — the event-sourced planning engine: log, domain and projections.
//
// What a caller does with it: open a data directory, execute commands, read views (now or
// at a past revision or time), read events, and subscribe to a plan from a revision.
// Nothing of RocksDB or of the network shows here.
//
// Thread-safety: every method may be called from any thread at once. Commands of one plan
// are applied in one order; different plans proceed in parallel. Callbacks (command
// completion, subscription deliveries) run on the engine's own threads, may hold a plan's
// lock, and must neither block nor call back into the engine:
// hand the work to your own executor (the server posts to a connection's strand).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "kartiba/error.h"
#include "kartiba/options.h"

namespace kartiba {

struct Event;
using EventPtr = std::shared_ptr<const Event>;

// One command as a client sent it (SPEC.md, Commands), with who sent it.
struct CommandRequest {
  std::string plan;
  std::string actor;          // the token's name; recorded on every event
  std::string command_json;   // {"id","type","base","reason","data"} as text
  bool admin = false;         // admin-only command types (create-plan, import) need it
  // The same command already parsed (and its depth checked) by the caller, e.g. out of a
  // WebSocket message: used instead of command_json when set (the engine may move from it).
  std::shared_ptr<nlohmann::json> command = nullptr;
};

struct CommandOutcome {
  bool ok = false;
  std::optional<Error> error;       // set when !ok
  std::string command_id;           // the client's id, or the one the engine made
  uint64_t revision = 0;            // the plan's revision after the command
  std::vector<EventPtr> events;     // the events it appended (or appended the first time)
  bool duplicate = false;           // the id was seen before: nothing new was appended
  std::string created_id;           // the entity id made when the client omitted one

  // {"ok":true,"revision":N,"events":[…]} or the error body.
  std::string to_json() const;
};

using CommandCallback = std::function<void(CommandOutcome)>;

// A point in a plan's past: a revision or a time. Empty = now.
struct ViewAt {
  std::optional<uint64_t> revision;
  std::optional<int64_t> asof_ms;
};

struct PlanSummary {
  std::string id;
  std::string title;
  uint64_t revision = 0;
};

struct VerifyReport {
  bool ok = true;
  uint64_t revision = 0;         // the revision checked up to (ok), or the first bad one
  std::string message;           // what is wrong with the first bad event
};

// Receives a subscription's deliveries, in revision order, each exactly once.
// Called on engine threads with the plan's delivery order guaranteed; must not block.
class Subscriber {
 public:
  virtual ~Subscriber() = default;
  // Subscribed without `from`: the view at `revision`, then events after it.
  virtual void on_snapshot(uint64_t revision, std::shared_ptr<const std::string> view_json) = 0;
  // Events in revision order, contiguous with what came before.
  virtual void on_events(const std::vector<EventPtr>& events) = 0;
};

// Live while held; destroying it (or cancel()) stops deliveries. After cancel() returns no
// further call to the subscriber starts.
class Subscription {
 public:
  virtual ~Subscription() = default;
  virtual void cancel() = 0;
};

// Counters for /metrics; cheap to read.
struct EngineStats {
  uint64_t events_appended = 0;
  uint64_t commits = 0;                 // synced writes
  uint64_t commit_batch_events_sum = 0; // sum over commits of events per write
  std::vector<uint64_t> commit_latency_us_buckets;  // counts per bucket of kLatencyBucketsUs
  std::vector<uint64_t> batch_size_buckets;         // counts per bucket of kBatchBuckets
  uint64_t latency_us_sum = 0;
  uint64_t plans = 0;
  bool storage_failed = false;
};
inline constexpr uint64_t kLatencyBucketsUs[] = {100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 1000000};
inline constexpr uint64_t kBatchBuckets[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

class Engine {
 public:
  // Opens (creating when missing) the database in options.data_dir and restores every
  // plan from its latest snapshot plus the tail of its log.
  static Result<std::unique_ptr<Engine>> open(const Options& options);

  Engine() = default;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;
  virtual ~Engine() = default;

  // Validates the command against the plan's current state, appends its events durably
  // (group commit) and then calls `done` — after the events are on disk, before any
  // subscriber sees them. A rejected command changes nothing.
  virtual void execute(CommandRequest request, CommandCallback done) = 0;
  // The same, waiting for the outcome. Not for network threads.
  CommandOutcome execute_sync(CommandRequest request);

  // Creates a plan from {"id","title","timezone",…} (admin).
  CommandOutcome create_plan(const std::string& plan_json, const std::string& actor);
  // Imports an export.json document into a plan that does not exist yet (admin).
  CommandOutcome import_plan(const std::string& export_json, const std::string& actor);

  virtual bool has_plan(const std::string& plan) = 0;
  virtual std::vector<PlanSummary> plans() = 0;
  virtual uint64_t revision(const std::string& plan) = 0;  // 0 if no such plan

  // The plan's view (SPEC.md: plan fields, revision, days, items, …) as JSON text.
  virtual Result<std::shared_ptr<const std::string>> view(const std::string& plan, ViewAt at = {}) = 0;
  // Events with revision > from, oldest first, at most `limit`.
  virtual Result<std::vector<EventPtr>> events(const std::string& plan, uint64_t from, size_t limit) = 0;
  // The audit trail, one entry per event with a sentence in "lv" or "en".
  virtual Result<std::string> history(const std::string& plan, const std::string& lang,
                                      uint64_t from, size_t limit) = 0;
  // What changed between two points; each a revision number or a release name.
  // Empty from = the last release (or the start); empty to = now.
  virtual Result<std::string> changelog(const std::string& plan, const std::string& from,
                                        const std::string& to) = 0;
  virtual Result<std::string> releases(const std::string& plan) = 0;
  virtual Result<VerifyReport> verify(const std::string& plan) = 0;
  // The whole plan as an export.json document.
  virtual Result<std::string> export_plan(const std::string& plan) = 0;

  // Subscribes to a plan. Without `from`: a snapshot, then live events. With `from`: every
  // event with revision > from (read from the log when old), then live events; none missed,
  // none twice, in order.
  virtual Result<std::unique_ptr<Subscription>> subscribe(const std::string& plan,
                                                         std::optional<uint64_t> from,
                                                         std::shared_ptr<Subscriber> subscriber) = 0;

  // A small durable key-value store beside the log for the server's own records (tokens).
  // Keys and values are opaque bytes. Synced.
  virtual Status put_meta(const std::string& key, const std::string& value) = 0;
  virtual Status delete_meta(const std::string& key) = 0;
  virtual std::optional<std::string> get_meta(const std::string& key) = 0;
  virtual std::vector<std::pair<std::string, std::string>> list_meta(const std::string& prefix) = 0;

  virtual EngineStats stats() = 0;

  // Waits for in-flight commands to finish and be acknowledged, then stops accepting new
  // ones (they fail `unavailable`). Idempotent; the destructor calls it.
  virtual void shutdown() = 0;
};

}  // namespace kartiba
