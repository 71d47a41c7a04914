// Commands → events. Each handler validates its data, checks the entity against `base`
// (field-level conflicts) and the plan's rules, then drafts the events that record it.
#include "domain/decide.h"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "domain/event_types.h"
#include "domain/fields.h"
#include "domain/timezone.h"

namespace kartiba {
namespace {

const std::vector<std::string> kItemKinds = {"meeting", "visit", "presentation", "break", "travel", "meal", "other"};
const std::vector<std::string> kItemStatuses = {"confirmed", "tentative", "cancelled"};
const std::vector<std::string> kPledgeStatuses = {"proposed", "committed", "in-progress", "fulfilled", "withdrawn"};
constexpr int64_t kMaxItemSeconds = 31LL * 24 * 3600;

const std::vector<FieldSpec> kPlanFields = {
    {"title", FieldType::text, true},
    {"timezone", FieldType::timezone, true},
    {"language", FieldType::choice, false, 0, {"lv", "en"}},
    {"start_date", FieldType::date},
    {"end_date", FieldType::date},
    {"description", FieldType::multiline, false, 5000},
    {"organiser", FieldType::text},
    {"place", FieldType::text},
    {"priority_sdgs", FieldType::goals},
};
const std::vector<FieldSpec> kDayFields = {{"title", FieldType::text}, {"place", FieldType::text}};
const std::vector<FieldSpec> kVenueFields = {
    {"name", FieldType::text, true}, {"building", FieldType::text}, {"room", FieldType::text},
    {"address", FieldType::text, false, 300}, {"city", FieldType::text}, {"country", FieldType::text},
};
const std::vector<FieldSpec> kPersonFields = {
    {"name", FieldType::text, true}, {"role", FieldType::text}, {"organisation", FieldType::text}};
const std::vector<FieldSpec> kItemFields = {
    {"title", FieldType::text, true},
    {"kind", FieldType::choice, false, 0, kItemKinds},
    {"start", FieldType::time, true},
    {"end", FieldType::time, true},
    {"venue", FieldType::id},
    {"description", FieldType::multiline, false, 5000},
    {"topics", FieldType::topics},
    {"status", FieldType::choice, false, 0, kItemStatuses},
    {"sdgs", FieldType::goals},
    {"track", FieldType::text},
    {"speakers", FieldType::ids},
};
const std::vector<FieldSpec> kPledgeFields = {
    {"by", FieldType::by, true},
    {"title", FieldType::text, true},
    {"description", FieldType::multiline, false, 5000},
    {"sdgs", FieldType::goals},
    {"targets", FieldType::targets},
    {"campaign", FieldType::text},
    {"window", FieldType::window},
    {"item", FieldType::id},
};
const std::vector<FieldSpec> kDecisionFields = {
    {"title", FieldType::text, true},
    {"text", FieldType::multiline, false, 5000},
    {"items", FieldType::ids},
    {"pledges", FieldType::ids},
};

std::vector<FieldSpec> only(const std::vector<FieldSpec>& specs, std::initializer_list<const char*> names) {
  std::vector<FieldSpec> out;
  for (auto& s : specs)
    for (auto* n : names)
      if (std::string(n) == s.name) out.push_back(s);
  return out;
}

// The item fields each single-purpose item command may set (made once: a command's hot path
// should not copy tables).
const std::vector<FieldSpec> kRescheduleFields = only(kItemFields, {"start", "end"});
const std::vector<FieldSpec> kEditItemFields = only(kItemFields, {"title", "kind", "description", "topics", "track"});
const std::vector<FieldSpec> kItemVenueFields = only(kItemFields, {"venue"});
const std::vector<FieldSpec> kItemStatusFields = only(kItemFields, {"status"});
const std::vector<FieldSpec> kItemTagFields = only(kItemFields, {"sdgs"});

// What an entity has when a command did not say (and what a cleared field goes back to).
const json& item_defaults() {
  static const json d = {{"kind", "meeting"}, {"status", "confirmed"}, {"topics", json::array()},
                         {"sdgs", json::array()}, {"speakers", json::array()}};
  return d;
}
const json& pledge_defaults() {
  static const json d = {{"sdgs", json::array()}, {"status", "proposed"}, {"progress", 0},
                         {"status_note", ""}, {"reports", json::array()}};
  return d;
}
const json& decision_defaults() {
  static const json d = {{"items", json::array()}, {"pledges", json::array()}};
  return d;
}

Error conflict_error(const std::string& message, const std::string& path, const std::string& kind,
                     const std::string& id, const json& current, const std::vector<std::string>& fields,
                     uint64_t base) {
  json details = {{"entity", {{"kind", kind}, {"id", id}}},
                  {"current", current},
                  {"fields", fields},
                  {"base", base}};
  return Error::conflict(message, path, details.dump());
}

class Decider {
 public:
  Decider(const PlanState& s, const ParsedCommand& c, const DecideContext& dc)
      : s_(s), c_(c), dc_(dc), fc_{s.timezone(), "/data"} {}

  Decision run();

 private:
  // ---- helpers -----------------------------------------------------------------------
  void emit(std::string type, json data) { out_.drafts.push_back({std::move(type), std::move(data)}); }

  const json& data() const { return c_.data; }

  const EntityIndex& entities(const std::string& kind) const {
    if (auto* m = s_.entities(kind)) return *m;
    return s_.decisions;
  }

  // The entity (the plan, a day) as JSON, for a conflict's details and a removal's "was".
  json current_json(const std::string& kind, const std::string& id) const {
    if (kind == "plan") return s_.plan_json();
    if (kind == "day") return s_.day_json(id);
    return entities(kind).to_json(id);
  }

  // One field of the entity (the plan, a day) as JSON; null when it has none.
  json field_now(const std::string& kind, const std::string& id, std::string_view field) const {
    if (kind == "plan") return kartiba::field_json(s_.plan.value, field);
    if (kind == "day") {
      auto d = s_.days.find(id);
      return d == s_.days.end() ? json() : kartiba::field_json(d->second.value, field);
    }
    return entities(kind).field(id, field);
  }

  // The id for a new entity: the client's, or one made from the kind and the revision.
  std::string new_id(const std::string& kind) {
    std::string key = id_key(kind);
    if (data().contains(key) && !data()[key].is_null()) {
      std::string id = require_id(data(), key.c_str(), "/data");
      if (entities(kind).count(id))
        reject(Error::conflict(kind + " '" + id + "' already exists", "/data/" + key));
      return id;
    }
    std::string base = kind + "-" + std::to_string(s_.revision + 1);
    std::string id = base;
    for (int n = 2; entities(kind).count(id); ++n) id = base + "-" + std::to_string(n);
    out_.created_id = id;
    return id;
  }

  // An existing entity named in data; when it is gone, whether it went after base.
  void existing(const std::string& kind, const std::string& id, const std::string& path) {
    if (entities(kind).count(id)) return;
    if (c_.base) {
      const uint64_t removed = s_.removed_revision(kind, id);
      if (removed > *c_.base)
        reject(conflict_error(kind + " '" + id + "' was removed at revision " + std::to_string(removed) +
                                  ", after your base " + std::to_string(*c_.base),
                              path, kind, id, nullptr, {}, *c_.base));
    }
    reject(Error::not_found("no " + kind + " '" + id + "' in this plan", path));
  }

  // `path` overrides the error's pointer when the request names the field differently.
  void check_fields_fresh(const std::string& kind, const std::string& id, const std::vector<std::string>& fields,
                          const std::string& path = {}) {
    if (!c_.base) return;
    std::vector<std::string> stale;
    uint64_t newest = 0;
    for (auto& f : fields) {
      const uint64_t changed = s_.field_rev(kind, id, f);
      if (changed > *c_.base) {
        stale.push_back(f);
        newest = std::max(newest, changed);
      }
    }
    if (stale.empty()) return;
    std::string list;
    for (auto& f : stale) list += (list.empty() ? "" : ", ") + f;
    std::string what = kind == "plan" ? std::string("the plan") : kind + " '" + id + "'";
    reject(conflict_error(what + " changed (" + list + ") at revision " + std::to_string(newest) +
                              ", after your base " + std::to_string(*c_.base),
                          !path.empty() ? path
                          : "/data/" + (stale[0].find('/') == std::string::npos ? stale[0] : std::string("person")),
                          kind, id, current_json(kind, id), stale, *c_.base));
  }

  void check_entity_fresh(const std::string& kind, const std::string& id) {
    if (!c_.base) return;
    const uint64_t touched = s_.touched_rev(kind, id);
    if (touched > *c_.base)
      reject(conflict_error(kind + " '" + id + "' changed at revision " + std::to_string(touched) +
                                ", after your base " + std::to_string(*c_.base),
                            "/data/" + kind, kind, id, current_json(kind, id), {}, *c_.base));
  }

  static std::vector<std::string> keys_of(const json& set) {
    std::vector<std::string> k;
    for (auto& [name, v] : set.items()) k.push_back(name);
    return k;
  }

  static json was_of(const json& current, const json& set) {
    json was = json::object();
    for (auto& [name, v] : set.items())
      if (auto it = current.find(name); it != current.end()) was.emplace(name, *it);
    return was;
  }

  // What the fields of `set` are now (those the entity has).
  json was_of(const std::string& kind, const std::string& id, const json& set) const {
    json was = json::object();
    for (auto& [name, v] : set.items())
      if (json now = field_now(kind, id, name); !now.is_null()) was.emplace(name, std::move(now));
    return was;
  }

  // The named fields as they would be after `set`: the entity's own where set leaves them.
  json merged_fields(const std::string& kind, const std::string& id, const json& set,
                     std::initializer_list<const char*> names) const {
    json m = json::object();
    for (const char* name : names) {
      auto it = set.find(name);
      json v = it != set.end() ? *it : field_now(kind, id, name);
      if (!v.is_null()) m.emplace(name, std::move(v));
    }
    return m;
  }

  static json merged(const json& current, const json& set) {
    json m = current;
    for (auto& [name, v] : set.items()) {
      if (v.is_null())
        m.erase(name);
      else
        m[name] = v;
    }
    return m;
  }

  void require_nonempty(const json& set) {
    if (set.empty()) reject(Error::invalid("nothing to change: give at least one field", "/data"));
  }

  // null clears an optional field; a field that has a default goes back to it, so that
  // every entity keeps the lists and choices the views read.
  static void reset_cleared(json& set, const json& defaults) {
    for (auto& [name, v] : set.items())
      if (v.is_null() && defaults.contains(name)) v = defaults[name];
  }

  void check_refs(const json& value, const std::string& path_prefix) {
    if (value.contains("venue") && value["venue"].is_string() && !s_.venues.count(value["venue"]))
      reject(Error::not_found("no venue '" + value["venue"].get<std::string>() + "' in this plan",
                              path_prefix + "/venue"));
    if (value.contains("speakers"))
      for (size_t i = 0; i < value["speakers"].size(); ++i)
        if (!s_.people.count(value["speakers"][i]))
          reject(Error::not_found("no person '" + value["speakers"][i].get<std::string>() + "' in this plan",
                                  path_prefix + "/speakers/" + std::to_string(i)));
    if (value.contains("item") && value["item"].is_string() && !s_.items.count(value["item"]))
      reject(Error::not_found("no item '" + value["item"].get<std::string>() + "' in this plan",
                              path_prefix + "/item"));
    for (const char* list : {"items", "pledges"}) {
      if (!value.contains(list)) continue;
      bool items = std::string(list) == "items";
      const EntityIndex& m = items ? static_cast<const EntityIndex&>(s_.items) : s_.pledges;
      for (size_t i = 0; i < value[list].size(); ++i)
        if (!m.count(value[list][i]))
          reject(Error::not_found(std::string("no ") + (items ? "item" : "pledge") + " '" +
                                      value[list][i].get<std::string>() + "' in this plan",
                                  path_prefix + "/" + list + "/" + std::to_string(i)));
    }
  }

  void check_item_times(const json& item, const std::string& path) {
    check_item_times(item["start"], item["end"], path);
  }
  void check_item_times(const json& start_time, const json& end_time, const std::string& path) {
    int64_t start = instant_of(start_time);
    int64_t end = instant_of(end_time);
    if (end <= start)
      reject(Error::invalid("the item ends (" + end_time["local"].get<std::string>() + " " +
                                end_time["tz"].get<std::string>() + ") before or when it starts (" +
                                start_time["local"].get<std::string>() + " " +
                                start_time["tz"].get<std::string>() + ")",
                            path));
    if (end - start > kMaxItemSeconds) reject(Error::invalid("an item lasts at most 31 days", path));
  }

  // `path` is the request's targets list (each bad target is named by its index), or, when
  // the request did not give targets, the field that made them wrong (named as a whole).
  void check_targets(const json& pledge, const std::string& path, bool per_target = true) {
    if (!pledge.contains("targets")) return;
    std::set<int> goals;
    if (pledge.contains("sdgs"))
      for (auto& g : pledge["sdgs"]) goals.insert(g.get<int>());
    for (size_t i = 0; i < pledge["targets"].size(); ++i) {
      std::string t = pledge["targets"][i];
      int goal = std::stoi(t.substr(0, t.find('.')));
      if (!goals.count(goal))
        reject(Error::invalid("target " + t + " belongs to goal " + std::to_string(goal) +
                                  ", which the pledge's sdgs do not list",
                              per_target ? path + "/" + std::to_string(i) : path));
    }
  }

  void check_plan_dates(const json& plan) {
    if (plan.contains("start_date") && plan.contains("end_date") &&
        plan["end_date"].get<std::string>() < plan["start_date"].get<std::string>())
      reject(Error::invalid("the plan ends before it starts", "/data/end_date"));
  }

  // ---- generic entity commands --------------------------------------------------------
  void add_entity(const std::string& kind, const std::vector<FieldSpec>& specs, const std::string& type,
                  const json& defaults = json::object()) {
    std::string id = new_id(kind);
    json value = read_fields(data(), specs, fc_, true, id_key(kind));
    for (auto& [k, v] : defaults.items())
      if (!value.contains(k)) value[k] = v;
    check_refs(value, "/data");
    if (kind == "item") check_item_times(value, "/data/end");
    if (kind == "pledge") check_targets(value, "/data/targets");
    emit(type, {{id_key(kind), id}, {"value", value}});
  }

  void update_entity(const std::string& kind, const std::vector<FieldSpec>& specs, const std::string& type) {
    std::string key = id_key(kind);
    std::string id = require_id(data(), key.c_str(), "/data");
    existing(kind, id, "/data/" + key);
    json set = read_fields(data(), specs, fc_, false, key);
    require_nonempty(set);
    if (kind == "pledge") reset_cleared(set, pledge_defaults());
    check_fields_fresh(kind, id, keys_of(set));
    check_refs(set, "/data");
    if (kind == "item" && (set.contains("start") || set.contains("end")))
      check_item_times(merged_fields(kind, id, set, {"start", "end"}), "/data/end");
    if (kind == "pledge") {
      json next = merged_fields(kind, id, set, {"sdgs", "targets"});
      if (set.contains("targets")) check_targets(next, "/data/targets");
      else check_targets(next, "/data/sdgs", false);
    }
    emit(type, {{key, id}, {"set", set}, {"was", was_of(kind, id, set)}});
  }

  void remove_entity(const std::string& kind) {
    std::string key = id_key(kind);
    std::string id = require_id(data(), key.c_str(), "/data");
    for (auto& [k, v] : data().items())
      if (k != key) reject(Error::invalid("unknown field '" + k + "'", "/data/" + k));
    existing(kind, id, "/data/" + key);
    check_entity_fresh(kind, id);
    check_not_in_use(kind, id, "/data/" + key);
    json was = current_json(kind, id);
    was.erase("id");
    emit(removed_type(kind), {{key, id}, {"was", was}});
  }

  void check_not_in_use(const std::string& kind, const std::string& id, const std::string& path) {
    if (kind == "venue")
      for (const auto& [iid, r] : s_.items)
        if (r->value.venue == id)
          reject(Error::conflict("venue '" + id + "' is used by item '" + iid + "'; move or remove that item first", path));
    if (kind == "person")
      for (const auto& [iid, r] : s_.items)
        if (r->value.speakers)
          for (auto& p : *r->value.speakers)
            if (p == id)
              reject(Error::conflict("person '" + id + "' speaks at item '" + iid + "'; unassign them first", path));
    if (kind == "item")
      for (const auto& [pid, r] : s_.pledges)
        if (r->value.item == id)
          reject(Error::conflict("item '" + id + "' is linked to pledge '" + pid + "'; unlink it first", path));
  }

  // ---- the commands -------------------------------------------------------------------
  void create_plan() {
    if (!dc_.admin) reject(Error::forbidden("only an admin creates plans"));
    if (s_.revision != 0) reject(Error::conflict("the plan already exists", "/data/id"));
    auto it = data().find("id");
    if (it == data().end() || !it->is_string() || !is_plan_id(*it))
      reject(Error::invalid("a plan id is 1–64 characters of a–z 0–9 and -, starting with a letter or digit",
                            "/data/id"));
    json value = read_fields(data(), kPlanFields, fc_, true, "id");
    if (!value.contains("language")) value["language"] = "lv";
    if (!value.contains("priority_sdgs")) value["priority_sdgs"] = json::array();
    check_plan_dates(value);
    value["id"] = *it;
    emit("PlanCreated", {{"value", value}});
  }

  void update_plan() {
    json set = read_fields(data(), kPlanFields, fc_, false);
    require_nonempty(set);
    reset_cleared(set, {{"language", "lv"}, {"priority_sdgs", json::array()}});
    check_fields_fresh("plan", "", keys_of(set));
    check_plan_dates(merged_fields("plan", "", set, {"start_date", "end_date"}));
    emit("PlanUpdated", {{"set", set}, {"was", was_of("plan", "", set)}});
  }

  void set_day() {
    auto it = data().find("date");
    if (it == data().end() || !it->is_string() || !is_date(*it))
      reject(Error::invalid("a date is YYYY-MM-DD", "/data/date"));
    std::string date = *it;
    json set = read_fields(data(), kDayFields, fc_, false, "date");
    require_nonempty(set);
    check_fields_fresh("day", date, keys_of(set));
    emit("DaySet", {{"date", date}, {"set", set}, {"was", was_of("day", date, set)}});
  }

  void reschedule_item() {
    std::string id = require_id(data(), "item", "/data");
    existing("item", id, "/data/item");
    json set = read_fields(data(), kRescheduleFields, fc_, false, "item");
    if (set.empty()) reject(Error::invalid("give a new start, end, or both", "/data/start"));
    for (auto& [k, v] : set.items())
      if (v.is_null()) reject(Error::invalid("'" + k + "' cannot be cleared", "/data/" + k));
    check_fields_fresh("item", id, keys_of(set));
    check_item_times(merged_fields("item", id, set, {"start", "end"}), set.contains("end") ? "/data/end" : "/data/start");
    emit("ItemRescheduled", {{"item", id}, {"set", set}, {"was", was_of("item", id, set)}});
  }

  void item_field_command(const char* type, const std::vector<FieldSpec>& specs, bool all_required) {
    std::string id = require_id(data(), "item", "/data");
    existing("item", id, "/data/item");
    json set = read_fields(data(), specs, fc_, false, "item");
    if (all_required)
      for (auto& f : specs)
        if (!data().contains(f.name))
          reject(Error::invalid(std::string("missing '") + f.name + "'", std::string("/data/") + f.name));
    // The field a command exists to set (status, sdgs) cannot be cleared; only a venue can.
    for (auto& [k, v] : set.items())
      if (all_required && v.is_null() && k != "venue") reject(Error::invalid("'" + k + "' cannot be cleared", "/data/" + k));
    reset_cleared(set, item_defaults());
    require_nonempty(set);
    check_fields_fresh("item", id, keys_of(set));
    check_refs(set, "/data");
    emit(type, {{"item", id}, {"set", set}, {"was", was_of("item", id, set)}});
  }

  void speaker(bool assign) {
    std::string item = require_id(data(), "item", "/data");
    std::string person = require_id(data(), "person", "/data");
    for (auto& [k, v] : data().items())
      if (k != "item" && k != "person") reject(Error::invalid("unknown field '" + k + "'", "/data/" + k));
    existing("item", item, "/data/item");
    check_fields_fresh("item", item, {"speakers/" + person});
    bool assigned = speaks(item, person);
    if (assign) {
      if (!s_.people.count(person)) reject(Error::not_found("no person '" + person + "' in this plan", "/data/person"));
      if (assigned) reject(Error::conflict("'" + person + "' already speaks at '" + item + "'", "/data/person"));
    } else if (!assigned) {
      reject(Error::conflict("'" + person + "' does not speak at '" + item + "'", "/data/person"));
    }
    emit(assign ? "SpeakerAssigned" : "SpeakerUnassigned", {{"item", item}, {"person", person}});
  }

  void set_pledge_status() {
    std::string id = require_id(data(), "pledge", "/data");
    existing("pledge", id, "/data/pledge");
    static const std::vector<FieldSpec> specs = {{"status", FieldType::choice, true, 0, kPledgeStatuses},
                                                 {"note", FieldType::multiline, false, 1000}};
    json fields = read_fields(data(), specs, fc_, true, "pledge");
    json set = {{"status", fields["status"]}, {"status_note", fields.value("note", "")}};
    if (fields["status"] == "fulfilled") set["progress"] = 100;
    // Every field it sets, progress included when fulfilled: a progress report after the
    // base is not silently overwritten by 100.
    check_fields_fresh("pledge", id, keys_of(set), "/data/status");
    emit("PledgeStatusSet", {{"pledge", id}, {"set", set}, {"was", was_of("pledge", id, set)}});
  }

  void report_pledge_progress() {
    std::string id = require_id(data(), "pledge", "/data");
    existing("pledge", id, "/data/pledge");
    static const std::vector<FieldSpec> specs = {{"percent", FieldType::percent, true},
                                                 {"note", FieldType::multiline, false, 1000}};
    json fields = read_fields(data(), specs, fc_, true, "pledge");
    // Withdrawn and fulfilled are final for the progress bar: a report would leave a fulfilled
    // pledge below 100 % (and its municipality's mean with it). Reopen it first.
    if (s_.pledges.find(id)->status == "withdrawn")
      reject(Error::conflict("pledge '" + id + "' was withdrawn; set its status first", "/data/pledge"));
    if (s_.pledges.find(id)->status == "fulfilled")
      reject(Error::conflict("pledge '" + id + "' is fulfilled; set its status to in-progress to report progress",
                             "/data/pledge"));
    check_fields_fresh("pledge", id, {"progress"}, "/data/percent");
    json set = {{"progress", fields["percent"]}};
    emit("PledgeProgressReported",
         {{"pledge", id}, {"set", set}, {"was", was_of("pledge", id, set)}, {"note", fields.value("note", "")}});
  }

  void publish_release() {
    static const std::vector<FieldSpec> specs = {{"name", FieldType::text, true, 64},
                                                 {"note", FieldType::multiline, false, 1000}};
    json fields = read_fields(data(), specs, fc_, true);
    std::string name = fields["name"];
    if (name.empty()) reject(Error::invalid("a release needs a name", "/data/name"));
    bool numeric = std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (numeric) reject(Error::invalid("a release name is not a bare number (those are revisions)", "/data/name"));
    for (auto& r : s_.releases)
      if (r.name == name) reject(Error::conflict("release '" + name + "' already exists", "/data/name"));
    emit("ReleasePublished", {{"name", name}, {"note", fields.value("note", "")}});
  }

  bool speaks(const std::string& item, const std::string& person) const {
    const Item* i = s_.items.find(item);
    return i && i->speakers && std::find(i->speakers->begin(), i->speakers->end(), person) != i->speakers->end();
  }

  void revert();

  const PlanState& s_;
  const ParsedCommand& c_;
  const DecideContext& dc_;
  FieldContext fc_;
  Decision out_;
};

void Decider::revert() {
  auto it = data().find("revision");
  for (auto& [k, v] : data().items())
    if (k != "revision") reject(Error::invalid("unknown field '" + k + "'", "/data/" + k));
  if (it == data().end() || !it->is_number_unsigned())
    reject(Error::invalid("revert needs the revision to undo", "/data/revision"));
  uint64_t rev = *it;
  if (rev < 1 || rev > s_.revision)
    reject(Error::not_found("the plan has no revision " + std::to_string(rev), "/data/revision"));
  if (!dc_.event_at) reject(Error::unavailable("the log cannot be read"));
  auto ev = dc_.event_at(rev);
  if (!ev.ok()) reject(ev.error());
  const Event& e = **ev;
  const EventType* t = event_type(e.type);
  if (!t || t->shape == Shape::created || t->shape == Shape::release)
    reject(Error::invalid(e.type + " at revision " + std::to_string(rev) + " cannot be reverted", "/data/revision"));

  const std::string& kind = t->kind;
  std::string key = id_key(kind);
  std::string id = key.empty() ? "" : e.data.value(key, "");
  auto conflict_later = [&](const std::vector<std::string>& fields, const json& current) {
    std::vector<std::string> later;
    for (auto& f : fields) {
      if (s_.field_rev(kind, id, f) > rev) later.push_back(f);
    }
    if (!later.empty()) {
      std::string list;
      for (auto& f : later) list += (list.empty() ? "" : ", ") + f;
      reject(conflict_error("a later event changed " + list + " again; revert that one first or edit by hand",
                            "/data/revision", kind, id, current, later, rev));
    }
  };
  switch (t->shape) {
    case Shape::added: {
      if (!entities(kind).count(id))
        reject(Error::conflict(kind + " '" + id + "' no longer exists", "/data/revision"));
      json was = current_json(kind, id);
      if (s_.touched_rev(kind, id) > rev)
        reject(conflict_error(kind + " '" + id + "' changed after revision " + std::to_string(rev) +
                                  "; revert those changes first",
                              "/data/revision", kind, id, was, {}, rev));
      check_not_in_use(kind, id, "/data/revision");
      was.erase("id");
      emit(removed_type(kind), {{key, id}, {"was", was}, {"reverts", rev}});
      break;
    }
    case Shape::removed: {
      auto& m = entities(kind);
      if (m.count(id)) reject(Error::conflict(kind + " '" + id + "' exists again", "/data/revision"));
      json value = e.data["was"];
      check_refs(value, "/data/revision");
      emit(added_type(kind), {{key, id}, {"value", value}, {"reverts", rev}});
      break;
    }
    case Shape::changed: {
      if (kind != "plan" && kind != "day" && !entities(kind).count(id))
        reject(Error::conflict(kind + " '" + id + "' no longer exists", "/data/revision"));
      json current = current_json(kind, id);
      json set = json::object();
      for (auto& [f, v] : e.data["set"].items()) set[f] = e.data["was"].contains(f) ? e.data["was"][f] : json();
      conflict_later(keys_of(set), current);
      json next = merged(current, set);
      if (kind == "item" && (set.contains("start") || set.contains("end")))
        check_item_times(next, "/data/revision");
      if (kind == "item") check_refs(set, "/data/revision");
      json d = {{"set", set}, {"was", was_of(current, set)}, {"reverts", rev}};
      if (!key.empty()) d[key] = id;
      if (e.type == "PledgeProgressReported") d["note"] = "";
      emit(e.type, d);
      break;
    }
    case Shape::speaker: {
      std::string person = e.data["person"];
      if (!s_.items.count(id)) reject(Error::conflict("item '" + id + "' no longer exists", "/data/revision"));
      conflict_later({"speakers/" + person}, s_.items.to_json(id));
      bool assigned = speaks(id, person);
      bool undo_assign = e.type == "SpeakerAssigned";
      if (undo_assign != assigned)
        reject(Error::conflict("the speaker was changed since", "/data/revision"));
      if (!undo_assign && !s_.people.count(person))
        reject(Error::conflict("person '" + person + "' no longer exists", "/data/revision"));
      emit(undo_assign ? "SpeakerUnassigned" : "SpeakerAssigned", {{"item", id}, {"person", person}, {"reverts", rev}});
      break;
    }
    default:
      break;
  }
}

Decision Decider::run() {
  const std::string& t = c_.type;
  if (t != "create-plan" && s_.revision == 0) reject(Error::not_found("no such plan"));
  if (c_.base && *c_.base > s_.revision)
    reject(Error::invalid("base " + std::to_string(*c_.base) + " is ahead of the plan's revision " +
                              std::to_string(s_.revision),
                          "/base"));
  using Handler = void (*)(Decider&);
  static const std::unordered_map<std::string, Handler> handlers = {
      {"create-plan", [](Decider& d) { d.create_plan(); }},
      {"update-plan", [](Decider& d) { d.update_plan(); }},
      {"set-day", [](Decider& d) { d.set_day(); }},
      {"add-venue", [](Decider& d) { d.add_entity("venue", kVenueFields, "VenueAdded"); }},
      {"update-venue", [](Decider& d) { d.update_entity("venue", kVenueFields, "VenueUpdated"); }},
      {"remove-venue", [](Decider& d) { d.remove_entity("venue"); }},
      {"add-person", [](Decider& d) { d.add_entity("person", kPersonFields, "PersonAdded"); }},
      {"update-person", [](Decider& d) { d.update_entity("person", kPersonFields, "PersonUpdated"); }},
      {"remove-person", [](Decider& d) { d.remove_entity("person"); }},
      {"schedule-item", [](Decider& d) { d.add_entity("item", kItemFields, "ItemScheduled", item_defaults()); }},
      {"reschedule-item", [](Decider& d) { d.reschedule_item(); }},
      {"edit-item", [](Decider& d) { d.item_field_command("ItemEdited", kEditItemFields, false); }},
      {"set-item-venue", [](Decider& d) { d.item_field_command("ItemVenueSet", kItemVenueFields, true); }},
      {"set-item-status", [](Decider& d) { d.item_field_command("ItemStatusSet", kItemStatusFields, true); }},
      {"tag-item", [](Decider& d) { d.item_field_command("ItemTagged", kItemTagFields, true); }},
      {"assign-speaker", [](Decider& d) { d.speaker(true); }},
      {"unassign-speaker", [](Decider& d) { d.speaker(false); }},
      {"remove-item", [](Decider& d) { d.remove_entity("item"); }},
      {"make-pledge", [](Decider& d) { d.add_entity("pledge", kPledgeFields, "PledgeMade", pledge_defaults()); }},
      {"update-pledge", [](Decider& d) { d.update_entity("pledge", kPledgeFields, "PledgeUpdated"); }},
      {"set-pledge-status", [](Decider& d) { d.set_pledge_status(); }},
      {"report-pledge-progress", [](Decider& d) { d.report_pledge_progress(); }},
      {"record-decision", [](Decider& d) { d.add_entity("decision", kDecisionFields, "DecisionRecorded", decision_defaults()); }},
      {"publish-release", [](Decider& d) { d.publish_release(); }},
      {"revert", [](Decider& d) { d.revert(); }},
  };
  auto handler = handlers.find(t);
  if (handler == handlers.end()) reject(Error::invalid("unknown command type '" + t + "'", "/type"));
  handler->second(*this);
  return std::move(out_);
}

}  // namespace

const std::vector<std::string>& command_types() {
  static const std::vector<std::string> types = {
      "create-plan", "update-plan", "set-day", "add-venue", "update-venue", "remove-venue", "add-person",
      "update-person", "remove-person", "schedule-item", "reschedule-item", "edit-item", "set-item-venue",
      "set-item-status", "assign-speaker", "unassign-speaker", "tag-item", "remove-item", "make-pledge",
      "update-pledge", "set-pledge-status", "report-pledge-progress", "record-decision", "publish-release",
      "revert"};
  return types;
}

Result<ParsedCommand> parse_command(const json& c) {
  try {
    if (!c.is_object()) reject(Error::invalid("a command is a JSON object {\"type\",\"data\",…}"));
    ParsedCommand out;
    for (auto& [k, v] : c.items()) {
      if (k == "id") {
        if (!v.is_string() || !is_command_id(v))
          reject(Error::invalid("a command id is 1–128 characters of A–Z a–z 0–9 . _ - :", "/id"));
        out.id = v;
      } else if (k == "type") {
        if (!v.is_string()) reject(Error::invalid("type must be text", "/type"));
        out.type = v;
      } else if (k == "base") {
        if (v.is_null()) continue;
        if (!v.is_number_unsigned()) reject(Error::invalid("base is a revision number (0 or more)", "/base"));
        out.base = v.get<uint64_t>();
      } else if (k == "reason") {
        if (v.is_null()) continue;
        check_text(v, "/reason", 1000, false);
        out.reason = v;
      } else if (k == "data") {
        if (!v.is_object()) reject(Error::invalid("data must be an object", "/data"));
        out.data = v;
      } else {
        reject(Error::invalid("unknown field '" + k + "' in the command", "/" + k));
      }
    }
    if (out.type.empty()) reject(Error::invalid("missing 'type'", "/type"));
    if (std::find(command_types().begin(), command_types().end(), out.type) == command_types().end())
      reject(Error::invalid("unknown command type '" + out.type + "'", "/type"));
    return out;
  } catch (const Rejected& r) {
    return r.error;
  }
}

Result<Decision> decide(const PlanState& state, const ParsedCommand& command, const DecideContext& ctx) {
  try {
    Decider d(state, command, ctx);
    return d.run();
  } catch (const Rejected& r) {
    return r.error;
  } catch (const nlohmann::json::exception& e) {
    return Error::invalid(std::string("malformed command data: ") + e.what(), "/data");
  }
}

}  // namespace kartiba
