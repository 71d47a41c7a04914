#include "storage/local_log.h"

#include "core/event_format.h"

namespace kartiba {

std::vector<WriteOp> command_record_ops(const std::string& plan, const std::vector<CommandRecord>& commands) {
  std::vector<WriteOp> ops;
  ops.reserve(commands.size());
  // First and last revision it appended, then the entity id the engine made for it (empty
  // when the client named the entity), so that a retry gets the whole ack.
  for (auto& c : commands)
    ops.push_back({Space::commands, format::command_key(plan, c.id),
                   format::big_endian64(c.first_revision) + format::big_endian64(c.last_revision) + c.created_id});
  return ops;
}

CommandRecord decode_command_record(const std::string& id, std::string_view stored) {
  CommandRecord r;
  r.id = id;
  r.first_revision = format::read_big_endian64(stored.substr(0, 8));
  r.last_revision = format::read_big_endian64(stored.substr(8, 8));
  if (stored.size() > 16) r.created_id = std::string(stored.substr(16));
  return r;
}

LocalLog::LocalLog(Store& store, CommitLog& commits, bool sync, std::string plan_meta_prefix)
    : store_(store), commits_(commits), sync_(sync), plan_meta_prefix_(std::move(plan_meta_prefix)) {}

void LocalLog::append(PlanBatch batch, std::function<void(AppendResult)> done) {
  std::vector<CommitLog::KeyedRecord> records;
  records.reserve(batch.records.size());
  for (size_t i = 0; i < batch.records.size(); ++i)
    records.emplace_back(format::event_key(batch.plan, batch.events[i]->revision), std::move(batch.records[i]));
  auto ops = command_record_ops(batch.plan, batch.commands);
  if (batch.base == 0) ops.push_back({Space::meta, plan_meta_prefix_ + batch.plan, ""});
  const size_t count = records.size();
  commits_.append(std::move(records), std::move(ops),
                  [done = std::move(done), count](Status status, uint64_t first_seq) {
                    AppendResult r;
                    if (!status.ok()) {
                      r.status = AppendStatus::unavailable;
                      r.message = status.error().message();
                    } else {
                      r.status = AppendStatus::committed;
                      r.seqs.reserve(count);
                      for (size_t i = 0; i < count; ++i) r.seqs.push_back(first_seq + i);
                    }
                    done(std::move(r));
                  },
                  std::move(batch.still_wanted));
}

Status LocalLog::put_meta(const std::string& key, const std::string& value) {
  return store_.write({{Space::meta, key, value}}, sync_);
}

Status LocalLog::delete_meta(const std::string& key) {
  return store_.write({{Space::meta, key, "", true}}, sync_);
}

std::optional<std::string> LocalLog::get_meta(const std::string& key) {
  auto r = store_.get(Space::meta, key);
  return r.ok() ? r.value() : std::nullopt;
}

std::vector<std::pair<std::string, std::string>> LocalLog::list_meta(const std::string& prefix) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string hi = prefix + std::string(1, '\xff');
  (void)store_.scan(Space::meta, prefix, hi, [&](std::string_view k, std::string_view v) {
    out.emplace_back(std::string(k), std::string(v));
    return true;
  });
  return out;
}

}  // namespace kartiba
