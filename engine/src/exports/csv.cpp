#include "exports/csv.h"

#include <nlohmann/json.hpp>

#include "exports/export_util.h"

namespace kartiba::exports {

using json = nlohmann::json;

namespace {

std::string joined(const json& obj, const char* key) {
  std::string out;
  if (!obj.is_object() || !obj.contains(key) || !obj[key].is_array()) return out;
  for (auto& v : obj[key]) {
    if (!out.empty()) out += ", ";
    out += v.is_string() ? v.get<std::string>() : v.dump();
  }
  return out;
}

}  // namespace

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string csv_record(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ',';
    out += csv_field(fields[i]);
  }
  out += "\r\n";
  return out;
}

std::string csv_defuse_formula(std::string_view text) {
  if (!text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' ||
                        text[0] == '\t' || text[0] == '\r'))
    return "'" + std::string(text);
  return std::string(text);
}

std::string pledges_csv(const json& view) {
  std::string out = "\xEF\xBB\xBF";  // UTF-8 byte order mark
  out += csv_record({"id", "municipality", "person", "title", "status", "progress", "sdgs", "targets", "campaign",
                     "window_from", "window_to", "item", "description"});
  if (!view.contains("pledges") || !view["pledges"].is_array()) return out;
  for (auto& p : view["pledges"]) {
    const json by = p.contains("by") ? p["by"] : json::object();
    const json window = p.contains("window") && p["window"].is_object() ? p["window"] : json::object();
    std::string progress = p.contains("progress") && p["progress"].is_number() ? p["progress"].dump() : "0";
    auto text = [](const std::string& s) { return csv_defuse_formula(s); };
    out += csv_record({str(p, "id"), text(str(by, "municipality")), text(str(by, "person")), text(str(p, "title")),
                       str(p, "status"), progress, joined(p, "sdgs"), joined(p, "targets"),
                       text(str(p, "campaign")), str(window, "from"), str(window, "to"), str(p, "item"),
                       text(str(p, "description"))});
  }
  return out;
}

}  // namespace kartiba::exports
