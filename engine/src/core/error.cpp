#include "kartiba/error.h"

#include <nlohmann/json.hpp>

namespace kartiba {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid: return "invalid";
    case ErrorCode::unauthorized: return "unauthorized";
    case ErrorCode::forbidden: return "forbidden";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::conflict: return "conflict";
    case ErrorCode::too_large: return "too_large";
    case ErrorCode::rate_limited: return "rate_limited";
    case ErrorCode::unavailable: return "unavailable";
    case ErrorCode::internal: return "internal";
  }
  return "invalid";
}

int http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid: return 400;
    case ErrorCode::unauthorized: return 401;
    case ErrorCode::forbidden: return 403;
    case ErrorCode::not_found: return 404;
    case ErrorCode::conflict: return 409;
    case ErrorCode::too_large: return 413;
    case ErrorCode::rate_limited: return 429;
    case ErrorCode::unavailable: return 503;
    case ErrorCode::internal: return 500;
  }
  return 500;
}

std::string Error::to_json() const {
  nlohmann::json body = {{"code", to_string(code_)}, {"message", message_}};
  if (!path_.empty()) body["path"] = path_;
  if (!details_json_.empty()) {
    auto details = nlohmann::json::parse(details_json_, nullptr, false);
    if (details.is_object())
      for (auto& [k, v] : details.items()) body[k] = v;
  }
  return nlohmann::json{{"error", std::move(body)}}.dump(-1, ' ', false,
                                                          nlohmann::json::error_handler_t::replace);
}

}  // namespace kartiba
