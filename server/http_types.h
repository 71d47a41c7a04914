// kartiba::server::HttpRequest / HttpResponse — what the router sees of HTTP, without Beast.
//
// http_session turns a Beast request into an HttpRequest, hands it to the router, and turns
// the HttpResponse back. Keeping Beast out of the router keeps it out of every handler's
// translation unit. Plain value types.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "kartiba/error.h"

namespace kartiba::server {

struct HttpRequest {
  std::string method;          // "GET", "POST", …
  std::string target;          // path and query as sent: "/api/plans/x/events?from=3"
  std::string authorization;   // the Authorization header, "" when absent
  std::string if_none_match;   // the If-None-Match header
  std::string host;            // the Host header
  std::string content_type;
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  bool head = false;                                         // send headers only
  std::string actor;  // who the request acted as, for the log line ("" = anonymous)

  static HttpResponse json(int status, std::string body) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
  }
  static HttpResponse error(const Error& e) { return json(http_status(e.code()), e.to_json()); }
};

// Called exactly once with the response, from any thread.
using Respond = std::function<void(HttpResponse)>;

}  // namespace kartiba::server
