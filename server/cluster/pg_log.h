// PgLog — the log of record in PostgreSQL, as one node of a cluster sees it (docs/CLUSTER.md).
//
// What it does, all without blocking the caller:
//   append    many plans' batches in one transaction (group commit); each plan's batch goes in
//             only if the plan's head is still the revision the node decided on, else that plan
//             alone gets `revision_taken` and the others commit;
//   seq       given by the log, increasing in commit order;
//   commands  command ids looked up cluster-wide;
//   tail      LISTEN/NOTIFY wakes the node when another node committed; it then reads each plan
//             by revision from its own cursor (never by seq: seqs become visible out of order);
//   meta      the cluster-wide records (tokens), with a notification when one changes.
//
// It owns two connections (appends; reads and LISTEN) and one thread running their io_context.
// Every callback runs on that thread and must not block; hand work elsewhere.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace kartiba::cluster {

// One event as the log of record keeps it.
struct LogEvent {
  uint64_t revision = 0;
  std::string type;
  std::string command;
  int64_t at_ms = 0;
  std::string hash;    // 32 raw bytes
  std::string record;  // the engine's event record without its seq
  uint64_t seq = 0;    // set by the log (0 until committed)
};

struct CommandRecord {
  std::string id;
  uint64_t first_revision = 0;
  uint64_t last_revision = 0;
  std::string created_id;
};

// One plan's part of a group commit: events expected+1 … expected+k and their command ids.
struct PlanAppend {
  std::string plan;
  uint64_t expected_revision = 0;
  std::string expected_hash;  // 32 raw bytes: the hash of the event at expected_revision ("" for 0)
  std::vector<LogEvent> events;
  std::vector<CommandRecord> commands;
};

struct PlanAppendResult {
  enum class Kind {
    committed,       // first_seq is the seq of the first event; the rest follow one by one
    revision_taken,  // another node appended to the plan after `expected_revision`: nothing written
    unavailable,     // not written (no connection, or the server refused the transaction)
    unknown,         // the connection broke at the commit and the outcome could not be learnt
  };
  Kind kind = Kind::unavailable;
  uint64_t first_seq = 0;
  std::string error;
};

struct LogStatus {
  bool connected = false;   // the append connection is up and the schema is in place
  std::string server;       // host:port of the primary it talks to
  std::string last_error;
  uint64_t round_trips = 0;
  uint64_t appends_committed = 0;
  uint64_t revision_taken = 0;
};

template <typename T>
struct LogResult {  // a value, or why not
  std::optional<T> value;
  std::string error;
  bool ok() const { return value.has_value(); }
};

// Where tailed events go (the engine, through its log seam). Called on the log's thread.
class TailSink {
 public:
  virtual ~TailSink() = default;
  // Events of `plan` in revision order, from known_revision(plan) + 1, with the records of the
  // commands whose last event is among them. done(error) once taken in ("" = ok).
  virtual void ingest(const std::string& plan, std::vector<LogEvent> events, std::vector<CommandRecord> commands,
                      std::function<void(std::string error)> done) = 0;
  // The plan's revision this node has taken in (0 if unknown): the tail's cursor.
  virtual uint64_t known_revision(const std::string& plan) = 0;
};

class PgLog {
 public:
  struct Options {
    std::string conninfo;
    // Waits this long for a broken connection to come back to learn whether an append whose
    // answer was lost committed, before answering `unknown`.
    int resolve_timeout_ms = 3000;
  };
  // Called when events may have been committed by anyone: a plan and its new head revision
  // (plan empty: anything may have changed, e.g. after a reconnect: read every plan's head).
  using TailListener = std::function<void(const std::string& plan, uint64_t revision)>;
  using MetaListener = std::function<void(const std::string& key)>;

  explicit PgLog(Options options);
  ~PgLog();
  PgLog(const PgLog&) = delete;
  PgLog& operator=(const PgLog&) = delete;

  // Listeners first, then start(): connects (retrying with backoff) and migrates the schema.
  // With a sink, the log tails by itself: every event another node commits is read (per plan,
  // by revision from the sink's cursor) and handed to it; after a reconnect every plan's head
  // is compared with the sink's cursor.
  void set_sink(TailSink* sink);
  void set_tail_listener(TailListener listener);
  void set_meta_listener(MetaListener listener);
  void start();
  void stop();

  // Calls `ready` once the schema is in place (or with an error: a database of a newer schema,
  // or none reachable within `timeout_ms`).
  void when_ready(int timeout_ms, std::function<void(std::string error)> ready);

  // One transaction of these plans' batches, as given.
  void append(std::vector<PlanAppend> plans, std::function<void(std::vector<PlanAppendResult>)> done);
  // Group commit: queues one plan's batch; whatever is queued goes in the next transaction (at
  // most two in flight, so batches gather while a commit syncs). A plan's batches are sent in
  // the order given. `still_wanted`, asked just before a batch is sent, may withdraw it
  // (answered `unavailable`, nothing written).
  void enqueue(PlanAppend plan, std::function<void(PlanAppendResult)> done,
               std::function<bool()> still_wanted = {});

  void find_command(const std::string& plan, const std::string& id,
                    std::function<void(LogResult<std::optional<CommandRecord>>)> done);
  // Events of a plan with revision > after, in revision order, at most `limit`.
  void read_events(const std::string& plan, uint64_t after, size_t limit,
                   std::function<void(LogResult<std::vector<LogEvent>>)> done);
  // Hands the sink every event of the plan after its cursor, up to the log's head (done("") then),
  // or done(error) when it cannot. One reader per plan: tailing and catch-up never overlap.
  void catch_up(const std::string& plan, std::function<void(std::string error)> done);
  // The same for every plan in the log.
  void catch_up_all(std::function<void(std::string error)> done);
  // Every plan's head revision.
  void heads(std::function<void(LogResult<std::vector<std::pair<std::string, uint64_t>>>)> done);

  void put_meta(const std::string& key, const std::string& value, std::function<void(std::string error)> done);
  void delete_meta(const std::string& key, std::function<void(std::string error)> done);
  void get_meta(const std::string& key, std::function<void(LogResult<std::optional<std::string>>)> done);
  void list_meta(const std::string& prefix,
                 std::function<void(LogResult<std::vector<std::pair<std::string, std::string>>>)> done);
  // Inserts the key only if it is missing; `inserted` says whether this call did (e.g. the demo
  // plan is loaded by the one node that wins this).
  void claim_meta(const std::string& key, const std::string& value,
                  std::function<void(LogResult<bool>)> done);

  LogStatus status() const;
  // Each plan's head as last heard of (notifications, catch-ups, own commits): with the
  // node's own revisions, how far behind it is.
  std::vector<std::pair<std::string, uint64_t>> heads_heard() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace kartiba::cluster
