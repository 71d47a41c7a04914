// kartiba::server::webhooks::Webhooks — every registered webhook and its queue (docs/WEBHOOKS.md).
//
// Owns one WebhookQueue per webhook, the Poster they share and the counters. The records and
// cursors live in the engine's meta store (webhook_record.h); start() loads them and resumes
// each queue from its cursor.
//
// Thread-safety: every method may be called from any thread. Those marked "blocking" read or
// write the store (synced) or resolve names: call them from a work thread or at start.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "kartiba/error.h"
#include "webhooks/counters.h"
#include "webhooks/webhook_options.h"

namespace boost::asio {
class io_context;
}

namespace kartiba {
class Engine;
}

namespace kartiba::server {
class WorkPool;
}

namespace kartiba::server::webhooks {

class Poster;
class WebhookQueue;
struct QueueContext;

class Webhooks {
 public:
  Webhooks(Engine& engine, WorkPool& work, boost::asio::io_context& ioc, WebhookOptions options);
  ~Webhooks();
  Webhooks(const Webhooks&) = delete;
  Webhooks& operator=(const Webhooks&) = delete;

  // Loads every webhook and starts its queue. Blocking; once, before serving.
  Status start();
  // Stops every queue: no delivery starts afterwards. Call before the engine shuts down.
  void stop();

  struct Created {
    std::string id;
    std::string secret;
  };
  // Validates {"url","events"} and registers a webhook on `plan` from its current revision on.
  // Blocking.
  Result<Created> create(const std::string& plan, const nlohmann::json& request, const std::string& actor);
  // Blocking. not_found unless the webhook exists on `plan`.
  Status remove(const std::string& plan, const std::string& id);
  // Clears `disabled`; delivery resumes from the cursor. Blocking. The webhook's entry.
  Result<std::string> enable(const std::string& plan, const std::string& id);
  // {"webhooks":[…]} without secrets.
  std::string list_json(const std::string& plan) const;
  // {"deliveries":[…]}, newest first.
  Result<std::string> deliveries_json(const std::string& plan, const std::string& id, size_t limit) const;

  // Prometheus text: deliveries ok/failed, queue depth, webhooks by state.
  std::string render_metrics() const;

  const WebhookOptions& options() const { return options_; }

 private:
  std::shared_ptr<WebhookQueue> find(const std::string& plan, const std::string& id) const;

  Engine& engine_;
  const WebhookOptions options_;
  Counters counters_;
  std::unique_ptr<Poster> poster_;
  std::unique_ptr<QueueContext> context_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<WebhookQueue>> queues_;  // GUARDED_BY(mutex_): by id
  std::mutex write_mutex_;  // serialises create/remove/enable so store and memory agree
  bool stopped_ = false;    // GUARDED_BY(mutex_)
};

}  // namespace kartiba::server::webhooks
