// PgConnection — one libpq connection driven without blocking: connect with PQconnectStart /
// PQconnectPoll, queries in pipeline mode (libpq 14+), the socket watched by Asio
// (posix::stream_descriptor on PQsocket). Nothing here waits on the network in a call.
//
// Work is sent as units: a unit is a few statements followed by one pipeline sync, so it runs as
// one implicit transaction (all its statements commit at the sync, or none do). Many units may
// be in flight at once; their results come back in order.
//
// Thread-safety: every method must be called on the connection's io_context thread (PgLog owns
// that thread and posts to it); callbacks run there too and must not block.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

namespace kartiba::cluster {

// A result owned by the caller.
using PgResultPtr = std::shared_ptr<PGresult>;

struct PgStatement {
  std::string sql;
  // Parameters in text form; nullopt is SQL NULL. Binary marks a parameter sent as raw bytes
  // (bytea) instead of text.
  std::vector<std::optional<std::string>> params;
  std::vector<bool> binary;
  bool binary_results = false;  // rows come back in binary format (bytea as raw bytes)
  // Server-side prepared statements: `prepare` makes `sql` the statement `name` (runs nothing);
  // `run_prepared` runs the statement `name` (sql unused). Parse and plan once per connection.
  enum class Mode { run, prepare, run_prepared };
  Mode mode = Mode::run;
  std::string name;

  PgStatement& text(std::string value) { params.emplace_back(std::move(value)); binary.push_back(false); return *this; }
  PgStatement& bytes(std::string value) { params.emplace_back(std::move(value)); binary.push_back(true); return *this; }
  PgStatement& number(int64_t value) { return text(std::to_string(value)); }
};

struct PgOutcome {
  enum class Kind {
    ok,         // every statement succeeded and the unit committed
    failed,     // the server refused a statement: nothing of the unit committed
    not_sent,   // never reached the server (no connection): nothing committed
    unknown,    // sent, then the connection broke before the answer: it may or may not have committed
  };
  Kind kind = Kind::ok;
  std::vector<PgResultPtr> results;  // one per statement (ok)
  std::string error;                 // failed, not_sent, unknown: why
  std::string sqlstate;              // failed: the server's SQLSTATE

  bool ok() const { return kind == Kind::ok; }
};

struct PgUnit {
  std::vector<PgStatement> statements;
  std::function<void(PgOutcome)> done;
};

class PgConnection : public std::enable_shared_from_this<PgConnection> {
 public:
  struct Handlers {
    // The connection is up (also after every reconnect). Units may be submitted from here on.
    std::function<void()> on_connected;
    // It went down; units in flight have been answered `unknown`, queued ones `not_sent`.
    std::function<void(const std::string& why)> on_disconnected;
    // A NOTIFY on a channel this connection LISTENs to.
    std::function<void(const std::string& channel, const std::string& payload)> on_notify;
  };

  PgConnection(boost::asio::io_context& io, std::string conninfo, Handlers handlers);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Starts connecting; after a failure or a broken connection it tries again with backoff
  // (100 ms doubling to 5 s) until close().
  void start();
  // Ends the connection; units still waiting are answered `not_sent` / `unknown`.
  void close();

  // Queues a unit. While not connected it is answered `not_sent` at once.
  void submit(PgUnit unit);

  bool connected() const { return state_ == State::ready; }
  // Units sent and not yet answered, and units waiting to be sent.
  size_t in_flight() const { return in_flight_.size(); }
  size_t queued() const { return queue_.size(); }
  // Round trips completed (units answered), for /metrics.
  uint64_t round_trips() const { return round_trips_; }
  const std::string& last_error() const { return last_error_; }
  // host:port of the server it is connected to (after a failover, the new primary).
  std::string server() const;

 private:
  enum class State { idle, connecting, ready, closed };
  struct Flight {
    PgUnit unit;
    PgOutcome outcome;
    size_t statement = 0;        // the statement whose results come next
    bool awaiting_end = false;   // its result came; the null that ends it is next
  };

  void begin_connect();
  void continue_connect(int poll_status);
  void watch_socket();
  void on_readable();
  void on_writable();
  void send_queued();
  void flush();
  void read_results();
  void lose_connection(const std::string& why);
  void schedule_reconnect();
  void attach_socket();
  void detach_socket();

  boost::asio::io_context& io_;
  std::string conninfo_;
  Handlers handlers_;
  PGconn* conn_ = nullptr;
  std::unique_ptr<boost::asio::posix::stream_descriptor> socket_;
  int socket_fd_ = -1;
  uint64_t generation_ = 0;  // bumped when the socket changes: stale wait handlers ignore themselves
  bool read_armed_ = false;
  bool write_armed_ = false;
  State state_ = State::idle;
  std::deque<PgUnit> queue_;
  std::deque<Flight> in_flight_;
  boost::asio::steady_timer timer_;  // reconnect backoff and connect timeout
  std::chrono::milliseconds backoff_{100};
  uint64_t round_trips_ = 0;
  std::string last_error_;
};

// Helpers for reading results.
int64_t pg_int(const PGresult* r, int row, int col);         // text format
std::string pg_text(const PGresult* r, int row, int col);
bool pg_null(const PGresult* r, int row, int col);
int64_t pg_binary_int8(const PGresult* r, int row, int col);  // binary format int8
std::string pg_binary_bytes(const PGresult* r, int row, int col);

}  // namespace kartiba::cluster
