#include "domain/fields.h"

#include <algorithm>
#include <set>

#include "domain/timezone.h"

namespace kartiba {

void reject(Error e) { throw Rejected{std::move(e)}; }

size_t utf8_length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

bool is_plan_id(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  auto ok = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!ok(s[0])) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) { return ok(c) || c == '-'; });
}

bool is_entity_id(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

bool is_command_id(const std::string& s) {
  if (s.empty() || s.size() > 128) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-' || c == ':';
  });
}

void check_text(const json& v, const std::string& path, size_t max_cp, bool multiline) {
  if (!v.is_string()) reject(Error::invalid("must be text", path));
  const std::string& s = v.get_ref<const std::string&>();
  for (unsigned char c : s) {
    if (c < 0x20 && !(multiline && (c == '\n' || c == '\t' || c == '\r')))
      reject(Error::invalid("control characters are not allowed here", path));
    if (c == 0x7f) reject(Error::invalid("control characters are not allowed here", path));
  }
  if (utf8_length(s) > max_cp)
    reject(Error::invalid("longer than " + std::to_string(max_cp) + " characters", path));
}

std::string require_id(const json& data, const char* name, const std::string& path) {
  auto it = data.find(name);
  std::string p = path + "/" + name;
  if (it == data.end()) reject(Error::invalid(std::string("missing '") + name + "'", p));
  if (!it->is_string() || !is_entity_id(*it))
    reject(Error::invalid("an id is 1–64 characters of A–Z a–z 0–9 . _ -", p));
  return *it;
}

namespace {

int goal_of(const json& v, const std::string& path) {
  if (!v.is_number_integer()) reject(Error::invalid("an SDG goal is a whole number 1–17", path));
  auto g = v.get<int64_t>();
  if (g < 1 || g > 17) reject(Error::invalid("an SDG goal is a whole number 1–17", path));
  return int(g);
}

json read_value(const json& v, const FieldSpec& spec, const FieldContext& ctx, const std::string& p) {
  switch (spec.type) {
    case FieldType::text:
      check_text(v, p, spec.max, false);
      return v;
    case FieldType::multiline:
      check_text(v, p, spec.max, true);
      return v;
    case FieldType::id:
      if (!v.is_string() || !is_entity_id(v)) reject(Error::invalid("an id is 1–64 characters of A–Z a–z 0–9 . _ -", p));
      return v;
    case FieldType::ids: {
      if (!v.is_array()) reject(Error::invalid("must be a list of ids", p));
      if (v.size() > 500) reject(Error::invalid("too many entries", p));
      std::set<std::string> seen;
      for (size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_string() || !is_entity_id(v[i]))
          reject(Error::invalid("an id is 1–64 characters of A–Z a–z 0–9 . _ -", p + "/" + std::to_string(i)));
        if (!seen.insert(v[i]).second) reject(Error::invalid("listed twice", p + "/" + std::to_string(i)));
      }
      return v;
    }
    case FieldType::date:
      if (!v.is_string() || !is_date(v)) reject(Error::invalid("a date is YYYY-MM-DD", p));
      return v;
    case FieldType::time: {
      json normalized;
      auto r = resolve_time(v, ctx.plan_timezone, p, &normalized);
      if (!r.ok()) reject(r.error());
      return normalized;
    }
    case FieldType::timezone:
      if (!v.is_string() || !is_known_zone(v)) reject(Error::invalid("unknown time zone", p));
      return v;
    case FieldType::goals: {
      if (!v.is_array()) reject(Error::invalid("must be a list of SDG goals 1–17", p));
      std::set<int> goals;
      for (size_t i = 0; i < v.size(); ++i)
        if (!goals.insert(goal_of(v[i], p + "/" + std::to_string(i))).second)
          reject(Error::invalid("goal listed twice", p + "/" + std::to_string(i)));
      return json(std::vector<int>(goals.begin(), goals.end()));
    }
    case FieldType::targets: {
      if (!v.is_array() || v.size() > 169) reject(Error::invalid("must be a list of SDG targets like \"13.3\"", p));
      std::set<std::string> seen;
      for (size_t i = 0; i < v.size(); ++i) {
        std::string pi = p + "/" + std::to_string(i);
        if (!v[i].is_string()) reject(Error::invalid("an SDG target looks like \"13.3\" or \"4.a\"", pi));
        const std::string& t = v[i].get_ref<const std::string&>();
        auto dot = t.find('.');
        bool ok = dot != std::string::npos && dot >= 1 && dot <= 2 && t.size() - dot - 1 >= 1 &&
                  t.size() - dot - 1 <= 2;
        int goal = 0;
        if (ok)
          for (size_t k = 0; k < dot; ++k) {
            if (t[k] < '0' || t[k] > '9') ok = false;
            goal = goal * 10 + (t[k] - '0');
          }
        if (ok) {
          std::string rest = t.substr(dot + 1);
          bool numeric = std::all_of(rest.begin(), rest.end(), [](char c) { return c >= '0' && c <= '9'; });
          bool letter = rest.size() == 1 && rest[0] >= 'a' && rest[0] <= 'j';
          ok = (numeric && rest[0] != '0') || letter;
        }
        if (!ok || goal < 1 || goal > 17)
          reject(Error::invalid("an SDG target looks like \"13.3\" or \"4.a\"", pi));
        if (!seen.insert(t).second) reject(Error::invalid("target listed twice", pi));
      }
      return v;
    }
    case FieldType::topics:
      if (!v.is_array()) reject(Error::invalid("must be a list of text lines", p));
      if (v.size() > 50) reject(Error::invalid("at most 50 topics", p));
      for (size_t i = 0; i < v.size(); ++i) check_text(v[i], p + "/" + std::to_string(i), 500, false);
      return v;
    case FieldType::choice:
      if (!v.is_string() || std::find(spec.choices.begin(), spec.choices.end(), v.get_ref<const std::string&>()) ==
                                spec.choices.end()) {
        std::string list;
        for (auto& c : spec.choices) list += (list.empty() ? "" : ", ") + c;
        reject(Error::invalid("must be one of: " + list, p));
      }
      return v;
    case FieldType::percent:
      if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 100)
        reject(Error::invalid("a percentage is a whole number 0–100", p));
      return v;
    case FieldType::by: {
      if (!v.is_object()) reject(Error::invalid("by is {\"municipality\",\"person\"}", p));
      static const std::vector<FieldSpec> by_specs = {{"municipality", FieldType::text, true},
                                                      {"person", FieldType::text}};
      return read_fields(v, by_specs, {ctx.plan_timezone, p}, true);
    }
    case FieldType::window: {
      if (!v.is_object()) reject(Error::invalid("window is {\"from\":date,\"to\":date}", p));
      static const std::vector<FieldSpec> w_specs = {{"from", FieldType::date, true}, {"to", FieldType::date, true}};
      json w = read_fields(v, w_specs, {ctx.plan_timezone, p}, true);
      if (w["to"].get<std::string>() < w["from"].get<std::string>())
        reject(Error::invalid("the window ends before it starts", p + "/to"));
      return w;
    }
  }
  return v;
}

}  // namespace

json read_fields(const json& data, const std::vector<FieldSpec>& specs, const FieldContext& ctx,
                 bool creating, std::string_view id_field) {
  if (!data.is_object()) reject(Error::invalid("must be an object", ctx.path));
  json out = json::object();
  for (auto& [name, value] : data.items()) {
    if (!id_field.empty() && name == id_field) continue;
    std::string p = ctx.path + "/" + name;
    const std::string& field = name;  // clang before 16 cannot capture a structured binding
    auto spec = std::find_if(specs.begin(), specs.end(), [&](const FieldSpec& s) { return field == s.name; });
    if (spec == specs.end()) reject(Error::invalid("unknown field '" + name + "'", p));
    if (value.is_null()) {
      if (creating) continue;  // absent
      if (spec->required) reject(Error::invalid("'" + name + "' cannot be cleared", p));
      out[name] = nullptr;
      continue;
    }
    out[name] = read_value(value, *spec, ctx, p);
    // A required text (a title, a name, a municipality) says something.
    if (spec->required && out[name].is_string() && out[name].get_ref<const std::string&>().find_first_not_of(" \t") == std::string::npos)
      reject(Error::invalid("'" + name + "' cannot be empty", p));
  }
  if (creating)
    for (auto& s : specs)
      if (s.required && !out.contains(s.name))
        reject(Error::invalid(std::string("missing '") + s.name + "'", ctx.path + "/" + s.name));
  return out;
}

}  // namespace kartiba
