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
json map_to_json(const EntityMap& m) {
  json o = json::object();
  for (const auto& [k, v] : m) o[k] = v;
  return o;
}
std::map<std::string, json> json_to_map(const json& o) {
  std::map<std::string, json> m;
  for (auto& [k, v] : o.items()) m.emplace(k, v);
  return m;
}
void json_to_entities(const json& o, EntityMap& m) {
  for (auto& [k, v] : o.items()) m.mutable_record(k).value = v;
}

// The snapshot keeps revisions as flat maps ("item/bornem/start" → 7, "item/bornem" → 7), as
// they were kept in memory before entities held their own.
const char* const kEntityKinds[] = {"venue", "person", "item", "pledge", "decision"};

json field_revs_to_json(const PlanState& s) {
  json o = json::object();
  for (auto& [k, v] : s.other_field_rev) o[k] = v;
  for (const char* kind : kEntityKinds) {
    const EntityMap& m = *s.entities(std::string(kind));
    for (const auto& [id, value] : m)
      for (auto& [f, rev] : m.record(id)->field_rev) o[field_key(kind, id, f)] = rev;
  }
  return o;
}
json touched_revs_to_json(const PlanState& s) {
  json o = json::object();
  for (auto& [k, v] : s.other_touched_rev) o[k] = v;
  for (const char* kind : kEntityKinds) {
    const EntityMap& m = *s.entities(std::string(kind));
    for (const auto& [id, value] : m) o[std::string(kind) + "/" + id] = m.record(id)->touched_rev;
  }
  return o;
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

// "kind/id/field" or "kind/id" back into the records (ids have no '/'; fields may).
void revs_from_json(PlanState& s, const json& fields, const json& touched) {
  for (auto& [key, rev] : fields.items()) {
    auto a = key.find('/'), b = a == std::string::npos ? a : key.find('/', a + 1);
    if (b == std::string::npos) continue;
    std::string kind = key.substr(0, a), id = key.substr(a + 1, b - a - 1);
    EntityMap* m = s.entities(kind);
    if (!m)
      s.other_field_rev[key] = rev.get<uint64_t>();
    else if (m->count(id))  // an entity removed since has no record
      m->mutable_record(id).field_rev.set(key.substr(b + 1), rev.get<uint64_t>());
  }
  for (auto& [key, rev] : touched.items()) {
    auto a = key.find('/');
    if (a == std::string::npos) continue;
    std::string kind = key.substr(0, a), id = key.substr(a + 1);
    EntityMap* m = s.entities(kind);
    if (!m)
      s.other_touched_rev[key] = rev.get<uint64_t>();
    else if (m->count(id))
      m->mutable_record(id).touched_rev = rev.get<uint64_t>();
  }
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
              {"field_rev", field_revs_to_json(s)},
              {"touched_rev", touched_revs_to_json(s)},
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
    json_to_entities(doc["venues"], s.venues);
    json_to_entities(doc["people"], s.people);
    json_to_entities(doc["items"], s.items);
    json_to_entities(doc["pledges"], s.pledges);
    json_to_entities(doc["decisions"], s.decisions);
    for (auto& r : doc["releases"]) s.releases.push_back(r);
    revs_from_json(s, doc["field_rev"], doc["touched_rev"]);
    s.removed_rev = json_to_revs(doc["removed_rev"]);
    for (const auto& [id, item] : s.items) s.times[id] = {instant_of(item["start"]), instant_of(item["end"])};
    return s;
  } catch (const json::exception& e) {
    return Error::invalid(std::string("snapshot is damaged: ") + e.what());
  }
}

}  // namespace kartiba
