// kartiba::CommitLog — the one append path, with group commit.
//
// Callers queue batches; one writer thread takes everything queued, gives the events their
// global seqs, writes it all as one synced batch and then completes every caller. After a
// failed write every later append fails until Store::resume() succeeds ("the state of the
// log is indeterminate"), which the writer tries again on the next append.
//
// Thread-safety: append() may be called from any thread; completions run on the writer
// thread, in the order the batches were committed, and must not block.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "kartiba/engine.h"
#include "kartiba/store.h"

namespace kartiba {

class CommitLog {
 public:
  // first_seq: the seq of the first event of this batch (events numbered in order).
  using Done = std::function<void(Status status, uint64_t first_seq)>;

  CommitLog(Store& store, bool sync, uint64_t next_seq);
  ~CommitLog();
  CommitLog(const CommitLog&) = delete;
  CommitLog& operator=(const CommitLog&) = delete;

  // events: (key, record) of the batch's events in order; each record gets its seq appended
  // and a global seq entry, in the same atomic write as `ops`.
  // valid, when given, is asked on the writer thread just before the write: false fails this
  // batch `unavailable` without writing it (it was decided on top of a batch whose write failed).
  // A batch with no events and no ops writes nothing: it only keeps its place in the order.
  using KeyedRecord = std::pair<std::string, std::string>;
  using Valid = std::function<bool()>;
  void append(std::vector<KeyedRecord> events, std::vector<WriteOp> ops, Done done, Valid valid = {});
  // The same for events whose seqs another log of record assigned (one per event, in order):
  // this node's copy of them.
  void append_numbered(std::vector<KeyedRecord> events, std::vector<uint64_t> seqs, std::vector<WriteOp> ops,
                       Done done, Valid valid = {});

  // Finishes what is queued, then stops the writer. Later appends fail `unavailable`.
  void stop();

  void fill_stats(EngineStats& stats);

 private:
  struct Pending {
    std::vector<KeyedRecord> events;
    std::vector<WriteOp> ops;
    Done done;
    Valid valid;
    std::vector<uint64_t> seqs;  // given seqs (append_numbered), else empty
  };
  void run();
  void commit(std::deque<Pending>& group);

  Store& store_;
  const bool sync_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;        // GUARDED_BY(mu_)
  bool stopping_ = false;            // GUARDED_BY(mu_)
  uint64_t next_seq_;                // writer thread only
  bool failed_ = false;              // writer thread only
  std::string failure_;              // writer thread only: why the failed write failed

  std::mutex stats_mu_;
  EngineStats stats_;                // GUARDED_BY(stats_mu_)
  std::thread writer_;
};

}  // namespace kartiba
