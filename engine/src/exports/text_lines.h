// The line-level pieces of the plain-text agenda reader (text_agenda.cpp): UTF-8 letters,
// calendar words, day headings, time slots, places and zones, and what a line after a slot's
// title is (speaker, venue, address). Internal to engine/src/exports.
//
// Pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace kartiba::exports::text_lines {

// UTF-8
uint32_t code_point(const std::string& s, size_t i, size_t& n);  // n: the bytes it took
void append_utf8(std::string& out, uint32_t cp);
uint32_t lower_cp(uint32_t cp);                 // Latin-1 and Latin Extended-A
bool starts_upper(const std::string& word);
bool has_digit(const std::string& s);

// Lines and words
std::string clean(const std::string& raw);      // trims (also NBSP, stray backticks), collapses spaces
std::string trim(const std::string& s);
std::string strip_period(std::string s);        // one trailing '.' (not "...")
std::vector<std::string> split(const std::string& s, char sep);  // trimmed parts
std::vector<std::string> words_of(const std::string& s);
std::string letters_lower(const std::string& word);  // "maijs," → "maijs"
bool contains_word(const std::string& lowered, const std::initializer_list<const char*>& words);

// Calendar
int month_of(const std::string& word, bool* latvian = nullptr);  // 0 if none
bool is_weekday(const std::string& word);
std::optional<int> day_number(const std::string& word);          // "15.", "15th"
std::optional<int> year_number(const std::string& word);         // "2024", "2024."
struct DayHeading {
  int day = 0, month = 0, year = 0;
  bool latvian = false;
  std::string place;
};
std::optional<DayHeading> day_heading(const std::string& line);
struct Slot {
  int h1, m1, h2, m2;
  std::string rest;  // a title on the same line
};
std::optional<Slot> slot_line(const std::string& line);
// "2024.gada 15. - 17. maijs" → year and the first and last date.
bool date_range_line(const std::string& line, int& year, std::string& from, std::string& to);
bool is_agenda_heading(const std::string& line);  // "Darba kārtība", "Agenda", …
std::string two(int v);
std::string iso_date(int y, int m, int d);
std::string next_date(const std::string& date);

// Places and kinds
std::string zone_of_place(const std::string& text);  // "Brisele" → "Europe/Brussels"
std::pair<std::string, std::string> travel_zones(const std::string& title);  // "A – B"
std::string kind_of(const std::string& title);

// What a line after a slot's title is
std::optional<std::pair<std::string, std::vector<std::string>>> person_line(const std::string& line);
bool looks_like_organisation(const std::string& part);
bool is_address(const std::string& line);
bool is_venue_details(const std::string& line);  // "…, BvS ēka, telpa BvS 858"
bool is_venue_name(const std::string& line);     // "Bornem pašvaldība."

std::string unique_id(std::string base, std::set<std::string>& taken, const char* fallback);

}  // namespace kartiba::exports::text_lines
