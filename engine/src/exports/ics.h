// agenda.ics: a plan's agenda as iCalendar (RFC 5545), a pure function of the plan's view.
//
// One VEVENT per item (cancelled ones with STATUS:CANCELLED), a VTIMEZONE for every zone an
// item starts or ends in (built from the tz database for the years the plan spans), TZID on
// every DTSTART/DTEND, stable UIDs (item@plan.kartiba), SEQUENCE from the item's history.
// Lines end in CRLF and are folded at 75 octets without splitting a UTF-8 sequence.
// docs/EXPORTS.md describes every property.
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace kartiba {
struct Event;
}

namespace kartiba::exports {

// What the view does not say about an item: how often and when it changed.
struct ItemHistory {
  uint32_t changes = 0;     // events whose data.item is the item, its scheduling included
  int64_t created_ms = 0;   // the first of them (0 = unknown)
  int64_t modified_ms = 0;  // the last of them (0 = unknown)
};
using ItemHistories = std::map<std::string, ItemHistory>;

// Counts, per item id, the events whose data names it ("item": id), oldest first.
ItemHistories item_histories(const std::vector<std::shared_ptr<const Event>>& events);

// The whole calendar. `histories` gives SEQUENCE (changes − 1), CREATED, LAST-MODIFIED and
// DTSTAMP (the item's last change; the view's updated_at when unknown).
std::string agenda_ics(const nlohmann::json& view, const ItemHistories& histories = {});

// TEXT value escaping: \ ; , and newlines (RFC 5545 §3.3.11).
std::string ics_escape_text(std::string_view text);

// One content line, folded: at most 75 octets per physical line, continuation lines start
// with a space, never inside a UTF-8 sequence; each physical line ends in CRLF.
std::string ics_fold(std::string_view line);

// BEGIN:VTIMEZONE … END:VTIMEZONE (unfolded lines, CRLF) with one STANDARD/DAYLIGHT
// component per offset change from 1 January of first_year to 1 January of last_year + 1,
// plus the observance in force at the start. Empty when the zone is unknown.
std::string ics_vtimezone(const std::string& tz, int first_year, int last_year);

}  // namespace kartiba::exports
