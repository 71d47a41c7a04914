// kartiba::Store — the storage seam under the engine (as LevelDB's Env): ordered key spaces with
// atomic, optionally synced batch writes. The engine opens RocksDB in Options::data_dir unless
// Options::store hands it another Store: make_memory_store() for tests, or a wrapper of either
// that injects faults (tests/reliability's FaultStore). Keys and values are the engine's own
// formats (docs/EVENT_FORMAT.md); a wrapper passes them through untouched.
//
// Thread-safety: every method may be called from any thread at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kartiba/error.h"

namespace kartiba {

enum class Space : uint8_t {
  events,     // plan '\0' revision → event record
  global,     // seq → plan '\0' revision
  commands,   // plan '\0' command id → first and last revision it appended
  snapshots,  // plan '\0' revision → serialized plan state
  meta,       // the server's own records (tokens) and the engine's bookkeeping
};
inline constexpr int kSpaceCount = 5;

struct WriteOp {
  Space space;
  std::string key;
  std::string value;
  bool erase = false;
};

class Store {
 public:
  virtual ~Store() = default;
  // All ops or none; when sync, durable on return.
  virtual Status write(const std::vector<WriteOp>& ops, bool sync) = 0;
  virtual Result<std::optional<std::string>> get(Space space, std::string_view key) = 0;
  // Calls visit(key, value) for keys in [from, to) in order until it returns false.
  virtual Status scan(Space space, std::string_view from, std::string_view to,
                      const std::function<bool(std::string_view, std::string_view)>& visit) = 0;
  // The last key/value in [from, to), if any.
  virtual Result<std::optional<std::pair<std::string, std::string>>> last_in_range(
      Space space, std::string_view from, std::string_view to) = 0;
  // Tries to clear a failure that made writes fail (e.g. space returned on a full disk).
  virtual Status resume() = 0;
  // Approximate figures for `kartiba stats`.
  virtual std::string describe() = 0;
  // Flushes memtables and compacts (admin `compact`).
  virtual Status compact() = 0;
  // A consistent copy of the database in `dir` (admin `backup`).
  virtual Status checkpoint(const std::string& dir) = 0;
};

// RocksDB in `dir` (created when missing unless read_only).
Result<std::unique_ptr<Store>> open_rocks_store(const std::string& dir, bool read_only);

// In memory, for tests; while *fail_writes is true every write fails (and stays failed until
// resume() is called with it false), as RocksDB does after an I/O error.
std::unique_ptr<Store> make_memory_store(std::shared_ptr<std::atomic<bool>> fail_writes = nullptr);

}  // namespace kartiba
