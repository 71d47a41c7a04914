// What one line of a plain-text agenda is: calendar words, day headings, time slots, places
// and their zones, speakers, venues, addresses. docs/CLI.md (import-text) lists the rules.
#include "exports/text_lines.h"

#include <algorithm>
#include <cstdio>
#include <regex>
#include <set>

#include "exports/export_util.h"
#include "exports/text_agenda.h"

namespace kartiba::exports {
namespace text_lines {


// ---- UTF-8 letters --------------------------------------------------------------------

// Decodes the code point at s[i]; n receives its length.
uint32_t code_point(const std::string& s, size_t i, size_t& n) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  n = utf8_sequence_length(c);
  if (i + n > s.size()) n = 1;
  if (n == 1) return c;
  uint32_t cp = c & (0xFF >> (n + 1));
  for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return cp;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

uint32_t lower_cp(uint32_t cp) {
  if (cp >= 'A' && cp <= 'Z') return cp + 32;
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 32;
  if ((cp >= 0x100 && cp <= 0x137) || (cp >= 0x14A && cp <= 0x177)) return cp % 2 == 0 ? cp + 1 : cp;
  if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E)) return cp % 2 == 1 ? cp + 1 : cp;
  return cp;
}

bool starts_upper(const std::string& word) {
  if (word.empty()) return false;
  size_t n;
  uint32_t cp = code_point(word, 0, n);
  return lower_cp(cp) != cp;
}

bool is_letter_byte(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80; }

bool has_digit(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// ---- lines ----------------------------------------------------------------------------

// Trims spaces, tabs, no-break spaces and stray backticks; collapses inner whitespace.
std::string clean(const std::string& raw) {
  std::string s;
  bool space = false;
  for (size_t i = 0; i < raw.size();) {
    size_t n;
    uint32_t cp = code_point(raw, i, n);
    bool ws = cp == ' ' || cp == '\t' || cp == '\r' || cp == 0xA0 || cp == 0x202F || cp == 0xFEFF || cp == '\f' ||
              cp == '\v';
    if (ws) {
      space = true;
    } else {
      if (space && !s.empty()) s += ' ';
      space = false;
      s.append(raw, i, n);
    }
    i += n;
  }
  while (!s.empty() && (s.back() == '`' || s.back() == ' ')) s.pop_back();
  while (!s.empty() && (s.front() == '`' || s.front() == ' ')) s.erase(0, 1);
  return s;
}

std::string trim(const std::string& s) { return clean(s); }

std::string strip_period(std::string s) {
  s = trim(s);
  if (s.size() >= 1 && s.back() == '.' && !(s.size() >= 2 && s[s.size() - 2] == '.')) s.pop_back();
  return trim(s);
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i)
    if (i == s.size() || s[i] == sep) {
      out.push_back(trim(s.substr(start, i - start)));
      start = i + 1;
    }
  return out;
}

std::vector<std::string> words_of(const std::string& s) {
  std::vector<std::string> out;
  std::string w;
  for (char c : s) {
    if (c == ' ') {
      if (!w.empty()) out.push_back(w);
      w.clear();
    } else {
      w += c;
    }
  }
  if (!w.empty()) out.push_back(w);
  return out;
}

// Only the letters of a word, lowercased: "maijs," → "maijs".
std::string letters_lower(const std::string& word) {
  std::string out;
  for (char c : word)
    if (is_letter_byte(static_cast<unsigned char>(c))) out += c;
  return utf8_lower(out);
}

// ---- calendar words -------------------------------------------------------------------

struct MonthWord {
  const char* word;
  int month;
  bool prefix;  // Latvian stems take any ending: "maijs", "maijā"
  bool latvian;
};
const MonthWord kMonths[] = {
    {"janvār", 1, true, true},     {"februār", 2, true, true},  {"mart", 3, true, true},
    {"aprīl", 4, true, true},      {"maij", 5, true, true},     {"jūnij", 6, true, true},
    {"jūlij", 7, true, true},      {"august", 8, true, true},   {"septembr", 9, true, true},
    {"oktobr", 10, true, true},    {"novembr", 11, true, true}, {"decembr", 12, true, true},
    {"january", 1, false, false},  {"jan", 1, false, false},    {"february", 2, false, false},
    {"feb", 2, false, false},      {"march", 3, false, false},  {"mar", 3, false, false},
    {"april", 4, false, false},    {"apr", 4, false, false},    {"may", 5, false, false},
    {"june", 6, false, false},     {"jun", 6, false, false},    {"july", 7, false, false},
    {"jul", 7, false, false},      {"aug", 8, false, false},    {"september", 9, false, false},
    {"sep", 9, false, false},      {"sept", 9, false, false},   {"october", 10, false, false},
    {"oct", 10, false, false},     {"november", 11, false, false}, {"nov", 11, false, false},
    {"december", 12, false, false}, {"dec", 12, false, false},
};

// The month a word names (0 if none); latvian receives whether it is a Latvian form.
int month_of(const std::string& word, bool* latvian) {
  std::string w = letters_lower(word);
  if (w.empty()) return 0;
  for (auto& m : kMonths) {
    std::string stem = m.word;
    bool match = m.prefix ? w.rfind(stem, 0) == 0 : w == stem;
    if (match) {
      if (latvian) *latvian = m.latvian;
      return m.month;
    }
  }
  return 0;
}

bool is_weekday(const std::string& word) {
  static const std::set<std::string> kDays = {
      "pirmdiena", "otrdiena", "trešdiena", "ceturtdiena", "piektdiena", "sestdiena", "svētdiena",
      "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
      "mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  return kDays.count(letters_lower(word)) > 0;
}

// A whole number of 1–2 digits with an optional '.' or English ordinal ending: "15.", "15th".
std::optional<int> day_number(const std::string& word) {
  size_t i = 0;
  int v = 0;
  while (i < word.size() && i < 2 && word[i] >= '0' && word[i] <= '9') v = v * 10 + (word[i++] - '0');
  if (i == 0 || (i < word.size() && word[i] >= '0' && word[i] <= '9')) return std::nullopt;
  std::string rest = word.substr(i);
  static const std::set<std::string> kEndings = {"", ".", ",", "st", "nd", "rd", "th", "st,", "nd,", "rd,", "th,"};
  if (!kEndings.count(rest) || v < 1 || v > 31) return std::nullopt;
  return v;
}

std::optional<int> year_number(const std::string& word) {
  std::string digits;
  for (char c : word)
    if (c >= '0' && c <= '9') digits += c;
    else break;
  if (digits.size() != 4) return std::nullopt;
  int y = std::stoi(digits);
  if (y < 1900 || y > 2200) return std::nullopt;
  return y;
}

// "15. maijs, Brisele." · "trešdiena, 15. maijs" · "15 May 2024, Brussels" · "May 15"
std::optional<DayHeading> day_heading(const std::string& line) {
  if (line.size() > 120) return std::nullopt;
  auto w = words_of(line);
  size_t i = 0;
  if (i < w.size() && is_weekday(w[i])) ++i;
  if (i + 1 >= w.size() + 1) return std::nullopt;
  DayHeading h;
  if (i < w.size() && day_number(w[i])) {
    if (i + 1 >= w.size()) return std::nullopt;
    h.day = *day_number(w[i]);
    h.month = month_of(w[i + 1], &h.latvian);
    if (!h.month) return std::nullopt;
    // The month word must be the whole word (no glued text like "maijs.Brisele").
    i += 2;
  } else if (i + 1 < w.size() && month_of(w[i]) && day_number(w[i + 1])) {
    h.month = month_of(w[i], &h.latvian);
    h.day = *day_number(w[i + 1]);
    i += 2;
  } else {
    return std::nullopt;
  }
  if (i < w.size() && year_number(w[i])) {
    h.year = *year_number(w[i]);
    ++i;
    if (i < w.size() && (letters_lower(w[i]) == "gada" || letters_lower(w[i]) == "g")) ++i;
  }
  std::string rest;
  for (; i < w.size(); ++i) rest += (rest.empty() ? "" : " ") + w[i];
  // What follows the date is a place: ", Brisele." — not a sentence.
  while (!rest.empty() && (rest[0] == ',' || rest[0] == '.' || rest[0] == ' ' || rest[0] == '-')) rest.erase(0, 1);
  if (rest.rfind("–", 0) == 0 || rest.rfind("—", 0) == 0) rest = trim(rest.substr(3));
  rest = strip_period(rest);
  if (words_of(rest).size() > 8 || rest.find(':') != std::string::npos) return std::nullopt;
  h.place = rest;
  return h;
}

// "10:30 – 11:00" (also 10.30, hyphen, en or em dash), optionally followed by a title.
std::optional<Slot> slot_line(const std::string& line) {
  static const std::regex kSlot(R"(^(\d{1,2})[:.](\d{2})\s*(?:-|–|—|−|to|līdz)\s*(\d{1,2})[:.](\d{2})\b\s*(.*)$)");
  std::smatch m;
  if (!std::regex_match(line, m, kSlot)) return std::nullopt;
  Slot s{std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3]), std::stoi(m[4]), trim(m[5])};
  if (s.h1 > 23 || s.h2 > 24 || s.m1 > 59 || s.m2 > 59) return std::nullopt;
  while (!s.rest.empty() && (s.rest[0] == '.' || s.rest[0] == ',' || s.rest[0] == ':')) s.rest = trim(s.rest.substr(1));
  return s;
}

// ---- places and zones -----------------------------------------------------------------

const std::pair<const char*, const char*> kPlaces[] = {
    {"rīga", "Europe/Riga"}, {"rīgā", "Europe/Riga"}, {"rīgas", "Europe/Riga"}, {"riga", "Europe/Riga"},
    {"latvija", "Europe/Riga"}, {"latvia", "Europe/Riga"}, {"brisele", "Europe/Brussels"},
    {"briselē", "Europe/Brussels"}, {"briseles", "Europe/Brussels"}, {"brussels", "Europe/Brussels"},
    {"bruxelles", "Europe/Brussels"}, {"brussel", "Europe/Brussels"}, {"beļģija", "Europe/Brussels"},
    {"belgium", "Europe/Brussels"}, {"flandrija", "Europe/Brussels"}, {"flanders", "Europe/Brussels"},
    {"antverpene", "Europe/Brussels"}, {"antwerp", "Europe/Brussels"}, {"vilnius", "Europe/Vilnius"},
    {"viļņa", "Europe/Vilnius"}, {"viļņā", "Europe/Vilnius"}, {"tallinn", "Europe/Tallinn"},
    {"tallina", "Europe/Tallinn"}, {"tallinā", "Europe/Tallinn"}, {"helsinki", "Europe/Helsinki"},
    {"stockholm", "Europe/Stockholm"}, {"stokholma", "Europe/Stockholm"}, {"copenhagen", "Europe/Copenhagen"},
    {"kopenhāgena", "Europe/Copenhagen"}, {"berlin", "Europe/Berlin"}, {"berlīne", "Europe/Berlin"},
    {"frankfurt", "Europe/Berlin"}, {"frankfurte", "Europe/Berlin"}, {"munich", "Europe/Berlin"},
    {"minhene", "Europe/Berlin"}, {"warsaw", "Europe/Warsaw"}, {"varšava", "Europe/Warsaw"},
    {"paris", "Europe/Paris"}, {"parīze", "Europe/Paris"}, {"strasbourg", "Europe/Paris"},
    {"strasbūra", "Europe/Paris"}, {"amsterdam", "Europe/Amsterdam"}, {"amsterdama", "Europe/Amsterdam"},
    {"london", "Europe/London"}, {"londona", "Europe/London"}, {"kyiv", "Europe/Kyiv"},
    {"kijiva", "Europe/Kyiv"}, {"luxembourg", "Europe/Luxembourg"}, {"luksemburga", "Europe/Luxembourg"},
    {"geneva", "Europe/Zurich"}, {"ženēva", "Europe/Zurich"}, {"vienna", "Europe/Vienna"},
    {"vīne", "Europe/Vienna"}, {"rome", "Europe/Rome"}, {"roma", "Europe/Rome"}, {"madrid", "Europe/Madrid"},
    {"madride", "Europe/Madrid"}, {"lisbon", "Europe/Lisbon"}, {"lisabona", "Europe/Lisbon"},
    {"oslo", "Europe/Oslo"}, {"prague", "Europe/Prague"}, {"prāga", "Europe/Prague"},
    {"budapest", "Europe/Budapest"}, {"budapešta", "Europe/Budapest"}, {"tbilisi", "Asia/Tbilisi"},
    {"chisinau", "Europe/Chisinau"}, {"kišiņeva", "Europe/Chisinau"},
};

std::string zone_of_place(const std::string& text) {
  for (auto& w : words_of(text)) {
    std::string lw = letters_lower(w);
    for (auto& [name, zone] : kPlaces)
      if (lw == name) return zone;
  }
  return {};
}

// "Lidojums Rīga - Brisele" → {Europe/Riga, Europe/Brussels}
std::pair<std::string, std::string> travel_zones(const std::string& title) {
  for (const char* sep : {" – ", " - ", " — ", " → ", " -> "}) {
    auto at = title.find(sep);
    if (at == std::string::npos) continue;
    auto from = zone_of_place(title.substr(0, at));
    auto to = zone_of_place(title.substr(at + std::string(sep).size()));
    if (!from.empty() && !to.empty()) return {from, to};
  }
  return {};
}

// ---- what a line is -------------------------------------------------------------------

bool contains_word(const std::string& lowered, const std::initializer_list<const char*>& words) {
  for (auto& w : words_of(lowered)) {
    std::string lw = letters_lower(w);
    for (const char* k : words)
      if (lw == k) return true;
  }
  return false;
}

std::string kind_of(const std::string& title) {
  std::string t = utf8_lower(title);
  if (contains_word(t, {"lidojums", "flight", "reiss", "transfērs", "transfer", "pārbrauciens", "brauciens",
                        "travel", "autobuss", "bus", "vilciens", "train", "izlidošana", "departure", "ielidošana",
                        "arrival"}))
    return "travel";
  if (contains_word(t, {"vakariņas", "dinner", "brokastis", "breakfast", "pieņemšana", "reception"})) return "meal";
  if (contains_word(t, {"pārtraukums", "pauze", "break", "lunch", "pusdienas", "kafijas", "coffee"})) return "break";
  if (contains_word(t, {"vizīte", "apmeklējums", "visit", "tour", "ekskursija"})) return "visit";
  if (contains_word(t, {"prezentācija", "presentation", "lekcija", "lecture", "keynote"})) return "presentation";
  return "meeting";
}

// A person line: "Philippe Latriche, padomnieks, IAM un nevienlīdzība, DG INTPA".
std::optional<std::pair<std::string, std::vector<std::string>>> person_line(const std::string& line) {
  auto parts = split(line, ',');
  if (parts.size() < 2 || parts[1].empty()) return std::nullopt;
  const std::string& name = parts[0];
  auto w = words_of(name);
  if (w.size() < 2 || w.size() > 5 || has_digit(name) || name.find(':') != std::string::npos) return std::nullopt;
  static const std::set<std::string> kParticles = {"de", "da", "van", "von", "der", "den", "del", "della", "di",
                                                   "du", "la", "le", "dos", "das", "y", "ten", "ter", "af"};
  static const std::set<std::string> kNotNames = {
      "eiropas", "european", "komisija", "commission", "komiteja", "committee", "padome", "council",
      "asociācija", "association", "savienība", "union", "ministrija", "ministry", "pašvaldība",
      "municipality", "universitāte", "university", "centrs", "centre", "center", "rue", "avenue",
      "square", "street", "iela", "lidosta", "airport", "tikšanās", "meeting", "hall", "room", "building",
      "house", "hotel", "office", "town", "city", "museum", "ēka", "telpa", "nams", "zāle", "viesnīca"};
  for (size_t i = 0; i < w.size(); ++i) {
    std::string lw = letters_lower(w[i]);
    if (kNotNames.count(lw)) return std::nullopt;
    bool particle = kParticles.count(lw) > 0 && i > 0 && i + 1 < w.size();
    if (!particle && !starts_upper(w[i])) return std::nullopt;
  }
  std::vector<std::string> rest(parts.begin() + 1, parts.end());
  while (!rest.empty() && rest.back().empty()) rest.pop_back();
  if (!rest.empty()) rest.back() = strip_period(rest.back());
  return std::make_pair(name, rest);
}

bool looks_like_organisation(const std::string& part) {
  auto w = words_of(part);
  if (w.empty() || w.size() > 6) return false;
  if (!starts_upper(w[0])) return false;
  for (auto& word : w) {  // an acronym: two or more capitals ("DG", "VVSG", "PLATFORMA")
    int caps = 0;
    bool lower = false;
    for (char c : word) {
      if (c >= 'A' && c <= 'Z') ++caps;
      if (c >= 'a' && c <= 'z') lower = true;
    }
    if (caps >= 2 && !lower) return true;
  }
  return std::all_of(w.begin(), w.end(), [](const std::string& x) {
    static const std::set<std::string> kSmall = {"of", "for", "and", "the", "un", "de", "des", "du", "van", "für"};
    return starts_upper(x) || kSmall.count(x);
  });
}

bool is_address(const std::string& line) {
  static const std::regex kPostcode(R"((?:^|[\s,])(?:[A-Z]{1,2}-\d{4,5}|\d{4,5}\s+[A-Z][a-z]+)(?:$|[\s,.]))");
  if (std::regex_search(line, kPostcode)) return true;
  static const std::set<std::string> kStreets = {
      "rue", "avenue", "av", "square", "place", "boulevard", "bd", "chaussée", "straat", "street", "st", "road",
      "iela", "bulvāris", "laukums", "prospekts", "platz", "straße", "strasse", "laan", "plein", "gatve", "aleja"};
  if (!has_digit(line)) return false;
  for (auto& w : words_of(line))
    if (kStreets.count(letters_lower(w))) return true;
  return false;
}

bool is_venue_details(const std::string& line) {
  return contains_word(utf8_lower(line), {"telpa", "telpā", "ēka", "ēkā", "room", "building", "stāvs", "floor",
                                          "zāle", "zālē", "hall", "auditorija", "salle"});
}

bool is_venue_name(const std::string& line) {
  if (line.find(':') != std::string::npos || words_of(line).size() > 6 || line.size() > 100) return false;
  return contains_word(utf8_lower(line), {"pašvaldība", "municipality", "rātsnams", "rātsnamā", "townhall",
                                          "lidosta", "airport", "ministrija", "ministry", "birojs", "office",
                                          "viesnīca", "hotel", "muzejs", "museum", "universitāte", "university"});
}

std::string unique_id(std::string base, std::set<std::string>& taken, const char* fallback) {
  if (base.empty()) base = fallback;
  std::string id = base;
  for (int n = 2; taken.count(id); ++n) id = base + "-" + std::to_string(n);
  taken.insert(id);
  return id;
}

std::string two(int v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d", v);
  return buf;
}

std::string iso_date(int y, int m, int d) { return std::to_string(y) + "-" + two(m) + "-" + two(d); }

std::string next_date(const std::string& date) {
  int y, m, d;
  if (std::sscanf(date.c_str(), "%d-%d-%d", &y, &m, &d) != 3) return date;
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int dim = kDays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
  if (++d > dim) {
    d = 1;
    if (++m > 12) {
      m = 1;
      ++y;
    }
  }
  return iso_date(y, m, d);
}

// The preamble's date line: "2024.gada 15. - 17. maijs" → year, first and last date.
bool date_range_line(const std::string& line, int& year, std::string& from, std::string& to) {
  std::string spaced, dashes = line;
  for (const char* dash : {"–", "—"})
    for (size_t at; (at = dashes.find(dash)) != std::string::npos;) dashes.replace(at, std::string(dash).size(), " - ");
  for (char c : dashes) {  // "2024.gada" and "20.-29.septembrī": split numbers from words
    if (c == '.' || c == '-') {
      spaced += c;
      spaced += ' ';
    } else {
      spaced += c;
    }
  }
  int y = 0;
  std::vector<std::pair<int, int>> dates;  // day, month (0 until a month word follows)
  for (auto& w : words_of(spaced)) {
    if (auto yy = year_number(w)) {
      y = *yy;
    } else if (auto d = day_number(w)) {
      dates.push_back({*d, 0});
    } else if (int m = month_of(w)) {
      for (auto& dm : dates)
        if (dm.second == 0) dm.second = m;
    }
  }
  if (!y || dates.empty() || dates.front().second == 0) return false;
  for (auto& dm : dates)
    if (dm.second == 0) dm.second = dates.front().second;
  year = y;
  from = iso_date(y, dates.front().second, dates.front().first);
  to = iso_date(y, dates.back().second, dates.back().first);
  return true;
}

bool is_agenda_heading(const std::string& line) {
  static const std::set<std::string> kHeadings = {"darba kārtība", "programma", "agenda", "programme", "program",
                                                  "schedule", "vizītes programma", "darba kārtība:", "agenda:"};
  return kHeadings.count(utf8_lower(strip_period(line))) > 0;
}

}  // namespace text_lines

std::string utf8_lower(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t n;
    uint32_t cp = text_lines::code_point(text, i, n);
    if (n == 1 && cp >= 0x80) {
      out += text[i];  // a stray byte stays as it is
    } else {
      text_lines::append_utf8(out, text_lines::lower_cp(cp));
    }
    i += n;
  }
  return out;
}

}  // namespace kartiba::exports
