// Events other nodes committed to the log of record (LogSink): checked against the plan's hash
// chain, applied with the same apply(), written into this node's store and published like the
// plan's own batches, in revision order, none twice.
#include "core/event_format.h"
#include "domain/apply.h"
#include "engine/batch.h"
#include "engine/engine_impl.h"

namespace kartiba {

void EngineImpl::ingest(const std::string& plan, std::vector<StoredEvent> events,
                        std::vector<CommandRecord> commands, std::function<void(Status)> done) {
  if (!local_) return done(Error::unavailable("the engine is read-only"));
  auto h = handle_or_create(plan);
  {
    std::lock_guard lock(h->mu);
    h->to_ingest.push_back({std::move(events), std::move(commands), std::move(done)});
  }
  post_drain_if_ready(h);
}

uint64_t EngineImpl::known_revision(const std::string& plan) {
  auto h = handle(plan);
  if (!h) return 0;
  std::lock_guard lock(h->mu);
  return h->state->revision;
}

void EngineImpl::meta_changed(const std::string& key) {
  if (options_.on_meta_changed) options_.on_meta_changed(key);
}

namespace {

// The next stored event as an Event of `working`'s plan, its chain checked; an error says why not.
Result<std::shared_ptr<Event>> continue_chain(const std::string& plan, const PlanState& working,
                                              const StoredEvent& stored) {
  if (stored.revision != working.revision + 1)
    return Error::unavailable("plan " + plan + ": ingested revision " + std::to_string(stored.revision) +
                              " does not follow this node's revision " + std::to_string(working.revision) +
                              " (a gap): read again from known_revision()");
  bool matches = false;
  auto decoded = format::decode(stored.record + format::big_endian64(stored.seq), &working.last_hash, &matches);
  if (!decoded.ok()) return decoded.error();
  if (!matches || decoded->revision != stored.revision || decoded->plan != plan)
    return Error::unavailable("plan " + plan + ": ingested revision " + std::to_string(stored.revision) +
                              " does not continue this node's hash chain");
  return std::make_shared<Event>(std::move(decoded.value()));
}

}  // namespace

void EngineImpl::ingest_step(const std::shared_ptr<PlanHandle>& h, TakenWork& work) {
  // Nothing is in flight (may_drain): work.base is the plan's latest on this node.
  auto batch = std::make_shared<Batch>();
  batch->base = work.base;
  batch->next = std::make_shared<PlanState>(*work.base);
  batch->local_epoch = work.local_epoch;
  PlanState& working = *batch->next;
  for (auto& request : work.ingests) {
    std::optional<Error> failed;
    for (auto& stored : request.events) {
      if (stored.revision <= working.revision) continue;  // this node has it already
      auto e = continue_chain(h->id, working, stored);
      if (!e.ok()) {
        failed = e.error();
        break;
      }
      try {
        apply(working, *e.value());
      } catch (const std::exception& ex) {
        failed = Error::unavailable("plan " + h->id + ": ingested revision " + std::to_string(stored.revision) +
                                   " cannot be applied: " + ex.what());
        break;
      }
      batch->events.push_back(std::move(e.value()));
      batch->records.push_back(stored.record);
      batch->seqs.push_back(stored.seq);
    }
    for (auto& c : request.commands)
      if (c.last_revision > batch->base->revision && c.last_revision <= working.revision) batch->commands.push_back(c);
    // The events before a gap are taken; the call says what stopped it.
    if (failed) request.done(*failed);
    else batch->ingests.push_back(std::move(request));
  }
  if (batch->events.empty()) {
    for (auto& request : batch->ingests) request.done({});
    return;
  }
  auto flight = add_in_flight(*h, *batch);
  auto seqs = batch->seqs;
  write_local_copy(h, flight, std::move(batch), std::move(seqs));
}

}  // namespace kartiba
