// A registered webhook as stored in the engine's meta store, and its cursor.
//
// Keys: "webhook/<id>" → the record as JSON; "webhook-cursor/<id>" → the last revision of the
// plan handled (delivered with a 2xx, or skipped because the type does not match), in decimal.
// The cursor only moves forward after a delivery succeeded, so after a crash delivery resumes
// from it and repeats at most the event in flight (at least once).
//
// Thread-safety: plain value type; the store functions block (synced writes): call them from
// a work thread or at start, never from a network thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kartiba/error.h"

namespace kartiba {
class Engine;
}

namespace kartiba::server::webhooks {

struct WebhookRecord {
  std::string id;
  std::string plan;
  std::string url;
  std::vector<std::string> events;  // empty = every event type
  std::string secret;
  int64_t created_at_ms = 0;
  std::string created_by;
  bool disabled = false;
  int64_t disabled_at_ms = 0;
  std::string disabled_reason;

  bool wants(const std::string& type) const;
  std::string to_json() const;  // the stored form, secret included
  static std::optional<WebhookRecord> from_json(const std::string& text);
};

Status save_record(Engine& engine, const WebhookRecord& record);
// Removes the record and its cursor.
Status erase_record(Engine& engine, const std::string& id);
// Every stored record; records that do not parse are logged and skipped.
std::vector<WebhookRecord> load_records(Engine& engine);

std::optional<uint64_t> load_cursor(Engine& engine, const std::string& id);
Status save_cursor(Engine& engine, const std::string& id, uint64_t revision);

}  // namespace kartiba::server::webhooks
