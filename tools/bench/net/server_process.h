// A kartiba-server child process for the network scenarios: started on 127.0.0.1:0 with its
// own data directory and admin token, stopped (SIGTERM) when the object goes.
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

namespace kartiba::bench {

class ServerProcess {
 public:
  ServerProcess(const std::string& binary, const std::string& data_dir, std::vector<std::string> extra_args = {});
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  const std::string& host() const { return host_; }
  unsigned short port() const { return port_; }
  const std::string& token() const { return token_; }
  pid_t pid() const { return pid_; }
  // Resident memory of the server, from /proc/PID/status (bytes).
  long rss_bytes() const;
  // CPU time the server has used (user + system), from /proc/PID/stat (seconds).
  double cpu_seconds() const;
  // Nanoseconds from fork to the `listening on` line.
  long long started_after_ns() const { return started_after_ns_; }

 private:
  pid_t pid_ = -1;
  std::string host_ = "127.0.0.1";
  unsigned short port_ = 0;
  std::string token_ = "bench-admin-token-0123456789";
  long long started_after_ns_ = 0;
};

// CPU time this process has used (user + system, all threads), in seconds.
double own_cpu_seconds();

// Raises this process's open-file limit to its hard limit (10,000 sockets need it).
void raise_fd_limit();

}  // namespace kartiba::bench
