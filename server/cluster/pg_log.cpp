#include "cluster/pg_log.h"

#include <libpq-fe.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <chrono>
#include <list>
#include <map>
#include <mutex>

#include "cluster/pg_connection.h"
#include "cluster/pg_schema.h"

namespace kartiba::cluster {

namespace net = boost::asio;

namespace {

constexpr const char* kAppendStatement = "kartiba_append";
constexpr unsigned kTextOid = 25, kByteaOid = 17, kInt8Oid = 20;

// One plan's batch, all or nothing: the head moves from ($2, $14) to ($3, $15) only if it is
// still there (a new plan's row is inserted) and none of the batch's command ids is in the log
// yet; only then are the events, their command ids, the seqs (from the row the transaction
// locked first) and the wake-up written. No error when another node got there first: the
// statement then returns a null first seq and writes nothing. Every appending transaction holds
// the seq row from its first statement, so these checks see every earlier commit.
constexpr const char* kAppendSql = R"sql(
WITH head AS (
  INSERT INTO kartiba_plans AS p (plan, revision, hash)
  SELECT $1, $3, $15
  WHERE NOT EXISTS (SELECT 1 FROM kartiba_commands c WHERE c.plan = $1 AND c.command = ANY($10::text[]))
  ON CONFLICT (plan) DO UPDATE SET revision = EXCLUDED.revision, hash = EXCLUDED.hash
    WHERE p.revision = $2 AND p.hash = $14
  RETURNING 1
), seq AS (
  UPDATE kartiba_seq SET next = next + $4 WHERE EXISTS (SELECT 1 FROM head) RETURNING next - $4 AS first
), ev AS (
  INSERT INTO kartiba_events (plan, revision, seq, type, command, at_ms, hash, record)
  SELECT $1, $2 + e.ord, seq.first + e.ord - 1, e.type, e.command, e.at_ms, e.hash, e.record
  FROM seq, unnest($5::text[], $6::text[], $7::int8[], $8::bytea[], $9::bytea[])
       WITH ORDINALITY AS e(type, command, at_ms, hash, record, ord)
  RETURNING 1
), cmd AS (
  INSERT INTO kartiba_commands (plan, command, first_revision, last_revision, created_id)
  SELECT $1, c.id, c.first, c.last, c.created
  FROM seq, unnest($10::text[], $11::int8[], $12::int8[], $13::text[]) AS c(id, first, last, created)
  RETURNING 1
), note AS (
  SELECT pg_notify('kartiba_events', $3::text || ' ' || $1) FROM seq
)
SELECT (SELECT first FROM seq), (SELECT count(*) FROM ev), (SELECT count(*) FROM cmd), (SELECT count(*) FROM note)
)sql";

// A page of a plan's events after a revision, each with the record of the command it ends (if
// it is that command's last event). One statement, so one snapshot: no command record arrives
// before its events.
constexpr const char* kPageSql = R"sql(
SELECT e.revision, e.seq, e.record, e.command, c.first_revision, c.created_id
FROM (SELECT revision, seq, record, command FROM kartiba_events
      WHERE plan = $1 AND revision > $2 ORDER BY revision LIMIT $3) e
LEFT JOIN kartiba_commands c ON c.plan = $1 AND c.command = e.command AND c.last_revision = e.revision
ORDER BY e.revision
)sql";
constexpr size_t kPageEvents = 8192;

void put_u32(std::string& out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_u64(std::string& out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// PostgreSQL's binary array format, one dimension, no nulls: no quoting, no hex.
template <typename Items, typename Put>
std::string binary_array(unsigned element_oid, const Items& items, Put put_element) {
  std::string out;
  const bool empty = items.empty();
  put_u32(out, empty ? 0 : 1);  // dimensions
  put_u32(out, 0);              // has nulls
  put_u32(out, element_oid);
  if (!empty) {
    put_u32(out, static_cast<uint32_t>(items.size()));
    put_u32(out, 1);  // lower bound
    for (const auto& item : items) put_element(out, item);
  }
  return out;
}

void put_bytes_element(std::string& out, const std::string& bytes) {
  put_u32(out, static_cast<uint32_t>(bytes.size()));
  out += bytes;
}
void put_int8_element(std::string& out, int64_t v) {
  put_u32(out, 8);
  put_u64(out, static_cast<uint64_t>(v));
}

PgStatement append_statement(const PlanAppend& a) {
  PgStatement st;
  st.mode = PgStatement::Mode::run_prepared;
  st.name = kAppendStatement;
  const uint64_t head = a.expected_revision + a.events.size();
  st.text(a.plan).number(static_cast<int64_t>(a.expected_revision)).number(static_cast<int64_t>(head))
      .number(static_cast<int64_t>(a.events.size()));
  std::vector<std::string> types, commands, hashes, records;
  std::vector<int64_t> ats;
  for (const auto& e : a.events) {
    types.push_back(e.type);
    commands.push_back(e.command);
    ats.push_back(e.at_ms);
    hashes.push_back(e.hash);
    records.push_back(e.record);
  }
  st.bytes(binary_array(kTextOid, types, put_bytes_element));
  st.bytes(binary_array(kTextOid, commands, put_bytes_element));
  st.bytes(binary_array(kInt8Oid, ats, put_int8_element));
  st.bytes(binary_array(kByteaOid, hashes, put_bytes_element));
  st.bytes(binary_array(kByteaOid, records, put_bytes_element));
  std::vector<std::string> ids, created;
  std::vector<int64_t> firsts, lasts;
  for (const auto& c : a.commands) {
    ids.push_back(c.id);
    firsts.push_back(static_cast<int64_t>(c.first_revision));
    lasts.push_back(static_cast<int64_t>(c.last_revision));
    created.push_back(c.created_id);
  }
  st.bytes(binary_array(kTextOid, ids, put_bytes_element));
  st.bytes(binary_array(kInt8Oid, firsts, put_int8_element));
  st.bytes(binary_array(kInt8Oid, lasts, put_int8_element));
  st.bytes(binary_array(kTextOid, created, put_bytes_element));
  st.bytes(a.expected_hash);
  st.bytes(a.events.empty() ? a.expected_hash : a.events.back().hash);
  return st;
}

PgStatement plain(std::string sql) {
  PgStatement st;
  st.sql = std::move(sql);
  return st;
}

}  // namespace

struct PgLog::Impl : std::enable_shared_from_this<PgLog::Impl> {
  explicit Impl(Options o) : options(std::move(o)), work(net::make_work_guard(io)) {}

  Options options;
  net::io_context io;
  net::executor_work_guard<net::io_context::executor_type> work;
  std::thread thread;
  std::shared_ptr<PgConnection> writer;  // appends and meta writes, pipelined
  std::shared_ptr<PgConnection> reader;  // LISTEN, catch-up reads, lookups
  TailListener on_tail;
  MetaListener on_meta;

  // io thread only
  bool schema_ready = false;
  bool listening = false;
  std::string fatal;  // the database cannot be used by this build (newer schema)
  struct Waiter {
    std::function<void(std::string)> ready;
    std::shared_ptr<net::steady_timer> timer;
  };
  std::list<std::shared_ptr<Waiter>> waiters;
  struct Unresolved {  // appends whose commit answer was lost
    std::vector<PlanAppend> plans;
    std::function<void(std::vector<PlanAppendResult>)> done;
    std::shared_ptr<net::steady_timer> deadline;
    bool answered = false;
  };
  std::list<std::shared_ptr<Unresolved>> unresolved;
  struct Queued {
    PlanAppend plan;
    std::function<void(PlanAppendResult)> done;
    std::function<bool()> still_wanted;
  };
  std::vector<Queued> queued;  // group commit: waiting for a transaction
  int groups_in_flight = 0;
  static constexpr int kMaxGroupsInFlight = 2;
  static constexpr size_t kMaxGroupEvents = 16384;

  // Tailing (io thread only): one reader per plan at a time.
  TailSink* sink = nullptr;
  struct Cursor {
    bool reading = false;
    bool to_end = false;     // a catch-up: read until a page comes back short
    uint64_t announced = 0;  // the highest head heard of
    uint64_t own = 0;        // the highest head this node committed itself
    int failures = 0;
    std::vector<std::function<void(std::string)>> waiters;
  };
  std::map<std::string, Cursor> cursors;

  mutable std::mutex status_mu;
  LogStatus stats;  // GUARDED_BY(status_mu)
  std::map<std::string, uint64_t> heard;  // GUARDED_BY(status_mu)

  void hear(const std::string& plan, uint64_t head) {
    std::lock_guard lock(status_mu);
    auto& h = heard[plan];
    h = std::max(h, head);
  }

  void post(std::function<void()> f) { net::post(io, std::move(f)); }

  void update_status() {
    std::lock_guard lock(status_mu);
    stats.connected = writer && writer->connected() && schema_ready;
    stats.server = writer ? writer->server() : "";
    stats.last_error = fatal.empty() ? (writer ? writer->last_error() : "") : fatal;
    stats.round_trips = (writer ? writer->round_trips() : 0) + (reader ? reader->round_trips() : 0);
  }

  void start() {
    std::weak_ptr<Impl> weak = shared_from_this();
    writer = std::make_shared<PgConnection>(io, options.conninfo, PgConnection::Handlers{
        [weak] { if (auto me = weak.lock()) me->writer_connected(); },
        [weak](const std::string&) { if (auto me = weak.lock()) { me->schema_ready = false; me->update_status(); } },
        nullptr});
    reader = std::make_shared<PgConnection>(io, options.conninfo, PgConnection::Handlers{
        [weak] { if (auto me = weak.lock()) me->reader_connected(); },
        [weak](const std::string&) { if (auto me = weak.lock()) me->listening = false; },
        [weak](const std::string& channel, const std::string& payload) {
          if (auto me = weak.lock()) me->notified(channel, payload);
        }});
    writer->start();
    reader->start();
  }

  // Every (re)connection: the schema (a no-op when current), then the prepared append.
  void writer_connected() {
    PgUnit migrate;
    migrate.statements.push_back(plain(migration_sql()));
    migrate.statements.push_back(plain("SELECT max(version) FROM kartiba_schema"));
    std::weak_ptr<Impl> weak = shared_from_this();
    migrate.done = [weak](PgOutcome out) {
      auto me = weak.lock();
      if (!me || !out.ok()) return;  // a failed migration: the connection's next attempt retries it
      int version = static_cast<int>(pg_int(out.results[1].get(), 0, 0));
      if (version > kSchemaVersion) {
        me->fatal = "the database has kartiba schema version " + std::to_string(version) +
                    ", newer than this build's " + std::to_string(kSchemaVersion) + ": upgrade this node";
        me->release_waiters(me->fatal);
        me->update_status();
        return;
      }
    };
    writer->submit(std::move(migrate));
    PgUnit prepare;
    PgStatement p;
    p.mode = PgStatement::Mode::prepare;
    p.name = kAppendStatement;
    p.sql = kAppendSql;
    prepare.statements.push_back(std::move(p));
    prepare.done = [weak](PgOutcome out) {
      auto me = weak.lock();
      if (!me || !out.ok() || !me->fatal.empty()) return;
      me->schema_ready = true;
      me->update_status();
      me->resolve_unknown();
      me->maybe_resync();
    };
    writer->submit(std::move(prepare));
    update_status();
  }

  void reader_connected() {
    PgUnit listen;
    listen.statements.push_back(plain(std::string("LISTEN ") + kEventsChannel));
    listen.statements.push_back(plain(std::string("LISTEN ") + kMetaChannel));
    std::weak_ptr<Impl> weak = shared_from_this();
    listen.done = [weak](PgOutcome out) {
      auto me = weak.lock();
      if (!me || !out.ok()) return;
      me->listening = true;
      me->maybe_resync();
    };
    reader->submit(std::move(listen));
  }

  // Notifications may have been missed while the listening connection was down: everything may
  // have changed. Said once both connections are up and the schema exists.
  void maybe_resync() {
    if (!listening || !schema_ready) return;
    release_waiters("");
    if (sink) catch_up_all([](std::string) {});
    if (on_tail) on_tail("", 0);
    if (on_meta) on_meta("");
  }

  void notified(const std::string& channel, const std::string& payload) {
    if (channel == kEventsChannel) {
      auto space = payload.find(' ');
      if (space == std::string::npos) return;
      const std::string plan = payload.substr(space + 1);
      const uint64_t head = std::strtoull(payload.c_str(), nullptr, 10);
      if (sink) announce(plan, head);
      if (on_tail) on_tail(plan, head);
    } else if (channel == kMetaChannel) {
      if (on_meta) on_meta(payload);
    }
  }

  void release_waiters(const std::string& error) {
    auto all = std::move(waiters);
    waiters.clear();
    for (auto& w : all) {
      w->timer->cancel();
      w->ready(error);
    }
  }

  void append(std::vector<PlanAppend> plans, std::function<void(std::vector<PlanAppendResult>)> done) {
    if (!schema_ready) {
      std::vector<PlanAppendResult> results(plans.size());
      for (auto& r : results) {
        r.kind = PlanAppendResult::Kind::unavailable;
        r.error = fatal.empty() ? "PostgreSQL unreachable: " + writer->last_error() : fatal;
      }
      done(std::move(results));
      return;
    }
    PgUnit unit;
    unit.statements.push_back(plain("SELECT next FROM kartiba_seq FOR UPDATE"));  // orders commits: see the schema
    for (const auto& a : plans) unit.statements.push_back(append_statement(a));
    auto shared_plans = std::make_shared<std::vector<PlanAppend>>(std::move(plans));
    std::weak_ptr<Impl> weak = shared_from_this();
    unit.done = [weak, shared_plans, done = std::move(done)](PgOutcome out) mutable {
      auto me = weak.lock();
      std::vector<PlanAppendResult> results(shared_plans->size());
      if (out.kind == PgOutcome::Kind::unknown && me) {
        me->await_resolution(std::move(*shared_plans), std::move(done));
        return;
      }
      if (!out.ok()) {
        for (auto& r : results) {
          r.kind = PlanAppendResult::Kind::unavailable;
          r.error = out.error;
        }
        done(std::move(results));
        return;
      }
      uint64_t committed = 0, taken = 0;
      for (size_t i = 0; i < results.size(); ++i) {
        const PGresult* res = out.results[i + 1].get();
        if (pg_null(res, 0, 0)) {
          results[i].kind = PlanAppendResult::Kind::revision_taken;
          ++taken;
        } else {
          results[i].kind = PlanAppendResult::Kind::committed;
          results[i].first_seq = static_cast<uint64_t>(pg_int(res, 0, 0));
          ++committed;
          if (me) {
            const auto& a = (*shared_plans)[i];
            auto& own = me->cursors[a.plan].own;
            own = std::max(own, a.expected_revision + a.events.size());
            me->hear(a.plan, own);
          }
        }
      }
      if (me) {
        me->update_status();
        std::lock_guard lock(me->status_mu);
        me->stats.appends_committed += committed;
        me->stats.revision_taken += taken;
      }
      done(std::move(results));
    };
    writer->submit(std::move(unit));
  }

  // ---- tailing

  void announce(const std::string& plan, uint64_t head) {
    auto& c = cursors[plan];
    hear(plan, head);
    if (head <= c.own) return;  // this node's own commit: the engine has it already
    c.announced = std::max(c.announced, head);
    pump(plan);
  }

  void catch_up(const std::string& plan, std::function<void(std::string)> done) {
    auto& c = cursors[plan];
    c.waiters.push_back(std::move(done));
    c.to_end = true;
    pump(plan);
  }

  void catch_up_all(std::function<void(std::string)> done) {
    std::weak_ptr<Impl> weak = shared_from_this();
    PgStatement st = plain("SELECT plan, revision FROM kartiba_plans");
    PgUnit unit;
    unit.statements.push_back(std::move(st));
    unit.done = [weak, done = std::move(done)](PgOutcome out) mutable {
      auto me = weak.lock();
      if (!me) return done("stopped");
      if (!out.ok()) return done(out.error);
      const PGresult* res = out.results[0].get();
      const int n = PQntuples(res);
      if (n == 0) return done("");
      struct Count {
        int remaining;
        std::string error;
        std::function<void(std::string)> done;
      };
      auto count = std::make_shared<Count>(Count{n, "", std::move(done)});
      for (int i = 0; i < n; ++i) {
        me->hear(pg_text(res, i, 0), static_cast<uint64_t>(pg_int(res, i, 1)));
        me->catch_up(pg_text(res, i, 0), [count](std::string error) {
          if (!error.empty() && count->error.empty()) count->error = error;
          if (--count->remaining == 0) count->done(count->error);
        });
      }
    };
    reader->submit(std::move(unit));
  }

  static void finish(Cursor& c, const std::string& error) {
    auto waiting = std::move(c.waiters);
    c.waiters.clear();
    for (auto& w : waiting) w(error);
  }

  void pump(const std::string& plan) {
    auto& c = cursors[plan];
    if (c.reading || !sink) return;
    const uint64_t known = sink->known_revision(plan);
    if (!c.to_end && c.announced <= known) {
      finish(c, "");
      return;
    }
    c.reading = true;
    PgStatement st = plain(kPageSql);
    st.text(plan).number(static_cast<int64_t>(known)).number(static_cast<int64_t>(kPageEvents));
    st.binary_results = true;
    PgUnit unit;
    unit.statements.push_back(std::move(st));
    std::weak_ptr<Impl> weak = shared_from_this();
    unit.done = [weak, plan](PgOutcome out) {
      if (auto me = weak.lock()) me->page_read(plan, std::move(out));
    };
    reader->submit(std::move(unit));
  }

  void page_read(const std::string& plan, PgOutcome out) {
    auto& c = cursors[plan];
    if (!out.ok()) {  // tried again at the next wake-up, catch-up or reconnect
      c.reading = false;
      finish(c, out.error);
      return;
    }
    const PGresult* res = out.results[0].get();
    const int n = PQntuples(res);
    if (n == 0) {
      c.reading = false;
      c.to_end = false;
      finish(c, "");
      return;
    }
    std::vector<LogEvent> events;
    std::vector<CommandRecord> commands;
    events.reserve(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      LogEvent e;
      e.revision = static_cast<uint64_t>(pg_binary_int8(res, i, 0));
      e.seq = static_cast<uint64_t>(pg_binary_int8(res, i, 1));
      e.record = pg_binary_bytes(res, i, 2);
      e.command = pg_binary_bytes(res, i, 3);
      if (!pg_null(res, i, 4)) {
        commands.push_back({e.command, static_cast<uint64_t>(pg_binary_int8(res, i, 4)), e.revision,
                            pg_binary_bytes(res, i, 5)});
      }
      events.push_back(std::move(e));
    }
    const bool full = static_cast<size_t>(n) == kPageEvents;
    std::weak_ptr<Impl> weak = shared_from_this();
    sink->ingest(plan, std::move(events), std::move(commands), [weak, plan, full](std::string error) {
      auto me = weak.lock();
      if (!me) return;
      me->post([me, plan, full, error] { me->ingested(plan, full, error); });
    });
  }

  void ingested(const std::string& plan, bool full, const std::string& error) {
    auto& c = cursors[plan];
    c.reading = false;
    if (!error.empty()) {
      // Most likely a gap: the engine's revision moved while the page was read. Read again
      // from its cursor, a few times, then give up until the next wake-up.
      if (++c.failures > 3) {
        c.failures = 0;
        c.to_end = false;
        finish(c, error);
        return;
      }
    } else {
      c.failures = 0;
      if (!full) c.to_end = false;
    }
    pump(plan);
  }

  // ---- group commit

  void enqueue(Queued q) {
    queued.push_back(std::move(q));
    if (groups_in_flight < kMaxGroupsInFlight) send_group();
  }

  void send_group() {
    std::vector<PlanAppend> plans;
    std::vector<std::function<void(PlanAppendResult)>> dones;
    size_t events = 0, taken = 0;
    for (; taken < queued.size() && (events < kMaxGroupEvents || plans.empty()); ++taken) {
      auto& q = queued[taken];
      if (q.still_wanted && !q.still_wanted()) {
        PlanAppendResult r;
        r.kind = PlanAppendResult::Kind::unavailable;
        r.error = "withdrawn: a batch before it was not committed";
        q.done(std::move(r));
        continue;
      }
      events += q.plan.events.size();
      plans.push_back(std::move(q.plan));
      dones.push_back(std::move(q.done));
    }
    queued.erase(queued.begin(), queued.begin() + static_cast<std::ptrdiff_t>(taken));
    if (plans.empty()) return;
    ++groups_in_flight;
    std::weak_ptr<Impl> weak = shared_from_this();
    append(std::move(plans), [weak, dones = std::move(dones)](std::vector<PlanAppendResult> results) {
      for (size_t i = 0; i < dones.size(); ++i) dones[i](std::move(results[i]));
      auto me = weak.lock();
      if (!me) return;
      --me->groups_in_flight;
      if (!me->queued.empty()) me->send_group();
    });
  }

  // The connection broke between sending the commit and hearing back. Whether the transaction
  // went in is learnt from the log itself once a connection is back: each plan's first event is
  // there with our hash (committed, whole: one transaction) or it is not.
  void await_resolution(std::vector<PlanAppend> plans, std::function<void(std::vector<PlanAppendResult>)> done) {
    auto u = std::make_shared<Unresolved>();
    u->plans = std::move(plans);
    u->done = std::move(done);
    u->deadline = std::make_shared<net::steady_timer>(io, std::chrono::milliseconds(options.resolve_timeout_ms));
    std::weak_ptr<Unresolved> weak_u = u;
    u->deadline->async_wait([weak_u](const boost::system::error_code& ec) {
      auto u = weak_u.lock();
      if (ec || !u || u->answered) return;
      u->answered = true;
      std::vector<PlanAppendResult> results(u->plans.size());
      for (auto& r : results) {
        r.kind = PlanAppendResult::Kind::unknown;
        r.error = "the connection to PostgreSQL broke at the commit and has not come back";
      }
      u->done(std::move(results));
    });
    unresolved.push_back(u);
    if (schema_ready) resolve_unknown();
  }

  void resolve_unknown() {
    auto pending = std::move(unresolved);
    unresolved.clear();
    for (auto& u : pending) {
      if (u->answered) continue;
      PgUnit unit;
      for (const auto& a : u->plans) {
        PgStatement st = plain("SELECT seq, hash FROM kartiba_events WHERE plan = $1 AND revision = $2");
        st.text(a.plan).number(static_cast<int64_t>(a.expected_revision + 1));
        st.binary_results = true;
        unit.statements.push_back(std::move(st));
      }
      std::weak_ptr<Impl> weak = shared_from_this();
      unit.done = [weak, u](PgOutcome out) {
        if (u->answered) return;
        if (!out.ok()) {  // lost again: wait for the next connection (or the deadline)
          if (auto me = weak.lock()) me->unresolved.push_back(u);
          return;
        }
        u->answered = true;
        u->deadline->cancel();
        std::vector<PlanAppendResult> results(u->plans.size());
        for (size_t i = 0; i < u->plans.size(); ++i) {
          const auto& a = u->plans[i];
          const PGresult* r = out.results[i].get();
          if (a.events.empty()) {
            results[i].kind = PlanAppendResult::Kind::committed;
          } else if (PQntuples(r) == 1 && pg_binary_bytes(r, 0, 1) == a.events.front().hash) {
            results[i].kind = PlanAppendResult::Kind::committed;
            results[i].first_seq = static_cast<uint64_t>(pg_binary_int8(r, 0, 0));
          } else if (PQntuples(r) == 1) {
            results[i].kind = PlanAppendResult::Kind::revision_taken;
          } else {
            results[i].kind = PlanAppendResult::Kind::unavailable;
            results[i].error = "the connection to PostgreSQL broke before the commit";
          }
        }
        u->done(std::move(results));
      };
      writer->submit(std::move(unit));
    }
  }
};

PgLog::PgLog(Options options) : impl_(std::make_shared<Impl>(std::move(options))) {}

PgLog::~PgLog() { stop(); }

void PgLog::set_sink(TailSink* sink) { impl_->sink = sink; }

void PgLog::catch_up(const std::string& plan, std::function<void(std::string)> done) {
  auto impl = impl_;
  impl->post([impl, plan, done = std::move(done)]() mutable { impl->catch_up(plan, std::move(done)); });
}

void PgLog::catch_up_all(std::function<void(std::string)> done) {
  auto impl = impl_;
  impl->post([impl, done = std::move(done)]() mutable { impl->catch_up_all(std::move(done)); });
}

void PgLog::set_tail_listener(TailListener listener) { impl_->on_tail = std::move(listener); }
void PgLog::set_meta_listener(MetaListener listener) { impl_->on_meta = std::move(listener); }

void PgLog::start() {
  if (impl_->thread.joinable()) return;
  auto impl = impl_;
  impl->post([impl] { impl->start(); });
  impl->thread = std::thread([impl] { impl->io.run(); });
}

void PgLog::stop() {
  auto impl = impl_;
  if (!impl->thread.joinable()) return;
  impl->post([impl] {
    if (impl->writer) impl->writer->close();
    if (impl->reader) impl->reader->close();
    impl->release_waiters("stopped");
    for (auto& q : impl->queued) {
      PlanAppendResult r;
      r.kind = PlanAppendResult::Kind::unavailable;
      r.error = "stopped";
      q.done(std::move(r));
    }
    impl->queued.clear();
    for (auto& [plan, cursor] : impl->cursors) Impl::finish(cursor, "stopped");
    impl->sink = nullptr;
    for (auto& u : impl->unresolved) {
      u->deadline->cancel();
      if (u->answered) continue;
      u->answered = true;
      std::vector<PlanAppendResult> results(u->plans.size());
      for (auto& r : results) {
        r.kind = PlanAppendResult::Kind::unknown;
        r.error = "stopped before the outcome of the commit was known";
      }
      u->done(std::move(results));
    }
    impl->unresolved.clear();
    impl->work.reset();
  });
  impl->thread.join();
  impl->io.stop();
}

void PgLog::when_ready(int timeout_ms, std::function<void(std::string)> ready) {
  auto impl = impl_;
  impl->post([impl, timeout_ms, ready = std::move(ready)]() mutable {
    if (!impl->fatal.empty()) return ready(impl->fatal);
    if (impl->schema_ready && impl->listening) return ready("");
    auto w = std::make_shared<Impl::Waiter>();
    w->ready = std::move(ready);
    w->timer = std::make_shared<net::steady_timer>(impl->io, std::chrono::milliseconds(timeout_ms));
    impl->waiters.push_back(w);
    std::weak_ptr<Impl> weak = impl;
    w->timer->async_wait([weak, w](const boost::system::error_code& ec) {
      auto me = weak.lock();
      if (ec || !me) return;
      auto it = std::find(me->waiters.begin(), me->waiters.end(), w);
      if (it == me->waiters.end()) return;
      me->waiters.erase(it);
      std::string why = me->writer ? me->writer->last_error() : "";
      w->ready("PostgreSQL not reachable" + (why.empty() ? std::string() : ": " + why));
    });
  });
}

void PgLog::append(std::vector<PlanAppend> plans, std::function<void(std::vector<PlanAppendResult>)> done) {
  auto impl = impl_;
  impl->post([impl, plans = std::move(plans), done = std::move(done)]() mutable {
    impl->append(std::move(plans), std::move(done));
  });
}

void PgLog::enqueue(PlanAppend plan, std::function<void(PlanAppendResult)> done, std::function<bool()> still_wanted) {
  auto impl = impl_;
  impl->post([impl, plan = std::move(plan), done = std::move(done), still_wanted = std::move(still_wanted)]() mutable {
    impl->enqueue(Impl::Queued{std::move(plan), std::move(done), std::move(still_wanted)});
  });
}

namespace {

// Runs one read-only statement on the reader connection.
void read_one(const std::shared_ptr<PgConnection>& conn, PgStatement st, std::function<void(PgOutcome)> done) {
  PgUnit unit;
  unit.statements.push_back(std::move(st));
  unit.done = std::move(done);
  conn->submit(std::move(unit));
}

}  // namespace

void PgLog::find_command(const std::string& plan, const std::string& id,
                         std::function<void(LogResult<std::optional<CommandRecord>>)> done) {
  auto impl = impl_;
  impl->post([impl, plan, id, done = std::move(done)]() mutable {
    PgStatement st = plain("SELECT first_revision, last_revision, created_id FROM kartiba_commands "
                           "WHERE plan = $1 AND command = $2");
    st.text(plan).text(id);
    read_one(impl->reader, std::move(st), [id, done = std::move(done)](PgOutcome out) {
      LogResult<std::optional<CommandRecord>> r;
      if (!out.ok()) { r.error = out.error; return done(std::move(r)); }
      const PGresult* res = out.results[0].get();
      if (PQntuples(res) == 0) { r.value = std::optional<CommandRecord>(); return done(std::move(r)); }
      CommandRecord c;
      c.id = id;
      c.first_revision = static_cast<uint64_t>(pg_int(res, 0, 0));
      c.last_revision = static_cast<uint64_t>(pg_int(res, 0, 1));
      c.created_id = pg_text(res, 0, 2);
      r.value = std::optional<CommandRecord>(std::move(c));
      done(std::move(r));
    });
  });
}

void PgLog::read_events(const std::string& plan, uint64_t after, size_t limit,
                        std::function<void(LogResult<std::vector<LogEvent>>)> done) {
  auto impl = impl_;
  impl->post([impl, plan, after, limit, done = std::move(done)]() mutable {
    PgStatement st = plain("SELECT revision, seq, type, command, at_ms, hash, record FROM kartiba_events "
                           "WHERE plan = $1 AND revision > $2 ORDER BY revision LIMIT $3");
    st.text(plan).number(static_cast<int64_t>(after)).number(static_cast<int64_t>(limit));
    st.binary_results = true;
    read_one(impl->reader, std::move(st), [done = std::move(done)](PgOutcome out) {
      LogResult<std::vector<LogEvent>> r;
      if (!out.ok()) { r.error = out.error; return done(std::move(r)); }
      const PGresult* res = out.results[0].get();
      std::vector<LogEvent> events;
      events.reserve(static_cast<size_t>(PQntuples(res)));
      for (int i = 0; i < PQntuples(res); ++i) {
        LogEvent e;
        e.revision = static_cast<uint64_t>(pg_binary_int8(res, i, 0));
        e.seq = static_cast<uint64_t>(pg_binary_int8(res, i, 1));
        e.type = pg_binary_bytes(res, i, 2);
        e.command = pg_binary_bytes(res, i, 3);
        e.at_ms = pg_binary_int8(res, i, 4);
        e.hash = pg_binary_bytes(res, i, 5);
        e.record = pg_binary_bytes(res, i, 6);
        events.push_back(std::move(e));
      }
      r.value = std::move(events);
      done(std::move(r));
    });
  });
}

void PgLog::heads(std::function<void(LogResult<std::vector<std::pair<std::string, uint64_t>>>)> done) {
  auto impl = impl_;
  impl->post([impl, done = std::move(done)]() mutable {
    read_one(impl->reader, plain("SELECT plan, revision FROM kartiba_plans ORDER BY plan"),
             [done = std::move(done)](PgOutcome out) {
               LogResult<std::vector<std::pair<std::string, uint64_t>>> r;
               if (!out.ok()) { r.error = out.error; return done(std::move(r)); }
               const PGresult* res = out.results[0].get();
               std::vector<std::pair<std::string, uint64_t>> heads;
               for (int i = 0; i < PQntuples(res); ++i)
                 heads.emplace_back(pg_text(res, i, 0), static_cast<uint64_t>(pg_int(res, i, 1)));
               r.value = std::move(heads);
               done(std::move(r));
             });
  });
}

namespace {

void write_meta(const std::shared_ptr<PgConnection>& conn, PgStatement change, const std::string& key,
                std::function<void(std::string)> done) {
  PgUnit unit;
  unit.statements.push_back(std::move(change));
  PgStatement note = plain(std::string("SELECT pg_notify('") + kMetaChannel + "', $1)");
  note.text(key);
  unit.statements.push_back(std::move(note));
  unit.done = [done = std::move(done)](PgOutcome out) { done(out.ok() ? "" : out.error.empty() ? "failed" : out.error); };
  conn->submit(std::move(unit));
}

}  // namespace

void PgLog::put_meta(const std::string& key, const std::string& value, std::function<void(std::string)> done) {
  auto impl = impl_;
  impl->post([impl, key, value, done = std::move(done)]() mutable {
    PgStatement st = plain("INSERT INTO kartiba_meta (key, value) VALUES ($1, $2) "
                           "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value");
    st.text(key).bytes(value);
    write_meta(impl->writer, std::move(st), key, std::move(done));
  });
}

void PgLog::delete_meta(const std::string& key, std::function<void(std::string)> done) {
  auto impl = impl_;
  impl->post([impl, key, done = std::move(done)]() mutable {
    PgStatement st = plain("DELETE FROM kartiba_meta WHERE key = $1");
    st.text(key);
    write_meta(impl->writer, std::move(st), key, std::move(done));
  });
}

void PgLog::claim_meta(const std::string& key, const std::string& value, std::function<void(LogResult<bool>)> done) {
  auto impl = impl_;
  impl->post([impl, key, value, done = std::move(done)]() mutable {
    PgUnit unit;
    PgStatement st = plain("INSERT INTO kartiba_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING 1");
    st.text(key).bytes(value);
    unit.statements.push_back(std::move(st));
    unit.done = [done = std::move(done)](PgOutcome out) {
      LogResult<bool> r;
      if (!out.ok()) r.error = out.error;
      else r.value = PQntuples(out.results[0].get()) == 1;
      done(std::move(r));
    };
    impl->writer->submit(std::move(unit));
  });
}

void PgLog::get_meta(const std::string& key, std::function<void(LogResult<std::optional<std::string>>)> done) {
  auto impl = impl_;
  impl->post([impl, key, done = std::move(done)]() mutable {
    PgStatement st = plain("SELECT value FROM kartiba_meta WHERE key = $1");
    st.text(key);
    st.binary_results = true;
    read_one(impl->reader, std::move(st), [done = std::move(done)](PgOutcome out) {
      LogResult<std::optional<std::string>> r;
      if (!out.ok()) { r.error = out.error; return done(std::move(r)); }
      const PGresult* res = out.results[0].get();
      r.value = PQntuples(res) ? std::optional<std::string>(pg_binary_bytes(res, 0, 0)) : std::nullopt;
      done(std::move(r));
    });
  });
}

void PgLog::list_meta(const std::string& prefix,
                      std::function<void(LogResult<std::vector<std::pair<std::string, std::string>>>)> done) {
  auto impl = impl_;
  impl->post([impl, prefix, done = std::move(done)]() mutable {
    PgStatement st = plain("SELECT key, value FROM kartiba_meta WHERE starts_with(key, $1) ORDER BY key");
    st.text(prefix);
    st.binary_results = true;
    read_one(impl->reader, std::move(st), [done = std::move(done)](PgOutcome out) {
      LogResult<std::vector<std::pair<std::string, std::string>>> r;
      if (!out.ok()) { r.error = out.error; return done(std::move(r)); }
      const PGresult* res = out.results[0].get();
      std::vector<std::pair<std::string, std::string>> rows;
      for (int i = 0; i < PQntuples(res); ++i) rows.emplace_back(pg_binary_bytes(res, i, 0), pg_binary_bytes(res, i, 1));
      r.value = std::move(rows);
      done(std::move(r));
    });
  });
}

std::vector<std::pair<std::string, uint64_t>> PgLog::heads_heard() const {
  std::lock_guard lock(impl_->status_mu);
  return {impl_->heard.begin(), impl_->heard.end()};
}

LogStatus PgLog::status() const {
  auto impl = impl_;
  // Connection fields are refreshed on the io thread at each change; counters as they go.
  std::lock_guard lock(impl->status_mu);
  return impl->stats;
}

}  // namespace kartiba::cluster
