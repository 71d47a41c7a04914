// In-memory Store for tests. Copies the RocksDB semantics that matter to the engine:
// atomic batches, ordered keys, and a sticky failure that resume() clears.
#include <map>
#include <mutex>

#include "storage/store.h"

namespace kartiba {

class MemoryStore final : public Store {
 public:
  explicit MemoryStore(std::shared_ptr<std::atomic<bool>> fail) : fail_(std::move(fail)) {}

  Status write(const std::vector<WriteOp>& ops, bool) override {
    std::lock_guard lock(mu_);
    if (fail_ && *fail_) {
      failed_ = true;
      return Error::unavailable("write failed: injected fault");
    }
    if (failed_) return Error::unavailable("write failed: storage is in an error state");
    for (const auto& op : ops) {
      auto& m = spaces_[size_t(op.space)];
      if (op.erase)
        m.erase(op.key);
      else
        m[op.key] = op.value;
    }
    return {};
  }

  Result<std::optional<std::string>> get(Space space, std::string_view key) override {
    std::lock_guard lock(mu_);
    auto& m = spaces_[size_t(space)];
    auto it = m.find(std::string(key));
    if (it == m.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }

  Status scan(Space space, std::string_view from, std::string_view to,
              const std::function<bool(std::string_view, std::string_view)>& visit) override {
    std::vector<std::pair<std::string, std::string>> rows;
    {
      std::lock_guard lock(mu_);
      auto& m = spaces_[size_t(space)];
      for (auto it = m.lower_bound(std::string(from)); it != m.end(); ++it) {
        if (!to.empty() && it->first >= to) break;
        rows.emplace_back(*it);
      }
    }
    for (auto& [k, v] : rows)
      if (!visit(k, v)) break;
    return {};
  }

  Result<std::optional<std::pair<std::string, std::string>>> last_in_range(
      Space space, std::string_view from, std::string_view to) override {
    std::lock_guard lock(mu_);
    auto& m = spaces_[size_t(space)];
    auto it = to.empty() ? m.end() : m.lower_bound(std::string(to));
    if (it == m.begin()) return std::optional<std::pair<std::string, std::string>>();
    --it;
    if (it->first < from) return std::optional<std::pair<std::string, std::string>>();
    return std::optional<std::pair<std::string, std::string>>(*it);
  }

  Status resume() override {
    std::lock_guard lock(mu_);
    if (fail_ && *fail_) return Error::unavailable("storage still failing: injected fault");
    failed_ = false;
    return {};
  }

  std::string describe() override { return "memory store\n"; }
  Status compact() override { return {}; }
  Status checkpoint(const std::string&) override {
    return Error::unavailable("a memory store has no checkpoints");
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::string> spaces_[kSpaceCount];
  std::shared_ptr<std::atomic<bool>> fail_;
  bool failed_ = false;
};

std::unique_ptr<Store> make_memory_store(std::shared_ptr<std::atomic<bool>> fail_writes) {
  return std::make_unique<MemoryStore>(std::move(fail_writes));
}

}  // namespace kartiba
