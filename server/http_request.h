// Beast's parsed request → the router's HttpRequest (the fields the API reads). Beast is heavy:
// include this only where requests are parsed (http_session.cpp, the HTTP fuzz target).
#pragma once

#include <boost/beast/http.hpp>

#include "http_types.h"

namespace kartiba::server {

// A header's value, "" when absent.
std::string header_value(const boost::beast::http::request<boost::beast::http::string_body>& req,
                         boost::beast::http::field f);

// Takes the body over; the rest of `req` stays readable.
HttpRequest to_http_request(boost::beast::http::request<boost::beast::http::string_body>& req);

}  // namespace kartiba::server
