#include "webhooks/webhook_record.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "kartiba/engine.h"
#include "log.h"
#include "url.h"

namespace kartiba::server::webhooks {
namespace {

const std::string kRecordPrefix = "webhook/";
const std::string kCursorPrefix = "webhook-cursor/";

}  // namespace

bool WebhookRecord::wants(const std::string& type) const {
  return events.empty() || std::find(events.begin(), events.end(), type) != events.end();
}

std::string WebhookRecord::to_json() const {
  nlohmann::json j = {{"id", id},
                      {"plan", plan},
                      {"url", url},
                      {"events", events},
                      {"secret", secret},
                      {"created_at_ms", created_at_ms},
                      {"created_by", created_by},
                      {"disabled", disabled},
                      {"disabled_at_ms", disabled_at_ms},
                      {"disabled_reason", disabled_reason}};
  return j.dump();
}

std::optional<WebhookRecord> WebhookRecord::from_json(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  try {
    WebhookRecord r;
    r.id = j.at("id").get<std::string>();
    r.plan = j.at("plan").get<std::string>();
    r.url = j.at("url").get<std::string>();
    r.events = j.value("events", std::vector<std::string>{});
    r.secret = j.at("secret").get<std::string>();
    r.created_at_ms = j.value("created_at_ms", int64_t{0});
    r.created_by = j.value("created_by", "");
    r.disabled = j.value("disabled", false);
    r.disabled_at_ms = j.value("disabled_at_ms", int64_t{0});
    r.disabled_reason = j.value("disabled_reason", "");
    return r;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

Status save_record(Engine& engine, const WebhookRecord& record) {
  return engine.put_meta(kRecordPrefix + record.id, record.to_json());
}

Status erase_record(Engine& engine, const std::string& id) {
  // The record first: a crash in between leaves a cursor without a record, which load_records
  // removes, never a record that would start again from the beginning.
  if (Status st = engine.delete_meta(kRecordPrefix + id); !st.ok()) return st;
  return engine.delete_meta(kCursorPrefix + id);
}

std::vector<WebhookRecord> load_records(Engine& engine) {
  std::vector<WebhookRecord> out;
  for (const auto& [key, value] : engine.list_meta(kRecordPrefix)) {
    auto r = WebhookRecord::from_json(value);
    if (!r) {
      log::error("webhooks: cannot read the record " + log::quote(key) + "; skipped");
      continue;
    }
    out.push_back(std::move(*r));
  }
  for (const auto& [key, value] : engine.list_meta(kCursorPrefix)) {
    const std::string id = key.substr(kCursorPrefix.size());
    const bool orphan = std::none_of(out.begin(), out.end(), [&id](const WebhookRecord& r) { return r.id == id; });
    if (orphan) (void)engine.delete_meta(key);  // a cursor written after its webhook was removed
  }
  return out;
}

std::optional<uint64_t> load_cursor(Engine& engine, const std::string& id) {
  auto v = engine.get_meta(kCursorPrefix + id);
  if (!v) return std::nullopt;
  return parse_uint(*v);
}

Status save_cursor(Engine& engine, const std::string& id, uint64_t revision) {
  return engine.put_meta(kCursorPrefix + id, std::to_string(revision));
}

}  // namespace kartiba::server::webhooks
