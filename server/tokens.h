// kartiba::server::TokenStore — the auth store: who holds which token, with which role, on
// which plans.
//
// Tokens are random 256-bit strings shown once when issued; only their SHA-256 hash is kept,
// durably in the engine's meta store under "token/<id>" and in memory in an index by hash.
// The bootstrap admin token (KARTIBA_ADMIN_TOKEN or DIR/admin-token) lives only in memory.
//
// Thread-safety: every method may be called from any thread. issue() and revoke() write to
// disk (synced): call them from a work thread, never a network thread.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "kartiba/error.h"

namespace kartiba {
class Engine;
}

namespace kartiba::server {

enum class Role { admin, organiser, viewer };

std::string_view to_string(Role role);
std::optional<Role> parse_role(std::string_view text);

// Who a request or session acts as. Immutable; shared by everything that holds it.
struct Principal {
  std::string id;    // the token's id ("admin" for the bootstrap token)
  std::string name;  // the actor recorded on events
  Role role = Role::viewer;
  std::vector<std::string> plans;  // the plans a non-admin token names

  bool is_admin() const { return role == Role::admin; }
  bool may_read(std::string_view plan) const;
  bool may_write(std::string_view plan) const;
};
using PrincipalPtr = std::shared_ptr<const Principal>;

// Lowercase hex SHA-256 of `text`.
std::string sha256_hex(std::string_view text);
// `bytes` random bytes from OpenSSL's CSPRNG, as lowercase hex.
std::string random_hex(size_t bytes);

class TokenStore {
 public:
  explicit TokenStore(Engine& engine);
  TokenStore(const TokenStore&) = delete;
  TokenStore& operator=(const TokenStore&) = delete;

  // Loads every stored token record. Call once before serving.
  Status load();
  // Makes `token` an admin token named `name`, kept in memory only.
  void add_bootstrap_admin(std::string_view token, std::string name);

  // The principal of a live token; null when unknown or revoked.
  PrincipalPtr authenticate(std::string_view token) const;
  // False once the token with this id is revoked (or never existed).
  bool is_active(const std::string& id) const;

  struct Issued {
    std::string token;
    std::string id;
  };
  // Validates {"role","plans","name"} and stores a new token. Blocking (synced write).
  Result<Issued> issue(const nlohmann::json& request);
  // Revokes the token at once. Blocking (synced write). not_found when no such live token.
  Status revoke(const std::string& id);
  // Every stored token record without its hash, oldest first.
  nlohmann::json list() const;

 private:
  struct Record {
    nlohmann::json json;  // the stored record
    PrincipalPtr principal;
    std::string hash;
    bool revoked = false;
  };

  Engine& engine_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, PrincipalPtr> by_hash_;  // GUARDED_BY(mutex_): live tokens
  std::unordered_map<std::string, Record> by_id_;          // GUARDED_BY(mutex_): all records
  std::mutex write_mutex_;  // serialises issue/revoke so disk and memory agree
};

}  // namespace kartiba::server
