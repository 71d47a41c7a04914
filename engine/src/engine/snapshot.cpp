#include "engine/snapshot.h"

namespace kartiba {
namespace {

// Format 2: typed records, {"v": fields, "r": {field: revision}, "t": touched}. Format 1 (JSON
// entities with flat revision maps) is no longer read: the engine rebuilds such a plan from
// its log and writes a new snapshot later.
constexpr int kSnapshotFormat = 2;

template <class E>
json record_json(const Record<E>& r) {
  json revs = json::object();
  r.each_rev([&](std::string_view f, uint64_t rev) { revs[std::string(f)] = rev; });
  return {{"v", entity_json(r.value)}, {"r", std::move(revs)}, {"t", r.touched_rev}};
}

template <class E>
void record_from(const json& j, Record<E>& r) {
  for (auto& [f, v] : j.at("v").items()) set_field(r.value, f, v);
  for (auto& [f, rev] : j.at("r").items()) r.mark(f, rev.template get<uint64_t>());
  r.touched_rev = j.at("t").get<uint64_t>();
}

template <class E>
json table_json(const EntityTable<E>& t) {
  json o = json::object();
  for (const auto& [id, r] : t) o[id] = record_json(*r);
  return o;
}

template <class E>
void table_from(const json& o, EntityTable<E>& t) {
  for (auto& [id, j] : o.items()) record_from(j, t.mutable_record(id));
}

}  // namespace

std::string encode_snapshot(const PlanState& s) {
  json days = json::object();
  for (auto& [date, r] : s.days) days[date] = record_json(r);
  json removed = json::object();
  for (auto& [k, v] : s.removed_rev) removed[k] = v;
  json doc = {{"format", kSnapshotFormat},
              {"id", s.id},
              {"revision", s.revision},
              {"updated_ms", s.updated_ms},
              {"last_hash", format::hex(s.last_hash.data(), s.last_hash.size())},
              {"plan", record_json(s.plan)},
              {"days", std::move(days)},
              {"venues", table_json(s.venues)},
              {"people", table_json(s.people)},
              {"items", table_json(s.items)},
              {"pledges", table_json(s.pledges)},
              {"decisions", table_json(s.decisions)},
              {"releases", s.releases},
              {"removed_rev", std::move(removed)}};
  auto bytes = json::to_msgpack(doc);
  return std::string(bytes.begin(), bytes.end());
}

Result<PlanState> decode_snapshot(std::string_view bytes) {
  json doc = json::from_msgpack(bytes.begin(), bytes.end(), true, false);
  if (doc.is_discarded() || !doc.is_object() || doc.value("format", 0) != kSnapshotFormat)
    return Error::invalid("snapshot has an unknown format");
  try {
    PlanState s;
    s.id = doc.at("id");
    s.revision = doc.at("revision");
    s.updated_ms = doc.at("updated_ms");
    s.last_hash = format::hash_from_hex(doc.at("last_hash").get<std::string>());
    record_from(doc.at("plan"), s.plan);
    for (auto& [date, j] : doc.at("days").items()) record_from(j, s.days[date]);
    table_from(doc.at("venues"), s.venues);
    table_from(doc.at("people"), s.people);
    table_from(doc.at("items"), s.items);
    table_from(doc.at("pledges"), s.pledges);
    table_from(doc.at("decisions"), s.decisions);
    s.releases = doc.at("releases").get<std::vector<Release>>();
    for (auto& [k, v] : doc.at("removed_rev").items()) s.removed_rev.emplace(k, v.get<uint64_t>());
    return s;
  } catch (const json::exception& e) {
    return Error::invalid(std::string("snapshot is damaged: ") + e.what());
  }
}

}  // namespace kartiba
