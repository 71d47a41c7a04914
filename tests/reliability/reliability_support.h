// Helpers for the reliability Catch2 tests: an engine over an in-memory store that outlives it
// (so a second engine replays what the first wrote) with faults injected on demand, command
// text, and a subscriber that records what it is given and checks the order as it goes.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/engine_impl.h"
#include "kartiba/engine.h"
#include "kartiba/event.h"
#include "storage/store.h"

namespace kartiba::reliability {

using json = nlohmann::json;

// What a FaultStore does to writes; shared with the test, which flips it from any thread.
struct Faults {
  std::atomic<bool> fail{false};      // every write fails (like a full or read-only disk) while set
  std::atomic<uint64_t> writes{0};    // writes attempted
  std::atomic<uint64_t> failures{0};  // writes refused
  std::atomic<int> waiting{0};        // writes waiting behind hold()
  // hold(): writes wait until release(); lets a test pile commands up behind one write.
  void hold();
  void release();
  void wait_if_held();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool held_ = false;
};

// A Store over another one, shared: the test can open a second engine on the same data after
// the first is gone. After a refused write it refuses every write until resume() succeeds,
// as RocksDB does after a failed sync.
class FaultStore final : public Store {
 public:
  FaultStore(std::shared_ptr<Store> inner, std::shared_ptr<Faults> faults)
      : inner_(std::move(inner)), faults_(std::move(faults)) {}
  Status write(const std::vector<WriteOp>& ops, bool sync) override;
  Result<std::optional<std::string>> get(Space space, std::string_view key) override { return inner_->get(space, key); }
  Status scan(Space space, std::string_view from, std::string_view to,
              const std::function<bool(std::string_view, std::string_view)>& visit) override {
    return inner_->scan(space, from, to, visit);
  }
  Result<std::optional<std::pair<std::string, std::string>>> last_in_range(Space space, std::string_view from,
                                                                          std::string_view to) override {
    return inner_->last_in_range(space, from, to);
  }
  Status resume() override;
  std::string describe() override { return inner_->describe(); }
  Status compact() override { return inner_->compact(); }
  Status checkpoint(const std::string& dir) override { return inner_->checkpoint(dir); }

 private:
  std::shared_ptr<Store> inner_;
  std::shared_ptr<Faults> faults_;
  std::mutex mu_;
  bool failed_ = false;  // GUARDED_BY(mu_)
};

// One in-memory database and the faults on its writes.
struct MemoryDb {
  std::shared_ptr<Store> store{make_memory_store().release()};
  std::shared_ptr<Faults> faults = std::make_shared<Faults>();
};

// An engine on `db` (started; REQUIREs success).
std::unique_ptr<Engine> open_engine(MemoryDb& db, size_t worker_threads = 4, uint32_t snapshot_every = 1000);

// {"type":type,"data":data,...extra} as text.
std::string command_text(const std::string& type, const json& data, const json& extra = json::object());
CommandRequest request(const std::string& plan, const std::string& type, const json& data,
                       const json& extra = json::object(), const std::string& actor = "Tester");
// Creates plan `id` (Europe/Riga, 15–17 May 2024) with `items` items it0, it1, …
void make_plan(Engine& engine, const std::string& id, int items = 3);
json schedule_item(const std::string& id, int hour = 10);

// A subscriber that records every delivery and flags what breaks the contract: an event out of
// order or twice, a delivery after cancel() returned.
class Recorder final : public Subscriber {
 public:
  void on_snapshot(uint64_t revision, std::shared_ptr<const std::string> view) override;
  void on_events(const std::vector<EventPtr>& events) override;

  // Call after cancel() returned: any later delivery is a violation.
  void mark_cancelled() { cancelled_ = true; }
  void start_at(uint64_t from);  // subscribed with `from`

  std::vector<std::string> problems();
  std::vector<std::pair<uint64_t, std::string>> events();  // (revision, hash)
  uint64_t last();
  uint64_t snapshot_revision();

 private:
  std::mutex mu_;
  bool started_ = false;
  uint64_t snapshot_ = 0;
  uint64_t last_ = 0;
  std::vector<std::pair<uint64_t, std::string>> events_;
  std::vector<std::string> problems_;
  std::atomic<bool> cancelled_{false};
};

// Every event of the plan from the engine's log, oldest first.
std::vector<EventPtr> all_events(Engine& engine, const std::string& plan);

}  // namespace kartiba::reliability
