// Fuzz target: the HTTP request path without sockets. Bytes are parsed as one HTTP/1.1 request
// by Beast's parser (the header and body limits of kartiba-server), turned into the router's
// HttpRequest as http_session.cpp does, and routed against a server core over an in-memory
// engine holding the demo plan: auth, the API handlers, commands, exports, static files. The
// answer must come, with a documented status, and every /api error must be a JSON error body.
//
// In the input, ADMIN_TOKEN / VIEWER_TOKEN / ORGANISER_TOKEN stand for real tokens of those
// roles (see tests/fuzz/http.dict).
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <cstdint>
#include <future>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "app.h"
#include "http_request.h"
#include "fuzz_support.h"
#include "router.h"
#include "views/reference_data.h"

namespace http = boost::beast::http;
using namespace kartiba;
using namespace kartiba::server;

namespace {

constexpr const char* kAdmin = "fuzz-admin-token-0123456789";

struct Server {
  std::shared_ptr<App> app;
  std::string viewer, organiser;
};

std::unique_ptr<Server> make_server() {
  Config cfg;
  cfg.rate = 0;
  cfg.log_level = LogLevel::error;
  auto s = std::make_unique<Server>();
  s->app = std::make_shared<App>(cfg);
  s->app->web_dir = std::string(KARTIBA_SOURCE_DIR) + "/clients/web";
  s->app->engine = fuzz::demo_engine();
  s->app->tokens = std::make_unique<TokenStore>(*s->app->engine);
  fuzz::require(s->app->tokens->load().ok(), "tokens do not load");
  s->app->tokens->add_bootstrap_admin(kAdmin, "admin");
  s->app->links = std::make_unique<LinkStore>(*s->app->engine, cfg.link_viewers_max, cfg.link_viewers_per_link);
  fuzz::require(s->app->links->load().ok(), "links do not load");
  s->app->limiter = std::make_unique<RateLimiter>(cfg.rate, cfg.rate_burst);
  s->app->work = std::make_unique<WorkPool>(2, cfg.max_pending_work);
  auto issue = [&](const char* role, const char* name) {
    auto t = s->app->tokens->issue({{"role", role}, {"plans", {fuzz::kDemoPlan}}, {"name", name}});
    fuzz::require(t.ok(), "a token is not issued");
    return t->token;
  };
  s->viewer = issue("viewer", "Fuzz Viewer");
  s->organiser = issue("organiser", "Fuzz Organiser");
  return s;
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
}

const std::set<int> kStatuses = {200, 201, 304, 400, 401, 403, 404, 409, 413, 429, 503};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::unique_ptr<Server> server;
  static uint64_t runs = 0;
  // A fresh server now and then, so that accepted commands do not pile up for hours.
  if (!server || ++runs % 20000 == 0) {
    if (server) {
      server->app->work->join();
      server->app->engine->shutdown();
    }
    server = make_server();
  }
  std::string input(reinterpret_cast<const char*>(data), size);
  replace_all(input, "ADMIN_TOKEN", kAdmin);
  replace_all(input, "VIEWER_TOKEN", server->viewer);
  replace_all(input, "ORGANISER_TOKEN", server->organiser);

  http::request_parser<http::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(1024 * 1024);
  parser.eager(true);
  boost::system::error_code ec;
  size_t used = 0;
  while (used < input.size() && !parser.is_done()) {
    size_t n = parser.put(boost::asio::buffer(input.data() + used, input.size() - used), ec);
    if (ec == http::error::need_more) { ec = {}; if (n == 0) break; }
    if (ec) return 0;  // malformed: the session closes the connection
    used += n;
    if (n == 0) break;
  }
  if (!parser.is_done()) return 0;  // incomplete: the session would wait for more
  auto& req = parser.get();
  HttpRequest request = to_http_request(req);

  auto answer = std::make_shared<std::promise<HttpResponse>>();
  auto future = answer->get_future();
  auto once = std::make_shared<std::atomic<int>>(0);
  route(server->app, request, [answer, once](HttpResponse r) {
    fuzz::require(once->fetch_add(1) == 0, "answered twice");
    answer->set_value(std::move(r));
  });
  fuzz::require(future.wait_for(std::chrono::seconds(30)) == std::future_status::ready, "no answer in 30 s: " + request.target);
  HttpResponse r = future.get();
  fuzz::require(kStatuses.count(r.status) == 1, "undocumented status " + std::to_string(r.status) + " for " + request.target);
  const bool api = request.target.rfind("/api", 0) == 0;
  if (r.status >= 400 && r.content_type == "application/json") {
    auto body = nlohmann::json::parse(r.body, nullptr, false);
    fuzz::require(body.is_object() && body.contains("error") && body["error"].contains("code") &&
                      body["error"]["code"].is_string() && body["error"].contains("message"),
                  "an error without an error body: " + r.body.substr(0, 200));
    const std::string code = body["error"]["code"];
    fuzz::require(http_status(code == "invalid" ? ErrorCode::invalid : code == "unauthorized" ? ErrorCode::unauthorized
                              : code == "forbidden" ? ErrorCode::forbidden : code == "not_found" ? ErrorCode::not_found
                              : code == "conflict" ? ErrorCode::conflict : code == "too_large" ? ErrorCode::too_large
                              : code == "rate_limited" ? ErrorCode::rate_limited : ErrorCode::unavailable) == r.status,
                  "status " + std::to_string(r.status) + " with code " + code);
  }
  if (api && r.status < 300 && r.content_type == "application/json" && !r.head) {
    fuzz::require(!nlohmann::json::parse(r.body, nullptr, false).is_discarded(), "a 2xx /api answer that is not JSON");
  }
  // A handler that throws is answered 503 "internal error" by the router: still a bug.
  fuzz::require(r.body.find("\"internal error\"") == std::string::npos, "a handler threw for " + request.target);
  return 0;
}
