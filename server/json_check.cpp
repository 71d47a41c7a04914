#include "json_check.h"

#include <string>

namespace kartiba::server {

bool valid_utf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;  // continuation byte first, overlong lead (C0, C1) or past F4
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      const unsigned char cc = s[i + k];
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return false;  // overlong
    if (cp >= 0xD800 && cp <= 0xDFFF) return false;                            // surrogate
    if (cp > 0x10FFFF) return false;
    i += len;
  }
  return true;
}

size_t json_depth(std::string_view text, size_t stop_after) {
  size_t depth = 0;
  size_t deepest = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '[':
      case '{':
        if (++depth > deepest) {
          deepest = depth;
          if (deepest > stop_after) return deepest;
        }
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default: break;
    }
  }
  return deepest;
}

std::optional<Error> check_json_text(std::string_view text, size_t max_depth) {
  if (!valid_utf8(text)) return Error::invalid("the request is not valid UTF-8");
  if (json_depth(text, max_depth) > max_depth) {
    return Error::invalid("JSON nested deeper than " + std::to_string(max_depth) + " levels");
  }
  return std::nullopt;
}

Result<nlohmann::json> parse_json(std::string_view text, size_t max_depth) {
  if (auto err = check_json_text(text, max_depth)) return *err;
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, …" → "parse error at line 1, …"
    if (auto pos = what.find("] "); pos != std::string::npos) what = what.substr(pos + 2);
    return Error::invalid("invalid JSON: " + what);
  }
}

Result<nlohmann::json> parse_json_object(std::string_view text, size_t max_depth) {
  auto parsed = parse_json(text, max_depth);
  if (!parsed.ok()) return parsed;
  if (!parsed->is_object()) return Error::invalid("expected a JSON object");
  return parsed;
}

}  // namespace kartiba::server
