// Load-generator clients for the network scenarios: a WebSocket client and a blocking HTTP
// helper, both on Boost.Beast. Beast stays in ws_client.cpp.
//
// Thread-safety: a WsClient belongs to the io_context it was made on; call send() and close()
// only from a handler running on that io_context (or before run()).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace boost::asio {
class io_context;
}

namespace kartiba::bench {

class WsClient {
 public:
  using OnMessage = std::function<void(WsClient&, std::string_view)>;
  using OnReady = std::function<void(WsClient&)>;
  // The connection ended without close() being called (the server closed it, or an error).
  using OnClosed = std::function<void(WsClient&, const std::string& why)>;

  // Connects, authenticates with `token`, then calls on_ready; every later text frame goes to
  // on_message. Without on_closed, a connection that ends before close() throws out of the
  // io_context's run().
  static std::shared_ptr<WsClient> start(boost::asio::io_context& io, const std::string& host, unsigned short port,
                                         const std::string& token, OnReady on_ready, OnMessage on_message,
                                         OnClosed on_closed = {});
  // The same contract on a lean client for subscribers in bulk (fanout): a plain socket with
  // its own RFC 6455 framing (answers pings; no UTF-8 check, no extensions, no compression),
  // so that 10,000 readers cost the machine what reading costs, not what Beast's layers cost.
  static std::shared_ptr<WsClient> start_lean(boost::asio::io_context& io, const std::string& host,
                                              unsigned short port, const std::string& token, OnReady on_ready,
                                              OnMessage on_message, OnClosed on_closed);
  virtual ~WsClient() = default;
  virtual void send(std::string text) = 0;
  virtual void close() = 0;
  int index = 0;  // the scenario's own number for this client
};

// One HTTP request; returns the status and fills `body`. Throws on a network failure.
int http_request(const std::string& host, unsigned short port, const std::string& method, const std::string& target,
                 const std::string& token, const std::string& body_in, std::string* body_out = nullptr);

}  // namespace kartiba::bench
