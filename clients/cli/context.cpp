#include "context.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

namespace kartiba::cli {

std::string default_config_path() {
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) return std::string(xdg) + "/kartiba/config.json";
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.config/kartiba/config.json";
  return ".kartiba-config.json";
}

int fail(const std::string& message, int code) {
  std::cerr << "kartiba: " << message << std::endl;
  return code;
}

bool Context::resolve() {
  // The config file: {"server": "http://…", "token": "…"}; optional.
  json config = json::object();
  std::string path = config_path.empty() ? default_config_path() : config_path;
  if (std::ifstream in(path); in.good()) {
    std::stringstream ss;
    ss << in.rdbuf();
    config = json::parse(ss.str(), nullptr, false);
    if (!config.is_object()) {
      fail("cannot read " + path + ": not a JSON object", kExitUsage);
      return false;
    }
  } else if (!config_path.empty()) {
    fail("cannot read the config file " + config_path, kExitUsage);
    return false;
  }
  std::string url = server_flag;
  if (url.empty())
    if (const char* env = std::getenv("KARTIBA_SERVER"); env && *env) url = env;
  if (url.empty()) url = config.value("server", "");
  if (url.empty()) url = "http://127.0.0.1:8080";
  token = token_flag;
  if (token.empty())
    if (const char* env = std::getenv("KARTIBA_TOKEN"); env && *env) token = env;
  if (token.empty()) token = config.value("token", "");
  std::string error;
  auto parsed = parse_server_url(url, &error);
  if (!parsed) {
    fail(error + ": " + url, kExitUsage);
    return false;
  }
  server = *parsed;
  return true;
}

std::optional<std::string> call(Context& ctx, const std::string& method, const std::string& target,
                                const std::string& body) {
  auto reply = http_request(ctx.server, ctx.token, method, target, body);
  if (reply.status == 0) {
    ctx.exit_code = fail("cannot reach the server at " + ctx.server.text() + ": " + reply.transport_error,
                         kExitUnreachable);
    return std::nullopt;
  }
  if (reply.status >= 200 && reply.status < 300) return std::move(reply.body);
  auto err = json::parse(reply.body, nullptr, false);
  std::string message;
  if (err.is_object() && err.contains("error") && err["error"].is_object()) {
    auto& e = err["error"];
    message = e.value("code", "error") + ": " + e.value("message", "");
    if (auto p = e.value("path", ""); !p.empty()) message += " (at " + p + ")";
  } else {
    message = "HTTP " + std::to_string(reply.status) + (reply.body.empty() ? "" : ": " + reply.body.substr(0, 300));
  }
  if (ctx.json_output && err.is_object()) std::cout << err.dump() << std::endl;
  ctx.exit_code = fail(message, kExitFailed);
  if (reply.status == 401 && ctx.token.empty())
    std::cerr << "kartiba: no token given: use --token, KARTIBA_TOKEN or " << default_config_path() << std::endl;
  return std::nullopt;
}

std::optional<json> call_json(Context& ctx, const std::string& method, const std::string& target,
                              const std::string& body) {
  auto text = call(ctx, method, target, body);
  if (!text) return std::nullopt;
  auto parsed = json::parse(*text, nullptr, false);
  if (parsed.is_discarded()) {
    ctx.exit_code = fail("the server's answer is not JSON");
    return std::nullopt;
  }
  return parsed;
}

std::string url_encode(const std::string& text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::optional<std::string> read_input(const std::string& path) {
  std::stringstream ss;
  if (path == "-") {
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in.good()) return std::nullopt;
  ss << in.rdbuf();
  return ss.str();
}

size_t terminal_width() {
  if (!isatty(STDOUT_FILENO)) return 0;
  winsize ws{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

}  // namespace kartiba::cli
