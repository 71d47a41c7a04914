// Reading a plain-text agenda such as the seed document's "Darba kārtība" into a plan:
// day headings ("15. maijs, Brisele." / "15 May, Brussels"), time slots ("10:30 – 11:00",
// hyphen or dash), titles with "(tbc)" for tentative items, topic lines, speaker lines
// ("Name, role, organisation"), venue and address lines. Then the commands that create or
// extend a plan with it (docs/CLI.md, import-text).
//
// Heuristics, written down in docs/CLI.md: what the reader cannot place is reported, never
// dropped silently. Pure functions; safe from any thread.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace kartiba::exports {

struct TextAgendaOptions {
  int year = 0;           // 0: the year the document names ("2024.gada 15. - 17. maijs")
  std::string timezone;   // the plan's zone; empty: from the document's place, else Europe/Riga
};

struct TextVenue {
  std::string id, name, building, room, address;
};
struct TextPerson {
  std::string id, name, role, organisation;
};
struct TextItem {
  std::string id, title, kind = "meeting", status = "confirmed";
  std::string start_local, start_tz, end_local, end_tz;  // "2024-05-15T07:30", zone
  std::string venue;                                     // venue id or ""
  std::vector<std::string> topics, speakers;             // speakers: person ids
  int line = 0;                                          // 1-based line of its time slot
};
struct TextDay {
  std::string date, title, place;
};
struct TextUnplaced {
  int line = 0;
  std::string text;
  std::string why;
};

struct TextAgenda {
  std::string error;  // non-empty: nothing could be read (no year, no day)
  std::string title, place, description, start_date, end_date, timezone, language;
  int year = 0;
  std::vector<TextDay> days;
  std::vector<TextVenue> venues;
  std::vector<TextPerson> people;
  std::vector<TextItem> items;
  std::vector<TextUnplaced> unplaced;
  std::vector<std::string> notes;  // guesses the reader made (zones, years)
};

TextAgenda parse_text_agenda(const std::string& text, const TextAgendaOptions& options = {});

// The requests that put the agenda into plan `plan_id`:
//   {"create": {plan fields for POST /api/plans} | null, "commands": [{"id","type","data"}…]}
// existing_view: the plan's current view, or null/absent for a new plan. Venues and people
// already in the plan (same name) are reused; items already there (same title and start)
// are skipped. Command ids derive from the content, so sending them twice appends nothing.
nlohmann::json text_agenda_commands(const TextAgenda& agenda, const std::string& plan_id,
                                    const nlohmann::json& existing_view);

// Lowercases ASCII and Latin-1/Latin Extended-A letters ("Ā" → "ā").
std::string utf8_lower(const std::string& text);

}  // namespace kartiba::exports
