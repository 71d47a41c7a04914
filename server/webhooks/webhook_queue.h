// kartiba::server::webhooks::WebhookQueue — the ordered outbox of one webhook.
//
// The plan's log is the outbox: the queue holds a cursor (the last revision handled, durable in
// the meta store), reads the events after it from the engine in small batches, POSTs the ones
// whose type the webhook wants, one at a time in revision order, and moves the cursor forward
// only after a 2xx. A failed attempt is retried (backoff.h) with the same X-Kartiba-Delivery id;
// after `disable_after_s` seconds of continuous failure the webhook is disabled until someone
// enables it again (POST …/webhooks/{id}/enable), which resumes from the cursor.
//
// A subscription to the plan only wakes the queue; it carries no data. The engine's callback
// posts to the queue's strand and returns. Engine reads and cursor writes (which block) run on
// the server's work pool, the HTTP on the io_context: no queue ever blocks a network thread, an
// engine thread or another queue.
//
// Thread-safety: start/stop/notify/enable/status may be called from any thread; the rest runs
// on the queue's strand.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "kartiba/engine.h"
#include "webhooks/delivery_log.h"
#include "webhooks/target_url.h"
#include "webhooks/webhook_record.h"

namespace boost::asio {
class io_context;
}

namespace kartiba::server {
class WorkPool;
}

namespace kartiba::server::webhooks {

class Poster;
struct WebhookOptions;
struct Counters;

// What the queues share; outlives them.
struct QueueContext {
  Engine& engine;
  WorkPool& work;
  Poster& poster;
  const WebhookOptions& options;
  Counters& counters;
  boost::asio::io_context& ioc;
};

// What GET …/webhooks shows of a queue.
struct QueueStatus {
  WebhookRecord record;
  uint64_t cursor = 0;
  uint64_t known_revision = 0;
  int64_t failing_since_ms = 0;  // 0 = not failing
};

class WebhookQueue : public std::enable_shared_from_this<WebhookQueue> {
 public:
  WebhookQueue(QueueContext& context, WebhookRecord record, TargetUrl url, uint64_t cursor);
  ~WebhookQueue();
  WebhookQueue(const WebhookQueue&) = delete;
  WebhookQueue& operator=(const WebhookQueue&) = delete;

  // Subscribes to the plan and starts delivering. Blocking (engine call); once.
  Status start();
  // No delivery starts after this returns (one in flight may finish). Idempotent.
  void stop();
  // The plan has reached `revision` (from an engine thread: never blocks).
  void notify(uint64_t revision);
  // Clears `disabled` (the caller has stored that) and resumes from the cursor.
  void enable(WebhookRecord record);

  QueueStatus status() const;
  const DeliveryLog& deliveries() const { return log_; }
  const std::string& id() const { return id_; }

 private:
  void pump();
  void read_batch();
  void on_batch(std::vector<EventPtr> events);
  void deliver_front();
  void on_result(EventPtr event, std::string delivery, int64_t started_ms, struct PostResult result);
  void save_cursor_then_pump(uint64_t revision);
  void disable(std::string reason);
  void retry_later(uint64_t delay_ms);
  void run_on_work_pool(std::function<void()> job);
  template <class F>
  void on_strand(F f);

  QueueContext& ctx_;
  const std::string id_;
  const TargetUrl url_;
  struct Strand;
  std::unique_ptr<Strand> strand_;
  std::unique_ptr<Subscription> subscription_;
  std::atomic<bool> stopped_{false};
  std::atomic<uint64_t> known_revision_{0};
  DeliveryLog log_;

  mutable std::mutex status_mutex_;
  WebhookRecord record_;           // GUARDED_BY(status_mutex_)
  uint64_t cursor_ = 0;            // GUARDED_BY(status_mutex_): durable
  int64_t failing_since_ms_ = 0;   // GUARDED_BY(status_mutex_)

  // Strand-only state.
  bool busy_ = false;              // a read, a delivery, a wait or a cursor write is under way
  uint64_t read_to_ = 0;           // the last revision in `pending_` or handled
  std::deque<EventPtr> pending_;   // read from the log, not yet handled
  uint32_t attempt_ = 1;           // of the front event
};

}  // namespace kartiba::server::webhooks
