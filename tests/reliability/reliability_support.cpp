#include "reliability_support.h"

#include <catch2/catch.hpp>

namespace kartiba::reliability {

void Faults::hold() {
  std::lock_guard lock(mu_);
  held_ = true;
}

void Faults::release() {
  {
    std::lock_guard lock(mu_);
    held_ = false;
  }
  cv_.notify_all();
}

void Faults::wait_if_held() {
  std::unique_lock lock(mu_);
  if (!held_) return;
  waiting++;
  cv_.wait(lock, [&] { return !held_; });
  waiting--;
}

Status FaultStore::write(const std::vector<WriteOp>& ops, bool sync) {
  faults_->wait_if_held();
  faults_->writes++;
  {
    std::lock_guard lock(mu_);
    if (faults_->fail) failed_ = true;
    if (failed_) {
      faults_->failures++;
      return Error::unavailable("write failed: IO error: No space left on device (injected)");
    }
  }
  return inner_->write(ops, sync);
}

Status FaultStore::resume() {
  std::lock_guard lock(mu_);
  if (faults_->fail) return Error::unavailable("storage still failing (injected)");
  failed_ = false;
  return {};
}

std::unique_ptr<Engine> open_engine(MemoryDb& db, size_t worker_threads, uint32_t snapshot_every) {
  Options options;
  options.data_dir = "(memory)";
  options.worker_threads = worker_threads;
  options.snapshot_every = snapshot_every;
  auto engine = std::make_unique<EngineImpl>(options, std::make_unique<FaultStore>(db.store, db.faults));
  Status st = engine->start();
  INFO((st.ok() ? std::string() : st.error().to_json()));
  REQUIRE(st.ok());
  return engine;
}

std::string command_text(const std::string& type, const json& data, const json& extra) {
  json c = extra;
  c["type"] = type;
  c["data"] = data;
  return c.dump();
}

CommandRequest request(const std::string& plan, const std::string& type, const json& data, const json& extra,
                       const std::string& actor) {
  return CommandRequest{plan, actor, command_text(type, data, extra), false};
}

json schedule_item(const std::string& id, int hour) {
  auto hh = [](int h) { return (h < 10 ? "0" : "") + std::to_string(h); };
  return {{"item", id},
          {"title", "Item " + id},
          {"start", {{"local", "2024-05-15T" + hh(hour) + ":00"}}},
          {"end", {{"local", "2024-05-15T" + hh(hour + 1) + ":00"}}}};
}

void make_plan(Engine& engine, const std::string& id, int items) {
  auto o = engine.create_plan(json{{"id", id}, {"title", "Plan " + id}, {"timezone", "Europe/Riga"},
                                   {"start_date", "2024-05-15"}, {"end_date", "2024-05-17"}}
                                  .dump(),
                              "admin");
  INFO(o.to_json());
  REQUIRE(o.ok);
  for (int i = 0; i < items; ++i) {
    auto s = engine.execute_sync(request(id, "schedule-item", schedule_item("it" + std::to_string(i), 8 + i % 10)));
    INFO(s.to_json());
    REQUIRE(s.ok);
  }
}

void Recorder::on_snapshot(uint64_t revision, std::shared_ptr<const std::string> view) {
  std::lock_guard lock(mu_);
  if (cancelled_) problems_.push_back("snapshot after cancel");
  if (started_) problems_.push_back("a second snapshot");
  if (!view || view->empty()) problems_.push_back("an empty snapshot");
  started_ = true;
  snapshot_ = last_ = revision;
}

void Recorder::start_at(uint64_t from) {
  std::lock_guard lock(mu_);
  started_ = true;
  snapshot_ = last_ = from;
}

void Recorder::on_events(const std::vector<EventPtr>& events) {
  std::lock_guard lock(mu_);
  if (cancelled_) problems_.push_back("events after cancel");
  if (!started_) problems_.push_back("events before the snapshot");
  for (const auto& e : events) {
    if (e->revision != last_ + 1) {
      problems_.push_back("revision " + std::to_string(e->revision) + " after " + std::to_string(last_));
    }
    if (e->seq == 0) problems_.push_back("revision " + std::to_string(e->revision) + " delivered without its seq");
    last_ = e->revision;
    events_.emplace_back(e->revision, e->hash);
  }
}

std::vector<std::string> Recorder::problems() {
  std::lock_guard lock(mu_);
  return problems_;
}

std::vector<std::pair<uint64_t, std::string>> Recorder::events() {
  std::lock_guard lock(mu_);
  return events_;
}

uint64_t Recorder::last() {
  std::lock_guard lock(mu_);
  return last_;
}

uint64_t Recorder::snapshot_revision() {
  std::lock_guard lock(mu_);
  return snapshot_;
}

std::vector<EventPtr> all_events(Engine& engine, const std::string& plan) {
  std::vector<EventPtr> out;
  uint64_t from = 0;
  for (;;) {
    auto page = engine.events(plan, from, 5000);
    INFO((page.ok() ? std::string() : page.error().to_json()));
    REQUIRE(page.ok());
    if (page->empty()) return out;
    from = page->back()->revision;
    out.insert(out.end(), page->begin(), page->end());
  }
}

}  // namespace kartiba::reliability
