// schedule.json: a plan's agenda in the c3voc/frab schedule JSON format that conference apps
// and video pipelines read, a pure function of the plan's view.
//
// Valid against shared/schemas/c3voc-schedule.schema.json. One conference time zone (the
// plan's): every event's date/start is the real instant in that zone, and days group items
// by their start date there. Cancelled items are left out; tentative ones get a subtitle.
// GUIDs and integer ids are derived from plan and entity ids, so they never change.
// docs/EXPORTS.md maps every field.
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

namespace kartiba::exports {

struct ScheduleOptions {
  // Absolute http(s) URL the document's links are built on (…/?plan=P); empty = no base_url,
  // and each event's url is its urn:uuid.
  std::string base_url;
  // The generator's version string.
  std::string version = "0.1.0";
};

std::string schedule_json(const nlohmann::json& view, const ScheduleOptions& options = {});

// "brussels-2024" → "brussels_2024": what the schema's acronym pattern accepts.
std::string schedule_acronym(const std::string& plan_id);

}  // namespace kartiba::exports
