// The plan's entities as C++ values: the plan's own fields, days, venues, people, items,
// pledges, decisions and releases.
//
// Every field a command may leave out is optional: an entity holds exactly the fields its
// events gave it, so that rendering it gives back the JSON those events carried, byte for
// byte. A field the engine does not know (an event written by a later version) is kept in
// `extra` rather than dropped. JSON is only at the edges: entity_fields.h reads a field from
// an event's data and writes it into a view, by name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kartiba {

using json = nlohmann::json;

// A wall-clock time at a place, {"local","tz"[,"offset"]}, and the instant it names.
struct ZonedTime {
  std::string local;                  // "2024-05-15T10:00"
  std::string tz;                     // "Europe/Brussels"
  std::optional<std::string> offset;  // "+02:00", kept only for a local time the zone repeats
  int64_t utc_s = 0;                  // derived: UTC seconds (0 when it does not resolve)
};

// A pledge's maker: {"municipality"[,"person"]}.
struct PledgeMaker {
  std::string municipality;
  std::optional<std::string> person;
};

// {"from","to"} dates.
struct DateWindow {
  std::string from, to;
};

// One progress report on a pledge, as PledgeProgressReported recorded it.
struct ProgressReport {
  int64_t percent = 0;
  std::string note, at, actor;
  uint64_t revision = 0;
};

using Text = std::optional<std::string>;
using Ids = std::optional<std::vector<std::string>>;
using Goals = std::optional<std::vector<int>>;

// The parts every entity has besides its typed fields.
struct EntityExtra {
  json extra;  // fields this version does not know, as an object (null when none)
};

struct PlanFields : EntityExtra {
  static constexpr size_t kFieldCount = 10;
  Text id, title, timezone, language, start_date, end_date, description, organiser, place;
  Goals priority_sdgs;
};

struct Day : EntityExtra {
  static constexpr size_t kFieldCount = 2;
  Text title, place;
};

struct Venue : EntityExtra {
  static constexpr size_t kFieldCount = 6;
  Text name, building, room, address, city, country;
};

struct Person : EntityExtra {
  static constexpr size_t kFieldCount = 3;
  Text name, role, organisation;
};

struct Item : EntityExtra {
  static constexpr size_t kFieldCount = 11;
  Text title, kind;
  std::optional<ZonedTime> start, end;
  Text venue, description;
  Ids topics;
  Text status;
  Goals sdgs;
  Text track;
  Ids speakers;
};

struct Pledge : EntityExtra {
  static constexpr size_t kFieldCount = 12;
  std::optional<PledgeMaker> by;
  Text title, description;
  Goals sdgs;
  Ids targets;
  Text campaign;
  std::optional<DateWindow> window;
  Text item, status;
  std::optional<int64_t> progress;
  Text status_note;
  std::optional<std::vector<ProgressReport>> reports;
};

struct RecordedDecision : EntityExtra {
  static constexpr size_t kFieldCount = 7;
  Text title, text;
  Ids items, pledges;
  std::optional<uint64_t> revision;  // where it was recorded (set by apply)
  Text at, actor;
};

struct Release {
  std::string name, note, at, actor;
  uint64_t revision = 0;
};

// JSON at the edges (event data, views, snapshots).
void to_json(json& j, const ZonedTime& t);
void from_json(const json& j, ZonedTime& t);  // derives utc_s
void to_json(json& j, const PledgeMaker& b);
void from_json(const json& j, PledgeMaker& b);
void to_json(json& j, const DateWindow& w);
void from_json(const json& j, DateWindow& w);
void to_json(json& j, const ProgressReport& r);
void from_json(const json& j, ProgressReport& r);
void to_json(json& j, const Release& r);
void from_json(const json& j, Release& r);

}  // namespace kartiba
