#include "cluster/pg_connection.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cstring>
#include <utility>

namespace kartiba::cluster {

namespace net = boost::asio;

namespace {

constexpr auto kConnectTimeout = std::chrono::seconds(10);
constexpr auto kMaxBackoff = std::chrono::milliseconds(5000);

std::string trimmed(const char* message) {
  std::string s = message ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

PgConnection::PgConnection(net::io_context& io, std::string conninfo, Handlers handlers)
    : io_(io), conninfo_(std::move(conninfo)), handlers_(std::move(handlers)), timer_(io) {}

PgConnection::~PgConnection() {
  detach_socket();
  if (conn_) PQfinish(conn_);
}

void PgConnection::start() {
  if (state_ != State::idle || conn_) return;
  begin_connect();
}

void PgConnection::begin_connect() {
  // Our defaults first, then the operator's connection string, which overrides them: dead
  // peers are noticed within seconds (keepalives, unacknowledged data), not hours.
  const char* keys[] = {"application_name", "keepalives_idle", "keepalives_interval", "keepalives_count",
                        "tcp_user_timeout", "dbname", nullptr};
  const char* values[] = {"kartiba", "5", "2", "3", "10000", conninfo_.c_str(), nullptr};
  conn_ = PQconnectStartParams(keys, values, 1);
  if (!conn_ || PQstatus(conn_) == CONNECTION_BAD) {
    last_error_ = conn_ ? trimmed(PQerrorMessage(conn_)) : "out of memory";
    if (conn_) PQfinish(conn_);
    conn_ = nullptr;
    schedule_reconnect();
    return;
  }
  // Notices (e.g. "relation already exists, skipping" from the migration) are not errors and
  // would otherwise go to stderr.
  PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
  state_ = State::connecting;
  const uint64_t gen = ++generation_;
  timer_.expires_after(kConnectTimeout);
  timer_.async_wait([self = weak_from_this(), gen](const boost::system::error_code& ec) {
    auto me = self.lock();
    if (ec || !me || me->generation_ != gen || me->state_ != State::connecting) return;
    me->lose_connection("no connection within 10 s");
  });
  continue_connect(PGRES_POLLING_WRITING);  // as if PQconnectPoll had just asked to write
}

void PgConnection::continue_connect(int poll_status) {
  switch (poll_status) {
    case PGRES_POLLING_OK: {
      timer_.cancel();
      if (PQsetnonblocking(conn_, 1) != 0 || PQenterPipelineMode(conn_) != 1) {
        lose_connection("cannot enter pipeline mode: " + trimmed(PQerrorMessage(conn_)));
        return;
      }
      state_ = State::ready;
      backoff_ = std::chrono::milliseconds(100);
      last_error_.clear();
      attach_socket();
      watch_socket();
      if (handlers_.on_connected) handlers_.on_connected();
      send_queued();
      return;
    }
    case PGRES_POLLING_FAILED:
      lose_connection(trimmed(PQerrorMessage(conn_)));
      return;
    default: {
      // libpq may have switched to another socket (the next host of a multi-host string).
      attach_socket();
      const bool reading = poll_status == PGRES_POLLING_READING;
      const uint64_t gen = generation_;
      socket_->async_wait(reading ? net::posix::descriptor_base::wait_read : net::posix::descriptor_base::wait_write,
                          [self = weak_from_this(), gen](const boost::system::error_code& ec) {
                            auto me = self.lock();
                            if (!me || me->generation_ != gen || me->state_ != State::connecting) return;
                            if (ec) { me->lose_connection("connect: " + ec.message()); return; }
                            // Let go of the socket first: PQconnectPoll may close it and open another.
                            me->detach_socket();
                            me->continue_connect(PQconnectPoll(me->conn_));
                          });
    }
  }
}

void PgConnection::attach_socket() {
  int fd = PQsocket(conn_);
  if (socket_ && fd == socket_fd_) return;
  detach_socket();
  if (fd < 0) return;
  socket_ = std::make_unique<net::posix::stream_descriptor>(io_, fd);
  socket_fd_ = fd;
}

void PgConnection::detach_socket() {
  if (!socket_) return;
  ++generation_;  // the waits on it end with operation_aborted and must not act
  boost::system::error_code ignored;
  socket_->cancel(ignored);
  socket_->release();  // libpq owns the descriptor: never close it here
  socket_.reset();
  socket_fd_ = -1;
  read_armed_ = false;
  write_armed_ = false;
}

void PgConnection::watch_socket() {
  if (!socket_ || state_ != State::ready) return;
  const uint64_t gen = generation_;
  if (!read_armed_) {
    read_armed_ = true;
    socket_->async_wait(net::posix::descriptor_base::wait_read,
                        [self = weak_from_this(), gen](const boost::system::error_code& ec) {
                          auto me = self.lock();
                          if (!me || me->generation_ != gen) return;
                          me->read_armed_ = false;
                          if (ec) { me->lose_connection("read wait: " + ec.message()); return; }
                          me->on_readable();
                        });
  }
}

void PgConnection::on_readable() {
  if (PQconsumeInput(conn_) == 0) {
    lose_connection(trimmed(PQerrorMessage(conn_)));
    return;
  }
  read_results();
  if (state_ != State::ready) return;
  flush();  // output held back by a full socket may go now
  if (state_ != State::ready) return;
  watch_socket();
}

void PgConnection::on_writable() {
  flush();
}

void PgConnection::flush() {
  int r = PQflush(conn_);
  if (r < 0) {
    lose_connection(trimmed(PQerrorMessage(conn_)));
    return;
  }
  if (r == 1 && !write_armed_ && socket_) {
    write_armed_ = true;
    const uint64_t gen = generation_;
    socket_->async_wait(net::posix::descriptor_base::wait_write,
                        [self = weak_from_this(), gen](const boost::system::error_code& ec) {
                          auto me = self.lock();
                          if (!me || me->generation_ != gen) return;
                          me->write_armed_ = false;
                          if (ec) { me->lose_connection("write wait: " + ec.message()); return; }
                          me->on_writable();
                        });
  }
}

void PgConnection::submit(PgUnit unit) {
  if (state_ != State::ready) {
    PgOutcome out;
    out.kind = PgOutcome::Kind::not_sent;
    out.error = last_error_.empty() ? "not connected to PostgreSQL" : last_error_;
    unit.done(std::move(out));
    return;
  }
  queue_.push_back(std::move(unit));
  send_queued();
}

void PgConnection::send_queued() {
  while (state_ == State::ready && !queue_.empty()) {
    PgUnit unit = std::move(queue_.front());
    queue_.pop_front();
    for (const auto& st : unit.statements) {
      std::vector<const char*> values;
      std::vector<int> lengths;
      std::vector<int> formats;
      for (size_t i = 0; i < st.params.size(); ++i) {
        values.push_back(st.params[i] ? st.params[i]->data() : nullptr);
        lengths.push_back(st.params[i] ? static_cast<int>(st.params[i]->size()) : 0);
        formats.push_back(i < st.binary.size() && st.binary[i] ? 1 : 0);
      }
      // Text parameters must be NUL-terminated: std::string's data() is.
      const int n = static_cast<int>(values.size());
      int sent = 0;
      switch (st.mode) {
        case PgStatement::Mode::run:
          sent = PQsendQueryParams(conn_, st.sql.c_str(), n, nullptr, values.data(), lengths.data(), formats.data(),
                                   st.binary_results ? 1 : 0);
          break;
        case PgStatement::Mode::prepare:
          sent = PQsendPrepare(conn_, st.name.c_str(), st.sql.c_str(), 0, nullptr);
          break;
        case PgStatement::Mode::run_prepared:
          sent = PQsendQueryPrepared(conn_, st.name.c_str(), n, values.data(), lengths.data(), formats.data(),
                                     st.binary_results ? 1 : 0);
          break;
      }
      if (sent != 1) {
        in_flight_.push_back(Flight{std::move(unit), {}, 0, false});
        lose_connection("send: " + trimmed(PQerrorMessage(conn_)));
        return;
      }
    }
    if (PQpipelineSync(conn_) != 1) {
      in_flight_.push_back(Flight{std::move(unit), {}, 0, false});
      lose_connection("sync: " + trimmed(PQerrorMessage(conn_)));
      return;
    }
    in_flight_.push_back(Flight{std::move(unit), {}, 0, false});
  }
  if (state_ == State::ready) flush();
}

void PgConnection::read_results() {
  while (state_ == State::ready && !in_flight_.empty()) {
    if (PQisBusy(conn_)) break;
    PGresult* r = PQgetResult(conn_);
    Flight& f = in_flight_.front();
    const size_t statements = f.unit.statements.size();
    if (f.awaiting_end) {
      if (r) {  // a second result for one statement (none of ours make one): keep the first
        PQclear(r);
        continue;
      }
      f.awaiting_end = false;
      ++f.statement;
      continue;
    }
    if (!r) break;  // nothing complete yet
    if (f.statement < statements) {
      ExecStatusType status = PQresultStatus(r);
      if (status == PGRES_FATAL_ERROR && f.outcome.kind == PgOutcome::Kind::ok) {
        f.outcome.kind = PgOutcome::Kind::failed;
        f.outcome.error = trimmed(PQresultErrorMessage(r));
        const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        f.outcome.sqlstate = state ? state : "";
      } else if (status == PGRES_PIPELINE_ABORTED && f.outcome.kind == PgOutcome::Kind::ok) {
        f.outcome.kind = PgOutcome::Kind::failed;
        f.outcome.error = "aborted";
      }
      f.outcome.results.emplace_back(r, &PQclear);
      f.awaiting_end = true;
      continue;
    }
    // Every statement answered: the sync point ends the unit (its implicit transaction).
    const bool sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
    PQclear(r);
    if (!sync) continue;
    Flight done = std::move(in_flight_.front());
    in_flight_.pop_front();
    ++round_trips_;
    done.unit.done(std::move(done.outcome));
  }
  while (state_ == State::ready) {
    PGnotify* n = PQnotifies(conn_);
    if (!n) break;
    std::string channel = n->relname, payload = n->extra ? n->extra : "";
    PQfreemem(n);
    if (handlers_.on_notify) handlers_.on_notify(channel, payload);
  }
}

void PgConnection::lose_connection(const std::string& why) {
  if (state_ == State::closed && !conn_) return;
  const bool closing = state_ == State::closed;
  const bool was_ready = state_ == State::ready;
  if (!closing) state_ = State::idle;
  last_error_ = why;
  detach_socket();
  timer_.cancel();
  if (conn_) PQfinish(conn_);
  conn_ = nullptr;
  auto flights = std::move(in_flight_);
  auto queued = std::move(queue_);
  in_flight_.clear();
  queue_.clear();
  for (auto& f : flights) {
    PgOutcome out;
    out.kind = PgOutcome::Kind::unknown;
    out.error = "connection to PostgreSQL lost: " + why;
    f.unit.done(std::move(out));
  }
  for (auto& u : queued) {
    PgOutcome out;
    out.kind = PgOutcome::Kind::not_sent;
    out.error = "connection to PostgreSQL lost: " + why;
    u.done(std::move(out));
  }
  if (was_ready && handlers_.on_disconnected) handlers_.on_disconnected(why);
  if (!closing) schedule_reconnect();
}

void PgConnection::schedule_reconnect() {
  if (state_ == State::closed) return;
  state_ = State::idle;
  timer_.expires_after(backoff_);
  backoff_ = std::min(backoff_ * 2, kMaxBackoff);
  timer_.async_wait([self = weak_from_this()](const boost::system::error_code& ec) {
    auto me = self.lock();
    if (ec || !me || me->state_ != State::idle || me->conn_) return;
    me->begin_connect();
  });
}

void PgConnection::close() {
  if (state_ == State::closed) return;
  state_ = State::closed;
  timer_.cancel();
  lose_connection("closed");
}

std::string PgConnection::server() const {
  if (!conn_ || state_ != State::ready) return "";
  return std::string(PQhost(conn_)) + ":" + PQport(conn_);
}

int64_t pg_int(const PGresult* r, int row, int col) { return std::strtoll(PQgetvalue(r, row, col), nullptr, 10); }

std::string pg_text(const PGresult* r, int row, int col) {
  return std::string(PQgetvalue(r, row, col), static_cast<size_t>(PQgetlength(r, row, col)));
}

bool pg_null(const PGresult* r, int row, int col) { return PQgetisnull(r, row, col) != 0; }

int64_t pg_binary_int8(const PGresult* r, int row, int col) {
  const auto* p = reinterpret_cast<const unsigned char*>(PQgetvalue(r, row, col));
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return static_cast<int64_t>(v);
}

std::string pg_binary_bytes(const PGresult* r, int row, int col) { return pg_text(r, row, col); }

}  // namespace kartiba::cluster
