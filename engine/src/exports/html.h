// agenda.html: a printable agenda laid out like the seed document's "Darba kārtība" — day
// by day (date, place, day title), then each item's time range, title, topics, venue and
// speakers — as one self-contained HTML page with a print stylesheet. A pure function of the
// plan's view; every piece of user text is HTML-escaped.
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

namespace kartiba::exports {

// lang: "lv" or "en" (headings, dates and labels); anything else = the plan's language.
std::string agenda_html(const nlohmann::json& view, const std::string& lang);

}  // namespace kartiba::exports
