// Cheap checks on JSON text before it is parsed: nesting depth (deep nesting would cost the
// parser and the destructor dearly) — used by the engine and the server alike.
#pragma once

#include <cstddef>
#include <string_view>

namespace kartiba {

// The deepest nesting of objects and arrays in `text`, counting only brackets outside
// strings; stops counting once past `limit` (returns limit + 1).
size_t json_depth(std::string_view text, size_t limit);

}  // namespace kartiba
