// kartiba::server::FrameStream — the layer under a WebSocket session's websocket::stream.
//
// Beast writes one message per async_write, so a session with ten frames queued made ten
// sendmsg calls (each also running the loopback peer's receive path), and under load the
// server spent half its time there. The session therefore writes its text frames itself:
// framed once (server frames are not masked), several per gather write. Beast still does the
// handshake, the reads, and writes its own control frames (pong, keep-alive ping, close)
// through this layer's async_write_some.
//
// One write is on the socket at a time. Each of Beast's async_write_some calls is written
// whole before it completes, so none of the session's frames can land inside one of Beast's.
// A write of Beast's that comes while the session's is on the wire waits and goes right after
// it; the session writes only when the layer is idle (busy() false), and is called back
// through on_idle once a write of Beast's has finished. The session writes what the socket
// (non-blocking) takes at once with write_now, and only the rest with write_frames.
//
// Thread-safety: everything happens on the session's strand, like the stream above it.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <type_traits>
#include <utility>

#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>

#include "beast.h"

namespace kartiba::server {

using StrandExecutor = net::strand<net::io_context::executor_type>;
using StrandSocket = net::basic_stream_socket<tcp, StrandExecutor>;

// The accepted socket, moved onto a socket type whose executor is the concrete strand (not a
// type-erased any_io_executor: cheaper for every operation and post).
StrandSocket adopt_socket(tcp::socket&& socket);

class FrameStream {
 public:
  using executor_type = StrandExecutor;
  using next_layer_type = StrandSocket;

  explicit FrameStream(StrandSocket&& socket) : socket_(std::move(socket)) {}
  FrameStream(FrameStream&&) = delete;

  executor_type get_executor() noexcept { return socket_.get_executor(); }
  StrandSocket& next_layer() noexcept { return socket_; }
  const StrandSocket& next_layer() const noexcept { return socket_; }

  template <class MutableBufferSequence, class ReadHandler>
  auto async_read_some(const MutableBufferSequence& buffers, ReadHandler&& handler) {
    return socket_.async_read_some(buffers, std::forward<ReadHandler>(handler));
  }

  // Beast's writes: written whole; wait while another write is on the socket.
  template <class ConstBufferSequence, class WriteHandler>
  auto async_write_some(const ConstBufferSequence& buffers, WriteHandler&& handler) {
    return net::async_initiate<WriteHandler, void(beast::error_code, std::size_t)>(
        [this](auto&& h, const ConstBufferSequence& b) {
          using H = std::decay_t<decltype(h)>;
          auto op = std::make_unique<BeastWrite<ConstBufferSequence, H>>(*this, b, std::move(h));
          if (busy_) {
            waiting_.push_back(std::move(op));
          } else {
            busy_ = true;
            op->start();
          }
        },
        handler, buffers);
  }

  // True while a write is on the socket (or one of Beast's waits).
  bool busy() const noexcept { return busy_; }
  // Called (on the strand) when the layer becomes idle after a write of Beast's.
  void on_idle(std::function<void()> f) { on_idle_ = std::move(f); }

  // Writes what the socket takes of `buffers` now (the socket is non-blocking): the bytes
  // written; would_block when none. REQUIRES: !busy().
  template <class ConstBufferSequence>
  std::size_t write_now(const ConstBufferSequence& buffers, beast::error_code& ec) {
    return socket_.write_some(buffers, ec);
  }

  // The session's frames, already framed: all of `buffers` (kept alive by the caller).
  // REQUIRES: !busy().
  template <class ConstBufferSequence, class Handler>
  void write_frames(const ConstBufferSequence& buffers, Handler&& handler) {
    busy_ = true;
    net::async_write(socket_, buffers, Done<std::decay_t<Handler>>{this, std::forward<Handler>(handler), false});
  }

 private:
  struct Waiting {
    virtual ~Waiting() = default;
    virtual void start() = 0;
  };

  // Completion of a write: the next waiting write starts (or the session hears the layer is
  // idle) before the handler runs, which may end the session and this layer with it.
  template <class Handler>
  struct Done {
    FrameStream* stream;
    Handler handler;
    bool beast;  // one of Beast's writes: tell the session when idle after it

    using executor_type = net::associated_executor_t<Handler, StrandExecutor>;
    executor_type get_executor() const noexcept {
      return net::get_associated_executor(handler, stream->socket_.get_executor());
    }
    using allocator_type = net::associated_allocator_t<Handler>;
    allocator_type get_allocator() const noexcept { return net::get_associated_allocator(handler); }

    void operator()(beast::error_code ec, std::size_t bytes) {
      FrameStream& s = *stream;
      s.busy_ = false;
      if (!s.waiting_.empty()) {
        auto next = std::move(s.waiting_.front());
        s.waiting_.pop_front();
        s.busy_ = true;
        next->start();
      } else if (beast && s.on_idle_) {
        s.on_idle_();
      }
      handler(ec, bytes);
    }
  };

  template <class ConstBufferSequence, class Handler>
  struct BeastWrite final : Waiting {
    BeastWrite(FrameStream& s, const ConstBufferSequence& b, Handler&& h)
        : stream(s), buffers(b), handler(std::move(h)) {}
    void start() override {
      net::async_write(stream.socket_, buffers, Done<Handler>{&stream, std::move(handler), true});
    }
    FrameStream& stream;
    ConstBufferSequence buffers;
    Handler handler;
  };

  StrandSocket socket_;
  bool busy_ = false;
  std::deque<std::unique_ptr<Waiting>> waiting_;
  std::function<void()> on_idle_;
};

// Beast's close handshake ends with these (found by argument-dependent lookup).
inline void teardown(beast::role_type role, FrameStream& stream, beast::error_code& ec) {
  websocket::teardown(role, stream.next_layer(), ec);
}

template <class TeardownHandler>
void async_teardown(beast::role_type role, FrameStream& stream, TeardownHandler&& handler) {
  websocket::async_teardown(role, stream.next_layer(), std::forward<TeardownHandler>(handler));
}

}  // namespace kartiba::server
