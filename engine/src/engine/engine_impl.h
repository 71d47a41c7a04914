// EngineImpl — the Engine over a Store and a log of record: plan handles, batches, group
// commit, subscriptions, snapshots and time travel.
//
// The life of a command (command_path.cpp): execute() parses it and queues it on its plan. When
// the plan is not busy, a worker takes every queued command (up to max_batch_commands),
// decides each one against a private copy of the plan's state (committed, or after the batches
// still in flight), and hands the batch to the log of record (LocalLog: the CommitLog's group
// commit into this node's store); the next batch may be decided while this one syncs
// (kMaxBatchesInFlight). Once the log answers, batches are published in the order they were
// decided: callers are completed (acks), the new state swapped in, and the events delivered to
// subscribers, so that a subscribe() sees either all of a batch or none of it. A failed write
// voids the batches decided on top of it (PlanHandle::epoch); a batch that lost its revisions
// to another node puts its commands back, the plan catches up, and they are decided again.
// Events other nodes committed come in through the LogSink (ingest.cpp) and take the same
// publishing path as the plan's own batches.
//
// The other files: reads.cpp (the log, views, time travel), subscriptions.cpp, admin.cpp
// (open, meta, stats, shutdown).
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "core/thread_pool.h"
#include "engine/plan_handle.h"
#include "kartiba/engine.h"
#include "kartiba/event.h"
#include "kartiba/log_of_record.h"
#include "kartiba/store.h"
#include "storage/commit_log.h"

namespace kartiba {

struct Batch;
struct TakenWork;

class EngineImpl final : public Engine, public LogSink {
 public:
  EngineImpl(const Options& options, std::shared_ptr<Store> store);
  ~EngineImpl() override;

  // Loads every plan, opens the commit log and starts the log of record. Called once by
  // Engine::open.
  Status start();

  void execute(CommandRequest request, CommandCallback done) override;
  bool has_plan(const std::string& plan) override;
  std::vector<PlanSummary> plans() override;
  uint64_t revision(const std::string& plan) override;
  Result<std::shared_ptr<const std::string>> view(const std::string& plan, ViewAt at) override;
  Result<std::vector<EventPtr>> events(const std::string& plan, uint64_t from, size_t limit) override;
  Result<std::string> history(const std::string& plan, const std::string& lang, uint64_t from,
                              size_t limit) override;
  Result<std::string> changelog(const std::string& plan, const std::string& from, const std::string& to) override;
  Result<std::string> releases(const std::string& plan) override;
  Result<VerifyReport> verify(const std::string& plan) override;
  Result<std::string> export_plan(const std::string& plan) override;
  Result<std::unique_ptr<Subscription>> subscribe(const std::string& plan, std::optional<uint64_t> from,
                                                 std::shared_ptr<Subscriber> subscriber) override;
  Status put_meta(const std::string& key, const std::string& value) override;
  Status delete_meta(const std::string& key) override;
  std::optional<std::string> get_meta(const std::string& key) override;
  std::vector<std::pair<std::string, std::string>> list_meta(const std::string& prefix) override;
  EngineStats stats() override;
  void shutdown() override;

  // LogSink: what the log of record calls (ingest.cpp).
  void ingest(const std::string& plan, std::vector<StoredEvent> events, std::vector<CommandRecord> commands,
              std::function<void(Status)> done) override;
  uint64_t known_revision(const std::string& plan) override;
  void meta_changed(const std::string& key) override;

  // Internal entry points used by create_plan / import_plan.
  void submit(const std::string& plan, PendingCommand pending, bool may_create);
  Store& store() { return *store_; }
  // The plan's state at a revision (from the nearest snapshot plus the log).
  Result<std::shared_ptr<const PlanState>> state_at(const std::string& plan, uint64_t revision);
  std::shared_ptr<const PlanState> current_state(const std::string& plan);
  Result<std::string> export_unguarded(const std::string& plan);

 private:
  std::shared_ptr<PlanHandle> handle(const std::string& plan);
  // The plan's handle, made (with an empty state) when missing.
  std::shared_ptr<PlanHandle> handle_or_create(const std::string& plan);
  Result<std::shared_ptr<PlanState>> load_state(const std::string& plan, uint64_t up_to);
  // Events (from, to] from the log; with_json also encodes each one's JSON text.
  friend class PlanIo;
  Result<std::vector<EventPtr>> read_events(const std::string& plan, uint64_t from, uint64_t to,
                                            bool with_json = true);
  Result<EventPtr> event_at(const std::shared_ptr<PlanHandle>& h, uint64_t revision);
  Result<uint64_t> revision_at_time(const std::string& plan, uint64_t current, int64_t ms);
  Result<uint64_t> resolve_point(const PlanState& now, const std::string& point, bool is_from);
  Result<std::shared_ptr<const std::string>> view_unguarded(const std::string& plan, ViewAt at);
  Result<std::string> changelog_unguarded(const std::string& plan, const std::string& from, const std::string& to);
  Result<std::string> history_unguarded(const std::string& plan, const std::string& lang, uint64_t from, size_t limit);

  // ---- the command path (command_path.cpp), one step each ----
  // Batches decided ahead of the log per plan: one syncing while the next is decided.
  static constexpr size_t kMaxBatchesInFlight = 2;
  void drain(std::shared_ptr<PlanHandle> h);
  TakenWork take_work(PlanHandle& h);
  void reload_from_store(PlanHandle& h, std::shared_ptr<const PlanState>& base);
  void start_catch_up(const std::shared_ptr<PlanHandle>& h, uint64_t after);
  std::shared_ptr<Batch> decide_batch(const std::shared_ptr<PlanHandle>& h, TakenWork& work);
  void answer_now(const std::shared_ptr<PlanHandle>& h, Batch& batch);
  void hand_to_log(const std::shared_ptr<PlanHandle>& h, std::shared_ptr<Batch> batch, uint64_t epoch);
  void on_appended(const std::shared_ptr<PlanHandle>& h, const std::shared_ptr<InFlightBatch>& flight,
                   std::shared_ptr<Batch> batch, AppendResult result, uint64_t epoch);
  void write_local_copy(const std::shared_ptr<PlanHandle>& h, const std::shared_ptr<InFlightBatch>& flight,
                        std::shared_ptr<Batch> batch, std::vector<uint64_t> seqs);
  void publish_committed(const std::shared_ptr<PlanHandle>& h, Batch& batch, bool applied);
  void publish_failed(const std::shared_ptr<PlanHandle>& h, Batch& batch, const Error& error);
  void put_back(const std::shared_ptr<PlanHandle>& h, Batch& batch);
  void list_conflicts(const std::shared_ptr<PlanHandle>& h, Batch& batch);
  std::shared_ptr<InFlightBatch> add_in_flight(PlanHandle& h, const Batch& batch);
  void set_publish(const std::shared_ptr<PlanHandle>& h, const std::shared_ptr<InFlightBatch>& flight,
                   std::function<void()> publish);
  void run_publish(const std::shared_ptr<PlanHandle>& h);
  void finish_batch(const std::shared_ptr<PlanHandle>& h);
  void post_drain_if_ready(const std::shared_ptr<PlanHandle>& h);
  bool may_drain(const PlanHandle& h) const;  // REQUIRES: h.mu held
  static bool in_flight_has(PlanHandle& h, const std::string& command_id);
  void maybe_snapshot(const std::shared_ptr<PlanHandle>& h, const std::shared_ptr<const PlanState>& state);
  // Adds the events in the way (after the conflict's base, up to revision `upto`) to a 409,
  // read through `event_at`, which also knows the events of the batch being committed.
  Error with_conflict_events(const std::function<Result<EventPtr>(uint64_t)>& event_at, uint64_t upto,
                             Error error);
  // ---- ingest (ingest.cpp) ----
  void ingest_step(const std::shared_ptr<PlanHandle>& h, TakenWork& work);

  std::shared_ptr<const std::string> render_cached(PlanHandle& h);  // REQUIRES: h.mu held
  static void unsubscribe(const std::shared_ptr<PlanHandle>& h, uint64_t id);
  int64_t now_ms();
  void command_done();
  std::vector<std::pair<std::string, std::string>> local_meta(const std::string& prefix);

  friend class EngineSubscription;

  const Options options_;
  std::shared_ptr<Store> store_;
  std::unique_ptr<CommitLog> local_;               // writes this node's store
  std::shared_ptr<LogOfRecord> log_;               // LocalLog over local_, or Options::log_of_record
  bool log_is_local_ = true;                        // the store is the log of record
  std::unique_ptr<ThreadPool> pool_;

  std::mutex plans_mu_;
  std::map<std::string, std::shared_ptr<PlanHandle>> plans_;  // GUARDED_BY(plans_mu_)

  std::mutex inflight_mu_;
  std::condition_variable inflight_cv_;
  size_t inflight_ = 0;                 // GUARDED_BY(inflight_mu_)
  std::atomic<bool> accepting_{true};
  std::atomic<uint64_t> next_subscriber_id_{1};
};

// The meta key under which each plan is listed, so that open() finds it.
extern const std::string kPlanMetaPrefix;

}  // namespace kartiba
