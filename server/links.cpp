#include "links.h"

#include <algorithm>
#include <vector>

#include <nlohmann/json.hpp>

#include "kartiba/engine.h"
#include "time_util.h"
#include "tokens.h"

namespace kartiba::server {
namespace {

constexpr std::string_view kMetaPrefix = "link/";

// A single-line display name: 0–200 code points, no control characters.
bool valid_name(const std::string& name) {
  size_t code_points = 0;
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) return false;
    if ((c & 0xC0) != 0x80) ++code_points;
  }
  return code_points <= 200;
}

// The plan's keys a public viewer sees (PROTOCOL.md, "The view").
constexpr std::string_view kPublicKeys[] = {
    "id",          "title",      "timezone",   "language", "start_date",   "end_date",     "description",
    "organiser",   "place",      "priority_sdgs", "revision", "updated_at", "days",        "items",
    "venues",      "people",     "pledges",    "pledge_board", "decisions", "releases",    "conflicts",
    "sdg_coverage"};
// A person's public fields: who speaks, not how to reach them.
constexpr std::string_view kPublicPersonKeys[] = {"id", "name", "role", "organisation"};
// Event types whose data holds nothing a public viewer may not see (the view's public parts).
constexpr std::string_view kPublicEventTypes[] = {
    "PlanCreated",     "PlanUpdated",      "DaySet",           "VenueAdded",       "VenueUpdated",
    "VenueRemoved",    "PersonAdded",      "PersonUpdated",    "PersonRemoved",    "ItemScheduled",
    "ItemRescheduled", "ItemEdited",       "ItemVenueSet",     "ItemStatusSet",    "SpeakerAssigned",
    "SpeakerUnassigned", "ItemTagged",     "ItemRemoved",      "PledgeMade",       "PledgeUpdated",
    "PledgeStatusSet", "PledgeProgressReported", "DecisionRecorded", "ReleasePublished"};

template <size_t N>
bool listed(const std::string_view (&list)[N], std::string_view key) {
  return std::find(std::begin(list), std::end(list), key) != std::end(list);
}

}  // namespace

struct LinkStore::Record {
  nlohmann::json json;  // the stored record
  Link link;
  std::string hash;
  bool revoked = false;
};

LinkStore::LinkStore(Engine& engine, size_t max_viewers, size_t max_viewers_per_link)
    : engine_(engine), max_viewers_(max_viewers), max_viewers_per_link_(max_viewers_per_link) {}

Status LinkStore::load() {
  auto records = engine_.list_meta(std::string(kMetaPrefix));
  std::lock_guard lock(mutex_);
  for (auto& [key, value] : records) {
    nlohmann::json rec = nlohmann::json::parse(value, nullptr, false);
    if (rec.is_discarded() || !rec.is_object() || !rec.contains("hash") || !rec.contains("id")) {
      return Error::invalid("corrupt link record " + key);
    }
    auto r = std::make_shared<Record>();
    r->hash = rec.value("hash", "");
    r->revoked = rec.contains("revoked") && !rec["revoked"].is_null();
    r->link = Link{rec.value("id", ""), rec.value("plan", ""), rec.value("kind", ""), rec.value("name", "")};
    r->json = std::move(rec);
    if (!r->revoked) by_hash_[r->hash] = r->link.id;
    by_id_[r->link.id] = std::move(r);
  }
  return Status::ok_status();
}

Result<LinkStore::Created> LinkStore::create(const std::string& plan, const nlohmann::json& request,
                                             const std::string& actor) {
  for (auto it = request.begin(); it != request.end(); ++it) {
    if (it.key() != "kind" && it.key() != "name" && it.key() != "participant") {
      return Error::invalid("unknown field", "/" + it.key());
    }
  }
  const std::string kind = request.contains("kind") && request["kind"].is_string() ? request["kind"].get<std::string>() : "";
  if (kind != "calendar" && kind != "dashboard") return Error::invalid("kind must be calendar or dashboard", "/kind");
  std::string name;
  if (request.contains("name") && !request["name"].is_null()) {
    if (!request["name"].is_string() || !valid_name(request["name"].get<std::string>())) {
      return Error::invalid("name must be at most 200 characters on one line", "/name");
    }
    name = request["name"].get<std::string>();
  }
  if (request.contains("participant") && !request["participant"].is_null()) {
    if (kind != "calendar") return Error::invalid("participant is for calendar links only", "/participant");
    // Plans have no participants yet (people are speakers, not registrations): a participant's
    // own calendar comes with them. Refused rather than quietly serving the whole plan.
    return Error::invalid("per-participant calendar links are not supported yet: this plan has no participants",
                          "/participant");
  }
  if (!engine_.has_plan(plan)) return Error::not_found("no such plan: " + plan);

  Created created{random_hex(8), random_hex(32), kind};
  nlohmann::json rec = {{"id", created.id},
                        {"hash", sha256_hex(created.secret)},
                        {"plan", plan},
                        {"kind", kind},
                        {"name", name},
                        {"created", format_rfc3339_ms(now_ms())},
                        {"created_by", actor},
                        {"revoked", nullptr}};
  std::lock_guard write_lock(write_mutex_);
  if (Status st = engine_.put_meta(std::string(kMetaPrefix) + created.id, rec.dump()); !st.ok()) return st.error();
  auto r = std::make_shared<Record>();
  r->hash = rec["hash"].get<std::string>();
  r->link = Link{created.id, plan, kind, name};
  r->json = std::move(rec);
  std::lock_guard lock(mutex_);
  by_hash_[r->hash] = created.id;
  by_id_[created.id] = std::move(r);
  return created;
}

Status LinkStore::revoke(const std::string& plan, const std::string& id) {
  std::lock_guard write_lock(write_mutex_);
  nlohmann::json rec;
  {
    std::lock_guard lock(mutex_);
    auto it = by_id_.find(id);
    if (it == by_id_.end() || it->second->revoked || it->second->link.plan != plan) {
      return Error::not_found("no such link", "");
    }
    // Refused at once, before the write (fail closed, as tokens).
    it->second->revoked = true;
    by_hash_.erase(it->second->hash);
    rec = it->second->json;
  }
  rec["revoked"] = format_rfc3339_ms(now_ms());
  if (Status st = engine_.put_meta(std::string(kMetaPrefix) + id, rec.dump()); !st.ok()) return st;
  std::lock_guard lock(mutex_);
  by_id_[id]->json = std::move(rec);
  return Status::ok_status();
}

std::string LinkStore::list(const std::string& plan) const {
  nlohmann::json out = nlohmann::json::array();
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, r] : by_id_) {
      if (r->link.plan != plan) continue;
      nlohmann::json item = r->json;
      item.erase("hash");
      if (r->link.kind == "dashboard") {
        auto v = viewers_.find(id);
        item["viewers"] = v == viewers_.end() ? 0 : v->second;
      }
      out.push_back(std::move(item));
    }
  }
  std::sort(out.begin(), out.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
    return std::make_pair(a.value("created", ""), a.value("id", "")) <
           std::make_pair(b.value("created", ""), b.value("id", ""));
  });
  return out.dump();
}

std::optional<Link> LinkStore::find(std::string_view secret) const {
  if (secret.size() != 64) return std::nullopt;
  const std::string hash = sha256_hex(secret);
  std::lock_guard lock(mutex_);
  auto it = by_hash_.find(hash);
  if (it == by_hash_.end()) return std::nullopt;
  return by_id_.at(it->second)->link;
}

bool LinkStore::is_active(const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto it = by_id_.find(id);
  return it != by_id_.end() && !it->second->revoked;
}

bool LinkStore::admit(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto& n = viewers_[id];
  if (total_viewers_ >= max_viewers_ || n >= max_viewers_per_link_) {
    if (n == 0) viewers_.erase(id);
    return false;
  }
  ++n;
  ++total_viewers_;
  return true;
}

void LinkStore::release(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto it = viewers_.find(id);
  if (it == viewers_.end()) return;
  if (--it->second == 0) viewers_.erase(it);
  --total_viewers_;
}

size_t LinkStore::viewers() const {
  std::lock_guard lock(mutex_);
  return total_viewers_;
}

std::string public_view(const std::string& view_json) {
  auto view = nlohmann::json::parse(view_json, nullptr, false);
  if (!view.is_object()) return "null";
  nlohmann::json out = nlohmann::json::object();
  for (auto it = view.begin(); it != view.end(); ++it) {
    if (listed(kPublicKeys, it.key())) out[it.key()] = std::move(it.value());
  }
  if (out.contains("people") && out["people"].is_array()) {
    for (auto& person : out["people"]) {
      if (!person.is_object()) continue;
      nlohmann::json kept = nlohmann::json::object();
      for (auto it = person.begin(); it != person.end(); ++it) {
        if (listed(kPublicPersonKeys, it.key())) kept[it.key()] = std::move(it.value());
      }
      person = std::move(kept);
    }
  }
  return out.dump();
}

bool public_event_type(std::string_view type) { return listed(kPublicEventTypes, type); }

}  // namespace kartiba::server
