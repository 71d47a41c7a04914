#include "bootstrap.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app.h"
#include "kartiba/engine.h"
#include "kartiba/event.h"
#include "log.h"

#ifndef KARTIBA_WEB_SOURCE_DIR
#define KARTIBA_WEB_SOURCE_DIR ""
#endif
#ifndef KARTIBA_WEB_INSTALL_DIR
#define KARTIBA_WEB_INSTALL_DIR ""
#endif
#ifndef KARTIBA_DEMO_SOURCE_DIR
#define KARTIBA_DEMO_SOURCE_DIR ""
#endif
#ifndef KARTIBA_DEMO_INSTALL_DIR
#define KARTIBA_DEMO_INSTALL_DIR ""
#endif

namespace kartiba {
// The demo plan embedded in the engine library (engine/src/views/reference_data.h). Declared
// here because that header is private; used only when no demo file is found on disk.
std::string_view demo_plan_text();
}  // namespace kartiba

namespace kartiba::server {
namespace fs = std::filesystem;
namespace {

constexpr const char* kDemoFile = "brussels-2024.json";

bool is_dir(const std::string& path) {
  std::error_code ec;
  return !path.empty() && fs::is_directory(path, ec);
}

bool is_file(const std::string& path) {
  std::error_code ec;
  return !path.empty() && fs::is_regular_file(path, ec);
}

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

// PREFIX/share/kartiba/WHAT for a binary installed as PREFIX/bin/kartiba-server, "" when the
// executable's path is unknown. Looked at first, so an installed (or DESTDIR-staged, or packaged
// with another prefix than it was configured with) server uses its own files, also on a machine
// that still has the source tree.
std::string beside_executable(const char* what) {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec || exe.empty()) return {};
  return (exe.parent_path().parent_path() / "share" / "kartiba" / what).string();
}

}  // namespace

std::string find_web_dir(const std::string& flag) {
  if (!flag.empty()) return is_dir(flag) ? flag : std::string();
  for (const std::string& dir : {beside_executable("web"), std::string(KARTIBA_WEB_SOURCE_DIR),
                                std::string(KARTIBA_WEB_INSTALL_DIR)}) {
    if (!dir.empty() && is_file(dir + "/index.html")) return dir;
  }
  return {};
}

std::string find_demo_file() {
  for (const std::string& dir : {beside_executable("demo"), std::string(KARTIBA_DEMO_SOURCE_DIR),
                                std::string(KARTIBA_DEMO_INSTALL_DIR)}) {
    if (!dir.empty() && is_file(dir + "/" + kDemoFile)) return dir + "/" + kDemoFile;
  }
  return {};
}

Result<std::optional<std::string>> bootstrap_admin(App& app) {
  if (const char* env = std::getenv("KARTIBA_ADMIN_TOKEN"); env && *env) {
    app.tokens->add_bootstrap_admin(env, "admin");
    return std::optional<std::string>();
  }
  const std::string path = app.config.data_dir + "/admin-token";
  if (is_file(path)) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    const std::string token = trim(text.str());
    if (token.empty()) return Error::invalid(path + " is empty; delete it to make a new admin token");
    app.tokens->add_bootstrap_admin(token, "admin");
    return std::optional<std::string>();
  }
  const std::string token = random_hex(32);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Error::unavailable("cannot create " + path + ": " + std::strerror(errno));
  const std::string line = token + "\n";
  const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return Error::unavailable("cannot write " + path);
  app.tokens->add_bootstrap_admin(token, "admin");
  return std::optional<std::string>(token);
}

Result<std::string> load_demo(App& app) {
  if (!app.engine->plans().empty()) return std::string();
  const std::string file = find_demo_file();
  std::string text;
  if (file.empty()) {
    text = std::string(demo_plan_text());  // neither in the source tree nor installed
  } else {
    std::ifstream in(file, std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    text = buf.str();
  }
  if (text.empty()) return Error::not_found(std::string("demo plan ") + kDemoFile + " not found");
  CommandOutcome o = app.engine->import_plan(text, "kartiba demo");
  if (!o.ok) return o.error ? *o.error : Error::unavailable("demo import failed");
  for (const auto& e : o.events) {
    if (e) return e->plan;
  }
  return std::string("brussels-2024");
}

}  // namespace kartiba::server
