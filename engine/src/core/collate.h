// kartiba::collate — orders names the way the plan's language does (ICU's collator): for a
// Latvian plan "Ādažu novads" before "Valmieras novads" and "cz" before "čaks"; for an English
// plan the root order, where č is a c with an accent. Byte order is the last tie-break, so two
// different texts never compare equal and sorting stays deterministic.
//
// Thread-safety: each thread uses its own collator per language, cloned once from a shared one.
#pragma once

#include <string_view>

namespace kartiba {

enum class CollationLanguage { lv, en };

// The plan's `language` field: "en" → English; anything else → Latvian (the plan's default).
CollationLanguage collation_language(std::string_view code);

// < 0, 0 or > 0 as `a` sorts before, with or after `b` (0 only when the bytes are equal).
int collate(std::string_view a, std::string_view b, CollationLanguage language);

inline bool collate_less(std::string_view a, std::string_view b, CollationLanguage language) {
  return collate(a, b, language) < 0;
}

}  // namespace kartiba
