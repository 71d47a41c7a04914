#include "http_request.h"

namespace kartiba::server {
namespace http = boost::beast::http;

std::string header_value(const http::request<http::string_body>& req, http::field f) {
  auto it = req.find(f);
  return it == req.end() ? std::string() : std::string(it->value());
}

HttpRequest to_http_request(http::request<http::string_body>& req) {
  HttpRequest request;
  request.method = std::string(req.method_string());
  request.target = std::string(req.target());
  request.authorization = header_value(req, http::field::authorization);
  request.if_none_match = header_value(req, http::field::if_none_match);
  request.host = header_value(req, http::field::host);
  request.content_type = header_value(req, http::field::content_type);
  request.body = std::move(req.body());
  return request;
}

}  // namespace kartiba::server
