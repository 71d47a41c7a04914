// Request JSON checks done before anything parses a body: valid UTF-8, nesting depth within
// the limit, well-formed JSON. nlohmann::json has no depth limit of its own, so the depth is
// checked by a scan first; that also keeps a hostile body from recursing the parser deep.
//
// Thread-safety: free functions without shared state.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "kartiba/error.h"

namespace kartiba::server {

// True when `text` is well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF).
bool valid_utf8(std::string_view text);

// The deepest nesting of arrays and objects in `text`, scanning outside strings only.
// Stops counting (and returns the depth reached) once past `stop_after`.
size_t json_depth(std::string_view text, size_t stop_after);

// UTF-8 and depth checks; the error (400 invalid) when one fails.
std::optional<Error> check_json_text(std::string_view text, size_t max_depth);

// check_json_text, then parse. A parse failure is 400 invalid with the parser's reason.
Result<nlohmann::json> parse_json(std::string_view text, size_t max_depth);

// parse_json, and the value must be a JSON object.
Result<nlohmann::json> parse_json_object(std::string_view text, size_t max_depth);

}  // namespace kartiba::server
