// WebSocketSession: the connection, its write queue and how it closes. The messages and
// subscriptions are in websocket_messages.cpp.
#include "websocket_session.h"

#include <nlohmann/json.hpp>

#include "app.h"
#include "kartiba/event.h"
#include "log.h"

namespace kartiba::server {
namespace {

constexpr auto kAuthTimeout = std::chrono::seconds(30);
constexpr size_t kReadPiece = 64 * 1024;

}  // namespace

StrandSocket adopt_socket(tcp::socket&& socket) {
  beast::error_code ec;
  const auto* strand = socket.get_executor().target<StrandExecutor>();
  StrandExecutor executor = strand ? *strand
                                   : net::make_strand(static_cast<net::io_context&>(
                                         net::query(socket.get_executor(), net::execution::context)));
  tcp protocol = tcp::v4();
  if (auto local = socket.local_endpoint(ec); !ec) protocol = local.protocol();
  StrandSocket adopted(executor);
  const auto fd = socket.release(ec);
  if (!ec) adopted.assign(protocol, fd, ec);
  // On failure the socket stays closed and the WebSocket accept fails.
  if (!ec) adopted.set_option(tcp::no_delay(true), ec);  // frames are whole; send each at once
  if (!ec) adopted.non_blocking(true, ec);               // for FrameStream::write_now
  return adopted;
}

WebSocketSession::WebSocketSession(tcp::socket&& socket, std::shared_ptr<App> app)
    : ws_(adopt_socket(std::move(socket))),
      app_(std::move(app)),
      id_(app_->hub.next_session_id()),
      auth_timer_(ws_.get_executor()) {
  app_->metrics.ws_sessions.fetch_add(1);
}

WebSocketSession::~WebSocketSession() {
  app_->metrics.ws_sessions.fetch_sub(1);
  app_->metrics.ws_queued_bytes.add(-static_cast<int64_t>(queued_bytes_));
  if (conn_id_) app_->connections.remove(conn_id_);
  // Subscriptions left (teardown not reached) end with their unique_ptrs; presence goes here.
  app_->metrics.ws_subscriptions.fetch_sub(static_cast<int64_t>(plans_.size()));
  for (const auto& [plan, st] : plans_) app_->derived->unwatch(plan, id_);
  app_->hub.remove_peer(id_);
  if (link_admitted_) {
    app_->links->release(link_->id);
    app_->metrics.link_viewers.fetch_sub(1);
  }
}

void WebSocketSession::run(http::request<http::string_body> request) {
  conn_id_ = app_->connections.add(weak_from_this());
  if (app_->config.ws_send_buffer > 0) {
    beast::error_code ec;
    beast::get_lowest_layer(ws_).set_option(net::socket_base::send_buffer_size(app_->config.ws_send_buffer), ec);
  }
  auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
  timeouts.idle_timeout = std::chrono::seconds(app_->config.idle_timeout_s);
  ws_.set_option(timeouts);
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(http::field::server, "kartiba"); }));
  // The message limit is enforced in on_read, not by Beast: Beast 1.74's teardown after its
  // own limit reads one buffer and closes with the rest of the message unread, so the client
  // sees a reset (1006) instead of 1009. Reading in pieces, the session closes with 1009
  // through async_close, which drains the client's frames until its close frame.
  ws_.read_message_max(0);
  ws_.text(true);
  // After a control frame of Beast's (pong, ping), the frames that waited for it go out.
  ws_.next_layer().on_idle([weak = weak_from_this()] {
    if (auto self = weak.lock()) self->do_write();
  });
  auto req = std::make_shared<http::request<http::string_body>>(std::move(request));
  // Accept on the strand, with the request the HTTP session already read.
  net::dispatch(ws_.get_executor(), [self = shared_from_this(), req] {
    self->ws_.async_accept(*req, [self, req](beast::error_code ec) { self->on_accept(ec); });
  });
}

void WebSocketSession::on_accept(beast::error_code ec) {
  if (ec) {
    fail(ec, "websocket accept");
    return teardown();
  }
  // The first message must authenticate, and soon.
  auth_timer_.expires_after(kAuthTimeout);
  auth_timer_.async_wait(beast::bind_front_handler(&WebSocketSession::on_auth_timeout, shared_from_this()));
  do_read();
}

void WebSocketSession::on_auth_timeout(beast::error_code ec) {
  if (ec || who_) return;  // cancelled, or authenticated in time
  send_error(Error::unauthorized("no auth message in time"));
  close_after_flush({websocket::close_code::policy_error, "authentication timeout"});
}

void WebSocketSession::do_read() {
  // A message is read in pieces so that its size is checked as it arrives.
  ws_.async_read_some(buffer_, kReadPiece,
                      beast::bind_front_handler(&WebSocketSession::on_read, shared_from_this()));
}

void WebSocketSession::on_read(beast::error_code ec, std::size_t) {
  if (ec) {
    // Closed by the client, timed out, or a protocol error.
    if (ec != websocket::error::closed && log::enabled(LogLevel::debug)) {
      log::debug("websocket session " + std::to_string(id_) + " read: " + ec.message());
    }
    return teardown();
  }
  if (buffer_.size() > app_->config.max_body) {
    buffer_.consume(buffer_.size());
    log::warn("websocket session " + std::to_string(id_) + " closed: message over " +
              std::to_string(app_->config.max_body) + " bytes");
    // No more reads: the close drains the rest of the message.
    return close_now({websocket::close_code::too_big, "message too big"});
  }
  if (!ws_.is_message_done()) return do_read();
  if (!ws_.got_text()) {
    buffer_.consume(buffer_.size());
    send_error(Error::invalid("binary frames are not supported; send JSON text frames"));
  } else {
    std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    handle_message(text);
  }
  if (state_ == State::closed) return;
  do_read();
}

void WebSocketSession::post_frame(std::shared_ptr<const std::string> frame) {
  net::post(ws_.get_executor(), [self = shared_from_this(), frame = std::move(frame)]() mutable {
    self->send(std::move(frame));
  });
}

void WebSocketSession::post_revoked() {
  net::post(ws_.get_executor(), [self = shared_from_this()] {
    const char* what = self->link_ ? "link revoked" : "token revoked";
    self->send_error(Error::unauthorized(what));
    self->close_after_flush({websocket::close_code::policy_error, what});
  });
}

void WebSocketSession::post_derived(DerivedPtr update) {
  net::post(ws_.get_executor(), [self = shared_from_this(), update = std::move(update)] { self->on_derived(update); });
}

void WebSocketSession::post_shutdown() {
  net::post(ws_.get_executor(), [self = shared_from_this()] {
    self->close_after_flush({websocket::close_code::going_away, "server stopping"});
  });
}

void WebSocketSession::post_close() { post_shutdown(); }

void WebSocketSession::count_queued(int64_t delta, bool event) {
  queued_bytes_ = static_cast<size_t>(static_cast<int64_t>(queued_bytes_) + delta);
  app_->metrics.ws_queued_bytes.add(delta);
  if (!event) return;
  queued_event_bytes_ = static_cast<size_t>(static_cast<int64_t>(queued_event_bytes_) + delta);
  // A high-water mark: what --ws-queue-bytes bounds, observable from /metrics.
  auto& peak = app_->metrics.ws_queued_event_bytes_peak;
  int64_t seen = peak.load();
  const auto now = static_cast<int64_t>(queued_event_bytes_);
  while (now > seen && !peak.compare_exchange_weak(seen, now)) {
  }
}

bool WebSocketSession::over_hard_limit() const {
  // Frames other than events (snapshots, acks, presence) are never dropped; this bounds them.
  return queued_bytes_ > 4 * app_->config.ws_queue_bytes + 16 * 1024 * 1024;
}

void WebSocketSession::send(std::shared_ptr<const std::string> text) {
  if (state_ != State::open) return;
  count_queued(static_cast<int64_t>(text->size()), false);
  const std::string* raw = text.get();
  queue_.push_back(Frame{raw, nullptr, std::move(text)});
  if (over_hard_limit()) {
    app_->metrics.ws_closed_overflow_total.fetch_add(1);
    log::warn("websocket session " + std::to_string(id_) + " closed: write queue overflow");
    return close_now({websocket::close_code::policy_error, "write queue overflow"});
  }
  if (!writing_) do_write();
}

void WebSocketSession::send_event_frames(PlanState& st, std::shared_ptr<const EventBatch> batch, size_t first,
                                         bool paced) {
  if (link_) {
    // A public viewer gets an event's frame only when its type holds nothing private; any
    // other event keeps its place in the order as a frame without data.
    bool all_public = true;
    for (size_t i = first; i < batch->events.size() && all_public; ++i) all_public = public_event_type(batch->events[i]->type);
    if (!all_public) {
      auto redacted = std::make_shared<EventBatch>(*batch);
      for (size_t i = first; i < redacted->events.size(); ++i) {
        const Event& e = *redacted->events[i];
        if (public_event_type(e.type)) continue;
        nlohmann::json frame = {{"type", "event"}, {"plan", e.plan},
                                {"event", {{"plan", e.plan}, {"revision", e.revision}, {"type", "Withheld"}}}};
        redacted->bytes -= redacted->frames[i]->size();
        redacted->frames[i] = std::make_shared<const std::string>(frame.dump());
        redacted->bytes += redacted->frames[i]->size();
      }
      batch = std::move(redacted);
    }
  }
  const size_t n = batch->events.size();
  if (state_ != State::open || first >= n) return;
  size_t bytes = batch->bytes;
  for (size_t i = 0; i < first; ++i) bytes -= batch->frames[i]->size();
  // Live events must fit the budget; a batch alone in the queue always goes, so a client
  // that resumes always makes progress. Catch-up pages are paced by the caller instead.
  if (!paced && queued_event_bytes_ > 0 && queued_event_bytes_ + bytes > app_->config.ws_queue_bytes) {
    return lag(batch->events[first]->plan);
  }
  st.sent_revision = batch->events.back()->revision;
  for (size_t i = first; i < n; ++i) {
    const std::string* text = batch->frames[i].get();
    const Event* event = batch->events[i].get();
    // The last frame takes the caller's reference; the others share it.
    queue_.push_back(Frame{text, event, i + 1 == n ? std::shared_ptr<const void>(std::move(batch)) : batch});
  }
  count_queued(static_cast<int64_t>(bytes), true);
  if (over_hard_limit()) {
    app_->metrics.ws_closed_overflow_total.fetch_add(1);
    return close_now({websocket::close_code::policy_error, "write queue overflow"});
  }
  if (!writing_) do_write();
}

void WebSocketSession::lag(const std::string& plan) {
  auto it = plans_.find(plan);
  if (it == plans_.end()) return;
  // Drop this plan's queued events, except those being written.
  uint64_t first_dropped = 0;
  std::deque<Frame> kept;
  for (size_t i = 0; i < queue_.size(); ++i) {
    Frame& f = queue_[i];
    const bool in_flight = i < writing_;
    if (!in_flight && f.event && f.event->plan == plan) {
      if (!first_dropped) first_dropped = f.event->revision;
      count_queued(-static_cast<int64_t>(f.text->size()), true);
      continue;
    }
    kept.push_back(std::move(f));
  }
  queue_.swap(kept);
  const uint64_t revision = first_dropped ? first_dropped - 1 : it->second.sent_revision;
  drop_plan(plan);
  app_->metrics.ws_lagging_total.fetch_add(1);
  log::warn("websocket session " + std::to_string(id_) + " lagging on plan " + plan + " at revision " +
            std::to_string(revision) + ": subscription cancelled");
  nlohmann::json frame = {{"type", "lagging"}, {"plan", plan}, {"revision", revision}};
  send(frame.dump());
}

void WebSocketSession::do_write() {
  for (;;) {
    if (queue_.empty() || writing_ || state_ == State::closed) return;
    // Beast is closing (it has sent or will send its close frame): nothing may follow it.
    if (!ws_.is_open()) return;
    // A control frame of Beast's is on the wire: on_idle calls again after it.
    if (ws_.next_layer().busy()) return;
    // The frames queued, up to kMaxFramesPerWrite and kMaxBytesPerWrite (the first whatever its
    // size), in one gather write: each an unmasked, unfragmented text frame (RFC 6455 5.2).
    write_buffers_.clear();
    size_t bytes = 0, total = 0;
    while (writing_ < queue_.size() && writing_ < kMaxFramesPerWrite && (writing_ == 0 || bytes < kMaxBytesPerWrite)) {
      const std::string& text = *queue_[writing_].text;
      auto& h = headers_[writing_];
      const uint64_t len = text.size();
      size_t hn = 0;
      h[hn++] = 0x81;  // FIN, text
      if (len < 126) {
        h[hn++] = static_cast<unsigned char>(len);
      } else if (len <= 0xffff) {
        h[hn++] = 126;
        h[hn++] = static_cast<unsigned char>(len >> 8);
        h[hn++] = static_cast<unsigned char>(len);
      } else {
        h[hn++] = 127;
        for (int shift = 56; shift >= 0; shift -= 8) h[hn++] = static_cast<unsigned char>(len >> shift);
      }
      write_buffers_.emplace_back(h.data(), hn);
      write_buffers_.emplace_back(text.data(), text.size());
      bytes += text.size();
      total += hn + text.size();
      ++writing_;
    }
    // What the socket takes now is written at once, without an asynchronous operation (its
    // completion would queue behind every other session's work); the rest once it can.
    beast::error_code ec;
    size_t n = ws_.next_layer().write_now(write_buffers_, ec);
    if (ec == net::error::would_block || ec == net::error::try_again) {
      ec = {};
      n = 0;
    }
    if (ec) return on_write(ec, 0);
    if (n == total) {
      finish_write();
      continue;
    }
    size_t skip = n, first = 0;
    while (skip >= write_buffers_[first].size()) skip -= write_buffers_[first++].size();
    write_buffers_.erase(write_buffers_.begin(), write_buffers_.begin() + static_cast<std::ptrdiff_t>(first));
    write_buffers_.front() += skip;
    ws_.next_layer().write_frames(write_buffers_,
                                  beast::bind_front_handler(&WebSocketSession::on_write, shared_from_this()));
    return;
  }
}

void WebSocketSession::on_write(beast::error_code ec, std::size_t) {
  if (ec) {
    writing_ = 0;
    fail(ec, "websocket write");
    return teardown();
  }
  finish_write();
  do_write();
}

void WebSocketSession::finish_write() {
  const size_t written = writing_;
  writing_ = 0;
  int64_t done_bytes = 0, done_event_bytes = 0;
  for (size_t i = 0; i < written; ++i) {
    const Frame& done = queue_.front();
    done_bytes += static_cast<int64_t>(done.text->size());
    if (done.event) done_event_bytes += static_cast<int64_t>(done.text->size());
    queue_.pop_front();
  }
  if (done_event_bytes) count_queued(-done_event_bytes, true);
  if (done_bytes > done_event_bytes) count_queued(-(done_bytes - done_event_bytes), false);

  if (queue_.empty() && close_reason_ && state_ == State::closing) return do_close();
  // Catch-ups waiting for the queue to drain go on, from a handler of their own: this may run
  // inside a send, under a caller that holds a plan's state.
  if (state_ == State::open && queued_bytes_ < app_->config.ws_queue_bytes / 2) {
    for (auto& [plan, st] : plans_) {
      if (st.catching_up && !st.page_pending) {
        net::post(ws_.get_executor(), [self = shared_from_this()] { self->continue_catch_ups(); });
        break;
      }
    }
  }
}

void WebSocketSession::continue_catch_ups() {
  if (state_ != State::open || queued_bytes_ >= app_->config.ws_queue_bytes / 2) return;
  std::vector<std::string> waiting;
  for (auto& [plan, st] : plans_) {
    if (st.catching_up && !st.page_pending) waiting.push_back(plan);
  }
  for (const auto& plan : waiting) continue_catch_up(plan);
}

void WebSocketSession::close_after_flush(websocket::close_reason reason) {
  if (state_ != State::open) return;
  state_ = State::closing;
  close_reason_ = std::move(reason);
  if (!writing_ && queue_.empty()) do_close();
}

void WebSocketSession::close_now(websocket::close_reason reason) {
  if (state_ == State::closed) return;
  // Keep only the frames being written.
  while (queue_.size() > writing_) {
    count_queued(-static_cast<int64_t>(queue_.back().text->size()), queue_.back().event != nullptr);
    queue_.pop_back();
  }
  state_ = State::closing;
  close_reason_ = std::move(reason);
  if (!writing_) do_close();
}

void WebSocketSession::do_close() {
  if (state_ == State::closed || !close_reason_) return;
  auto reason = *close_reason_;
  close_reason_.reset();  // one close only
  ws_.async_close(reason, beast::bind_front_handler(&WebSocketSession::on_close, shared_from_this()));
}

void WebSocketSession::on_close(beast::error_code ec) {
  if (ec) fail(ec, "websocket close");
  teardown();
}

void WebSocketSession::teardown() {
  if (state_ == State::closed) return;
  state_ = State::closed;
  beast::error_code ignored;
  auth_timer_.cancel(ignored);
  std::vector<std::string> plans;
  for (auto& [plan, st] : plans_) plans.push_back(plan);
  for (const auto& plan : plans) drop_plan(plan);
  app_->hub.remove_peer(id_);
}

}  // namespace kartiba::server
