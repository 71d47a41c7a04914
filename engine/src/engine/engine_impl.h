// EngineImpl — the Engine over a Store: plan handles, batches, group commit, subscriptions,
// snapshots and time travel.
//
// The life of a command: execute() parses it and queues it on its plan. When the plan is not
// busy, a worker takes every queued command (up to max_batch_commands), decides each one
// against a private copy of the plan's state (committed, or after the batches still syncing),
// and hands the batch's writes to the CommitLog; the next batch may be decided while this one
// syncs (kMaxBatchesInFlight). Once durable, batches are published in order: callers are
// completed (acks), the new state swapped in, and the events delivered to subscribers — under
// the plan's lock, so that a subscribe() sees either all of a batch or none of it. A failed
// write voids the batches decided on top of it (PlanHandle::epoch).
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
#include "storage/commit_log.h"
#include "storage/store.h"

namespace kartiba {

class EngineImpl final : public Engine {
 public:
  EngineImpl(const Options& options, std::unique_ptr<Store> store);
  ~EngineImpl() override;

  // Loads every plan and opens the commit log. Called once by Engine::open.
  Status start();

  void execute(CommandRequest request, CommandCallback done) override;
  bool has_plan(const std::string& plan) override;
  std::vector<PlanSummary> plans() override;
  uint64_t revision(const std::string& plan) override;
  Result<std::shared_ptr<const std::string>> view(const std::string& plan, ViewAt at) override;
  Result<std::shared_ptr<const std::string>> view_unguarded(const std::string& plan, ViewAt at);
  Result<std::vector<EventPtr>> events(const std::string& plan, uint64_t from, size_t limit) override;
  Result<std::string> history(const std::string& plan, const std::string& lang, uint64_t from,
                              size_t limit) override;
  Result<std::string> changelog(const std::string& plan, const std::string& from, const std::string& to) override;
  Result<std::string> changelog_unguarded(const std::string& plan, const std::string& from, const std::string& to);
  Result<std::string> history_unguarded(const std::string& plan, const std::string& lang, uint64_t from, size_t limit);
  Result<std::string> export_unguarded(const std::string& plan);
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

  // Internal entry points used by create_plan / import_plan.
  void submit(const std::string& plan, PendingCommand pending, bool may_create);
  Store& store() { return *store_; }
  // The plan's state at a revision (from the nearest snapshot plus the log).
  Result<std::shared_ptr<const PlanState>> state_at(const std::string& plan, uint64_t revision);
  std::shared_ptr<const PlanState> current_state(const std::string& plan);

 private:
  std::shared_ptr<PlanHandle> handle(const std::string& plan);
  Result<std::shared_ptr<PlanState>> load_state(const std::string& plan, uint64_t up_to);
  // Events (from, to] from the log; with_json also encodes each one's JSON text.
  friend class PlanIo;
  Result<std::vector<EventPtr>> read_events(const std::string& plan, uint64_t from, uint64_t to,
                                            bool with_json = true);
  Result<EventPtr> event_at(const std::shared_ptr<PlanHandle>& h, uint64_t revision);
  Result<uint64_t> revision_at_time(const std::string& plan, uint64_t current, int64_t ms);
  Result<uint64_t> resolve_point(const std::string& plan, const PlanState& now, const std::string& point,
                                 bool is_from);

  // Batches decided ahead of the disk per plan: one syncing while the next is decided.
  static constexpr size_t kMaxBatchesInFlight = 2;
  void drain(std::shared_ptr<PlanHandle> h);
  void finish_batch(std::shared_ptr<PlanHandle> h);
  void enqueue_publish(const std::shared_ptr<PlanHandle>& h, std::function<void()> publish);
  void run_publish(const std::shared_ptr<PlanHandle>& h);
  bool may_drain(const PlanHandle& h) const;  // REQUIRES: h.mu held
  static bool in_flight_has(PlanHandle& h, const std::string& command_id);
  void maybe_snapshot(const std::shared_ptr<PlanHandle>& h, const std::shared_ptr<const PlanState>& state);
  // Adds the events in the way (after the conflict's base, up to revision `upto`) to a 409,
  // read through `event_at`, which also knows the events of the batch being committed.
  Error with_conflict_events(const std::function<Result<EventPtr>(uint64_t)>& event_at, uint64_t upto,
                             Error error);
  std::shared_ptr<const std::string> render_cached(PlanHandle& h);  // REQUIRES: h.mu held
  static void unsubscribe(const std::shared_ptr<PlanHandle>& h, uint64_t id);
  int64_t now_ms();
  void command_done();

  friend class EngineSubscription;

  const Options options_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<CommitLog> log_;
  std::unique_ptr<ThreadPool> pool_;

  std::mutex plans_mu_;
  std::map<std::string, std::shared_ptr<PlanHandle>> plans_;  // GUARDED_BY(plans_mu_)

  std::mutex inflight_mu_;
  std::condition_variable inflight_cv_;
  size_t inflight_ = 0;                 // GUARDED_BY(inflight_mu_)
  std::atomic<bool> accepting_{true};
  std::atomic<uint64_t> next_subscriber_id_{1};
};

}  // namespace kartiba
