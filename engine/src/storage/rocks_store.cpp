// RocksDB implementation of Store: one column family per Space.
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include "storage/store.h"

namespace kartiba {
namespace {

const char* kSpaceNames[kSpaceCount] = {"events", "global", "commands", "snapshots", "meta"};

Error from_rocks(const rocksdb::Status& s, std::string_view what) {
  return Error::unavailable(std::string(what) + ": " + s.ToString());
}

class RocksStore final : public Store {
 public:
  RocksStore(rocksdb::DB* db, std::vector<rocksdb::ColumnFamilyHandle*> handles)
      : db_(db), handles_(std::move(handles)) {}

  ~RocksStore() override {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
    db_->Close();
    delete db_;
  }

  Status write(const std::vector<WriteOp>& ops, bool sync) override {
    rocksdb::WriteBatch batch;
    for (const auto& op : ops) {
      auto* cf = handles_[size_t(op.space)];
      auto s = op.erase ? batch.Delete(cf, op.key) : batch.Put(cf, op.key, op.value);
      if (!s.ok()) return from_rocks(s, "batch");
    }
    rocksdb::WriteOptions wo;
    wo.sync = sync;
    auto s = db_->Write(wo, &batch);
    if (!s.ok()) return from_rocks(s, "write failed");
    return {};
  }

  Result<std::optional<std::string>> get(Space space, std::string_view key) override {
    std::string value;
    auto s = db_->Get(rocksdb::ReadOptions(), handles_[size_t(space)],
                      rocksdb::Slice(key.data(), key.size()), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return from_rocks(s, "read failed");
    return std::optional<std::string>(std::move(value));
  }

  Status scan(Space space, std::string_view from, std::string_view to,
              const std::function<bool(std::string_view, std::string_view)>& visit) override {
    rocksdb::ReadOptions ro;
    rocksdb::Slice upper(to.data(), to.size());
    if (!to.empty()) ro.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[size_t(space)]));
    for (it->Seek(rocksdb::Slice(from.data(), from.size())); it->Valid(); it->Next()) {
      auto k = it->key();
      auto v = it->value();
      if (!visit(std::string_view(k.data(), k.size()), std::string_view(v.data(), v.size()))) break;
    }
    if (!it->status().ok()) return from_rocks(it->status(), "scan failed");
    return {};
  }

  Result<std::optional<std::pair<std::string, std::string>>> last_in_range(
      Space space, std::string_view from, std::string_view to) override {
    rocksdb::ReadOptions ro;
    rocksdb::Slice lower(from.data(), from.size());
    ro.iterate_lower_bound = &lower;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[size_t(space)]));
    if (to.empty())
      it->SeekToLast();
    else
      it->SeekForPrev(rocksdb::Slice(to.data(), to.size()));
    // SeekForPrev lands on a key <= to; the range is half-open.
    while (it->Valid() && !to.empty() && it->key().compare(rocksdb::Slice(to.data(), to.size())) >= 0)
      it->Prev();
    if (!it->status().ok()) return from_rocks(it->status(), "read failed");
    if (!it->Valid()) return std::optional<std::pair<std::string, std::string>>();
    return std::optional<std::pair<std::string, std::string>>(
        std::pair{it->key().ToString(), it->value().ToString()});
  }

  Status resume() override {
    auto s = db_->Resume();
    if (!s.ok()) return from_rocks(s, "storage still failing");
    return {};
  }

  std::string describe() override {
    std::string out;
    for (int i = 0; i < kSpaceCount; ++i) {
      std::string keys, size;
      db_->GetProperty(handles_[i], "rocksdb.estimate-num-keys", &keys);
      db_->GetProperty(handles_[i], "rocksdb.total-sst-files-size", &size);
      out += std::string(kSpaceNames[i]) + ": ~" + keys + " keys, " + size + " bytes in SST files\n";
    }
    return out;
  }

  Status compact() override {
    for (auto* h : handles_) {
      auto s = db_->CompactRange(rocksdb::CompactRangeOptions(), h, nullptr, nullptr);
      if (!s.ok()) return from_rocks(s, "compaction failed");
    }
    return {};
  }

  Status checkpoint(const std::string& dir) override {
    rocksdb::Checkpoint* cp = nullptr;
    auto s = rocksdb::Checkpoint::Create(db_, &cp);
    if (!s.ok()) return from_rocks(s, "checkpoint");
    std::unique_ptr<rocksdb::Checkpoint> owner(cp);
    s = cp->CreateCheckpoint(dir);
    if (!s.ok()) return from_rocks(s, "checkpoint");
    return {};
  }

 private:
  rocksdb::DB* db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

}  // namespace

Result<std::unique_ptr<Store>> open_rocks_store(const std::string& dir, bool read_only) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.IncreaseParallelism(2);
  options.max_open_files = 512;
  // Group commit happens above RocksDB too, but let RocksDB merge concurrent writers as well.
  options.enable_pipelined_write = false;
  options.avoid_unnecessary_blocking_io = true;

  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10, false));
  rocksdb::ColumnFamilyOptions cf_options(options);
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));

  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  cfs.emplace_back(rocksdb::kDefaultColumnFamilyName, cf_options);
  for (auto* name : kSpaceNames) cfs.emplace_back(name, cf_options);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = read_only
                          ? rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(options), dir, cfs, &handles, &db)
                          : rocksdb::DB::Open(rocksdb::DBOptions(options), dir, cfs, &handles, &db);
  if (!s.ok()) return from_rocks(s, "cannot open the data directory " + dir);
  db->DestroyColumnFamilyHandle(handles[0]);  // the default family is unused
  handles.erase(handles.begin());
  return std::unique_ptr<Store>(new RocksStore(db, std::move(handles)));
}

}  // namespace kartiba
