#include "storage/commit_log.h"

#include <chrono>
#include <iterator>

#include "core/event_format.h"

namespace kartiba {

CommitLog::CommitLog(Store& store, bool sync, uint64_t next_seq)
    : store_(store), sync_(sync), next_seq_(next_seq) {
  stats_.commit_latency_us_buckets.assign(std::size(kLatencyBucketsUs) + 1, 0);
  stats_.batch_size_buckets.assign(std::size(kBatchBuckets) + 1, 0);
  writer_ = std::thread([this] { run(); });
}

CommitLog::~CommitLog() { stop(); }

void CommitLog::append(std::vector<KeyedRecord> events, std::vector<WriteOp> ops, Done done, Valid valid) {
  append_numbered(std::move(events), {}, std::move(ops), std::move(done), std::move(valid));
}

void CommitLog::append_numbered(std::vector<KeyedRecord> events, std::vector<uint64_t> seqs,
                                std::vector<WriteOp> ops, Done done, Valid valid) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back({std::move(events), std::move(ops), std::move(done), std::move(valid), std::move(seqs)});
      cv_.notify_one();
      return;
    }
  }
  done(Error::unavailable("the server is shutting down"), 0);
}

void CommitLog::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_one();
  }
  if (writer_.joinable()) writer_.join();
}

void CommitLog::run() {
  for (;;) {
    std::deque<Pending> group;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      group.swap(queue_);
    }
    commit(group);
  }
}

void CommitLog::commit(std::deque<Pending>& group) {
  if (failed_) {
    if (store_.resume().ok()) failed_ = false;
  }
  if (failed_) {
    // Say what went wrong (a full disk, a read-only one), not only that something did.
    for (auto& p : group)
      p.done(Error::unavailable("storage failed earlier (" + failure_ + ") and has not recovered yet; nothing was applied"), 0);
    return;
  }
  auto started = std::chrono::steady_clock::now();
  std::vector<WriteOp> ops;
  std::vector<uint64_t> first_seqs(group.size(), 0);
  std::vector<bool> void_batch(group.size(), false);
  size_t events = 0;
  uint64_t seq = next_seq_;
  for (size_t i = 0; i < group.size(); ++i) {
    auto& p = group[i];
    if (p.valid && !p.valid()) {
      void_batch[i] = true;
      continue;
    }
    const bool numbered = !p.seqs.empty();
    first_seqs[i] = numbered ? p.seqs.front() : seq;
    for (size_t k = 0; k < p.events.size(); ++k) {
      auto& [key, record] = p.events[k];
      std::string seq_bytes = format::big_endian64(numbered ? p.seqs[k] : seq++);
      record += seq_bytes;
      ops.push_back({Space::events, key, std::move(record)});
      ops.push_back({Space::global, std::move(seq_bytes), std::move(key)});
    }
    events += p.events.size();
    std::move(p.ops.begin(), p.ops.end(), std::back_inserter(ops));
  }
  auto complete_void = [&] {
    for (size_t i = 0; i < group.size(); ++i)
      if (void_batch[i])
        group[i].done(Error::unavailable("an earlier write of this plan failed; nothing was applied"), 0);
  };
  if (ops.empty()) {
    // Only batches that keep their place in the order (or void ones): nothing to write.
    for (size_t i = 0; i < group.size(); ++i)
      if (!void_batch[i]) group[i].done({}, first_seqs[i]);
    return complete_void();
  }
  Status st = store_.write(ops, sync_);
  if (!st.ok()) {
    failed_ = true;
    failure_ = st.error().message();
    for (auto& p : group) p.done(st, 0);
    std::lock_guard lock(stats_mu_);
    stats_.storage_failed = true;
    return;
  }
  next_seq_ = seq;
  auto us = uint64_t(std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::steady_clock::now() - started).count());
  {
    std::lock_guard lock(stats_mu_);
    stats_.storage_failed = false;
    stats_.commits++;
    stats_.events_appended += events;
    stats_.commit_batch_events_sum += events;
    stats_.latency_us_sum += us;
    size_t i = 0;
    while (i < std::size(kLatencyBucketsUs) && us > kLatencyBucketsUs[i]) ++i;
    stats_.commit_latency_us_buckets[i]++;
    size_t j = 0;
    while (j < std::size(kBatchBuckets) && events > kBatchBuckets[j]) ++j;
    stats_.batch_size_buckets[j]++;
  }
  // In the order of the group; the void ones after, they follow a failure anyway.
  for (size_t i = 0; i < group.size(); ++i)
    if (!void_batch[i]) group[i].done({}, first_seqs[i]);
  complete_void();
}

void CommitLog::fill_stats(EngineStats& stats) {
  std::lock_guard lock(stats_mu_);
  auto plans = stats.plans;
  stats = stats_;
  stats.plans = plans;
}

}  // namespace kartiba
