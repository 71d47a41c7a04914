// RocksDB implementation of Store: one column family per Space.
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include <cstdarg>
#include <filesystem>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "storage/store.h"

namespace kartiba {
namespace {

const char* kSpaceNames[kSpaceCount] = {"events", "global", "commands", "snapshots", "meta"};

// RocksDB's info log (DIR/LOG), written so that a failed write is only a lost line. RocksDB
// 7.8's own file logger asserts (the Debian build aborts the process) on the next line after a
// failed append, e.g. when the disk is full: exactly when the server must stay up, answer 503
// and resume once there is space again. Past kMaxBytes the file moves to LOG.old.
class InfoLog final : public rocksdb::Logger {
 public:
  explicit InfoLog(std::string path) : rocksdb::Logger(rocksdb::InfoLogLevel::INFO_LEVEL), path_(std::move(path)) {}
  ~InfoLog() override {
    if (file_) std::fclose(file_);
  }

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    std::lock_guard lock(mu_);
    if (file_ && written_ > kMaxBytes) {
      std::fclose(file_);
      file_ = nullptr;
      std::rename(path_.c_str(), (path_ + ".old").c_str());
    }
    if (!file_) {
      file_ = std::fopen(path_.c_str(), "a");
      if (!file_) return;
      written_ = 0;
    }
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y/%m/%d-%H:%M:%SZ ", &tm);
    int n = std::fputs(stamp, file_);
    int m = std::vfprintf(file_, format, ap);
    std::fputc('\n', file_);
    std::fflush(file_);  // errors (a full disk) are ignored: the line is lost, nothing else
    if (n >= 0 && m > 0) written_ += static_cast<size_t>(m) + sizeof stamp;
  }

 private:
  static constexpr size_t kMaxBytes = 16 * 1024 * 1024;
  const std::string path_;
  std::mutex mu_;
  std::FILE* file_ = nullptr;  // GUARDED_BY(mu_)
  size_t written_ = 0;         // GUARDED_BY(mu_)
};

Error from_rocks(const rocksdb::Status& s, std::string_view what) {
  return Error::unavailable(std::string(what) + ": " + s.ToString());
}

class RocksStore final : public Store {
 public:
  RocksStore(rocksdb::DB* db, std::vector<rocksdb::ColumnFamilyHandle*> handles)
      : db_(db), handles_(std::move(handles)) {}

  ~RocksStore() override {
    // A graceful close leaves no log to replay: the next start opens at once. (Read-only
    // handles answer NotSupported, which is fine.)
    (void)db_->Flush(rocksdb::FlushOptions(), handles_);
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
  // Bounds the write-ahead log RocksDB replays on open (after a crash too): past this size the
  // oldest memtables are flushed. Cold start stays short with a long log.
  options.max_total_wal_size = 64ull << 20;
  options.max_open_files = 512;
  // Group commit happens above RocksDB too, but let RocksDB merge concurrent writers as well.
  options.enable_pipelined_write = false;
  options.avoid_unnecessary_blocking_io = true;
  if (!read_only) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);  // RocksDB would; the info log needs it first
    options.info_log = std::make_shared<InfoLog>(dir + "/LOG");
  }

  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10, false));
  // Debian's RocksDB is a portable build: its CRC32c runs without SSE 4.2 (the profile's
  // Slow_CRC32). Table blocks use XXH3 instead; the WAL keeps CRC32c, which it cannot change.
  table.checksum = rocksdb::kXXH3;
  rocksdb::ColumnFamilyOptions cf_options(options);
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // Flushes (L0) and the first compaction level are written uncompressed, as RocksDB's tuning
  // guide suggests: they are rewritten soon, and compressing them took the flush thread's CPU
  // away from deciding commands. Deeper levels, where the log's bulk settles, use Snappy.
  cf_options.compression_per_level = {rocksdb::kNoCompression, rocksdb::kNoCompression, rocksdb::kSnappyCompression,
                                      rocksdb::kSnappyCompression, rocksdb::kSnappyCompression,
                                      rocksdb::kSnappyCompression, rocksdb::kSnappyCompression};

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
