#include "engine/engine_impl.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <utility>

#include "core/event_format.h"
#include "core/json_limits.h"
#include "domain/apply.h"
#include "domain/event_types.h"
#include "engine/snapshot.h"
#include "views/history.h"
#include "views/view.h"

namespace kartiba {
namespace {

const std::string kPlanMetaPrefix = "engine/plan/";
constexpr size_t kMaxCommandDepth = 64;

class SystemClock final : public Clock {
 public:
  int64_t now_ms() override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

// A command id's record: first and last revision it appended, then the entity id the engine
// made for it (empty when the client named the entity), so that a retry gets the whole ack.
std::string encode_revisions(uint64_t first, uint64_t last, const std::string& created_id) {
  return format::big_endian64(first) + format::big_endian64(last) + created_id;
}

// About the memory an event kept in `recent` holds: its JSON text and its parsed data.
size_t held_bytes(const Event& e) { return 2 * e.json.size() + 256; }

CommandOutcome rejected(Error e, std::string command_id = {}) {
  CommandOutcome o;
  o.ok = false;
  o.error = std::move(e);
  o.command_id = std::move(command_id);
  return o;
}

}  // namespace

// Holds only the plan's handle, not the engine: a subscription may outlive the engine
// (destroyed after it) and cancelling it then is still safe.
class EngineSubscription final : public Subscription {
 public:
  EngineSubscription(std::shared_ptr<PlanHandle> h, uint64_t id) : h_(std::move(h)), id_(id) {}
  ~EngineSubscription() override { cancel(); }
  void cancel() override {
    if (h_) EngineImpl::unsubscribe(h_, id_);
    h_.reset();
  }

 private:
  std::shared_ptr<PlanHandle> h_;
  uint64_t id_;
};

EngineImpl::EngineImpl(const Options& options, std::unique_ptr<Store> store)
    : options_(options), store_(std::move(store)) {
  size_t threads = options_.worker_threads ? options_.worker_threads : std::max(2u, std::thread::hardware_concurrency());
  pool_ = std::make_unique<ThreadPool>(threads);
}

EngineImpl::~EngineImpl() { shutdown(); }

int64_t EngineImpl::now_ms() {
  static SystemClock system;
  return options_.clock ? options_.clock->now_ms() : system.now_ms();
}

Status EngineImpl::start() {
  // The next global seq follows the last one written.
  auto last = store_->last_in_range(Space::global, "", "");
  if (!last.ok()) return last.error();
  uint64_t next_seq = last.value() ? format::read_big_endian64(last.value()->first) + 1 : 1;

  std::vector<std::string> ids;
  for (auto& [key, value] : list_meta(kPlanMetaPrefix)) ids.push_back(key.substr(kPlanMetaPrefix.size()));
  // Plans are independent: they load (snapshot + the log's tail) in parallel on the pool.
  std::vector<std::future<Result<std::shared_ptr<PlanState>>>> loading;
  loading.reserve(ids.size());
  for (auto& id : ids) {
    auto task = std::make_shared<std::packaged_task<Result<std::shared_ptr<PlanState>>()>>(
        [this, id] { return load_state(id, UINT64_MAX); });
    loading.push_back(task->get_future());
    pool_->post([task] { (*task)(); });
  }
  std::optional<Error> failed;
  for (size_t i = 0; i < ids.size(); ++i) {
    auto state = loading[i].get();  // every task is waited for, also after a failure
    if (!state.ok()) {
      if (!failed) failed = state.error();
      continue;
    }
    auto h = std::make_shared<PlanHandle>(ids[i]);
    h->last_snapshot_revision = state.value()->revision;  // at most snapshot_every behind
    h->state = std::move(state.value());
    std::lock_guard lock(plans_mu_);
    plans_[ids[i]] = h;
  }
  if (failed) return *failed;
  if (!options_.read_only) log_ = std::make_unique<CommitLog>(*store_, options_.sync, next_seq);
  return {};
}

// ---- reading the log ------------------------------------------------------------------

Result<std::vector<EventPtr>> EngineImpl::read_events(const std::string& plan, uint64_t from, uint64_t to,
                                                     bool with_json) {
  std::vector<EventPtr> out;
  std::optional<Error> failure;
  std::string lo = format::event_key(plan, from + 1);
  std::string hi = to == UINT64_MAX ? format::plan_prefix(plan) + std::string(8, '\xff') + "\xff"
                                    : format::event_key(plan, to + 1);
  auto st = store_->scan(Space::events, lo, hi, [&](std::string_view key, std::string_view value) {
    auto e = format::decode(value);
    if (!e.ok()) {
      failure = e.error();
      return false;
    }
    auto ev = std::make_shared<Event>(std::move(e.value()));
    if (with_json) ev->finish_encoding();
    (void)key;
    out.push_back(std::move(ev));
    return true;
  });
  if (!st.ok()) return st.error();
  if (failure) return *failure;
  return out;
}

Result<std::shared_ptr<PlanState>> EngineImpl::load_state(const std::string& plan, uint64_t up_to) {
  auto state = std::make_shared<PlanState>();
  std::string hi = up_to == UINT64_MAX ? format::plan_prefix(plan) + std::string(8, '\xff') + "\xff"
                                       : format::snapshot_key(plan, up_to + 1);
  auto snap = store_->last_in_range(Space::snapshots, format::plan_prefix(plan), hi);
  if (!snap.ok()) return snap.error();
  if (snap.value()) {
    auto decoded = decode_snapshot(snap.value()->second);
    if (decoded.ok()) *state = std::move(decoded.value());
    // A damaged snapshot is not fatal: replay from the start instead.
  }
  auto events = read_events(plan, state->revision, up_to, false);
  if (!events.ok()) return events.error();
  for (auto& e : events.value()) {
    if (e->revision != state->revision + 1) return Error::unavailable("plan " + plan + ": the log has a gap before revision " + std::to_string(e->revision));
    apply(*state, *e);
  }
  return state;
}

Result<std::shared_ptr<const PlanState>> EngineImpl::state_at(const std::string& plan, uint64_t revision) {
  auto s = load_state(plan, revision);
  if (!s.ok()) return s.error();
  return std::shared_ptr<const PlanState>(std::move(s.value()));
}

Result<EventPtr> EngineImpl::event_at(const std::shared_ptr<PlanHandle>& h, uint64_t revision) {
  {
    std::lock_guard lock(h->mu);
    if (!h->recent.empty() && h->recent.front()->revision <= revision && revision <= h->recent.back()->revision)
      return h->recent[revision - h->recent.front()->revision];
    for (auto& b : h->in_flight)
      if (!b->events.empty() && b->events.front()->revision <= revision && revision <= b->events.back()->revision)
        return b->events[revision - b->events.front()->revision];
  }
  auto ev = read_events(h->id, revision - 1, revision);
  if (!ev.ok()) return ev.error();
  if (ev.value().empty()) return Error::not_found("no revision " + std::to_string(revision));
  return ev.value()[0];
}

// ---- commands -------------------------------------------------------------------------

std::shared_ptr<PlanHandle> EngineImpl::handle(const std::string& plan) {
  std::lock_guard lock(plans_mu_);
  auto it = plans_.find(plan);
  return it == plans_.end() ? nullptr : it->second;
}

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
  std::shared_ptr<PlanHandle> h;
  {
    std::lock_guard lock(plans_mu_);
    auto it = plans_.find(plan);
    if (it != plans_.end()) {
      h = it->second;
    } else if (may_create) {
      h = std::make_shared<PlanHandle>(plan);
      auto empty = std::make_shared<PlanState>();
      empty->id = plan;
      h->state = std::move(empty);
      plans_[plan] = h;
    }
  }
  if (!h) {
    pending.done(rejected(Error::not_found("no plan '" + plan + "'"), pending.command.id));
    return;
  }
  {
    std::lock_guard lock(inflight_mu_);
    ++inflight_;
  }
  bool start = false;
  {
    std::lock_guard lock(h->mu);
    h->queue.push_back(std::move(pending));
    if (!h->busy) start = h->busy = true;
  }
  if (start) pool_->post([this, h] { drain(h); });
}

void EngineImpl::command_done() {
  std::lock_guard lock(inflight_mu_);
  if (--inflight_ == 0) inflight_cv_.notify_all();
}

namespace {

// One command's part of a batch, completed once the batch is durable.
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
  std::shared_ptr<PlanState> next;       // the state after every accepted command
  std::vector<WriteOp> ops;
  std::vector<CommitLog::KeyedRecord> records;
  std::vector<std::shared_ptr<Event>> events;
  std::vector<Completion> completions;
  std::map<std::string, size_t> ids_in_batch;  // command id → its completion
};

}  // namespace

void EngineImpl::drain(std::shared_ptr<PlanHandle> h) {
  std::vector<PendingCommand> taken;
  std::shared_ptr<const PlanState> committed;  // what this batch is decided on
  bool reload = false;
  bool behind = false;  // decided on top of batches still in flight
  uint64_t epoch = 0;
  {
    std::lock_guard lock(h->mu);
    if (h->stale && !h->in_flight.empty()) {
      // A write failed under the batches in flight: the last of them to publish drains again.
      h->busy = false;
      return;
    }
    while (!h->queue.empty() && taken.size() < options_.max_batch_commands) {
      taken.push_back(std::move(h->queue.front()));
      h->queue.pop_front();
    }
    behind = !h->in_flight.empty();
    committed = behind ? h->tip : h->state;
    reload = h->stale;
    epoch = h->epoch.load();
  }
  if (reload) {
    // After a failed write the log, not memory, says what the plan is.
    auto fresh = load_state(h->id, UINT64_MAX);
    std::lock_guard lock(h->mu);
    if (fresh.ok()) {
      h->state = committed = std::move(fresh.value());
      h->stale = false;
      h->view_cache.reset();
      h->recent.clear();
      h->recent_bytes = 0;
    }
  }

  auto batch = std::make_shared<Batch>();
  batch->next = std::make_shared<PlanState>(*committed);
  PlanState& working = *batch->next;
  const int64_t at = std::max(now_ms(), working.updated_ms);

  DecideContext ctx;
  ctx.event_at = [&](uint64_t rev) -> Result<EventPtr> {
    for (auto& e : batch->events)
      if (e->revision == rev) return EventPtr(e);
    return event_at(h, rev);  // also knows the batches in flight
  };

  auto add_events = [&](const std::vector<Draft>& drafts, PendingCommand& p, Completion& c) {
    for (auto& d : drafts) {
      auto e = std::make_shared<Event>();
      e->plan = h->id;
      e->revision = working.revision + 1;
      e->type = d.type;
      e->at_ms = at;
      e->actor = p.actor;
      e->command = p.command.id;
      e->reason = p.command.reason;
      e->data = d.data;
      e->schema = format::kCurrentSchema;
      batch->records.emplace_back(format::event_key(h->id, e->revision), format::encode(*e, working.last_hash));
      apply(working, *e);
      c.events.push_back(e);
      batch->events.push_back(e);
    }
  };

  for (size_t taken_index = 0; taken_index < taken.size(); ++taken_index) {
    PendingCommand& p = taken[taken_index];
    // A command without an id is new by definition: no earlier answer to look for.
    const bool fresh = p.command.id.empty();
    if (!fresh && in_flight_has(*h, p.command.id)) {
      // A retry of a command still syncing: its answer is that batch's, known once it is
      // published. It and the commands after it wait for that (their order is kept).
      std::lock_guard lock(h->mu);
      for (size_t k = taken.size(); k-- > taken_index;) h->queue.push_front(std::move(taken[k]));
      taken.resize(taken_index);
      h->wait_for_publish = true;
      break;
    }
    Completion c;
    c.done = std::move(p.done);
    ParsedCommand& cmd = p.command;
    if (cmd.id.empty()) cmd.id = "c-" + h->id + "-" + std::to_string(working.revision + 1) + "-" + std::to_string(at);
    c.outcome.command_id = cmd.id;

    // Safe retries: the same id returns the first answer.
    if (auto in = batch->ids_in_batch.find(cmd.id); in != batch->ids_in_batch.end()) {
      c.outcome = batch->completions[in->second].outcome;
      c.outcome.duplicate = true;
      c.events = batch->completions[in->second].events;
      batch->completions.push_back(std::move(c));
      continue;
    }
    if (working.revision > 0 && !fresh) {
      auto seen = store_->get(Space::commands, format::command_key(h->id, cmd.id));
      if (!seen.ok()) {
        c.outcome = rejected(seen.error(), cmd.id);
        batch->completions.push_back(std::move(c));
        continue;
      }
      if (seen.value()) {
        uint64_t first = format::read_big_endian64(seen.value()->substr(0, 8));
        uint64_t last = format::read_big_endian64(seen.value()->substr(8, 8));
        CommandOutcome dup;
        dup.ok = true;
        dup.duplicate = true;
        dup.command_id = cmd.id;
        dup.revision = last;
        if (seen.value()->size() > 16) dup.created_id = seen.value()->substr(16);
        for (uint64_t r = first; r <= last; ++r) {
          auto ev = event_at(h, r);
          if (ev.ok()) dup.events.push_back(ev.value());
        }
        c.outcome = std::move(dup);
        c.from_store = true;
        batch->completions.push_back(std::move(c));
        continue;
      }
    }

    if (p.verbatim) {
      // An import with history: the events as they were, chain checked.
      bool ok = true;
      for (auto& src : *p.verbatim) {
        auto e = std::make_shared<Event>(src);
        std::string claimed = e->hash;
        if (e->revision != working.revision + 1) {
          c.outcome = rejected(Error::invalid("imported events must run 1, 2, 3, …; found revision " +
                                                  std::to_string(e->revision), "/events"), cmd.id);
          ok = false;
          break;
        }
        std::string key = format::event_key(h->id, e->revision);
        std::string record = format::encode(*e, working.last_hash);
        if (e->hash != claimed) {
          c.outcome = rejected(Error::invalid("imported event at revision " + std::to_string(e->revision) +
                                                  " does not match its hash: the export was changed", "/events"), cmd.id);
          ok = false;
          break;
        }
        batch->records.emplace_back(std::move(key), std::move(record));
        try {
          apply(working, *e);
        } catch (const nlohmann::json::exception& ex) {
          c.outcome = rejected(Error::invalid("imported event at revision " + std::to_string(e->revision) +
                                                  " has malformed data: " + ex.what(), "/events"), cmd.id);
          ok = false;
          break;
        }
        c.events.push_back(e);
        batch->events.push_back(e);
      }
      if (!ok) {
        // All or nothing: forget the whole batch's work (an import runs alone).
        batch = std::make_shared<Batch>();
        batch->next = std::make_shared<PlanState>(*committed);  // committed: what this batch started from
        batch->completions.push_back(std::move(c));
        break;
      }
      c.outcome.ok = true;
      c.outcome.revision = working.revision;
      batch->completions.push_back(std::move(c));
      continue;
    }

    if (p.group) {
      // An import without history: its commands are decided in order, all or none.
      PlanState before = working;
      size_t ops_before = batch->ops.size(), events_before = batch->events.size();
      size_t records_before = batch->records.size();
      std::optional<Error> failed;
      size_t index = 0;
      for (auto& member : *p.group) {
        DecideContext gctx = ctx;
        gctx.admin = member.admin;
        auto d = decide(working, member.command, gctx);
        if (!d.ok()) {
          failed = d.error().with_path_prefix("/commands/" + std::to_string(index));
          break;
        }
        PendingCommand& m = member;
        m.command.id = cmd.id;
        m.command.reason = cmd.reason;
        add_events(d.value().drafts, m, c);
        ++index;
      }
      if (failed) {
        working = std::move(before);
        batch->ops.resize(ops_before);
        batch->records.resize(records_before);
        batch->events.resize(events_before);
        c.events.clear();
        c.outcome = rejected(Error(failed->code(), "command " + std::to_string(index + 1) + " of the import: " +
                                                       failed->message(), failed->path()), cmd.id);
        batch->completions.push_back(std::move(c));
        continue;
      }
    } else {
      ctx.admin = p.admin;
      auto d = decide(working, cmd, ctx);
      if (!d.ok()) {
        c.outcome = rejected(d.error(), cmd.id);
        if (d.error().code() == ErrorCode::conflict) c.conflict_at = working.revision;
        batch->completions.push_back(std::move(c));
        continue;
      }
      c.outcome.created_id = d.value().created_id;
      if (d.value().drafts.empty()) {
        c.outcome = rejected(Error::invalid("the command changes nothing"), cmd.id);
        batch->completions.push_back(std::move(c));
        continue;
      }
      add_events(d.value().drafts, p, c);
    }
    c.outcome.ok = true;
    c.outcome.revision = working.revision;
    uint64_t first = c.events.front()->revision;
    batch->ops.push_back({Space::commands, format::command_key(h->id, cmd.id), encode_revisions(first, working.revision, c.outcome.created_id)});
    batch->ids_in_batch[cmd.id] = batch->completions.size();
    batch->completions.push_back(std::move(c));
  }

  // The events in the way of each 409: the batch's own (with their seqs, once committed), else
  // the plan's. Never under h->mu: event_at takes it.
  auto list_conflicts = [this, h, batch] {
    auto lookup = [&](uint64_t rev) -> Result<EventPtr> {
      for (auto& e : batch->events)
        if (e->revision == rev) return EventPtr(e);
      return event_at(h, rev);
    };
    for (auto& c : batch->completions)
      if (c.conflict_at && c.outcome.error)
        c.outcome.error = with_conflict_events(lookup, *c.conflict_at, *c.outcome.error);
  };

  if (batch->events.empty() && !behind) {
    // Nothing to write, and nothing in flight it could depend on: answer now.
    list_conflicts();
    for (auto& c : batch->completions) {
      c.done(std::move(c.outcome));
      command_done();
    }
    finish_batch(h);
    return;
  }
  if (committed->revision == 0) batch->ops.push_back({Space::meta, kPlanMetaPrefix + h->id, ""});

  auto flight = std::make_shared<InFlightBatch>();
  flight->events.assign(batch->events.begin(), batch->events.end());
  for (auto& [id, index] : batch->ids_in_batch) flight->command_ids.insert(id);
  {
    std::lock_guard lock(h->mu);
    h->in_flight.push_back(std::move(flight));
    h->tip = batch->next;
  }

  auto ops = std::move(batch->ops);
  auto records = std::move(batch->records);
  auto still_valid = [h, epoch] { return h->epoch.load() == epoch; };
  log_->append(std::move(records), std::move(ops), [this, h, batch, list_conflicts](Status status, uint64_t first_seq) {
    // On the writer thread, in commit order. A failure voids what was decided on top of this
    // batch before any later group is written.
    if (!status.ok()) {
      std::lock_guard lock(h->mu);
      h->epoch.fetch_add(1);
      h->stale = true;
    }
    enqueue_publish(h, [this, h, batch, status, first_seq, list_conflicts] {
      if (!status.ok()) {
        for (auto& c : batch->completions) {
          // Nothing of the batch was written: its acks, its repeats of a command id and its
          // refusals caused by earlier commands (of this batch or of those in flight before
          // it: 409s, 404s) would all be false.
          if (!c.from_store) c.outcome = rejected(status.error(), c.outcome.command_id);
          c.done(std::move(c.outcome));
          command_done();
        }
        return;
      }
      uint64_t seq = first_seq;
      for (auto& e : batch->events) {
        e->seq = seq++;
        e->finish_encoding();
      }
      list_conflicts();
      std::vector<EventPtr> published(batch->events.begin(), batch->events.end());
      std::shared_ptr<const PlanState> next = batch->next;
      // What this batch replaces is freed after the lock is let go: freeing a state's changed
      // entities and old events is work the plan's other threads need not wait for.
      std::shared_ptr<const PlanState> previous;
      std::vector<EventPtr> dropped;
      {
        // One step under the lock, so that whoever sees an ack reads the new state and a
        // subscribe() gets either all of this batch or none: state, acks, then subscribers.
        std::lock_guard lock(h->mu);
        previous = std::exchange(h->state, next);
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
        for (auto& c : batch->completions) {
          if (c.outcome.ok && c.outcome.events.empty())
            c.outcome.events.assign(c.events.begin(), c.events.end());
          c.done(std::move(c.outcome));
        }
        for (auto& s : h->subscribers) s.subscriber->on_events(published);
      }
      for (size_t i = 0; i < batch->completions.size(); ++i) command_done();
      maybe_snapshot(h, next);
    });
  }, std::move(still_valid));
  finish_batch(h);
}

void EngineImpl::enqueue_publish(const std::shared_ptr<PlanHandle>& h, std::function<void()> publish) {
  bool start = false;
  {
    std::lock_guard lock(h->mu);
    h->to_publish.push_back(std::move(publish));
    if (!h->publishing) start = h->publishing = true;
  }
  if (start) pool_->post([this, h] { run_publish(h); });
}

void EngineImpl::run_publish(const std::shared_ptr<PlanHandle>& h) {
  // One worker at a time per plan: batches are published in the order they were decided.
  for (;;) {
    std::function<void()> publish;
    {
      std::lock_guard lock(h->mu);
      if (h->to_publish.empty()) {
        h->publishing = false;
        break;
      }
      publish = std::move(h->to_publish.front());
      h->to_publish.pop_front();
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

bool EngineImpl::may_drain(const PlanHandle& h) const {
  return !h.queue.empty() && h.in_flight.size() < kMaxBatchesInFlight && !h.wait_for_publish &&
         !(h.stale && !h.in_flight.empty());
}

bool EngineImpl::in_flight_has(PlanHandle& h, const std::string& command_id) {
  std::lock_guard lock(h.mu);
  for (auto& b : h.in_flight)
    if (b->command_ids.count(command_id)) return true;
  return false;
}

void EngineImpl::finish_batch(std::shared_ptr<PlanHandle> h) {
  bool again;
  {
    std::lock_guard lock(h->mu);
    again = h->busy = may_drain(*h);
  }
  if (again) pool_->post([this, h] { drain(h); });
}

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
  log_->append({}, std::move(ops), [](Status, uint64_t) {});
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

// ---- reads ----------------------------------------------------------------------------

bool EngineImpl::has_plan(const std::string& plan) { return revision(plan) > 0; }

uint64_t EngineImpl::revision(const std::string& plan) {
  auto h = handle(plan);
  if (!h) return 0;
  std::lock_guard lock(h->mu);
  return h->state->revision;
}

std::vector<PlanSummary> EngineImpl::plans() {
  std::vector<std::shared_ptr<PlanHandle>> handles;
  {
    std::lock_guard lock(plans_mu_);
    for (auto& [id, h] : plans_) handles.push_back(h);
  }
  std::vector<PlanSummary> out;
  for (auto& h : handles) {
    std::lock_guard lock(h->mu);
    if (h->state->revision == 0) continue;
    out.push_back({h->id, h->state->plan.value.title.value_or(""), h->state->revision});
  }
  return out;
}

std::shared_ptr<const std::string> EngineImpl::render_cached(PlanHandle& h) {
  if (!h.view_cache) h.view_cache = std::make_shared<const std::string>(render_view(*h.state).dump());
  return h.view_cache;
}

Result<uint64_t> EngineImpl::revision_at_time(const std::string& plan, uint64_t current, int64_t ms) {
  // Events' times never decrease within a plan: binary search for the last one at or before ms.
  uint64_t lo = 0, hi = current;  // invariant: event lo is at or before ms (0 = none), events after hi are after
  while (lo < hi) {
    uint64_t mid = lo + (hi - lo + 1) / 2;
    auto ev = read_events(plan, mid - 1, mid);
    if (!ev.ok()) return ev.error();
    if (ev.value().empty()) return Error::unavailable("the log has a gap at revision " + std::to_string(mid));
    if (ev.value()[0]->at_ms <= ms) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

Result<std::shared_ptr<const std::string>> EngineImpl::view_unguarded(const std::string& plan, ViewAt at) {
  auto h = handle(plan);
  std::shared_ptr<const PlanState> now;
  if (h) {
    std::lock_guard lock(h->mu);
    now = h->state;
    if (now->revision > 0 && !at.revision && !at.asof_ms) return render_cached(*h);
  }
  if (!now || now->revision == 0) return Error::not_found("no plan '" + plan + "'");
  uint64_t rev;
  if (at.revision) {
    rev = *at.revision;
    if (rev < 1 || rev > now->revision)
      return Error::not_found("plan '" + plan + "' has revisions 1 to " + std::to_string(now->revision), "/at");
  } else {
    auto r = revision_at_time(plan, now->revision, *at.asof_ms);
    if (!r.ok()) return r.error();
    rev = r.value();
    if (rev == 0) return Error::not_found("plan '" + plan + "' did not exist yet at that time", "/asof");
  }
  if (rev == now->revision) return std::make_shared<const std::string>(render_view(*now).dump());
  auto s = state_at(plan, rev);
  if (!s.ok()) return s.error();
  return std::make_shared<const std::string>(render_view(*s.value()).dump());
}

Result<std::vector<EventPtr>> EngineImpl::events(const std::string& plan, uint64_t from, size_t limit) {
  auto h = handle(plan);
  if (!h || revision(plan) == 0) return Error::not_found("no plan '" + plan + "'");
  uint64_t current;
  {
    std::lock_guard lock(h->mu);
    current = h->state->revision;
    if (!h->recent.empty() && h->recent.front()->revision <= from + 1) {
      std::vector<EventPtr> out;
      for (auto& e : h->recent)
        if (e->revision > from && out.size() < limit) out.push_back(e);
      return out;
    }
  }
  uint64_t to = std::min<uint64_t>(current, from + limit);
  if (from >= to) return std::vector<EventPtr>{};
  auto evs = read_events(plan, from, to);
  if (!evs.ok()) return evs.error();
  return evs;
}

Result<std::string> EngineImpl::history_unguarded(const std::string& plan, const std::string& lang, uint64_t from,
                                                  size_t limit) {
  uint64_t current = revision(plan);
  if (current == 0) return Error::not_found("no plan '" + plan + "'");
  if (lang != "lv" && lang != "en") return Error::invalid("lang is lv or en", "/lang");
  std::shared_ptr<PlanState> state;
  if (from == 0) {
    state = std::make_shared<PlanState>();
  } else {
    auto s = load_state(plan, std::min(from, current));
    if (!s.ok()) return s.error();
    state = std::move(s.value());
  }
  uint64_t to = std::min<uint64_t>(current, state->revision + limit);
  auto evs = read_events(plan, state->revision, to);
  if (!evs.ok()) return evs.error();
  nlohmann::json entries = nlohmann::json::array();
  for (auto& e : evs.value()) {
    entries.push_back({{"revision", e->revision},
                       {"at", e->to_json()["at"]},
                       {"actor", e->actor},
                       {"type", e->type},
                       {"reason", e->reason},
                       {"command", e->command},
                       {"text", history_sentence(*state, *e, lang)}});
    apply(*state, *e);
  }
  nlohmann::json out = {{"entries", std::move(entries)}, {"revision", current}};
  out["next"] = to < current ? nlohmann::json(to) : nlohmann::json(nullptr);
  return out.dump();
}

Result<uint64_t> EngineImpl::resolve_point(const std::string& plan, const PlanState& now, const std::string& point,
                                           bool is_from) {
  (void)plan;
  if (point.empty()) {
    if (!is_from) return now.revision;
    return now.releases.empty() ? uint64_t(0) : now.releases.back().revision;
  }
  bool numeric = std::all_of(point.begin(), point.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (numeric && point.size() < 19) {
    uint64_t r = std::stoull(point);
    if (r > now.revision) return Error::not_found("no revision " + point, is_from ? "/from" : "/to");
    return r;
  }
  for (auto& r : now.releases)
    if (r.name == point) return r.revision;
  return Error::not_found("no release or revision '" + point + "'", is_from ? "/from" : "/to");
}

Result<std::string> EngineImpl::changelog_unguarded(const std::string& plan, const std::string& from,
                                                    const std::string& to) {
  auto h = handle(plan);
  if (!h || revision(plan) == 0) return Error::not_found("no plan '" + plan + "'");
  std::shared_ptr<const PlanState> now;
  {
    std::lock_guard lock(h->mu);
    now = h->state;
  }
  auto a = resolve_point(plan, *now, from, true);
  if (!a.ok()) return a.error();
  auto b = resolve_point(plan, *now, to, false);
  if (!b.ok()) return b.error();
  if (a.value() > b.value()) return Error::invalid("from is after to", "/from");
  std::shared_ptr<const PlanState> sa, sb;
  if (a.value() == 0) {
    sa = std::make_shared<PlanState>();
  } else {
    auto s = state_at(plan, a.value());
    if (!s.ok()) return s.error();
    sa = s.value();
  }
  if (b.value() == now->revision) {
    sb = now;
  } else {
    auto s = state_at(plan, b.value());
    if (!s.ok()) return s.error();
    sb = s.value();
  }
  auto out = kartiba::changelog(*sa, *sb);
  if (!from.empty()) out["from_name"] = from;
  return out.dump();
}

Result<std::string> EngineImpl::releases(const std::string& plan) {
  auto h = handle(plan);
  if (!h || revision(plan) == 0) return Error::not_found("no plan '" + plan + "'");
  std::lock_guard lock(h->mu);
  return nlohmann::json{{"releases", h->state->releases}}.dump();
}

Result<VerifyReport> EngineImpl::verify(const std::string& plan) {
  uint64_t current = revision(plan);
  if (current == 0) return Error::not_found("no plan '" + plan + "'");
  VerifyReport report;
  format::Hash previous = format::kGenesisHash;
  uint64_t expected = 1;
  std::string lo = format::event_key(plan, 1);
  std::string hi = format::plan_prefix(plan) + std::string(8, '\xff') + "\xff";
  auto st = store_->scan(Space::events, lo, hi, [&](std::string_view key, std::string_view value) {
    uint64_t key_rev = format::read_big_endian64(key.substr(key.size() - 8));
    if (key_rev != expected) {
      report = {false, expected, "revision " + std::to_string(expected) + " is missing from the log"};
      return false;
    }
    bool matches = false;
    auto e = format::decode(value, &previous, &matches);
    if (!e.ok()) {
      report = {false, expected, "revision " + std::to_string(expected) + " cannot be read: " + e.error().message()};
      return false;
    }
    if (e->revision != key_rev || e->plan != plan) {
      report = {false, expected, "revision " + std::to_string(expected) + " is filed under the wrong key"};
      return false;
    }
    if (!matches) {
      report = {false, expected, "revision " + std::to_string(expected) + " does not match its hash: it or an earlier event was changed or removed"};
      return false;
    }
    previous = format::hash_from_hex(e->hash);
    ++expected;
    return true;
  });
  if (!st.ok()) return st.error();
  if (!report.ok) return report;
  if (expected - 1 < current) return VerifyReport{false, expected, "revision " + std::to_string(expected) + " is missing from the log"};
  report.revision = expected - 1;
  return report;
}

// ---- subscriptions --------------------------------------------------------------------

Result<std::unique_ptr<Subscription>> EngineImpl::subscribe(const std::string& plan, std::optional<uint64_t> from,
                                                            std::shared_ptr<Subscriber> subscriber) {
  auto h = handle(plan);
  if (!h || revision(plan) == 0) return Error::not_found("no plan '" + plan + "'");
  uint64_t id = next_subscriber_id_++;
  std::lock_guard lock(h->mu);
  uint64_t current = h->state->revision;
  if (!from) {
    subscriber->on_snapshot(current, render_cached(*h));
  } else {
    if (*from > current)
      return Error::invalid("from " + std::to_string(*from) + " is ahead of the plan's revision " + std::to_string(current), "/from");
    if (*from < current) {
      std::vector<EventPtr> missed;
      if (!h->recent.empty() && h->recent.front()->revision <= *from + 1) {
        for (auto& e : h->recent)
          if (e->revision > *from) missed.push_back(e);
      } else {
        // Older than memory holds: read the log (under the lock, so no event slips between).
        auto evs = read_events(plan, *from, current);
        if (!evs.ok()) return evs.error();
        missed = std::move(evs.value());
      }
      subscriber->on_events(missed);
    }
  }
  h->subscribers.push_back({id, std::move(subscriber)});
  return std::unique_ptr<Subscription>(new EngineSubscription(h, id));
}

void EngineImpl::unsubscribe(const std::shared_ptr<PlanHandle>& h, uint64_t id) {
  std::lock_guard lock(h->mu);
  auto& subs = h->subscribers;
  subs.erase(std::remove_if(subs.begin(), subs.end(), [&](const SubscriberEntry& s) { return s.id == id; }), subs.end());
}

// ---- meta -----------------------------------------------------------------------------

Status EngineImpl::put_meta(const std::string& key, const std::string& value) {
  return store_->write({{Space::meta, key, value}}, options_.sync);
}
Status EngineImpl::delete_meta(const std::string& key) {
  return store_->write({{Space::meta, key, "", true}}, options_.sync);
}
std::optional<std::string> EngineImpl::get_meta(const std::string& key) {
  auto r = store_->get(Space::meta, key);
  return r.ok() ? r.value() : std::nullopt;
}
std::vector<std::pair<std::string, std::string>> EngineImpl::list_meta(const std::string& prefix) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string hi = prefix + std::string(1, '\xff');
  (void)store_->scan(Space::meta, prefix, hi, [&](std::string_view k, std::string_view v) {
    out.emplace_back(std::string(k), std::string(v));
    return true;
  });
  return out;
}

EngineStats EngineImpl::stats() {
  EngineStats s;
  {
    std::lock_guard lock(plans_mu_);
    s.plans = plans_.size();
  }
  if (log_) log_->fill_stats(s);
  return s;
}

void EngineImpl::shutdown() {
  accepting_ = false;
  {
    std::unique_lock lock(inflight_mu_);
    inflight_cv_.wait(lock, [&] { return inflight_ == 0; });
  }
  if (log_) log_->stop();
}

// ---- Engine's non-virtual helpers ------------------------------------------------------

Result<std::unique_ptr<Engine>> Engine::open(const Options& options) {
  auto store = open_rocks_store(options.data_dir, options.read_only);
  if (!store.ok()) return store.error();
  auto engine = std::make_unique<EngineImpl>(options, std::move(store.value()));
  auto st = engine->start();
  if (!st.ok()) return st.error();
  return std::unique_ptr<Engine>(std::move(engine));
}

CommandOutcome Engine::execute_sync(CommandRequest request) {
  std::promise<CommandOutcome> promise;
  auto future = promise.get_future();
  execute(std::move(request), [&promise](CommandOutcome o) { promise.set_value(std::move(o)); });
  return future.get();
}

std::string CommandOutcome::to_json() const {
  if (!ok) return error ? error->to_json() : Error::invalid("rejected").to_json();
  nlohmann::json events_json = nlohmann::json::array();
  for (auto& e : events) events_json.push_back(e->json.empty() ? e->to_json() : nlohmann::json::parse(e->json));
  nlohmann::json out = {{"ok", true}, {"revision", revision}, {"events", std::move(events_json)}, {"command", command_id}};
  if (duplicate) out["duplicate"] = true;
  if (!created_id.empty()) out["created"] = created_id;
  return out.dump();
}

}  // namespace kartiba

namespace kartiba {
std::shared_ptr<const PlanState> EngineImpl::current_state(const std::string& plan) {
  auto h = handle(plan);
  if (!h) return nullptr;
  std::lock_guard lock(h->mu);
  return h->state->revision ? h->state : nullptr;
}
}  // namespace kartiba

namespace kartiba {
namespace {
// Reads render JSON from stored state; a bug there must answer one request with an error,
// not cross the engine's API as an exception.
template <class F>
auto guarded(const char* what, F&& read) -> decltype(read()) {
  try {
    return read();
  } catch (const std::exception& e) {
    return Error::unavailable(std::string(what) + " failed: " + e.what());
  }
}
}  // namespace

Result<std::shared_ptr<const std::string>> EngineImpl::view(const std::string& plan, ViewAt at) {
  return guarded("reading the view", [&] { return view_unguarded(plan, at); });
}
Result<std::string> EngineImpl::history(const std::string& plan, const std::string& lang, uint64_t from, size_t limit) {
  return guarded("reading the history", [&] { return history_unguarded(plan, lang, from, limit); });
}
Result<std::string> EngineImpl::changelog(const std::string& plan, const std::string& from, const std::string& to) {
  return guarded("reading the changelog", [&] { return changelog_unguarded(plan, from, to); });
}
Result<std::string> EngineImpl::export_plan(const std::string& plan) {
  return guarded("exporting the plan", [&] { return export_unguarded(plan); });
}
}  // namespace kartiba
