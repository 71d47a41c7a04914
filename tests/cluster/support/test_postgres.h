// TestPostgres — a real PostgreSQL server for one test: initdb in a temporary folder as the
// `postgres` user (tests run as root), listening on a free port of 127.0.0.1 with its unix socket
// in the same folder, fsync on. Stopped and removed when the object goes; if the test process
// dies instead, the server gets SIGQUIT from the kernel (PR_SET_PDEATHSIG) and stops too.
//
// Not thread-safe: one thread owns it (the one that made it: the parent-death signal is tied to
// the thread that forked the server).
#pragma once

#include <sys/types.h>

#include <string>

namespace kartiba::testing {

class TestPostgres {
 public:
  // initdb and start; throws std::runtime_error with the server's log when it cannot.
  TestPostgres();
  ~TestPostgres();
  TestPostgres(const TestPostgres&) = delete;
  TestPostgres& operator=(const TestPostgres&) = delete;

  // libpq connection string for the `postgres` superuser and database over TCP.
  std::string conninfo() const;
  int port() const { return port_; }
  const std::string& folder() const { return folder_; }

  // Fast shutdown (SIGINT: sessions ended, checkpoint), waiting until the server has exited.
  void stop();
  // Immediate shutdown (SIGQUIT: no checkpoint; crash recovery at the next start).
  void stop_immediately();
  // Starts the stopped server again on the same port; waits until it accepts connections.
  void start();
  bool running() const { return pid_ > 0; }

  // The last part of the server's log (for failure messages).
  std::string log_tail() const;

 private:
  void init_cluster();
  void launch_and_wait_ready();
  void signal_and_wait(int signal);

  std::string folder_;   // temporary; holds data/, the socket and postgres.log
  int port_ = 0;
  pid_t pid_ = -1;
};

// Where initdb and postgres are: $KARTIBA_PG_BINDIR, else the folder found at configure time.
std::string postgres_bindir();

}  // namespace kartiba::testing
