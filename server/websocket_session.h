// kartiba::server::WebSocketSession — one WebSocket connection on /ws (docs/SERVER.md).
//
// The client authenticates with its first message, then subscribes to plans, sends commands
// and presence. Outgoing frames wait in one write queue. Event frames count against
// --ws-queue-bytes: when a plan's events would pass it, the queued events of that plan are
// dropped, the client gets {"type":"lagging","plan","revision":N} (N = the last revision it
// will have received) and the plan's subscription ends; the client resumes with `from`.
// Catch-up from an old revision is read page by page, each page only once the queue has
// drained, so a long gap cannot fill the queue. Past a hard limit (other frames), the
// session is closed with 1008.
//
// Lifetime: lives while an operation holds shared_from_this(); engine subscribers and the hub
// hold weak_ptrs. Thread-safety: all state is touched only on the connection's strand; the
// public post_* / deliver_* methods may be called from any thread and post to it.
#pragma once

#include <array>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "beast.h"
#include "connections.h"
#include "derived_feeds.h"
#include "hub.h"
#include "kartiba/engine.h"
#include "links.h"
#include "tokens.h"
#include "ws_stream.h"

namespace kartiba::server {

struct App;

class WebSocketSession : public std::enable_shared_from_this<WebSocketSession>,
                         public Peer,
                         public DerivedPeer,
                         public Closable {
 public:
  WebSocketSession(tcp::socket&& socket, std::shared_ptr<App> app);
  ~WebSocketSession() override;
  WebSocketSession(const WebSocketSession&) = delete;
  WebSocketSession& operator=(const WebSocketSession&) = delete;

  // Accepts the upgrade request the HTTP session read.
  void run(http::request<http::string_body> request);

  // Peer / Closable: post to the strand.
  void post_frame(std::shared_ptr<const std::string> frame) override;
  void post_revoked() override;
  void post_shutdown() override;
  void post_close() override;
  // DerivedPeer: a plan's derived parts were rendered; post to the strand.
  void post_derived(DerivedPtr update) override;

  // From a plan subscription (engine threads): post to the strand.
  void deliver_snapshot(const std::string& plan, uint64_t generation, uint64_t revision,
                        std::shared_ptr<const std::string> view);
  void deliver_events(uint64_t generation, const std::vector<EventPtr>& events);  // events: not empty

 private:
  // One queued outgoing frame. Event frames carry their event (plan and revision) so a
  // lagging plan's frames can be dropped. `owner` keeps text and event alive: for events, the
  // batch they came in (one reference count per session and batch, not two per frame).
  struct Frame {
    const std::string* text;
    const Event* event;  // null for other frames
    std::shared_ptr<const void> owner;
  };
  // One gather write holds at most this many frames, and adds none past this many bytes.
  // With larger writes a small send buffer (--ws-send-buffer 8192, as the backpressure test
  // sets) stayed full without a pause, and a reader of 30 KB events got ~60 of them per second
  // instead of keeping up with the writer (tests/reliability/backpressure.test.mjs).
  static constexpr size_t kMaxFramesPerWrite = 32;
  static constexpr size_t kMaxBytesPerWrite = 32 * 1024;
  // A plan this session subscribes to.
  struct PlanState {
    uint64_t generation = 0;           // tells this subscription's deliveries from older ones
    std::unique_ptr<Subscription> subscription;  // set once the engine subscription exists
    uint64_t sent_revision = 0;        // the last revision queued for the client
    bool catching_up = false;          // reading pages of old events before subscribing
    bool page_pending = false;         // a page read is on the work pool
    bool joined = false;               // present in the hub's presence list
    bool resume = false;               // subscribed with `from` (no snapshot)
    uint64_t catch_up_until = 0;       // the engine's catch-up ends here: not a lag
    // Derived frames: the revision the client's derived parts are at (0: unknown, so the next
    // frame is a full one), and a render that waits for its events to be queued first.
    uint64_t derived_revision = 0;
    DerivedPtr pending_derived;
  };

  // I/O: websocket_session.cpp
  void on_accept(beast::error_code ec);
  void on_auth_timeout(beast::error_code ec);
  void do_read();
  void on_read(beast::error_code ec, std::size_t bytes);
  void send(std::shared_ptr<const std::string> text);
  void send(std::string text) { send(std::make_shared<const std::string>(std::move(text))); }
  // Queues the batch's events from index `first` on, for the plan whose state is `st`.
  void send_event_frames(PlanState& st, std::shared_ptr<const EventBatch> batch, size_t first, bool paced);
  void do_write();
  void on_write(beast::error_code ec, std::size_t bytes);
  void finish_write();  // the frames written leave the queue
  void continue_catch_ups();  // every plan whose catch-up waits for the queue to drain
  void close_after_flush(websocket::close_reason reason);
  void close_now(websocket::close_reason reason);
  void do_close();
  void on_close(beast::error_code ec);
  void teardown();
  void lag(const std::string& plan);
  bool over_hard_limit() const;

  // Subscriptions and messages: websocket_messages.cpp
  void handle_message(const std::string& text);
  void on_auth(const nlohmann::json& msg);
  void on_subscribe(const nlohmann::json& msg);
  void on_unsubscribe(const nlohmann::json& msg);
  void on_command(const nlohmann::json& msg);
  void on_presence(const nlohmann::json& msg);
  void send_error(const Error& error, const std::string& plan = {});
  void subscribe_live(const std::string& plan, uint64_t generation, std::optional<uint64_t> from);
  void on_subscribed(const std::string& plan, uint64_t generation,
                     Result<std::unique_ptr<Subscription>> subscription);
  void continue_catch_up(const std::string& plan);
  void on_catch_up_page(const std::string& plan, uint64_t generation, Result<std::vector<EventPtr>> page);
  void on_snapshot(const std::string& plan, uint64_t generation, uint64_t revision,
                   std::shared_ptr<const std::string> view);
  void on_events(uint64_t generation, std::shared_ptr<const EventBatch> batch);
  void drop_plan(const std::string& plan);
  void join_presence(const std::string& plan, PlanState& state);
  void on_derived(const DerivedPtr& update);
  // Sends the pending render once the events it covers are queued.
  void flush_pending_derived(const std::string& plan);
  void send_derived(PlanState& st, const DerivedPtr& update);
  void on_link_auth(const std::string& secret);

  websocket::stream<FrameStream> ws_;
  beast::flat_buffer buffer_;
  std::shared_ptr<App> app_;
  const uint64_t id_;
  uint64_t conn_id_ = 0;
  net::steady_timer auth_timer_;
  PrincipalPtr who_;  // null until authenticated
  // Set when the session came in through a public dashboard link (links.h): read-only, one plan,
  // the public view, no presence. `link_admitted_`: counted among the link's viewers.
  std::optional<Link> link_;
  bool link_admitted_ = false;

  // Adds (or with a negative delta, removes) queued bytes here and in the server's gauges.
  void count_queued(int64_t delta, bool event);

  std::deque<Frame> queue_;        // the first `writing_` frames are on the wire
  size_t queued_bytes_ = 0;        // all queued frames
  size_t queued_event_bytes_ = 0;  // queued event frames (the --ws-queue-bytes budget)
  size_t writing_ = 0;
  // The gather write's buffers: a frame header (at most 10 bytes) and the text, per frame.
  std::array<std::array<unsigned char, 10>, kMaxFramesPerWrite> headers_{};
  std::vector<net::const_buffer> write_buffers_;
  enum class State { open, closing, closed } state_ = State::open;
  std::optional<websocket::close_reason> close_reason_;  // close once the queue is flushed

  std::map<std::string, PlanState> plans_;
  uint64_t next_generation_ = 0;
};

}  // namespace kartiba::server
