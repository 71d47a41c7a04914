// LocalLog — the default log of record: the node's own store, through the CommitLog's group
// commit. Nothing else ever writes a plan here, so no batch comes back `revision_taken` and a
// catch-up has nothing to bring; a failed write answers `unavailable` as it always has.
//
// Thread-safety: as LogOfRecord; it adds no state of its own beyond the store and the log.
#pragma once

#include "kartiba/log_of_record.h"
#include "kartiba/store.h"
#include "storage/commit_log.h"

namespace kartiba {

class LocalLog final : public LogOfRecord {
 public:
  // plan_meta_prefix: the meta key (prefix + plan id) a plan's first batch writes, so that
  // Engine::open finds the plan again.
  LocalLog(Store& store, CommitLog& commits, bool sync, std::string plan_meta_prefix);

  Status start(LogSink&) override { return {}; }
  void append(PlanBatch batch, std::function<void(AppendResult)> done) override;
  void catch_up(const std::string&, uint64_t, std::function<void(Status)> done) override { done({}); }
  Status put_meta(const std::string& key, const std::string& value) override;
  Status delete_meta(const std::string& key) override;
  std::optional<std::string> get_meta(const std::string& key) override;
  std::vector<std::pair<std::string, std::string>> list_meta(const std::string& prefix) override;
  void stop() override {}

 private:
  Store& store_;
  CommitLog& commits_;
  const bool sync_;
  const std::string plan_meta_prefix_;
};

// The ops that file a batch's command records (and, for a new plan, its meta key) in a store:
// shared by the local log of record and by a cluster node's copy.
std::vector<WriteOp> command_record_ops(const std::string& plan, const std::vector<CommandRecord>& commands);
CommandRecord decode_command_record(const std::string& id, std::string_view stored);

}  // namespace kartiba
