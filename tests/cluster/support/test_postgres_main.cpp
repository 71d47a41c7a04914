// kartiba-test-postgres — TestPostgres for tests that are not in C++ (the Node cluster suite).
//
// Starts a throwaway PostgreSQL and prints one line of JSON:
//   {"conninfo":"host=127.0.0.1 port=N user=postgres dbname=postgres","port":N,"folder":"/tmp/…"}
// then takes one command per line on stdin and answers "ok" or "error: …" on stdout:
//   stop              fast shutdown       stop-immediately   immediate shutdown (crash-like)
//   start             start again on the same port
// End of input, SIGTERM, SIGINT or SIGHUP stop the server and remove its folder; if this
// program is killed outright, the server still stops (parent-death signal).
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <exception>
#include <iostream>
#include <string>

#include "test_postgres.h"

namespace {

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

enum class Input { line, partial, end };

// Takes the next whole line of stdin into `line` (reading once when none is pending).
Input next_line(std::string& pending, std::string& line) {
  auto nl = pending.find('\n');
  if (nl == std::string::npos) {
    char buf[256];
    ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n <= 0) return Input::end;
    pending.append(buf, static_cast<size_t>(n));
    nl = pending.find('\n');
    if (nl == std::string::npos) return Input::partial;
  }
  line = pending.substr(0, nl);
  pending.erase(0, nl + 1);
  return Input::line;
}

}  // namespace

int main() {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGHUP);
  sigprocmask(SIG_BLOCK, &stop_signals, nullptr);
  int signal_fd = signalfd(-1, &stop_signals, SFD_CLOEXEC);
  signal(SIGPIPE, SIG_IGN);

  try {
    kartiba::testing::TestPostgres pg;
    std::cout << "{\"conninfo\":" << json_string(pg.conninfo()) << ",\"port\":" << pg.port()
              << ",\"folder\":" << json_string(pg.folder()) << "}" << std::endl;
    std::string pending;
    while (true) {
      if (pending.find('\n') == std::string::npos) {  // nothing whole pending: wait for input or a signal
        pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {signal_fd, POLLIN, 0}};
        if (poll(fds, 2, -1) < 0) continue;
        if (fds[1].revents) break;
      }
      std::string line;
      Input got = next_line(pending, line);
      if (got == Input::end) break;
      if (got == Input::partial || line.empty()) continue;
      try {
        if (line == "stop") pg.stop();
        else if (line == "stop-immediately") pg.stop_immediately();
        else if (line == "start") pg.start();
        else throw std::runtime_error("unknown command " + line);
        std::cout << "ok" << std::endl;
      } catch (const std::exception& e) {
        std::string message = e.what();
        for (char& c : message) if (c == '\n') c = ' ';
        std::cout << "error: " << message << std::endl;
      }
    }
  } catch (const std::exception& e) {
    std::cerr << e.what() << std::endl;
    return 1;
  }
  return 0;
}
