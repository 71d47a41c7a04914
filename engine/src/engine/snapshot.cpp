#include "engine/snapshot.h"

#include "domain/timezone.h"

namespace kartiba {
namespace {
constexpr int kSnapshotFormat = 1;

json map_to_json(const std::map<std::string, json>& m) {
  json o = json::object();
  for (auto& [k, v] : m) o[k] = v;
  return o;
}
std::map<std::string, json> json_to_map(const json& o) {
  std::map<std::string, json> m;
  for (auto& [k, v] : o.items()) m.emplace(k, v);
  return m;
}
json revs_to_json(const std::unordered_map<std::string, uint64_t>& m) {
  json o = json::object();
  for (auto& [k, v] : m) o[k] = v;
  return o;
}
std::unordered_map<std::string, uint64_t> json_to_revs(const json& o) {
  std::unordered_map<std::string, uint64_t> m;
  m.reserve(o.size());
  for (auto& [k, v] : o.items()) m.emplace(k, v.get<uint64_t>());
  return m;
}
}  // namespace

std::string encode_snapshot(const PlanState& s) {
  json doc = {{"format", kSnapshotFormat},
              {"id", s.id},
              {"revision", s.revision},
              {"updated_ms", s.updated_ms},
              {"last_hash", format::hex(s.last_hash.data(), s.last_hash.size())},
              {"plan", s.plan},
              {"days", map_to_json(s.days)},
              {"venues", map_to_json(s.venues)},
              {"people", map_to_json(s.people)},
              {"items", map_to_json(s.items)},
              {"pledges", map_to_json(s.pledges)},
              {"decisions", map_to_json(s.decisions)},
              {"releases", s.releases},
              {"field_rev", revs_to_json(s.field_rev)},
              {"touched_rev", revs_to_json(s.touched_rev)},
              {"removed_rev", revs_to_json(s.removed_rev)}};
  auto bytes = json::to_msgpack(doc);
  return std::string(bytes.begin(), bytes.end());
}

Result<PlanState> decode_snapshot(std::string_view bytes) {
  json doc = json::from_msgpack(bytes.begin(), bytes.end(), true, false);
  if (doc.is_discarded() || !doc.is_object() || doc.value("format", 0) != kSnapshotFormat)
    return Error::invalid("snapshot has an unknown format");
  try {
    PlanState s;
    s.id = doc["id"];
    s.revision = doc["revision"];
    s.updated_ms = doc["updated_ms"];
    s.last_hash = format::hash_from_hex(doc["last_hash"].get<std::string>());
    s.plan = doc["plan"];
    s.days = json_to_map(doc["days"]);
    s.venues = json_to_map(doc["venues"]);
    s.people = json_to_map(doc["people"]);
    s.items = json_to_map(doc["items"]);
    s.pledges = json_to_map(doc["pledges"]);
    s.decisions = json_to_map(doc["decisions"]);
    for (auto& r : doc["releases"]) s.releases.push_back(r);
    s.field_rev = json_to_revs(doc["field_rev"]);
    s.touched_rev = json_to_revs(doc["touched_rev"]);
    s.removed_rev = json_to_revs(doc["removed_rev"]);
    for (auto& [id, item] : s.items) s.times[id] = {instant_of(item["start"]), instant_of(item["end"])};
    return s;
  } catch (const json::exception& e) {
    return Error::invalid(std::string("snapshot is damaged: ") + e.what());
  }
}

}  // namespace kartiba
