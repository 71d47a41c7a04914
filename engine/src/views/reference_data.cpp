#include "views/reference_data.h"

namespace kartiba {

const nlohmann::json& sdg_goals() {
  static const nlohmann::json goals = [] {
    nlohmann::json out = nlohmann::json::object();
    auto doc = nlohmann::json::parse(sdg_goals_text());
    for (auto& g : doc["goals"])
      out[std::to_string(g["number"].get<int>())] = {
          {"en", g["en"]}, {"lv", g["lv"].is_null() ? g["en"] : g["lv"]}, {"colour", g["colour"]}};
    return out;
  }();
  return goals;
}

}  // namespace kartiba
