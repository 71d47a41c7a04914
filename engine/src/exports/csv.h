// pledges.csv: a plan's pledges as CSV (RFC 4180), a pure function of the plan's view.
//
// UTF-8 with a byte order mark (so spreadsheets detect the encoding), CRLF between records,
// fields quoted when they hold a comma, quote or line break. Columns: id, municipality,
// person, title, status, progress, sdgs, targets, campaign, window_from, window_to, item,
// description. Text that a spreadsheet would run as a formula (= + - @ first) gets a leading
// apostrophe. docs/EXPORTS.md describes each column.
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace kartiba::exports {

std::string pledges_csv(const nlohmann::json& view);

// One field as RFC 4180 writes it: quoted (with "" for ") when it holds , " CR or LF.
std::string csv_field(std::string_view text);

// One record: fields joined with commas, ending in CRLF.
std::string csv_record(const std::vector<std::string>& fields);

// The text with a leading apostrophe when it starts like a spreadsheet formula.
std::string csv_defuse_formula(std::string_view text);

}  // namespace kartiba::exports
