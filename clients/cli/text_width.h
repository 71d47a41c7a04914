// Terminal widths of UTF-8 text, for aligned tables: one column per code point, two for East
// Asian wide and fullwidth characters, none for combining marks and zero-width characters.
// Latvian letters (ā, č, ē, ģ, ī, ķ, ļ, ņ, š, ū, ž) are one column, as precomposed code points.
//
// Pure functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kartiba::cli {

// Columns the text takes in a terminal (invalid bytes count one each).
size_t display_width(std::string_view text);

// The longest prefix of at most `columns` columns, with "…" when it had to cut.
std::string truncate_to_width(std::string_view text, size_t columns);

// Pads with spaces on the right to `columns` (longer text is left as it is).
std::string pad_to_width(std::string_view text, size_t columns);

// Rows of cells as an aligned table: columns separated by two spaces, the last column not
// padded. `max_width` > 0 shrinks the widest columns (cutting with "…", never below 8
// columns) to fit; only those listed in `flexible` when it is not empty.
std::string format_table(const std::vector<std::vector<std::string>>& rows, size_t max_width = 0,
                         const std::vector<size_t>& flexible = {});

}  // namespace kartiba::cli
