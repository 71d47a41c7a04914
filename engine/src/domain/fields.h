// Strict validation of command data against a table of fields.
//
// Every command's data is read through read_fields(): unknown fields, wrong types, text
// over its limit, bad ids, dates, times, SDG goals and targets are rejected with the JSON
// pointer of the offending value. Internal to the domain: a violation throws Rejected, which
// decide() turns into an Error value before it leaves the engine.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "kartiba/error.h"

namespace kartiba {

using json = nlohmann::json;

struct Rejected {
  Error error;
};
[[noreturn]] void reject(Error e);

enum class FieldType {
  text,       // one line of text, no control characters
  multiline,  // text that may hold newlines and tabs
  id,         // an entity id [A-Za-z0-9._-]{1,64}
  ids,        // a list of distinct entity ids
  date,       // YYYY-MM-DD
  time,       // {"local","tz","offset"}; normalized with the plan's zone
  timezone,   // an IANA zone the tz database knows
  goals,      // a list of distinct SDG goals 1–17
  targets,    // a list of SDG targets "13.3", "4.a"
  topics,     // a list of at most 50 lines of text
  choice,     // one of `choices`
  percent,    // an integer 0–100
  by,         // {"municipality","person"}
  window,     // {"from","to"} dates, from <= to
};

struct FieldSpec {
  const char* name;
  FieldType type;
  bool required = false;       // must be present when creating
  size_t max = 200;            // code points for text, entries for lists
  std::vector<std::string> choices = {};
};

struct FieldContext {
  std::string plan_timezone;
  std::string path;            // JSON pointer of the data object, e.g. "/data"
};

// Reads the fields of `data` named in `specs` and returns them validated (times normalized).
// The field named `id_field` is allowed but not returned (the entity id). creating: required
// fields must be present and none may be null; otherwise null clears an optional field.
json read_fields(const json& data, const std::vector<FieldSpec>& specs, const FieldContext& ctx,
                 bool creating, std::string_view id_field = {});

// Validators used on their own.
bool is_plan_id(const std::string& s);
bool is_entity_id(const std::string& s);
bool is_command_id(const std::string& s);
void check_text(const json& v, const std::string& path, size_t max_cp, bool multiline);
size_t utf8_length(const std::string& s);

// The id under `name` in data: required and well-formed.
std::string require_id(const json& data, const char* name, const std::string& path);

}  // namespace kartiba
