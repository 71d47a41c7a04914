// The Boost.Beast / Asio names the network translation units share. Include it only from
// listener.cpp, http_session.cpp, websocket_session*.cpp, webhooks/poster.cpp and main.cpp:
// Beast is heavy.
#pragma once

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace kartiba::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// Logs a failed network operation at debug level (peers vanish all the time).
void fail(beast::error_code ec, const char* what);

}  // namespace kartiba::server
