#include "tokens.h"

#include <algorithm>
#include <regex>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "kartiba/engine.h"
#include "time_util.h"

namespace kartiba::server {
namespace {

constexpr std::string_view kMetaPrefix = "token/";

std::string to_hex(const unsigned char* data, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = digits[data[i] >> 4];
    out[2 * i + 1] = digits[data[i] & 0xF];
  }
  return out;
}

bool valid_plan_id(const std::string& id) {
  static const std::regex re("[a-z0-9][a-z0-9-]{0,63}");
  return std::regex_match(id, re);
}

// A single-line display name: 1–200 code points, no control characters.
bool valid_name(const std::string& name) {
  if (name.empty()) return false;
  size_t code_points = 0;
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) return false;
    if ((c & 0xC0) != 0x80) ++code_points;
  }
  return code_points <= 200;
}

PrincipalPtr principal_from(const nlohmann::json& rec) {
  auto p = std::make_shared<Principal>();
  p->id = rec.value("id", "");
  p->name = rec.value("name", "");
  p->role = parse_role(rec.value("role", "viewer")).value_or(Role::viewer);
  if (rec.contains("plans") && rec["plans"].is_array()) {
    for (const auto& plan : rec["plans"]) {
      if (plan.is_string()) p->plans.push_back(plan.get<std::string>());
    }
  }
  return p;
}

}  // namespace

std::string_view to_string(Role role) {
  switch (role) {
    case Role::admin: return "admin";
    case Role::organiser: return "organiser";
    case Role::viewer: return "viewer";
  }
  return "viewer";
}

std::optional<Role> parse_role(std::string_view text) {
  if (text == "admin") return Role::admin;
  if (text == "organiser") return Role::organiser;
  if (text == "viewer") return Role::viewer;
  return std::nullopt;
}

bool Principal::may_read(std::string_view plan) const {
  return is_admin() || std::find(plans.begin(), plans.end(), plan) != plans.end();
}

bool Principal::may_write(std::string_view plan) const {
  return is_admin() || (role == Role::organiser && may_read(plan));
}

std::string sha256_hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), digest, &len, EVP_sha256(), nullptr);
  return to_hex(digest, len);
}

std::string random_hex(size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed");  // no entropy: nothing safe to do
  }
  return to_hex(buf.data(), buf.size());
}

TokenStore::TokenStore(Engine& engine) : engine_(engine) {}

Status TokenStore::load() {
  auto records = engine_.list_meta(std::string(kMetaPrefix));
  std::lock_guard lock(mutex_);
  for (auto& [key, value] : records) {
    nlohmann::json rec = nlohmann::json::parse(value, nullptr, false);
    if (rec.is_discarded() || !rec.is_object() || !rec.contains("hash") || !rec.contains("id")) {
      return Error::invalid("corrupt token record " + key);
    }
    Record r;
    r.hash = rec.value("hash", "");
    r.revoked = rec.contains("revoked") && !rec["revoked"].is_null();
    r.principal = principal_from(rec);
    r.json = std::move(rec);
    if (!r.revoked) by_hash_[r.hash] = r.principal;
    by_id_[r.principal->id] = std::move(r);
  }
  return Status::ok_status();
}

void TokenStore::add_bootstrap_admin(std::string_view token, std::string name) {
  auto p = std::make_shared<Principal>();
  p->id = "admin";
  p->name = std::move(name);
  p->role = Role::admin;
  std::lock_guard lock(mutex_);
  by_hash_[sha256_hex(token)] = std::move(p);
}

PrincipalPtr TokenStore::authenticate(std::string_view token) const {
  if (token.empty()) return nullptr;
  const std::string hash = sha256_hex(token);
  std::lock_guard lock(mutex_);
  auto it = by_hash_.find(hash);
  return it == by_hash_.end() ? nullptr : it->second;
}

bool TokenStore::is_active(const std::string& id) const {
  std::lock_guard lock(mutex_);
  if (id == "admin") return true;
  auto it = by_id_.find(id);
  return it != by_id_.end() && !it->second.revoked;
}

Result<TokenStore::Issued> TokenStore::issue(const nlohmann::json& request) {
  for (auto it = request.begin(); it != request.end(); ++it) {
    if (it.key() != "role" && it.key() != "plans" && it.key() != "name") {
      return Error::invalid("unknown field", "/" + it.key());
    }
  }
  if (!request.contains("role") || !request["role"].is_string()) {
    return Error::invalid("role must be admin, organiser or viewer", "/role");
  }
  const auto role = parse_role(request["role"].get<std::string>());
  if (!role) return Error::invalid("role must be admin, organiser or viewer", "/role");
  std::vector<std::string> plans;
  if (request.contains("plans")) {
    if (!request["plans"].is_array()) return Error::invalid("plans must be an array of plan ids", "/plans");
    for (size_t i = 0; i < request["plans"].size(); ++i) {
      const auto& plan = request["plans"][i];
      if (!plan.is_string() || !valid_plan_id(plan.get<std::string>())) {
        return Error::invalid("not a plan id", "/plans/" + std::to_string(i));
      }
      plans.push_back(plan.get<std::string>());
    }
  }
  if (*role != Role::admin && plans.empty()) {
    return Error::invalid("an organiser or viewer token must name at least one plan", "/plans");
  }
  if (!request.contains("name") || !request["name"].is_string() ||
      !valid_name(request["name"].get<std::string>())) {
    return Error::invalid("name must be 1–200 characters on one line", "/name");
  }

  Issued issued{random_hex(32), random_hex(8)};
  nlohmann::json rec = {{"id", issued.id},
                        {"hash", sha256_hex(issued.token)},
                        {"role", std::string(to_string(*role))},
                        {"plans", plans},
                        {"name", request["name"]},
                        {"created", format_rfc3339_ms(now_ms())},
                        {"revoked", nullptr}};
  std::lock_guard write_lock(write_mutex_);
  if (Status st = engine_.put_meta(std::string(kMetaPrefix) + issued.id, rec.dump()); !st.ok()) {
    return st.error();
  }
  Record r;
  r.hash = rec["hash"].get<std::string>();
  r.principal = principal_from(rec);
  r.json = std::move(rec);
  std::lock_guard lock(mutex_);
  by_hash_[r.hash] = r.principal;
  by_id_[issued.id] = std::move(r);
  return issued;
}

Status TokenStore::revoke(const std::string& id) {
  std::lock_guard write_lock(write_mutex_);
  nlohmann::json rec;
  {
    std::lock_guard lock(mutex_);
    auto it = by_id_.find(id);
    if (it == by_id_.end() || it->second.revoked) return Error::not_found("no such token", "");
    rec = it->second.json;
  }
  rec["revoked"] = format_rfc3339_ms(now_ms());
  // Stop accepting the token before the write: a revoke must take effect at once, and if the
  // write fails the token stays revoked in memory until restart (fail closed).
  {
    std::lock_guard lock(mutex_);
    auto& r = by_id_[id];
    by_hash_.erase(r.hash);
    r.revoked = true;
  }
  if (Status st = engine_.put_meta(std::string(kMetaPrefix) + id, rec.dump()); !st.ok()) return st;
  std::lock_guard lock(mutex_);
  by_id_[id].json = std::move(rec);
  return Status::ok_status();
}

nlohmann::json TokenStore::list() const {
  nlohmann::json out = nlohmann::json::array();
  std::lock_guard lock(mutex_);
  for (const auto& [id, r] : by_id_) {
    nlohmann::json item = r.json;
    item.erase("hash");
    out.push_back(std::move(item));
  }
  std::sort(out.begin(), out.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
    return std::make_pair(a.value("created", ""), a.value("id", "")) <
           std::make_pair(b.value("created", ""), b.value("id", ""));
  });
  return out;
}

}  // namespace kartiba::server
