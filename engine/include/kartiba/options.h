// kartiba::Options — how an Engine is opened. Plain struct; every field has a default.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace kartiba {

class Store;
class LogOfRecord;

// The clock seam: tests control time through it. Must be thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch, UTC.
  virtual int64_t now_ms() = 0;
};

struct Options {
  // The data directory; one RocksDB database lives in it (created when missing).
  std::string data_dir = "./data";

  // Sync every commit to disk before acknowledging. Only benchmarks of the non-durable
  // path and throwaway tests turn this off.
  bool sync = true;

  // Persist a snapshot of a plan's state every this many events: bounds the replay a
  // restart or a time-travel read needs to at most this many events.
  uint32_t snapshot_every = 1000;

  // Threads that validate commands and apply events (0 = the machine's core count).
  size_t worker_threads = 0;

  // The most commands one plan validates into one group-committed batch.
  size_t max_batch_commands = 256;

  // Events each plan keeps in memory for catch-up reads; older ones come from the log.
  size_t recent_events = 4096;
  // ... and at most about this many bytes of them (a plan of huge events keeps fewer).
  size_t recent_bytes = 16 * 1024 * 1024;

  // Time source for event timestamps; null means the system clock.
  std::shared_ptr<Clock> clock;

  // Open read-only (admin verbs on a live data directory's copy: verify, dump, stats).
  bool read_only = false;

  // The storage seam (kartiba/store.h): null opens RocksDB in data_dir. Tests hand in
  // make_memory_store() or a wrapper that injects faults.
  std::shared_ptr<Store> store;

  // Where a commit becomes an ack (kartiba/log_of_record.h): null is the node's own store, as a
  // single node always works. A cluster node hands in the PostgreSQL log; the store is then
  // this node's copy of it.
  std::shared_ptr<LogOfRecord> log_of_record;

  // Called (on a log thread, must not block) when another node changed a meta record (a token
  // issued or revoked); only a log of record shared by several nodes calls it.
  std::function<void(const std::string& key)> on_meta_changed;
};

}  // namespace kartiba
