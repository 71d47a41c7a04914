// RocksDB is used directly here (and only here in the CLI): secondary instances and column
// family listing are below the engine's Store seam.
#include "backup.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <filesystem>
#include <memory>
#include <vector>

#include "storage/store.h"

namespace kartiba::cli {
namespace {

struct Handles {
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> cfs;
  ~Handles() {
    if (!db) return;
    for (auto* h : cfs) db->DestroyColumnFamilyHandle(h);
    db->Close();
    delete db;
  }
};

CopyReport secondary_copy(const std::string& data_dir, const std::string& dest) {
  CopyReport r;
  r.method = "secondary-copy";
  std::vector<std::string> names;
  rocksdb::Options options;
  auto s = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(options), data_dir, &names);
  if (!s.ok()) {
    r.error = "cannot list the database's column families: " + s.ToString();
    return r;
  }
  // The secondary's own info log and state go to a scratch directory beside the backup.
  const std::string scratch = dest + ".secondary";
  std::filesystem::create_directories(scratch);
  options.max_open_files = -1;  // required: keep every table file open while the primary compacts
  options.create_if_missing = false;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (auto& n : names) descriptors.emplace_back(n, rocksdb::ColumnFamilyOptions(options));
  Handles src;
  s = rocksdb::DB::OpenAsSecondary(options, data_dir, scratch, descriptors, &src.cfs, &src.db);
  if (!s.ok()) {
    r.error = "cannot open the database as a secondary instance: " + s.ToString();
    std::filesystem::remove_all(scratch);
    return r;
  }
  // Catch up once; a WAL the primary just recycled makes this fail now and then: retry.
  for (int attempt = 0; attempt < 5; ++attempt) {
    s = src.db->TryCatchUpWithPrimary();
    if (s.ok()) break;
  }
  if (!s.ok()) {
    r.error = "cannot catch up with the running server's database: " + s.ToString();
    std::filesystem::remove_all(scratch);
    return r;
  }

  rocksdb::Options out_options;
  out_options.create_if_missing = true;
  out_options.create_missing_column_families = true;
  out_options.error_if_exists = true;
  std::vector<rocksdb::ColumnFamilyDescriptor> out_descriptors;
  for (auto& n : names) out_descriptors.emplace_back(n, rocksdb::ColumnFamilyOptions(out_options));
  Handles out;
  s = rocksdb::DB::Open(out_options, dest, out_descriptors, &out.cfs, &out.db);
  if (!s.ok()) {
    r.error = "cannot create the backup database in " + dest + ": " + s.ToString();
    std::filesystem::remove_all(scratch);
    return r;
  }
  rocksdb::WriteOptions wo;
  wo.disableWAL = true;  // flushed below; the backup is not live
  for (size_t i = 0; i < names.size() && r.error.empty(); ++i) {
    std::unique_ptr<rocksdb::Iterator> it(src.db->NewIterator(rocksdb::ReadOptions(), src.cfs[i]));
    rocksdb::WriteBatch batch;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      batch.Put(out.cfs[i], it->key(), it->value());
      ++r.keys;
      if (batch.Count() >= 1000) {
        if (auto ws = out.db->Write(wo, &batch); !ws.ok()) r.error = "write failed: " + ws.ToString();
        batch.Clear();
      }
    }
    if (!it->status().ok()) r.error = "read failed: " + it->status().ToString();
    if (batch.Count() > 0)
      if (auto ws = out.db->Write(wo, &batch); !ws.ok()) r.error = "write failed: " + ws.ToString();
  }
  if (r.error.empty()) {
    rocksdb::FlushOptions fo;
    fo.wait = true;
    if (auto fs = out.db->Flush(fo, out.cfs); !fs.ok()) r.error = "flush failed: " + fs.ToString();
  }
  std::filesystem::remove_all(scratch);
  r.ok = r.error.empty();
  return r;
}

}  // namespace

bool database_in_use(const std::string& data_dir) {
  auto store = open_rocks_store(data_dir, false);
  return !store.ok() && store.error().message().find("lock") != std::string::npos;
}

CopyReport copy_database(const std::string& data_dir, const std::string& dest) {
  if (!std::filesystem::exists(data_dir + "/CURRENT")) return {false, "no kartiba database in " + data_dir, "", 0};
  auto store = open_rocks_store(data_dir, false);
  if (store.ok()) {
    CopyReport r;
    r.method = "checkpoint";
    auto st = store.value()->checkpoint(dest);
    r.ok = st.ok();
    if (!st.ok()) r.error = st.error().message();
    return r;
  }
  return secondary_copy(data_dir, dest);
}

}  // namespace kartiba::cli
