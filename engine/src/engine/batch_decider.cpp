#include "engine/batch_decider.h"

#include "core/event_format.h"
#include "domain/apply.h"
#include "storage/local_log.h"

namespace kartiba {

CommandOutcome rejected(Error e, std::string command_id) {
  CommandOutcome o;
  o.ok = false;
  o.error = std::move(e);
  o.command_id = std::move(command_id);
  return o;
}

BatchDecider::BatchDecider(std::string plan, Store& store,
                           std::function<Result<EventPtr>(uint64_t)> plan_event_at, int64_t at_ms, Batch& batch)
    : plan_(std::move(plan)), store_(store), at_ms_(at_ms), batch_(batch), working_(*batch.next) {
  ctx_.event_at = [this, plan_event_at = std::move(plan_event_at)](uint64_t rev) -> Result<EventPtr> {
    for (auto& e : batch_.events)
      if (e->revision == rev) return EventPtr(e);
    return plan_event_at(rev);  // also knows the batches in flight
  };
}

void BatchDecider::add(PendingCommand& p) {
  Completion c;
  c.done = std::move(p.done);
  ParsedCommand& cmd = p.command;
  // A command without an id is new by definition: no earlier answer to look for.
  const bool fresh = cmd.id.empty();
  if (fresh) cmd.id = "c-" + plan_ + "-" + std::to_string(working_.revision + 1) + "-" + std::to_string(at_ms_);
  c.outcome.command_id = cmd.id;
  if (!fresh && answer_repeat(cmd, c)) return;
  bool accepted = p.verbatim ? decide_verbatim(p, c) : p.group ? decide_group(p, c) : decide_single(p, c);
  if (accepted) accept(cmd, std::move(c));
}

bool BatchDecider::answer_repeat(ParsedCommand& cmd, Completion& c) {
  if (auto in = batch_.ids_in_batch.find(cmd.id); in != batch_.ids_in_batch.end()) {
    c.outcome = batch_.completions[in->second].outcome;
    c.outcome.duplicate = true;
    c.events = batch_.completions[in->second].events;
    batch_.completions.push_back(std::move(c));
    return true;
  }
  if (working_.revision == 0) return false;
  auto seen = store_.get(Space::commands, format::command_key(plan_, cmd.id));
  if (!seen.ok()) {
    refuse(std::move(c), seen.error());
    return true;
  }
  if (!seen.value()) return false;
  CommandRecord record = decode_command_record(cmd.id, *seen.value());
  CommandOutcome dup;
  dup.ok = true;
  dup.duplicate = true;
  dup.command_id = cmd.id;
  dup.revision = record.last_revision;
  dup.created_id = record.created_id;
  for (uint64_t r = record.first_revision; r <= record.last_revision; ++r) {
    auto ev = ctx_.event_at(r);
    if (ev.ok()) dup.events.push_back(ev.value());
  }
  c.outcome = std::move(dup);
  c.from_store = true;
  batch_.completions.push_back(std::move(c));
  return true;
}

bool BatchDecider::decide_verbatim(PendingCommand& p, Completion& c) {
  Mark before = mark();
  for (auto& src : *p.verbatim) {
    auto e = std::make_shared<Event>(src);
    std::string claimed = e->hash;
    auto fail = [&](std::string message) {
      undo(std::move(before), c);
      refuse(std::move(c), Error::invalid(std::move(message), "/events"));
      return false;
    };
    if (e->revision != working_.revision + 1)
      return fail("imported events must run 1, 2, 3, …; found revision " + std::to_string(e->revision));
    std::string record = format::encode(*e, working_.last_hash);
    if (e->hash != claimed)
      return fail("imported event at revision " + std::to_string(e->revision) +
                  " does not match its hash: the export was changed");
    try {
      apply(working_, *e);
    } catch (const nlohmann::json::exception& ex) {
      return fail("imported event at revision " + std::to_string(e->revision) + " has malformed data: " + ex.what());
    }
    batch_.records.push_back(std::move(record));
    c.events.push_back(e);
    batch_.events.push_back(e);
  }
  return true;
}

bool BatchDecider::decide_group(PendingCommand& p, Completion& c) {
  Mark before = mark();
  size_t index = 0;
  for (auto& member : *p.group) {
    DecideContext member_ctx = ctx_;
    member_ctx.admin = member.admin;
    auto d = kartiba::decide(working_, member.command, member_ctx);
    if (!d.ok()) {
      Error failed = d.error().with_path_prefix("/commands/" + std::to_string(index));
      undo(std::move(before), c);
      refuse(std::move(c), Error(failed.code(), "command " + std::to_string(index + 1) + " of the import: " +
                                                    failed.message(), failed.path()));
      return false;
    }
    member.command.id = p.command.id;
    member.command.reason = p.command.reason;
    add_events(d.value().drafts, member, c);
    ++index;
  }
  return true;
}

bool BatchDecider::decide_single(PendingCommand& p, Completion& c) {
  ctx_.admin = p.admin;
  auto d = kartiba::decide(working_, p.command, ctx_);
  if (!d.ok()) {
    if (d.error().code() == ErrorCode::conflict) c.conflict_at = working_.revision;
    refuse(std::move(c), d.error());
    return false;
  }
  if (d.value().drafts.empty()) {
    refuse(std::move(c), Error::invalid("the command changes nothing"));
    return false;
  }
  c.outcome.created_id = d.value().created_id;
  add_events(d.value().drafts, p, c);
  return true;
}

void BatchDecider::add_events(const std::vector<Draft>& drafts, const PendingCommand& p, Completion& c) {
  for (auto& d : drafts) {
    auto e = std::make_shared<Event>();
    e->plan = plan_;
    e->revision = working_.revision + 1;
    e->type = d.type;
    e->at_ms = at_ms_;
    e->actor = p.actor;
    e->command = p.command.id;
    e->reason = p.command.reason;
    e->data = d.data;
    e->schema = format::kCurrentSchema;
    batch_.records.push_back(format::encode(*e, working_.last_hash));
    apply(working_, *e);
    c.events.push_back(e);
    batch_.events.push_back(e);
  }
}

void BatchDecider::accept(const ParsedCommand& cmd, Completion c) {
  c.outcome.ok = true;
  c.outcome.revision = working_.revision;
  batch_.commands.push_back({cmd.id, c.events.front()->revision, working_.revision, c.outcome.created_id});
  batch_.ids_in_batch[cmd.id] = batch_.completions.size();
  batch_.completions.push_back(std::move(c));
}

void BatchDecider::refuse(Completion c, Error error) {
  std::string id = c.outcome.command_id;
  c.outcome = rejected(std::move(error), std::move(id));
  batch_.completions.push_back(std::move(c));
}

BatchDecider::Mark BatchDecider::mark() const {
  return {working_, batch_.events.size(), batch_.records.size()};
}

void BatchDecider::undo(Mark m, Completion& c) {
  working_ = std::move(m.state);
  batch_.events.resize(m.events);
  batch_.records.resize(m.records);
  c.events.clear();
}

}  // namespace kartiba
