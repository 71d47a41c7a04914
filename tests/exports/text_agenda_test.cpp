// The plain-text agenda reader, against the seed document and small made-up agendas.
#include <catch2/catch.hpp>

#include "export_test_support.h"
#include "exports/text_agenda.h"

using namespace kartiba;
using namespace kartiba::test;
using exports::parse_text_agenda;

namespace {

std::string seed() {
  // The seed lives in shared/, beside the repository (like the schemas).
  return read_file(std::string(KARTIBA_SOURCE_DIR) + "/../shared/seed/study-visit-brussels-2024.txt");
}

}  // namespace

TEST_CASE("text agenda: the seed document gives the demo plan's days, times and titles") {
  auto agenda = parse_text_agenda(seed());
  INFO(agenda.error);
  REQUIRE(agenda.error.empty());
  auto demo = json::parse(source_file("engine/data/demo/brussels-2024.json"));

  CHECK(agenda.year == 2024);
  CHECK(agenda.start_date == "2024-05-15");
  CHECK(agenda.end_date == "2024-05-17");
  CHECK(agenda.timezone == "Europe/Brussels");
  CHECK(agenda.language == "lv");
  CHECK(agenda.place == "Brisele (Beļģija)");
  CHECK(agenda.title == demo["plan"]["title"].get<std::string>());

  REQUIRE(agenda.days.size() == demo["days"].size());
  for (size_t i = 0; i < agenda.days.size(); ++i) CHECK(agenda.days[i].date == demo["days"][i]["date"]);
  CHECK(agenda.days[0].place == "Brisele");
  CHECK(agenda.days[1].place == "Flandrija");
  CHECK(agenda.days[1].title == demo["days"][1]["title"]);

  REQUIRE(agenda.items.size() == demo["items"].size());
  for (size_t i = 0; i < agenda.items.size(); ++i) {
    const auto& got = agenda.items[i];
    const auto& want = demo["items"][i];
    INFO(want["id"]);
    CHECK(got.title == want["title"]);
    CHECK(got.start_local == want["start"]["local"]);
    CHECK(got.end_local == want["end"]["local"]);
    CHECK(got.start_tz == want["start"]["tz"]);
    CHECK(got.end_tz == want["end"]["tz"]);
    CHECK(got.status == want["status"]);
    CHECK(got.kind == want["kind"]);
    CHECK(got.topics.size() >= want.value("topics", json::array()).size());
  }
  CHECK(agenda.unplaced.empty());
}

TEST_CASE("text agenda: speakers, venues and addresses of the seed") {
  auto agenda = parse_text_agenda(seed());
  REQUIRE(agenda.error.empty());
  auto person = [&](const std::string& name) -> exports::TextPerson {
    for (auto& p : agenda.people)
      if (p.name == name) return p;
    FAIL("no person " << name);
    return {};
  };
  CHECK(agenda.people.size() == 4);
  auto latriche = person("Philippe Latriche");
  CHECK(latriche.role == "padomnieks, IAM un nevienlīdzība");
  CHECK(latriche.organisation == "DG INTPA");
  auto banos = person("Eva Baños de Guisasola");
  CHECK(banos.organisation == "PLATFORMA");
  CHECK(banos.role == "padomniece – globālā dienaskārtība, Ilgtspējīgas attīstības mērķi un klimats");
  auto bizarro = person("Pedro Bizarro");
  CHECK(bizarro.role == "projektu vadītājs – klimats, enerģētika un pilsētplānošana");
  CHECK(bizarro.organisation.empty());
  CHECK(person("Heleen Voeten").organisation == "VVSG");

  auto item = [&](const std::string& start) -> exports::TextItem {
    for (auto& i : agenda.items)
      if (i.start_local == start) return i;
    FAIL("no item at " << start);
    return {};
  };
  auto venue = [&](const std::string& id) -> exports::TextVenue {
    for (auto& v : agenda.venues)
      if (v.id == id) return v;
    FAIL("no venue " << id);
    return {};
  };
  auto cor = item("2024-05-15T10:30");
  auto civex = item("2024-05-15T11:00");
  REQUIRE(!cor.venue.empty());
  CHECK(cor.venue == civex.venue);  // the same room twice is one venue
  auto bvs = venue(cor.venue);
  CHECK(bvs.name == "Eiropas Reģionu komiteja");
  CHECK(bvs.building == "BvS");
  CHECK(bvs.room == "BvS 858");
  CHECK(bvs.address == "Rue Montoyer 90-102, B-1040 Brussels");
  CHECK(civex.topics.size() == 2);
  auto cemr = item("2024-05-15T14:00");
  CHECK(cemr.speakers.size() == 2);
  CHECK(cemr.topics.size() == 2);
  CHECK(venue(cemr.venue).address == "Square de Meeûs 1, B-1000");
  CHECK(venue(item("2024-05-16T10:00").venue).name == "Bornem pašvaldība");
  CHECK(item("2024-05-16T10:00").speakers.size() == 1);
}

TEST_CASE("text agenda: English headings, same-line titles, dashes, (tbc), unplaced lines") {
  std::string text =
      "Study visit to Tallinn\n"
      "3–4 June 2025\n"
      "Tallinn\n"
      "\n"
      "Agenda\n"
      "Some note before any day\n"
      "Tuesday, 3 June, Tallinn\n"
      "09:00-10:00 Welcome coffee\n"
      "10:00 — 11:30 Meeting at the City Council (TBC)\n"
      "Jaan Tamm, Deputy Mayor, Tallinn City\n"
      "Town Hall, room 101\n"
      "Raekoja plats 1, 10146 Tallinn\n"
      "Climate plan 2030\n"
      "4 June\n"
      "Intro line for the day\n"
      "Second intro line\n"
      "22:30 - 00:30 Night flight Tallinn – Riga\n";
  auto a = parse_text_agenda(text);
  REQUIRE(a.error.empty());
  CHECK(a.language == "en");
  CHECK(a.year == 2025);
  CHECK(a.timezone == "Europe/Tallinn");
  REQUIRE(a.days.size() == 2);
  CHECK(a.days[0].date == "2025-06-03");
  CHECK(a.days[1].title == "Intro line for the day");
  REQUIRE(a.items.size() == 3);
  CHECK(a.items[0].title == "Welcome coffee");
  CHECK(a.items[0].kind == "break");
  CHECK(a.items[1].title == "Meeting at the City Council");
  CHECK(a.items[1].status == "tentative");
  CHECK(a.items[1].topics == std::vector<std::string>{"Climate plan 2030"});
  REQUIRE(a.people.size() == 1);
  CHECK(a.people[0].role == "Deputy Mayor");
  CHECK(a.people[0].organisation == "Tallinn City");
  REQUIRE(a.venues.size() == 1);
  CHECK(a.venues[0].room == "101");
  CHECK(a.venues[0].address == "Raekoja plats 1, 10146 Tallinn");
  // Past midnight: ends the next day, in the zone it lands in.
  CHECK(a.items[2].kind == "travel");
  CHECK(a.items[2].end_local == "2025-06-05T00:30");
  CHECK(a.items[2].start_tz == "Europe/Tallinn");
  CHECK(a.items[2].end_tz == "Europe/Riga");
  REQUIRE(a.unplaced.size() == 2);
  CHECK(a.unplaced[0].text == "Some note before any day");
  CHECK(a.unplaced[0].line == 6);
  CHECK(a.unplaced[1].text == "Second intro line");
}

TEST_CASE("text agenda: no year anywhere is an error unless --year gives one") {
  std::string text = "15. maijs\n10:00 – 11:00\nTikšanās\n";
  CHECK(!parse_text_agenda(text).error.empty());
  exports::TextAgendaOptions options;
  options.year = 2026;
  options.timezone = "Europe/Riga";
  auto a = parse_text_agenda(text, options);
  REQUIRE(a.error.empty());
  REQUIRE(a.items.size() == 1);
  CHECK(a.items[0].start_local == "2026-05-15T10:00");
  CHECK(a.items[0].start_tz == "Europe/Riga");
  CHECK(!parse_text_agenda("nothing here\n").error.empty());
}

TEST_CASE("text agenda: commands for a new plan, then nothing new for the same plan") {
  auto agenda = parse_text_agenda(seed());
  REQUIRE(agenda.error.empty());
  auto out = exports::text_agenda_commands(agenda, "seed", nullptr);
  REQUIRE(out["create"].is_object());
  CHECK(out["create"]["timezone"] == "Europe/Brussels");

  ExportEngine e;
  auto created = e.engine->create_plan(out["create"].dump(), "admin");
  REQUIRE(created.ok);
  for (auto& c : out["commands"]) e.ok("seed", c);
  auto view = e.view("seed");
  auto demo = e.load_demo();
  REQUIRE(view["items"].size() == demo["items"].size());
  for (size_t i = 0; i < view["items"].size(); ++i) {
    CHECK(view["items"][i]["start_utc"] == demo["items"][i]["start_utc"]);
    CHECK(view["items"][i]["end_utc"] == demo["items"][i]["end_utc"]);
    CHECK(view["items"][i]["title"] == demo["items"][i]["title"]);
    CHECK(view["items"][i]["day"] == demo["items"][i]["day"]);
  }
  CHECK(view["conflicts"].size() == demo["conflicts"].size());

  auto again = exports::text_agenda_commands(agenda, "seed", view);
  CHECK(again["create"].is_null());
  CHECK(again["commands"].empty());

  // Into the demo plan (other ids, other venue names): nothing is new, so nothing is sent,
  // not even the venues only the text knows.
  auto into_demo = exports::text_agenda_commands(agenda, "brussels-2024", demo);
  CHECK(into_demo["create"].is_null());
  CHECK(into_demo["commands"].empty());
}
