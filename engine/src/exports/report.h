// report.html: the visit report — what the seed document itself is (a report to a council on
// a study visit), made from the plan: purpose and organisers, the delegation (or, until the
// plan lists it, the hosts and speakers), day by day each meeting with its venue, hosts,
// speakers and topics, the decisions, the pledges with their SDGs and status, SDG coverage.
// One self-contained HTML page with an A4 print stylesheet. A pure function of the plan's
// rendered view (never of the engine's state); every piece of user text is HTML-escaped, and
// the delegation's contact fields (email, phone, needs) are never printed.
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

namespace kartiba::exports {

// lang: "lv" or "en" (headings, dates, labels, and the reader's side of any {"lv","en"} text);
// anything else = the plan's language.
std::string report_html(const nlohmann::json& view, const std::string& lang);

}  // namespace kartiba::exports
