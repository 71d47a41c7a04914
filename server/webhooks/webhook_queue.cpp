#include "webhooks/webhook_queue.h"

#include <random>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <nlohmann/json.hpp>

#include "kartiba/event.h"
#include "log.h"
#include "time_util.h"
#include "webhooks/backoff.h"
#include "webhooks/counters.h"
#include "webhooks/poster.h"
#include "webhooks/signature.h"
#include "webhooks/webhook_options.h"
#include "work_pool.h"

namespace kartiba::server::webhooks {
namespace {

namespace net = boost::asio;

constexpr size_t kBatch = 100;
constexpr uint64_t kStorageRetryMs = 1000;
constexpr uint64_t kPoolBusyRetryMs = 50;

using StrandExecutor = net::strand<net::io_context::executor_type>;

// Wakes a queue when its plan has new events. Runs on engine threads, so it only posts.
class Waker : public Subscriber {
 public:
  Waker(std::weak_ptr<WebhookQueue> queue, StrandExecutor strand, std::function<void(WebhookQueue&, uint64_t)> wake)
      : queue_(std::move(queue)), strand_(std::move(strand)), wake_(std::move(wake)) {}
  void on_snapshot(uint64_t, std::shared_ptr<const std::string>) override {}
  void on_events(const std::vector<EventPtr>& events) override {
    if (events.empty()) return;
    // The queue is locked on its strand, not here: its last owner must not be an engine thread.
    net::post(strand_, [queue = queue_, wake = wake_, revision = events.back()->revision] {
      if (auto q = queue.lock()) wake(*q, revision);
    });
  }

 private:
  std::weak_ptr<WebhookQueue> queue_;
  StrandExecutor strand_;
  std::function<void(WebhookQueue&, uint64_t)> wake_;
};

double jitter_unit() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

}  // namespace

struct WebhookQueue::Strand {
  explicit Strand(net::io_context& ioc) : strand(net::make_strand(ioc)), timer(strand) {}
  StrandExecutor strand;
  net::steady_timer timer;
};

template <class F>
void WebhookQueue::on_strand(F f) {
  net::post(strand_->strand, std::move(f));
}

WebhookQueue::WebhookQueue(QueueContext& context, WebhookRecord record, TargetUrl url, uint64_t cursor)
    : ctx_(context),
      id_(record.id),
      url_(std::move(url)),
      strand_(std::make_unique<Strand>(context.ioc)),
      record_(std::move(record)),
      cursor_(cursor),
      read_to_(cursor) {
  known_revision_.store(cursor);
}

WebhookQueue::~WebhookQueue() = default;

Status WebhookQueue::start() {
  const std::string plan = record_.plan;
  // From the plan's current revision: the log itself is read from the cursor by read_batch().
  const uint64_t now = ctx_.engine.revision(plan);
  auto waker = std::make_shared<Waker>(weak_from_this(), strand_->strand, [](WebhookQueue& q, uint64_t revision) {
    if (revision > q.known_revision_.load()) q.known_revision_.store(revision);
    q.pump();
  });
  auto sub = ctx_.engine.subscribe(plan, now, waker);
  if (!sub.ok()) return sub.error();
  subscription_ = std::move(*sub);
  notify(now);
  return {};
}

void WebhookQueue::stop() {
  if (stopped_.exchange(true)) return;
  if (subscription_) subscription_->cancel();
  on_strand([self = shared_from_this()] { self->strand_->timer.cancel(); });
}

void WebhookQueue::notify(uint64_t revision) {
  on_strand([self = shared_from_this(), revision] {
    if (revision > self->known_revision_.load()) self->known_revision_.store(revision);
    self->pump();
  });
}

void WebhookQueue::enable(WebhookRecord record) {
  on_strand([self = shared_from_this(), record = std::move(record)]() mutable {
    {
      std::lock_guard lock(self->status_mutex_);
      self->record_ = std::move(record);
      self->failing_since_ms_ = 0;
    }
    self->attempt_ = 1;
    self->pump();
  });
}

QueueStatus WebhookQueue::status() const {
  std::lock_guard lock(status_mutex_);
  QueueStatus s;
  s.record = record_;
  s.cursor = cursor_;
  s.known_revision = std::max(known_revision_.load(), cursor_);
  s.failing_since_ms = failing_since_ms_;
  return s;
}

void WebhookQueue::pump() {
  if (stopped_.load() || busy_) return;
  {
    std::lock_guard lock(status_mutex_);
    if (record_.disabled) return;
  }
  if (!pending_.empty()) return deliver_front();
  if (read_to_ < known_revision_.load()) return read_batch();
}

void WebhookQueue::run_on_work_pool(std::function<void()> job) {
  if (ctx_.work.submit(job)) return;
  // The pool is full of reads: try again shortly rather than drop what must happen.
  strand_->timer.expires_after(std::chrono::milliseconds(kPoolBusyRetryMs));
  strand_->timer.async_wait(net::bind_executor(strand_->strand, [self = shared_from_this(), job](boost::system::error_code ec) {
    if (ec || self->stopped_.load()) {
      self->busy_ = false;
      return;
    }
    self->run_on_work_pool(job);
  }));
}

void WebhookQueue::read_batch() {
  busy_ = true;
  run_on_work_pool([self = shared_from_this(), plan = status().record.plan, from = read_to_] {
    auto events = self->ctx_.engine.events(plan, from, kBatch);
    if (!events.ok()) {
      log::error("webhooks: " + self->id_ + ": cannot read events of " + plan + ": " + events.error().message());
    }
    self->on_strand([self, events = events.ok() ? std::move(*events) : std::vector<EventPtr>{}]() mutable {
      self->on_batch(std::move(events));
    });
  });
}

void WebhookQueue::on_batch(std::vector<EventPtr> events) {
  busy_ = false;
  if (events.empty()) return retry_later(kStorageRetryMs);
  for (auto& e : events) pending_.push_back(std::move(e));
  read_to_ = pending_.back()->revision;
  pump();
}

void WebhookQueue::deliver_front() {
  const WebhookRecord record = status().record;
  uint64_t skipped_to = 0;
  while (!pending_.empty() && !record.wants(pending_.front()->type)) {
    skipped_to = pending_.front()->revision;
    pending_.pop_front();
  }
  if (pending_.empty()) {
    // Only events this webhook does not want: remember that they are handled.
    if (skipped_to) save_cursor_then_pump(skipped_to);
    return;
  }
  busy_ = true;
  EventPtr event = pending_.front();
  // The same id for every attempt of this event at this webhook, across restarts too.
  std::string delivery = id_ + "-" + std::to_string(event->revision);
  PostRequest request;
  request.url = url_;
  request.body = R"({"plan":)" + nlohmann::json(event->plan).dump() + R"(,"event":)" +
                 (event->json.empty() ? event->to_json().dump() : event->json) + "}";
  request.headers = {{"X-Kartiba-Event", event->type},
                     {"X-Kartiba-Delivery", delivery},
                     {"X-Kartiba-Attempt", std::to_string(attempt_)},
                     {"X-Kartiba-Signature", signature_header(record.secret, request.body)}};
  const int64_t started = now_ms();
  ctx_.poster.post(std::move(request), [self = shared_from_this(), event, delivery, started](PostResult result) {
    self->on_strand([self, event, delivery, started, result = std::move(result)]() mutable {
      self->on_result(event, delivery, started, std::move(result));
    });
  });
}

void WebhookQueue::on_result(EventPtr event, std::string delivery, int64_t started_ms, PostResult result) {
  DeliveryAttempt a;
  a.at_ms = started_ms;
  a.revision = event->revision;
  a.event_type = event->type;
  a.delivery = delivery;
  a.attempt = attempt_;
  a.status = result.status;
  a.error = result.error;
  a.duration_ms = result.duration_ms;
  log_.add(std::move(a));
  busy_ = false;
  if (stopped_.load()) return;
  if (result.ok()) {
    ctx_.counters.deliveries_ok.fetch_add(1);
    {
      std::lock_guard lock(status_mutex_);
      failing_since_ms_ = 0;
    }
    attempt_ = 1;
    if (!pending_.empty() && pending_.front() == event) pending_.pop_front();
    return save_cursor_then_pump(event->revision);
  }
  ctx_.counters.deliveries_failed.fetch_add(1);
  const std::string what = result.error.empty() ? "HTTP " + std::to_string(result.status) : result.error;
  log::debug("webhooks: " + id_ + " revision " + std::to_string(event->revision) + " attempt " +
             std::to_string(attempt_) + " failed: " + what);
  const int64_t now = now_ms();
  int64_t since = 0;
  {
    std::lock_guard lock(status_mutex_);
    if (failing_since_ms_ == 0) failing_since_ms_ = started_ms;
    since = failing_since_ms_;
  }
  if (now - since >= static_cast<int64_t>(ctx_.options.disable_after_s * 1000)) {
    return disable("failing since " + format_rfc3339_ms(since) + "; last: " + what);
  }
  const uint64_t delay = retry_delay_ms(attempt_, ctx_.options.retry_base_ms, ctx_.options.retry_max_ms, jitter_unit());
  ++attempt_;
  retry_later(delay);
}

void WebhookQueue::save_cursor_then_pump(uint64_t revision) {
  busy_ = true;
  run_on_work_pool([self = shared_from_this(), revision] {
    // A removed webhook must not leave a cursor behind; a stopping server redelivers instead.
    Status st = self->stopped_.load() ? Status{} : save_cursor(self->ctx_.engine, self->id_, revision);
    self->on_strand([self, revision, ok = st.ok()] {
      self->busy_ = false;
      if (!ok) {
        log::error("webhooks: " + self->id_ + ": cannot store the cursor; trying again");
        return self->retry_later(kStorageRetryMs);
      }
      {
        std::lock_guard lock(self->status_mutex_);
        self->cursor_ = std::max(self->cursor_, revision);
      }
      self->pump();
    });
  });
}

void WebhookQueue::disable(std::string reason) {
  WebhookRecord copy;
  {
    std::lock_guard lock(status_mutex_);
    record_.disabled = true;
    record_.disabled_at_ms = now_ms();
    record_.disabled_reason = std::move(reason);
    copy = record_;
  }
  ctx_.counters.disabled_total.fetch_add(1);
  log::warn("webhooks: " + id_ + " (" + copy.plan + ") disabled: " + copy.disabled_reason);
  attempt_ = 1;
  busy_ = true;
  run_on_work_pool([self = shared_from_this(), copy] {
    if (!self->stopped_.load()) {
      if (Status st = save_record(self->ctx_.engine, copy); !st.ok()) {
        log::error("webhooks: " + self->id_ + ": cannot store that it is disabled: " + st.error().message());
      }
    }
    self->on_strand([self] {
      self->busy_ = false;
      self->pump();  // enabled again meanwhile?
    });
  });
}

void WebhookQueue::retry_later(uint64_t delay_ms) {
  busy_ = true;
  strand_->timer.expires_after(std::chrono::milliseconds(delay_ms));
  strand_->timer.async_wait(net::bind_executor(strand_->strand, [self = shared_from_this()](boost::system::error_code ec) {
    self->busy_ = false;
    if (ec) return;
    self->pump();
  }));
}

}  // namespace kartiba::server::webhooks
