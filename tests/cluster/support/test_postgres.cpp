#include "test_postgres.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#ifndef KARTIBA_PG_BINDIR
#define KARTIBA_PG_BINDIR "/usr/lib/postgresql/15/bin"
#endif

namespace kartiba::testing {
namespace {

struct RunAs {
  uid_t uid;
  gid_t gid;
};

// Root runs PostgreSQL as `postgres` (it refuses to run as root); anyone else as themselves.
RunAs server_user() {
  if (geteuid() != 0) return {geteuid(), getegid()};
  const passwd* pw = getpwnam("postgres");
  if (!pw) throw std::runtime_error("test postgres: running as root but there is no `postgres` user");
  return {pw->pw_uid, pw->pw_gid};
}

// A port that was free a moment ago (the server binds it right after; a lost race is retried).
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("test postgres: socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("test postgres: no free port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

// In a forked child: become the server's user, send output to `log`, exec. Never returns.
[[noreturn]] void exec_as(const RunAs& user, const std::string& log, const std::vector<std::string>& argv,
                          bool die_with_parent, pid_t parent) {
  sigset_t all;
  sigemptyset(&all);
  sigprocmask(SIG_SETMASK, &all, nullptr);  // the helper blocks signals for signalfd; the server must not
  if (geteuid() == 0) {
    if (setgroups(0, nullptr) != 0 || setgid(user.gid) != 0 || setuid(user.uid) != 0) _exit(126);
  }
  // After setuid: a change of credentials clears the parent-death signal.
  if (die_with_parent) {
    prctl(PR_SET_PDEATHSIG, SIGQUIT);
    if (getppid() != parent) _exit(125);  // the parent died before the line above
  }
  int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (fd >= 0) {
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    ::close(fd);
  }
  int null_fd = ::open("/dev/null", O_RDONLY);
  if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execv(args[0], args.data());
  _exit(127);
}

std::string read_file_tail(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  return text.size() > max_bytes ? text.substr(text.size() - max_bytes) : text;
}

}  // namespace

std::string postgres_bindir() {
  const char* env = std::getenv("KARTIBA_PG_BINDIR");
  return env && *env ? env : KARTIBA_PG_BINDIR;
}

TestPostgres::TestPostgres() {
  char pattern[] = "/tmp/kartiba-pg-XXXXXX";
  if (!mkdtemp(pattern)) throw std::runtime_error("test postgres: mkdtemp failed");
  folder_ = pattern;
  try {
    const RunAs user = server_user();
    if (chown(folder_.c_str(), user.uid, user.gid) != 0) throw std::runtime_error("test postgres: chown failed");
    chmod(folder_.c_str(), 0700);
    init_cluster();
    launch_and_wait_ready();
  } catch (...) {
    if (pid_ > 0) signal_and_wait(SIGQUIT);
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
    throw;
  }
}

TestPostgres::~TestPostgres() {
  if (pid_ > 0) signal_and_wait(SIGQUIT);  // the data goes with the folder: no checkpoint needed
  std::error_code ignored;
  std::filesystem::remove_all(folder_, ignored);
}

std::string TestPostgres::conninfo() const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=postgres";
}

std::string TestPostgres::log_tail() const { return read_file_tail(folder_ + "/postgres.log", 4000); }

namespace {

// Runs argv as `user`, output to `log`; true if it exited 0.
bool run_as(const RunAs& user, const std::string& log, const std::vector<std::string>& argv) {
  pid_t child = fork();
  if (child < 0) throw std::runtime_error("test postgres: fork failed");
  if (child == 0) exec_as(user, log, argv, false, 0);
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

// initdb takes many seconds on a loaded machine: it runs once into a template folder shared by
// every test (made under another name and renamed into place, so a half-made one is never seen),
// and each server starts from a copy of it.
void TestPostgres::init_cluster() {
  const RunAs user = server_user();
  const char* tmp = std::getenv("TMPDIR");
  const std::string base = tmp && *tmp ? tmp : "/tmp";
  const std::string tmpl = base + "/kartiba-pg-template-" + std::to_string(user.uid) + "-" +
                           std::filesystem::path(postgres_bindir()).parent_path().filename().string();
  if (!std::filesystem::exists(tmpl + "/data/PG_VERSION")) {
    const std::string making = folder_ + "/template";
    ::mkdir(making.c_str(), 0700);
    if (chown(making.c_str(), user.uid, user.gid) != 0) throw std::runtime_error("test postgres: chown failed");
    // --no-sync: initdb's own files need not reach the disk for a throwaway cluster; the server
    // itself runs with fsync on, so commits are as durable as in production.
    if (!run_as(user, folder_ + "/initdb.log",
                {postgres_bindir() + "/initdb", "-D", making + "/data", "-U", "postgres", "--auth=trust",
                 "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions"})) {
      throw std::runtime_error("test postgres: initdb failed:\n" + read_file_tail(folder_ + "/initdb.log", 4000));
    }
    if (::rename(making.c_str(), tmpl.c_str()) != 0) {  // another test made it first: use theirs
      std::error_code ignored;
      std::filesystem::remove_all(making, ignored);
    }
  }
  if (!run_as(user, folder_ + "/copy.log", {"/bin/cp", "-a", tmpl + "/data", folder_ + "/data"})) {
    throw std::runtime_error("test postgres: copying the template failed:\n" +
                             read_file_tail(folder_ + "/copy.log", 4000));
  }
}

void TestPostgres::launch_and_wait_ready() {
  const RunAs user = server_user();
  const bool keep_port = port_ != 0;  // a restart keeps its port: clients reconnect to it
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (!keep_port) port_ = free_port();
    std::vector<std::string> argv = {postgres_bindir() + "/postgres", "-D", folder_ + "/data",
                                     "-p", std::to_string(port_), "-k", folder_,
                                     "-c", "listen_addresses=127.0.0.1",
                                     "-c", "fsync=on", "-c", "synchronous_commit=on",
                                     "-c", "shared_buffers=32MB", "-c", "max_connections=60",
                                     "-c", "log_min_messages=warning", "-c", "log_checkpoints=off"};
    const pid_t parent = getpid();
    pid_t child = fork();
    if (child < 0) throw std::runtime_error("test postgres: fork failed");
    if (child == 0) exec_as(user, folder_ + "/postgres.log", argv, true, parent);
    pid_ = child;

    const std::string info = conninfo() + " connect_timeout=2";
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (true) {
      if (PQping(info.c_str()) == PQPING_OK) return;
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {  // it gave up (most likely the port was taken)
        pid_ = -1;
        break;
      }
      if (std::chrono::steady_clock::now() > deadline) {
        throw std::runtime_error("test postgres: not accepting connections after 60 s:\n" + log_tail());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (keep_port && attempt >= 2) break;
  }
  throw std::runtime_error("test postgres: the server would not start:\n" + log_tail());
}

void TestPostgres::signal_and_wait(int signal) {
  if (pid_ <= 0) return;
  ::kill(pid_, signal);
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {}
  pid_ = -1;
}

void TestPostgres::stop() { signal_and_wait(SIGINT); }
void TestPostgres::stop_immediately() { signal_and_wait(SIGQUIT); }

void TestPostgres::start() {
  if (pid_ > 0) return;
  launch_and_wait_ready();
}

}  // namespace kartiba::testing
