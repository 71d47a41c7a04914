// The command path, step by step: take a batch, decide it (answering repeats), hand it to the
// log of record, publish it. engine_impl.h tells the whole story.
#include <algorithm>
#include <utility>

#include "core/event_format.h"
#include "core/json_limits.h"
#include "domain/event_types.h"
#include "engine/snapshot.h"
#include "engine/batch.h"
#include "engine/batch_decider.h"
#include "engine/engine_impl.h"
#include "storage/local_log.h"

namespace kartiba {
namespace {

constexpr size_t kMaxCommandDepth = 64;

// About the memory an event kept in `recent` holds: its JSON text and its parsed data.
size_t held_bytes(const Event& e) { return 2 * e.json.size() + 256; }

}  // namespace

// ---- queueing -------------------------------------------------------------------------

void EngineImpl::execute(CommandRequest request, CommandCallback done) {
  nlohmann::json parsed_json;
  if (request.command) {
    parsed_json = std::move(*request.command);
  } else {
    if (json_depth(request.command_json, kMaxCommandDepth) > kMaxCommandDepth)
      return done(rejected(Error::invalid("the command is nested deeper than 64 levels")));
    parsed_json = nlohmann::json::parse(request.command_json, nullptr, false);
    if (parsed_json.is_discarded()) return done(rejected(Error::invalid("the command is not valid JSON (or not UTF-8)")));
  }
  auto parsed = parse_command(parsed_json);
  if (!parsed.ok()) return done(rejected(parsed.error()));
  if (parsed->type == "create-plan") return done(rejected(Error::invalid("plans are created with POST /api/plans", "/type")));
  PendingCommand p;
  p.command = std::move(parsed.value());
  p.actor = std::move(request.actor);
  p.admin = request.admin;
  p.done = std::move(done);
  submit(request.plan, std::move(p), false);
}

void EngineImpl::submit(const std::string& plan, PendingCommand pending, bool may_create) {
  if (!accepting_ || !log_) {
    pending.done(rejected(Error::unavailable(log_ ? "the server is shutting down" : "the engine is read-only"),
                          pending.command.id));
    return;
  }
  auto h = may_create ? handle_or_create(plan) : handle(plan);
  if (!h) {
    pending.done(rejected(Error::not_found("no plan '" + plan + "'"), pending.command.id));
    return;
  }
  {
    std::lock_guard lock(inflight_mu_);
    ++inflight_;
  }
  {
    std::lock_guard lock(h->mu);
    h->queue.push_back(std::move(pending));
  }
  post_drain_if_ready(h);
}

void EngineImpl::command_done() {
  std::lock_guard lock(inflight_mu_);
  if (--inflight_ == 0) inflight_cv_.notify_all();
}

bool EngineImpl::may_drain(const PlanHandle& h) const {
  // Foreign events go first, on the state with nothing in flight on top of it.
  if (!h.to_ingest.empty()) return h.in_flight.empty();
  if (h.queue.empty() || h.catching_up) return false;
  // A write failed under the batches in flight: the last of them to publish drains again.
  if (h.stale && !h.in_flight.empty()) return false;
  if (h.needs_catch_up) return h.in_flight.empty();
  return h.in_flight.size() < kMaxBatchesInFlight && !h.wait_for_publish;
}

void EngineImpl::post_drain_if_ready(const std::shared_ptr<PlanHandle>& h) {
  bool start = false;
  {
    std::lock_guard lock(h->mu);
    if (!h->busy && may_drain(*h)) start = h->busy = true;
  }
  if (start) pool_->post([this, h] { drain(h); });
}

void EngineImpl::finish_batch(const std::shared_ptr<PlanHandle>& h) {
  bool again;
  {
    std::lock_guard lock(h->mu);
    again = h->busy = may_drain(*h);
  }
  if (again) pool_->post([this, h] { drain(h); });
}

// ---- one worker's turn on a plan ------------------------------------------------------

void EngineImpl::drain(std::shared_ptr<PlanHandle> h) {
  TakenWork work = take_work(*h);
  if (work.reload) reload_from_store(*h, work.base);
  switch (work.kind) {
    case TakenWork::Kind::nothing:
      return;
    case TakenWork::Kind::catch_up:
      start_catch_up(h, work.base->revision);
      return finish_batch(h);
    case TakenWork::Kind::refuse:
      for (auto& p : work.commands) {
        p.done(rejected(Error::unavailable(work.refusal), p.command.id));
        command_done();
      }
      return finish_batch(h);
    case TakenWork::Kind::ingest:
      ingest_step(h, work);
      return finish_batch(h);
    case TakenWork::Kind::commands:
      break;
  }
  auto batch = decide_batch(h, work);
  if (batch->events.empty() && !work.behind) {
    // Nothing to write, and nothing in flight it could depend on: answer now.
    answer_now(h, *batch);
  } else {
    hand_to_log(h, std::move(batch), work.epoch);
  }
  finish_batch(h);
}

TakenWork EngineImpl::take_work(PlanHandle& h) {
  TakenWork w;
  std::lock_guard lock(h.mu);
  if (!may_drain(h)) {
    h.busy = false;
    return w;
  }
  w.behind = !h.in_flight.empty();
  w.base = w.behind ? h.tip : h.state;
  w.reload = h.stale;
  w.epoch = h.epoch.load();
  w.local_epoch = h.local_epoch.load();
  if (!h.to_ingest.empty()) {
    w.kind = TakenWork::Kind::ingest;
    w.ingests.assign(std::make_move_iterator(h.to_ingest.begin()), std::make_move_iterator(h.to_ingest.end()));
    h.to_ingest.clear();
    return w;
  }
  if (h.needs_catch_up && !h.catch_up_failure) {
    w.kind = TakenWork::Kind::catch_up;
    h.needs_catch_up = false;
    h.catching_up = true;
    return w;
  }
  w.kind = TakenWork::Kind::commands;
  if (h.needs_catch_up) {
    // The last catch-up could not reach the log of record: these commands cannot be decided
    // against the plan's latest. The next command tries again.
    w.kind = TakenWork::Kind::refuse;
    w.refusal = "the log of record cannot be reached (" + *h.catch_up_failure + "); nothing was applied";
    h.catch_up_failure.reset();
  }
  while (!h.queue.empty() && w.commands.size() < options_.max_batch_commands) {
    w.commands.push_back(std::move(h.queue.front()));
    h.queue.pop_front();
  }
  h.requeued -= std::min(h.requeued, w.commands.size());
  return w;
}

void EngineImpl::reload_from_store(PlanHandle& h, std::shared_ptr<const PlanState>& base) {
  // After a failed write the store, not memory, says what the plan is.
  auto fresh = load_state(h.id, UINT64_MAX);
  std::lock_guard lock(h.mu);
  if (!fresh.ok()) return;
  h.state = base = std::move(fresh.value());
  h.stale = false;
  h.view_cache.reset();
  h.recent.clear();
  h.recent_bytes = 0;
}

void EngineImpl::start_catch_up(const std::shared_ptr<PlanHandle>& h, uint64_t after) {
  // The log calls ingest() with what this node lacks, then done: the commands waiting are then
  // decided on the plan's latest.
  log_->catch_up(h->id, after, [this, h](Status status) {
    {
      std::lock_guard lock(h->mu);
      h->catching_up = false;
      if (!status.ok()) {
        h->needs_catch_up = true;
        h->catch_up_failure = status.error().message();
      }
    }
    post_drain_if_ready(h);
  });
}

std::shared_ptr<Batch> EngineImpl::decide_batch(const std::shared_ptr<PlanHandle>& h, TakenWork& work) {
  auto batch = std::make_shared<Batch>();
  batch->base = work.base;
  batch->next = std::make_shared<PlanState>(*work.base);
  batch->local_epoch = work.local_epoch;
  const int64_t at = std::max(now_ms(), batch->next->updated_ms);
  BatchDecider decider(h->id, *store_, [this, h](uint64_t rev) { return event_at(h, rev); }, at, *batch);
  auto& taken = work.commands;
  for (size_t i = 0; i < taken.size(); ++i) {
    if (!taken[i].command.id.empty() && in_flight_has(*h, taken[i].command.id)) {
      // A retry of a command still syncing: its answer is that batch's, known once it is
      // published. It and the commands after it wait for that (their order is kept).
      std::lock_guard lock(h->mu);
      auto at_front = h->queue.begin() + ptrdiff_t(h->requeued);
      h->queue.insert(at_front, std::make_move_iterator(taken.begin() + ptrdiff_t(i)),
                      std::make_move_iterator(taken.end()));
      taken.resize(i);
      h->wait_for_publish = true;
      break;
    }
    decider.add(taken[i]);
  }
  batch->taken = std::move(taken);
  return batch;
}

void EngineImpl::answer_now(const std::shared_ptr<PlanHandle>& h, Batch& batch) {
  list_conflicts(h, batch);
  for (auto& c : batch.completions) {
    c.done(std::move(c.outcome));
    command_done();
  }
}

// ---- handing a batch to the log of record ---------------------------------------------

std::shared_ptr<InFlightBatch> EngineImpl::add_in_flight(PlanHandle& h, const Batch& batch) {
  auto flight = std::make_shared<InFlightBatch>();
  flight->events.assign(batch.events.begin(), batch.events.end());
  for (auto& [id, index] : batch.ids_in_batch) flight->command_ids.insert(id);
  std::lock_guard lock(h.mu);
  h.in_flight.push_back(flight);
  h.tip = batch.next;
  return flight;
}

void EngineImpl::hand_to_log(const std::shared_ptr<PlanHandle>& h, std::shared_ptr<Batch> batch, uint64_t epoch) {
  auto flight = add_in_flight(*h, *batch);
  if (batch->events.empty()) {
    // Answers decided on top of batches in flight: they stand only if those were committed.
    set_publish(h, flight, [this, h, batch] {
      bool void_batch;
      {
        std::lock_guard lock(h->mu);
        void_batch = h->last_publish_failed;
      }
      if (void_batch)
        return publish_failed(h, *batch, Error::unavailable("an earlier write of this plan failed; nothing was applied"));
      publish_committed(h, *batch, true);
    });
    return;
  }
  PlanBatch out;
  out.plan = h->id;
  out.base = batch->base->revision;
  if (out.base > 0) out.base_hash = format::hex(batch->base->last_hash.data(), batch->base->last_hash.size());
  out.events.assign(batch->events.begin(), batch->events.end());
  // The local log stores the records; a cluster node keeps them for its own copy too.
  out.records = log_is_local_ ? std::move(batch->records) : batch->records;
  out.commands = batch->commands;
  out.still_wanted = [h, epoch] { return h->epoch.load() == epoch; };
  log_->append(std::move(out), [this, h, flight, batch, epoch](AppendResult result) {
    on_appended(h, flight, batch, std::move(result), epoch);
  });
}

void EngineImpl::on_appended(const std::shared_ptr<PlanHandle>& h, const std::shared_ptr<InFlightBatch>& flight,
                             std::shared_ptr<Batch> batch, AppendResult result, uint64_t epoch) {
  // On the log's thread. A batch that was not committed voids what was decided on top of it
  // (the epoch) before the log commits anything later of this plan.
  if (result.status == AppendStatus::committed) {
    batch->seqs = std::move(result.seqs);
    if (!log_is_local_) {
      auto seqs = batch->seqs;
      return write_local_copy(h, flight, std::move(batch), std::move(seqs));
    }
    return set_publish(h, flight, [this, h, batch] { publish_committed(h, *batch, true); });
  }
  bool lost_race;
  {
    std::lock_guard lock(h->mu);
    // Voided by an earlier batch of the plan: its fate is that batch's.
    const bool voided = h->epoch.load() != epoch;
    lost_race = voided ? h->voided_by_race : result.status == AppendStatus::revision_taken;
    if (!voided) {
      h->epoch.fetch_add(1);
      h->voided_by_race = lost_race;
    }
    h->needs_catch_up = true;
    if (!lost_race) h->stale = true;
  }
  if (lost_race) return set_publish(h, flight, [this, h, batch] { put_back(h, *batch); });
  Error error = Error::unavailable(result.message.empty() ? "the log of record failed; nothing was applied"
                                                          : result.message);
  set_publish(h, flight, [this, h, batch, error] { publish_failed(h, *batch, error); });
}

void EngineImpl::write_local_copy(const std::shared_ptr<PlanHandle>& h, const std::shared_ptr<InFlightBatch>& flight,
                                  std::shared_ptr<Batch> batch, std::vector<uint64_t> seqs) {
  std::vector<CommitLog::KeyedRecord> records;
  records.reserve(batch->records.size());
  for (size_t i = 0; i < batch->records.size(); ++i)
    records.emplace_back(format::event_key(h->id, batch->events[i]->revision), batch->records[i]);
  auto ops = command_record_ops(h->id, batch->commands);
  if (batch->base->revision == 0) ops.push_back({Space::meta, kPlanMetaPrefix + h->id, ""});
  auto still_valid = [h, local_epoch = batch->local_epoch] { return h->local_epoch.load() == local_epoch; };
  local_->append_numbered(std::move(records), std::move(seqs), std::move(ops),
                          [this, h, flight, batch](Status status, uint64_t) {
    if (!status.ok()) {
      // Committed in the log of record but not in this node's copy: the acks stand, the state
      // is not taken in here; the plan reloads and catches up from the log of record.
      std::lock_guard lock(h->mu);
      h->local_epoch.fetch_add(1);
      h->stale = true;
      h->needs_catch_up = true;
    }
    set_publish(h, flight, [this, h, batch, ok = status.ok()] { publish_committed(h, *batch, ok); });
  }, std::move(still_valid));
}

// ---- publishing, in the order batches were decided ------------------------------------

void EngineImpl::set_publish(const std::shared_ptr<PlanHandle>& h, const std::shared_ptr<InFlightBatch>& flight,
                             std::function<void()> publish) {
  bool start = false;
  {
    std::lock_guard lock(h->mu);
    flight->publish = std::move(publish);
    if (!h->publishing && h->in_flight.front()->publish) start = h->publishing = true;
  }
  if (start) pool_->post([this, h] { run_publish(h); });
}

void EngineImpl::run_publish(const std::shared_ptr<PlanHandle>& h) {
  // One worker at a time per plan, oldest batch first, each once its outcome is known.
  for (;;) {
    std::function<void()> publish;
    {
      std::lock_guard lock(h->mu);
      if (h->in_flight.empty() || !h->in_flight.front()->publish) {
        h->publishing = false;
        break;
      }
      publish = std::exchange(h->in_flight.front()->publish, nullptr);
    }
    publish();
    bool start = false;
    {
      std::lock_guard lock(h->mu);
      h->in_flight.pop_front();
      if (h->in_flight.empty()) h->tip.reset();
      h->wait_for_publish = false;
      if (!h->busy && may_drain(*h)) start = h->busy = true;
    }
    if (start) pool_->post([this, h] { drain(h); });
  }
}

void EngineImpl::publish_committed(const std::shared_ptr<PlanHandle>& h, Batch& batch, bool applied) {
  for (size_t i = 0; i < batch.events.size() && i < batch.seqs.size(); ++i) {
    batch.events[i]->seq = batch.seqs[i];
    batch.events[i]->finish_encoding();
  }
  list_conflicts(h, batch);
  std::vector<EventPtr> published(batch.events.begin(), batch.events.end());
  // What this batch replaces is freed after the lock is let go: freeing a state's changed
  // entities and old events is work the plan's other threads need not wait for.
  std::shared_ptr<const PlanState> previous;
  std::vector<EventPtr> dropped;
  {
    // One step under the lock, so that whoever sees an ack reads the new state and a
    // subscribe() gets either all of this batch or none: state, acks, then subscribers.
    std::lock_guard lock(h->mu);
    h->last_publish_failed = false;
    if (applied) {
      previous = std::exchange(h->state, batch.next);
      h->view_cache.reset();
      for (auto& e : published) {
        h->recent.push_back(e);
        h->recent_bytes += held_bytes(*e);
      }
      // Bounded by count and by bytes: an organiser's huge events must not pin gigabytes.
      while (!h->recent.empty() &&
             (h->recent.size() > options_.recent_events || h->recent_bytes > options_.recent_bytes)) {
        h->recent_bytes -= held_bytes(*h->recent.front());
        dropped.push_back(std::move(h->recent.front()));
        h->recent.pop_front();
      }
    }
    for (auto& c : batch.completions) {
      if (c.outcome.ok && c.outcome.events.empty()) c.outcome.events.assign(c.events.begin(), c.events.end());
      c.done(std::move(c.outcome));
    }
    if (applied && !published.empty())
      for (auto& s : h->subscribers) s.subscriber->on_events(published);
  }
  for (size_t i = 0; i < batch.completions.size(); ++i) command_done();
  for (auto& request : batch.ingests)
    request.done(applied ? Status() : Status(Error::unavailable("this node's copy of the log failed a write")));
  if (applied) maybe_snapshot(h, batch.next);
}

void EngineImpl::publish_failed(const std::shared_ptr<PlanHandle>& h, Batch& batch, const Error& error) {
  {
    std::lock_guard lock(h->mu);
    h->last_publish_failed = true;
  }
  for (auto& c : batch.completions) {
    // Nothing of the batch was written: its acks, its repeats of a command id and its
    // refusals caused by earlier commands (of this batch or of those in flight before it:
    // 409s, 404s) would all be false.
    if (!c.from_store) c.outcome = rejected(error, c.outcome.command_id);
    c.done(std::move(c.outcome));
    command_done();
  }
}

void EngineImpl::put_back(const std::shared_ptr<PlanHandle>& h, Batch& batch) {
  // Another node took the batch's revisions: its commands are decided again, first, in their
  // order, once the plan has caught up. Nobody was answered yet.
  for (size_t i = 0; i < batch.completions.size() && i < batch.taken.size(); ++i) batch.taken[i].done = std::move(batch.completions[i].done);
  std::lock_guard lock(h->mu);
  h->last_publish_failed = true;
  auto at = h->queue.begin() + ptrdiff_t(h->requeued);
  h->queue.insert(at, std::make_move_iterator(batch.taken.begin()), std::make_move_iterator(batch.taken.end()));
  h->requeued += batch.taken.size();
}

void EngineImpl::list_conflicts(const std::shared_ptr<PlanHandle>& h, Batch& batch) {
  // The events in the way of each 409: the batch's own (with their seqs, once committed), else
  // the plan's. Never under h->mu: event_at takes it.
  auto lookup = [&](uint64_t rev) -> Result<EventPtr> {
    for (auto& e : batch.events)
      if (e->revision == rev) return EventPtr(e);
    return event_at(h, rev);
  };
  for (auto& c : batch.completions)
    if (c.conflict_at && c.outcome.error) c.outcome.error = with_conflict_events(lookup, *c.conflict_at, *c.outcome.error);
}

// ---- what publishing adds -------------------------------------------------------------

void EngineImpl::maybe_snapshot(const std::shared_ptr<PlanHandle>& h, const std::shared_ptr<const PlanState>& state) {
  {
    std::lock_guard lock(h->mu);
    if (state->revision < h->last_snapshot_revision + options_.snapshot_every) return;
    h->last_snapshot_revision = state->revision;
  }
  // Snapshots are derived data: a lost one costs only replay time. They ride along with the
  // next group commit, so no worker waits on the disk for them.
  std::vector<WriteOp> ops;
  ops.push_back({Space::snapshots, format::snapshot_key(h->id, state->revision), encode_snapshot(*state)});
  local_->append({}, std::move(ops), [](Status, uint64_t) {});
}

Error EngineImpl::with_conflict_events(const std::function<Result<EventPtr>(uint64_t)>& event_at, uint64_t upto,
                                       Error error) {
  if (error.code() != ErrorCode::conflict || error.details_json().empty()) return error;
  auto details = nlohmann::json::parse(error.details_json(), nullptr, false);
  if (!details.is_object() || !details.contains("base")) return error;
  uint64_t base = details["base"];
  std::string kind = details["entity"].value("kind", "");
  std::string id = details["entity"].value("id", "");
  std::string key = id_key(kind);
  nlohmann::json in_the_way = nlohmann::json::array();
  uint64_t from = std::max<uint64_t>(base, upto > 200 ? upto - 200 : 0);
  for (uint64_t r = from + 1; r <= upto && in_the_way.size() < 50; ++r) {
    auto ev = event_at(r);
    if (!ev.ok()) break;
    const Event& e = *ev.value();
    const EventType* t = event_type(e.type);
    if (!t || t->kind != kind) continue;
    if (!key.empty() && e.data.value(key, "") != id) continue;
    nlohmann::json j = e.json.empty() ? e.to_json() : nlohmann::json::parse(e.json);
    in_the_way.push_back(std::move(j));
  }
  details["events"] = std::move(in_the_way);
  details.erase("base");
  return Error(error.code(), error.message(), error.path(), details.dump());
}


bool EngineImpl::in_flight_has(PlanHandle& h, const std::string& command_id) {
  std::lock_guard lock(h.mu);
  for (auto& b : h.in_flight)
    if (b->command_ids.count(command_id)) return true;
  return false;
}

}  // namespace kartiba
