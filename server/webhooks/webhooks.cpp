#include "webhooks/webhooks.h"

#include <nlohmann/json.hpp>

#include "kartiba/engine.h"
#include "log.h"
#include "time_util.h"
#include "tokens.h"
#include "webhooks/event_names.h"
#include "webhooks/poster.h"
#include "webhooks/target_check.h"
#include "webhooks/target_url.h"
#include "webhooks/webhook_queue.h"

namespace kartiba::server::webhooks {
namespace {

constexpr size_t kMaxWebhooksPerPlan = 32;

nlohmann::json entry_json(const QueueStatus& s) {
  const auto& r = s.record;
  nlohmann::json j = {{"id", r.id},
                      {"url", r.url},
                      {"events", r.events.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.events)},
                      {"created_at", format_rfc3339_ms(r.created_at_ms)},
                      {"created_by", r.created_by},
                      {"cursor", s.cursor},
                      {"pending", s.known_revision > s.cursor ? s.known_revision - s.cursor : 0},
                      {"disabled", r.disabled}};
  if (r.disabled) {
    j["disabled_at"] = format_rfc3339_ms(r.disabled_at_ms);
    j["disabled_reason"] = r.disabled_reason;
  }
  if (s.failing_since_ms) j["failing_since"] = format_rfc3339_ms(s.failing_since_ms);
  return j;
}

}  // namespace

Webhooks::Webhooks(Engine& engine, WorkPool& work, boost::asio::io_context& ioc, WebhookOptions options)
    : engine_(engine),
      options_(std::move(options)),
      poster_(std::make_unique<Poster>(ioc, options_)),
      context_(std::make_unique<QueueContext>(QueueContext{engine, work, *poster_, options_, counters_, ioc})) {}

Webhooks::~Webhooks() { stop(); }

Status Webhooks::start() {
  for (auto& record : load_records(engine_)) {
    auto url = parse_target_url(record.url);
    if (!url.ok()) {
      log::error("webhooks: " + record.id + ": stored url no longer parses; skipped");
      continue;
    }
    if (!engine_.has_plan(record.plan)) {
      log::warn("webhooks: " + record.id + ": plan " + record.plan + " is gone; skipped");
      continue;
    }
    // No cursor yet (a crash right after registration): from the revision it was made at.
    const uint64_t cursor = load_cursor(engine_, record.id).value_or(engine_.revision(record.plan));
    const std::string id = record.id;
    auto queue = std::make_shared<WebhookQueue>(*context_, std::move(record), std::move(*url), cursor);
    if (Status st = queue->start(); !st.ok()) {
      log::error("webhooks: " + id + ": cannot subscribe to " + queue->status().record.plan + ": " +
                 st.error().message() + "; not delivering");
      continue;
    }
    std::lock_guard lock(mutex_);
    queues_[id] = std::move(queue);
  }
  std::lock_guard lock(mutex_);
  log::info("webhooks: " + std::to_string(queues_.size()) + " loaded" +
            (options_.allow_private ? " (private targets allowed)" : ""));
  return {};
}

void Webhooks::stop() {
  std::map<std::string, std::shared_ptr<WebhookQueue>> queues;
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    queues = queues_;
  }
  for (auto& [id, q] : queues) q->stop();
}

Result<Webhooks::Created> Webhooks::create(const std::string& plan, const nlohmann::json& request,
                                           const std::string& actor) {
  for (const auto& [key, value] : request.items()) {
    if (key != "url" && key != "events") return Error::invalid("unknown field " + key, "/" + key);
  }
  auto url_field = request.find("url");
  if (url_field == request.end() || !url_field->is_string()) return Error::invalid("url must be a string", "/url");
  auto url = parse_target_url(url_field->get<std::string>());
  if (!url.ok()) return url.error();
  WebhookRecord record;
  if (auto events = request.find("events"); events != request.end() && !events->is_null()) {
    if (!events->is_array()) return Error::invalid("events must be a list of event types", "/events");
    for (size_t i = 0; i < events->size(); ++i) {
      const auto& e = (*events)[i];
      const std::string path = "/events/" + std::to_string(i);
      if (!e.is_string()) return Error::invalid("an event type is a string", path);
      const std::string type = e.get<std::string>();
      if (!is_known_event_type(type)) return Error::invalid("unknown event type " + type, path);
      if (std::find(record.events.begin(), record.events.end(), type) == record.events.end()) {
        record.events.push_back(type);
      }
    }
    if (record.events.empty()) return Error::invalid("events must name at least one type (omit it for all)", "/events");
  }
  if (Status st = check_target_addresses(*url, options_.allow_private); !st.ok()) return st.error();

  std::lock_guard writing(write_mutex_);
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return Error::unavailable("the server is stopping");
    size_t on_plan = 0;
    for (const auto& [id, q] : queues_) on_plan += q->status().record.plan == plan ? 1 : 0;
    if (on_plan >= kMaxWebhooksPerPlan) {
      return Error::conflict("a plan has at most " + std::to_string(kMaxWebhooksPerPlan) + " webhooks");
    }
  }
  if (!engine_.has_plan(plan)) return Error::not_found("no such plan: " + plan);
  record.id = "wh-" + random_hex(8);
  record.plan = plan;
  record.url = url_field->get<std::string>();
  record.secret = random_hex(32);
  record.created_at_ms = now_ms();
  record.created_by = actor;
  // From the plan's revision now on: the cursor first, so the record never exists without it.
  const uint64_t from = engine_.revision(plan);
  if (Status st = save_cursor(engine_, record.id, from); !st.ok()) return st.error();
  if (Status st = save_record(engine_, record); !st.ok()) return st.error();
  Created created{record.id, record.secret};
  auto queue = std::make_shared<WebhookQueue>(*context_, std::move(record), std::move(*url), from);
  if (Status st = queue->start(); !st.ok()) {
    (void)erase_record(engine_, created.id);
    return st.error();
  }
  std::lock_guard lock(mutex_);
  queues_[created.id] = std::move(queue);
  return created;
}

std::shared_ptr<WebhookQueue> Webhooks::find(const std::string& plan, const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto it = queues_.find(id);
  if (it == queues_.end() || it->second->status().record.plan != plan) return nullptr;
  return it->second;
}

Status Webhooks::remove(const std::string& plan, const std::string& id) {
  std::lock_guard writing(write_mutex_);
  auto queue = find(plan, id);
  if (!queue) return Error::not_found("no webhook " + id + " on plan " + plan);
  queue->stop();
  if (Status st = erase_record(engine_, id); !st.ok()) return st;
  std::lock_guard lock(mutex_);
  queues_.erase(id);
  return {};
}

Result<std::string> Webhooks::enable(const std::string& plan, const std::string& id) {
  std::lock_guard writing(write_mutex_);
  auto queue = find(plan, id);
  if (!queue) return Error::not_found("no webhook " + id + " on plan " + plan);
  WebhookRecord record = queue->status().record;
  if (record.disabled) {
    record.disabled = false;
    record.disabled_at_ms = 0;
    record.disabled_reason.clear();
    if (Status st = save_record(engine_, record); !st.ok()) return st.error();
    queue->enable(record);
  }
  QueueStatus s = queue->status();
  s.record = record;
  s.failing_since_ms = 0;
  return entry_json(s).dump();
}

std::string Webhooks::list_json(const std::string& plan) const {
  nlohmann::json list = nlohmann::json::array();
  std::lock_guard lock(mutex_);
  for (const auto& [id, q] : queues_) {
    QueueStatus s = q->status();
    if (s.record.plan != plan) continue;
    nlohmann::json j = entry_json(s);
    if (auto last = q->deliveries().last()) {
      j["last_attempt"] = {{"at", format_rfc3339_ms(last->at_ms)},
                           {"revision", last->revision},
                           {"status", last->status == 0 ? nlohmann::json(nullptr) : nlohmann::json(last->status)}};
      if (!last->error.empty()) j["last_attempt"]["error"] = last->error;
    }
    list.push_back(std::move(j));
  }
  return nlohmann::json{{"webhooks", std::move(list)}}.dump();
}

Result<std::string> Webhooks::deliveries_json(const std::string& plan, const std::string& id, size_t limit) const {
  auto queue = find(plan, id);
  if (!queue) return Error::not_found("no webhook " + id + " on plan " + plan);
  return queue->deliveries().to_json(limit);
}

std::string Webhooks::render_metrics() const {
  uint64_t depth = 0, active = 0, disabled = 0;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, q] : queues_) {
      QueueStatus s = q->status();
      if (s.known_revision > s.cursor) depth += s.known_revision - s.cursor;
      (s.record.disabled ? disabled : active) += 1;
    }
  }
  std::string out;
  out += "# HELP kartiba_webhook_deliveries_total Webhook delivery attempts by result (each retry counts).\n";
  out += "# TYPE kartiba_webhook_deliveries_total counter\n";
  out += "kartiba_webhook_deliveries_total{result=\"ok\"} " + std::to_string(counters_.deliveries_ok.load()) + "\n";
  out += "kartiba_webhook_deliveries_total{result=\"failed\"} " + std::to_string(counters_.deliveries_failed.load()) + "\n";
  out += "# HELP kartiba_webhook_queue_depth Events in the plans' logs after the webhooks' cursors, summed.\n";
  out += "# TYPE kartiba_webhook_queue_depth gauge\n";
  out += "kartiba_webhook_queue_depth " + std::to_string(depth) + "\n";
  out += "# HELP kartiba_webhooks Registered webhooks by state.\n";
  out += "# TYPE kartiba_webhooks gauge\n";
  out += "kartiba_webhooks{state=\"active\"} " + std::to_string(active) + "\n";
  out += "kartiba_webhooks{state=\"disabled\"} " + std::to_string(disabled) + "\n";
  out += "# HELP kartiba_webhooks_disabled_total Webhooks disabled after failing for --webhooks-disable-after.\n";
  out += "# TYPE kartiba_webhooks_disabled_total counter\n";
  out += "kartiba_webhooks_disabled_total " + std::to_string(counters_.disabled_total.load()) + "\n";
  return out;
}

}  // namespace kartiba::server::webhooks
