// The engine's life and its side records: open, start, the meta key-value, stats, shutdown.
#include <chrono>
#include <future>

#include "core/event_format.h"
#include "engine/engine_impl.h"
#include "storage/local_log.h"

namespace kartiba {

const std::string kPlanMetaPrefix = "engine/plan/";

namespace {

class SystemClock final : public Clock {
 public:
  int64_t now_ms() override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace

EngineImpl::EngineImpl(const Options& options, std::shared_ptr<Store> store)
    : options_(options), store_(std::move(store)) {
  size_t threads = options_.worker_threads ? options_.worker_threads : std::max(2u, std::thread::hardware_concurrency());
  pool_ = std::make_unique<ThreadPool>(threads);
}

EngineImpl::~EngineImpl() { shutdown(); }

int64_t EngineImpl::now_ms() {
  static SystemClock system;
  return options_.clock ? options_.clock->now_ms() : system.now_ms();
}

Status EngineImpl::start() {
  // The next global seq follows the last one written.
  auto last = store_->last_in_range(Space::global, "", "");
  if (!last.ok()) return last.error();
  uint64_t next_seq = last.value() ? format::read_big_endian64(last.value()->first) + 1 : 1;

  std::vector<std::string> ids;
  for (auto& [key, value] : local_meta(kPlanMetaPrefix)) ids.push_back(key.substr(kPlanMetaPrefix.size()));
  // Plans are independent: they load (snapshot + the log's tail) in parallel on the pool.
  std::vector<std::future<Result<std::shared_ptr<PlanState>>>> loading;
  loading.reserve(ids.size());
  for (auto& id : ids) {
    auto task = std::make_shared<std::packaged_task<Result<std::shared_ptr<PlanState>>()>>(
        [this, id] { return load_state(id, UINT64_MAX); });
    loading.push_back(task->get_future());
    pool_->post([task] { (*task)(); });
  }
  std::optional<Error> failed;
  for (size_t i = 0; i < ids.size(); ++i) {
    auto state = loading[i].get();  // every task is waited for, also after a failure
    if (!state.ok()) {
      if (!failed) failed = state.error();
      continue;
    }
    auto h = std::make_shared<PlanHandle>(ids[i]);
    h->last_snapshot_revision = state.value()->revision;  // at most snapshot_every behind
    h->state = std::move(state.value());
    std::lock_guard lock(plans_mu_);
    plans_[ids[i]] = h;
  }
  if (failed) return *failed;
  if (options_.read_only) return {};
  local_ = std::make_unique<CommitLog>(*store_, options_.sync, next_seq);
  if (options_.log_of_record) {
    log_ = options_.log_of_record;
    log_is_local_ = false;
  } else {
    log_ = std::make_shared<LocalLog>(*store_, *local_, options_.sync, kPlanMetaPrefix);
  }
  return log_->start(*this);
}


std::shared_ptr<PlanHandle> EngineImpl::handle(const std::string& plan) {
  std::lock_guard lock(plans_mu_);
  auto it = plans_.find(plan);
  return it == plans_.end() ? nullptr : it->second;
}

std::shared_ptr<PlanHandle> EngineImpl::handle_or_create(const std::string& plan) {
  std::lock_guard lock(plans_mu_);
  auto& h = plans_[plan];
  if (!h) {
    h = std::make_shared<PlanHandle>(plan);
    auto empty = std::make_shared<PlanState>();
    empty->id = plan;
    h->state = std::move(empty);
  }
  return h;
}


// ---- meta -----------------------------------------------------------------------------

// The server's records live in the log of record (cluster-wide tokens); a read-only engine
// reads its own store.
Status EngineImpl::put_meta(const std::string& key, const std::string& value) {
  if (log_) return log_->put_meta(key, value);
  return store_->write({{Space::meta, key, value}}, options_.sync);
}
Status EngineImpl::delete_meta(const std::string& key) {
  if (log_) return log_->delete_meta(key);
  return store_->write({{Space::meta, key, "", true}}, options_.sync);
}
std::optional<std::string> EngineImpl::get_meta(const std::string& key) {
  if (log_) return log_->get_meta(key);
  auto r = store_->get(Space::meta, key);
  return r.ok() ? r.value() : std::nullopt;
}
std::vector<std::pair<std::string, std::string>> EngineImpl::list_meta(const std::string& prefix) {
  return log_ ? log_->list_meta(prefix) : local_meta(prefix);
}
std::vector<std::pair<std::string, std::string>> EngineImpl::local_meta(const std::string& prefix) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string hi = prefix + std::string(1, '\xff');
  (void)store_->scan(Space::meta, prefix, hi, [&](std::string_view k, std::string_view v) {
    out.emplace_back(std::string(k), std::string(v));
    return true;
  });
  return out;
}

EngineStats EngineImpl::stats() {
  EngineStats s;
  {
    std::lock_guard lock(plans_mu_);
    s.plans = plans_.size();
  }
  if (local_) local_->fill_stats(s);
  return s;
}

void EngineImpl::shutdown() {
  accepting_ = false;
  {
    std::unique_lock lock(inflight_mu_);
    inflight_cv_.wait(lock, [&] { return inflight_ == 0; });
  }
  if (log_) log_->stop();
  if (local_) local_->stop();
}

// ---- Engine's non-virtual helpers ------------------------------------------------------

Result<std::unique_ptr<Engine>> Engine::open(const Options& options) {
  std::shared_ptr<Store> store = options.store;
  if (!store) {
    auto rocks = open_rocks_store(options.data_dir, options.read_only);
    if (!rocks.ok()) return rocks.error();
    store = std::move(rocks.value());
  }
  auto engine = std::make_unique<EngineImpl>(options, std::move(store));
  auto st = engine->start();
  if (!st.ok()) return st.error();
  return std::unique_ptr<Engine>(std::move(engine));
}

CommandOutcome Engine::execute_sync(CommandRequest request) {
  std::promise<CommandOutcome> promise;
  auto future = promise.get_future();
  execute(std::move(request), [&promise](CommandOutcome o) { promise.set_value(std::move(o)); });
  return future.get();
}

std::string CommandOutcome::to_json() const {
  if (!ok) return error ? error->to_json() : Error::invalid("rejected").to_json();
  nlohmann::json events_json = nlohmann::json::array();
  for (auto& e : events) events_json.push_back(e->json.empty() ? e->to_json() : nlohmann::json::parse(e->json));
  nlohmann::json out = {{"ok", true}, {"revision", revision}, {"events", std::move(events_json)}, {"command", command_id}};
  if (duplicate) out["duplicate"] = true;
  if (!created_id.empty()) out["created"] = created_id;
  return out.dump();
}


}  // namespace kartiba
