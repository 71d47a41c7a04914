// kartiba::server::LinkStore — public links of a plan (docs/PROTOCOL.md, "Links"): a secret URL
// that works without a token, read-only. A `calendar` link serves the plan's agenda.ics; a
// `dashboard` link opens the live dashboard without contact data.
//
// Like tokens (tokens.h): the secret is shown once, only its SHA-256 hash is kept, durably in
// the engine's meta store under "link/<id>" and in memory in an index by hash. A revoked link
// stays listed (with `revoked` set) and answers 404 at once.
//
// Live viewers of dashboard links are counted here, per link and over all links, and capped
// (--link-viewers-per-link, --link-viewers-max).
//
// Thread-safety: every method may be called from any thread. create() and revoke() write to
// disk (synced): call them from a work thread.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json_fwd.hpp>

#include "kartiba/error.h"

namespace kartiba {
class Engine;
}

namespace kartiba::server {

struct Link {
  std::string id;
  std::string plan;
  std::string kind;  // "calendar" | "dashboard"
  std::string name;
};

class LinkStore {
 public:
  LinkStore(Engine& engine, size_t max_viewers, size_t max_viewers_per_link);
  LinkStore(const LinkStore&) = delete;
  LinkStore& operator=(const LinkStore&) = delete;

  // Loads every stored link record. Call once before serving.
  Status load();

  struct Created {
    std::string id;
    std::string secret;
    std::string kind;
  };
  // Validates {"kind","name","participant"} and stores a new link of `plan`. Blocking.
  Result<Created> create(const std::string& plan, const nlohmann::json& request, const std::string& actor);
  // Revokes the plan's link at once. Blocking. not_found when no such live link.
  Status revoke(const std::string& plan, const std::string& id);
  // The plan's links without their hashes, oldest first, as a JSON array.
  std::string list(const std::string& plan) const;
  // The live link of this secret.
  std::optional<Link> find(std::string_view secret) const;
  bool is_active(const std::string& id) const;

  // A viewer of a dashboard link arrives: false when a cap is reached.
  bool admit(const std::string& id);
  void release(const std::string& id);
  size_t viewers() const;

 private:
  struct Record;
  Engine& engine_;
  const size_t max_viewers_;
  const size_t max_viewers_per_link_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::string> by_hash_;           // GUARDED_BY(mutex_): live: hash → id
  std::unordered_map<std::string, std::shared_ptr<Record>> by_id_;  // GUARDED_BY(mutex_): all records
  std::unordered_map<std::string, size_t> viewers_;                // GUARDED_BY(mutex_): per link
  size_t total_viewers_ = 0;                                       // GUARDED_BY(mutex_)
  std::mutex write_mutex_;  // serialises create/revoke so disk and memory agree
};

// The hub's id for a link's live viewers (revoke_token closes them); never a token id.
inline std::string link_peer_id(const std::string& id) { return "link:" + id; }

// The view with only what anyone may see: the plan's public keys (an allow-list, so a key a
// later version adds stays out until it is added here) and each person's public fields.
std::string public_view(const std::string& view_json);

// True for the event types a public viewer may receive as they are.
bool public_event_type(std::string_view type);

}  // namespace kartiba::server
