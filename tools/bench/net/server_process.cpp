#include "server_process.h"

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "../report.h"

namespace kartiba::bench {

void raise_fd_limit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

ServerProcess::ServerProcess(const std::string& binary, const std::string& data_dir, std::vector<std::string> extra) {
  int out[2];
  if (pipe(out) != 0) throw std::runtime_error("pipe failed");
  int64_t t0 = now_ns();
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    dup2(out[1], 1);
    close(out[0]);
    close(out[1]);
    setenv("KARTIBA_ADMIN_TOKEN", token_.c_str(), 1);
    std::vector<std::string> args = {binary, "--data", data_dir, "--listen", "127.0.0.1:0", "--log-level", "error"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  close(out[1]);
  FILE* f = fdopen(out[0], "r");
  char line[512];
  if (!fgets(line, sizeof line, f)) throw std::runtime_error("kartiba-server did not start: " + binary);
  started_after_ns_ = now_ns() - t0;
  std::string s(line);
  auto colon = s.rfind(':');
  if (s.rfind("listening on http://", 0) != 0 || colon == std::string::npos)
    throw std::runtime_error("unexpected first line from kartiba-server: " + s);
  port_ = static_cast<unsigned short>(std::stoi(s.substr(colon + 1)));
  // Keep draining stdout in the background so the server never blocks on it.
  std::thread([f] {
    char buf[512];
    while (fgets(buf, sizeof buf, f)) {
    }
    fclose(f);
  }).detach();
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
}

double ServerProcess::cpu_seconds() const {
  std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  auto close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(text.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return double(utime + stime) / double(sysconf(_SC_CLK_TCK));
}

double own_cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto secs = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
  return secs(ru.ru_utime) + secs(ru.ru_stime);
}

long ServerProcess::rss_bytes() const {
  std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
  std::string key;
  while (in >> key) {
    if (key == "VmRSS:") {
      long kb = 0;
      in >> kb;
      return kb * 1024;
    }
    std::string rest;
    std::getline(in, rest);
  }
  return 0;
}

}  // namespace kartiba::bench
