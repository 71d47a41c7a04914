// kartiba::Store — the storage seam under the log: ordered key spaces with atomic, optionally
// synced batch writes. RocksStore is the real one; MemoryStore serves tests and injects faults.
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

Result<std::unique_ptr<Store>> open_rocks_store(const std::string& dir, bool read_only);

// In-memory store for tests; fail_writes makes every write fail until cleared.
class MemoryStore;
std::unique_ptr<Store> make_memory_store(std::shared_ptr<std::atomic<bool>> fail_writes = nullptr);

}  // namespace kartiba
