// raw-rocksdb: the disk's limit — synced WriteBatches of events of our size, straight to RocksDB.
#include <filesystem>
#include <thread>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "core/event_format.h"
#include "scenarios.h"

namespace kartiba::bench {

nlohmann::json run_raw_rocksdb(const Settings& s) {
  std::string dir = s.dir + "/raw-rocksdb";
  std::filesystem::remove_all(dir);
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  auto st = rocksdb::DB::Open(options, dir, &raw);
  if (!st.ok()) throw std::runtime_error(st.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);

  // One real encoded event gives the record size.
  Event e;
  e.plan = "bench-plan";
  e.revision = 1;
  e.type = "ItemEdited";
  e.actor = "K. Miķelsone";
  e.command = "c-0000000001";
  e.data = nlohmann::json::parse(sample_command(1))["data"];
  e.data = {{"item", "bornem"}, {"set", e.data}, {"was", e.data}};
  std::string record = format::encode(e, format::kGenesisHash) + std::string(8, '\0');

  std::vector<nlohmann::json> rows;
  nlohmann::json best;
  double best_rate = 0;
  const double budget = s.quick ? 1.0 : 4.0;
  uint64_t key = 0;
  for (int batch_size : {1, 64, 1024}) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    uint64_t events = 0;
    std::vector<double> lat_ms;
    int64_t start = now_ns();
    while (seconds_since(start) < budget) {
      rocksdb::WriteBatch batch;
      for (int i = 0; i < batch_size; ++i) batch.Put(format::big_endian64(++key), record);
      int64_t t0 = now_ns();
      st = db->Write(wo, &batch);
      lat_ms.push_back(double(now_ns() - t0) / 1e6);
      if (!st.ok()) throw std::runtime_error(st.ToString());
      events += batch_size;
    }
    double rate = double(events) / seconds_since(start);
    nlohmann::json row = {{"writers", 1}, {"batch", batch_size}, {"event_bytes", record.size()},
                          {"events_per_s", rate}, {"p50_ms", percentile(lat_ms, 50)}, {"p99_ms", percentile(lat_ms, 99)}};
    rows.push_back(row);
    if (rate > best_rate) best_rate = rate, best = row;
  }
  // RocksDB's own group commit: 64 threads each writing single synced events.
  {
    const int writers = 64;
    std::atomic<uint64_t> events{0};
    std::atomic<uint64_t> next{key};
    std::vector<std::thread> threads;
    int64_t start = now_ns();
    for (int w = 0; w < writers; ++w)
      threads.emplace_back([&] {
        rocksdb::WriteOptions wo;
        wo.sync = true;
        while (seconds_since(start) < budget) {
          rocksdb::WriteBatch batch;
          batch.Put(format::big_endian64(++next), record);
          if (db->Write(wo, &batch).ok()) ++events;
        }
      });
    for (auto& t : threads) t.join();
    double rate = double(events) / seconds_since(start);
    rows.push_back({{"writers", writers}, {"batch", 1}, {"event_bytes", record.size()}, {"events_per_s", rate},
                    {"p50_ms", nullptr}, {"p99_ms", nullptr}});
  }
  report(s, "raw-rocksdb", rows);
  db.reset();
  std::filesystem::remove_all(dir);
  return best;
}

}  // namespace kartiba::bench
