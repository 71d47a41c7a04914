#include "exports/export_util.h"

#include <openssl/sha.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

#include <date/tz.h>
#include <nlohmann/json.hpp>

#include "core/time_format.h"

namespace kartiba::exports {

std::string str(const nlohmann::json& obj, const char* key) {
  if (!obj.is_object()) return {};
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

size_t utf8_sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 1;
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

// Latin letters with diacritics (two-byte UTF-8) → ASCII, enough for Latvian, Lithuanian,
// Estonian, German, French, Dutch, Spanish, Polish and Nordic names.
const std::pair<const char*, const char*> kFold[] = {
    {"ā", "a"}, {"Ā", "a"}, {"č", "c"}, {"Č", "c"}, {"ē", "e"}, {"Ē", "e"}, {"ģ", "g"}, {"Ģ", "g"},
    {"ī", "i"}, {"Ī", "i"}, {"ķ", "k"}, {"Ķ", "k"}, {"ļ", "l"}, {"Ļ", "l"}, {"ņ", "n"}, {"Ņ", "n"},
    {"š", "s"}, {"Š", "s"}, {"ū", "u"}, {"Ū", "u"}, {"ž", "z"}, {"Ž", "z"}, {"ō", "o"}, {"Ō", "o"},
    {"ą", "a"}, {"ę", "e"}, {"ė", "e"}, {"į", "i"}, {"ų", "u"}, {"ł", "l"}, {"Ł", "l"}, {"ś", "s"},
    {"ź", "z"}, {"ż", "z"}, {"ć", "c"}, {"ń", "n"}, {"ő", "o"}, {"ű", "u"}, {"ř", "r"}, {"ě", "e"},
    {"à", "a"}, {"á", "a"}, {"â", "a"}, {"ã", "a"}, {"ä", "a"}, {"å", "a"}, {"æ", "ae"}, {"ç", "c"},
    {"è", "e"}, {"é", "e"}, {"ê", "e"}, {"ë", "e"}, {"ì", "i"}, {"í", "i"}, {"î", "i"}, {"ï", "i"},
    {"ñ", "n"}, {"ò", "o"}, {"ó", "o"}, {"ô", "o"}, {"õ", "o"}, {"ö", "o"}, {"ø", "o"}, {"ù", "u"},
    {"ú", "u"}, {"û", "u"}, {"ü", "u"}, {"ý", "y"}, {"ÿ", "y"}, {"ß", "ss"}, {"À", "a"}, {"Á", "a"},
    {"Ä", "a"}, {"Å", "a"}, {"Ç", "c"}, {"É", "e"}, {"È", "e"}, {"Ö", "o"}, {"Ø", "o"}, {"Ü", "u"},
    {"Ñ", "n"}, {"Õ", "o"}, {"Ó", "o"}, {"Ú", "u"}, {"Í", "i"}, {"Æ", "ae"},
};

}  // namespace

std::string ascii_slug(std::string_view text, size_t max_len) {
  std::string out;
  bool dash = false;
  auto put = [&](std::string_view s) {
    if (dash && !out.empty()) out += '-';
    dash = false;
    out += s;
  };
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t n = utf8_sequence_length(c);
    if (i + n > text.size()) n = 1;
    std::string_view seq = text.substr(i, n);
    i += n;
    if (n == 1 && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
      put(seq);
    } else if (n == 1 && c >= 'A' && c <= 'Z') {
      char lower = static_cast<char>(c - 'A' + 'a');
      put(std::string_view(&lower, 1));
    } else {
      const char* folded = nullptr;
      for (auto& [from, to] : kFold)
        if (seq == from) folded = to;
      if (folded)
        put(folded);
      else
        dash = true;
    }
  }
  if (out.size() > max_len) {
    out.resize(max_len);
    if (auto cut = out.rfind('-'); cut != std::string::npos && cut > max_len / 2) out.resize(cut);
    while (!out.empty() && out.back() == '-') out.pop_back();
  }
  return out;
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : digest) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

std::string name_uuid(std::string_view name) {
  std::string h = sha256_hex("kartiba:" + std::string(name)).substr(0, 32);
  h[12] = '8';                                               // version 8
  static const char* kVariant = "89ab";
  h[16] = kVariant[std::stoi(h.substr(16, 1), nullptr, 16) & 3];  // variant 10xx
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" +
         h.substr(20, 12);
}

int64_t name_number(std::string_view name) {
  std::string h = sha256_hex("kartiba-id:" + std::string(name));
  int64_t v = std::stoll(h.substr(0, 8), nullptr, 16) & 0x7fffffff;
  return v == 0 ? 1 : v;
}

std::string format_offset(int offset_s) {
  char sign = offset_s < 0 ? '-' : '+';
  int a = offset_s < 0 ? -offset_s : offset_s;
  char buf[12];
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", sign, a / 3600, a % 3600 / 60);
  return buf;
}

std::optional<LocalTime> local_time_in(int64_t utc_seconds, const std::string& tz) {
  try {
    const date::time_zone* zone = date::locate_zone(tz);
    date::sys_seconds t{std::chrono::seconds(utc_seconds)};
    auto info = zone->get_info(t);
    auto local = date::local_seconds{std::chrono::seconds(utc_seconds + info.offset.count())};
    auto day = date::floor<date::days>(local);
    date::year_month_day ymd{day};
    date::hh_mm_ss<std::chrono::seconds> tod{local - day};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", int(ymd.year()), unsigned(ymd.month()),
                  unsigned(ymd.day()), int(tod.hours().count()), int(tod.minutes().count()),
                  int(tod.seconds().count()));
    return LocalTime{buf, int(info.offset.count())};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<int64_t> parse_utc_seconds(std::string_view text) {
  auto ms = parse_rfc3339_ms(text);
  if (!ms) return std::nullopt;
  return *ms / 1000;
}

std::string month_name(int month, const std::string& lang) {
  static const char* lv[] = {"janvāris", "februāris", "marts", "aprīlis", "maijs", "jūnijs",
                             "jūlijs", "augusts", "septembris", "oktobris", "novembris", "decembris"};
  static const char* en[] = {"January", "February", "March", "April", "May", "June",
                             "July", "August", "September", "October", "November", "December"};
  if (month < 1 || month > 12) return {};
  return lang == "lv" ? lv[month - 1] : en[month - 1];
}

std::string weekday_name(int weekday, const std::string& lang) {
  static const char* lv[] = {"svētdiena", "pirmdiena", "otrdiena", "trešdiena",
                             "ceturtdiena", "piektdiena", "sestdiena"};
  static const char* en[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
  if (weekday < 0 || weekday > 6) return {};
  return lang == "lv" ? lv[weekday] : en[weekday];
}

std::string long_date(const std::string& iso, const std::string& lang) {
  int y = 0;
  unsigned m = 0, d = 0;
  if (iso.size() != 10 || std::sscanf(iso.c_str(), "%4d-%2u-%2u", &y, &m, &d) != 3) return iso;
  date::year_month_day ymd{date::year(y), date::month(m), date::day(d)};
  if (!ymd.ok()) return iso;
  int wd = int(date::weekday(date::sys_days(ymd)).c_encoding());
  if (lang == "lv") return weekday_name(wd, lang) + ", " + std::to_string(d) + ". " + month_name(int(m), lang);
  return weekday_name(wd, lang) + " " + std::to_string(d) + " " + month_name(int(m), lang);
}

std::string zone_city(const std::string& tz) {
  std::string city = tz.substr(tz.rfind('/') == std::string::npos ? 0 : tz.rfind('/') + 1);
  for (char& c : city)
    if (c == '_') c = ' ';
  return city;
}

std::string date_range(const std::string& from, const std::string& to, const std::string& lang) {
  if (from.size() != 10) return {};
  int y1 = std::atoi(from.substr(0, 4).c_str()), m1 = std::atoi(from.substr(5, 2).c_str()),
      d1 = std::atoi(from.substr(8, 2).c_str());
  int y2 = y1, m2 = m1, d2 = d1;
  if (to.size() == 10) {
    y2 = std::atoi(to.substr(0, 4).c_str());
    m2 = std::atoi(to.substr(5, 2).c_str());
    d2 = std::atoi(to.substr(8, 2).c_str());
  }
  auto n = [](int v) { return std::to_string(v); };
  if (lang == "lv") {
    if (from == to || to.size() != 10) return n(y1) + ". gada " + n(d1) + ". " + month_name(m1, lang);
    if (y1 == y2 && m1 == m2) return n(y1) + ". gada " + n(d1) + ".–" + n(d2) + ". " + month_name(m1, lang);
    if (y1 == y2)
      return n(y1) + ". gada " + n(d1) + ". " + month_name(m1, lang) + " – " + n(d2) + ". " + month_name(m2, lang);
    return n(y1) + ". gada " + n(d1) + ". " + month_name(m1, lang) + " – " + n(y2) + ". gada " + n(d2) + ". " +
           month_name(m2, lang);
  }
  if (from == to || to.size() != 10) return n(d1) + " " + month_name(m1, lang) + " " + n(y1);
  if (y1 == y2 && m1 == m2) return n(d1) + "–" + n(d2) + " " + month_name(m1, lang) + " " + n(y1);
  if (y1 == y2) return n(d1) + " " + month_name(m1, lang) + " – " + n(d2) + " " + month_name(m2, lang) + " " + n(y1);
  return n(d1) + " " + month_name(m1, lang) + " " + n(y1) + " – " + n(d2) + " " + month_name(m2, lang) + " " + n(y2);
}

std::string local_clock(const nlohmann::json& time) {
  std::string local = str(time, "local");
  return local.size() >= 16 ? local.substr(11, 5) : local;
}

std::string venue_line(const nlohmann::json& venue) {
  std::vector<std::string> parts;
  for (const char* key : {"name", "building", "room", "address"}) parts.push_back(str(venue, key));
  if (str(venue, "address").empty()) parts.push_back(str(venue, "city"));
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].empty()) continue;
    bool inside_other = false;
    for (size_t j = 0; j < parts.size(); ++j)
      if (j != i && parts[j].size() > parts[i].size() && parts[j].find(parts[i]) != std::string::npos)
        inside_other = true;
    if (inside_other) continue;
    if (!out.empty()) out += ", ";
    out += parts[i];
  }
  return out;
}

std::string html_text(const std::string& text) {
  std::string escaped = html_escape(text), out;
  for (char c : escaped) {
    if (c == '\n') out += "<br>";
    else if (c != '\r') out += c;
  }
  return out;
}

}  // namespace kartiba::exports
