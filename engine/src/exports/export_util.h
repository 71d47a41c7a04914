// Helpers shared by the export formats (iCalendar, CSV, schedule JSON, HTML) and the
// plain-text agenda reader: UTF-8, escaping, stable identifiers, zone-local times and the
// few words each format prints in Latvian or English.
//
// Pure functions without shared state; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace kartiba::exports {

// The text under `key` in a view object; empty when absent, not text, or not an object.
std::string str(const nlohmann::json& obj, const char* key);

// Length of the UTF-8 sequence that starts with `lead` (1 for a stray continuation byte).
size_t utf8_sequence_length(unsigned char lead);

// & < > " ' → entities.
std::string html_escape(std::string_view text);

// Lowercase ASCII slug: Latvian and other Latin letters folded (ā→a, š→s, ß→ss), every run of
// other characters → '-', no leading or trailing '-', at most max_len bytes (cut at a '-').
std::string ascii_slug(std::string_view text, size_t max_len = 48);

// Lowercase hex SHA-256 of the bytes.
std::string sha256_hex(std::string_view bytes);

// A name-based UUID (RFC 9562 version 8, SHA-256 of "kartiba:" + name), e.g. for
// "brussels-2024/item/cor": the same name always gives the same UUID.
std::string name_uuid(std::string_view name);

// A positive 31-bit integer derived from the name, stable like name_uuid.
int64_t name_number(std::string_view name);

// Wall-clock time of a UTC instant in a zone.
struct LocalTime {
  std::string local;   // "2024-05-15T07:30:00"
  int offset_s = 0;    // seconds east of UTC at that instant
};
std::optional<LocalTime> local_time_in(int64_t utc_seconds, const std::string& tz);

// "+02:00"
std::string format_offset(int offset_s);

// "2024-05-15T08:30:00Z" (a view's start_utc) → seconds; nullopt when malformed.
std::optional<int64_t> parse_utc_seconds(std::string_view text);

// Calendar words in Latvian ("lv") or English (anything else).
std::string month_name(int month, const std::string& lang);       // "maijs" / "May"
std::string weekday_name(int weekday, const std::string& lang);   // 0 = Sunday: "svētdiena" / "Sunday"
// "trešdiena, 15. maijs" / "Wednesday 15 May" for "2024-05-15" (the text as is when malformed).
std::string long_date(const std::string& iso_date, const std::string& lang);

// The city part of a zone name: "Europe/Riga" → "Riga", "America/New_York" → "New York".
std::string zone_city(const std::string& tz);

// The dates a plan spans, in words: "2024. gada 15.–17. maijs" / "15–17 May 2024" (one date
// when `to` is empty or equal; empty when `from` is not YYYY-MM-DD).
std::string date_range(const std::string& from, const std::string& to, const std::string& lang);

// The wall-clock "HH:MM" of a view time {"local":"2024-05-15T07:30",…}.
std::string local_clock(const nlohmann::json& time);

// A venue on one line: name, building, room, address (or city), each part once even when
// another part already contains it ("BvS" inside "BvS 858").
std::string venue_line(const nlohmann::json& venue);

// User text as HTML: escaped, newlines as <br>.
std::string html_text(const std::string& text);

}  // namespace kartiba::exports
