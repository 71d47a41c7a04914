// pledges.csv: RFC 4180 quoting, BOM, CRLF, formula defusing, the columns.
#include <catch2/catch.hpp>

#include "export_test_support.h"
#include "exports/csv.h"

using namespace kartiba;
using namespace kartiba::test;

namespace {

// A minimal RFC 4180 reader for the checks: records of fields.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().push_back(field);
      field.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      rows.back().push_back(field);
      field.clear();
      rows.emplace_back();
      ++i;
    } else {
      field += c;
    }
  }
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

}  // namespace

TEST_CASE("csv: fields are quoted only when they must be") {
  CHECK(exports::csv_field("plain") == "plain");
  CHECK(exports::csv_field("Ādažu novads") == "Ādažu novads");
  CHECK(exports::csv_field("a,b") == "\"a,b\"");
  CHECK(exports::csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(exports::csv_field("two\nlines") == "\"two\nlines\"");
  CHECK(exports::csv_field("cr\r") == "\"cr\r\"");
  CHECK(exports::csv_field("") == "");
  CHECK(exports::csv_record({"a", "b,c", ""}) == "a,\"b,c\",\r\n");
}

TEST_CASE("csv: text that a spreadsheet would run as a formula gets an apostrophe") {
  CHECK(exports::csv_defuse_formula("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")");
  CHECK(exports::csv_defuse_formula("+1") == "'+1");
  CHECK(exports::csv_defuse_formula("-2") == "'-2");
  CHECK(exports::csv_defuse_formula("@cmd") == "'@cmd");
  CHECK(exports::csv_defuse_formula("Rīga = galvaspilsēta") == "Rīga = galvaspilsēta");
}

TEST_CASE("csv: the demo plan's pledges — BOM, header, one record per pledge, CRLF") {
  ExportEngine e;
  auto view = e.load_demo();
  auto text = exports::pledges_csv(view);
  REQUIRE(text.rfind("\xEF\xBB\xBF", 0) == 0);
  auto rows = parse_csv(text.substr(3));
  REQUIRE(rows.size() == 1 + view["pledges"].size());
  CHECK(rows[0] == std::vector<std::string>{"id", "municipality", "person", "title", "status", "progress", "sdgs",
                                            "targets", "campaign", "window_from", "window_to", "item",
                                            "description"});
  bool found = false;
  for (auto& r : rows) {
    REQUIRE(r.size() == 13);
    if (r[0] != "adazi-iam-stundas") continue;
    found = true;
    CHECK(r[1] == "Ādažu novads");
    CHECK(r[2] == "K. Miķelsone");
    CHECK(r[3] == "IAM stundas Ādažu novada skolās");
    CHECK(r[4] == "in-progress");
    CHECK(r[5] == "40");
    CHECK(r[6] == "4, 13");
    CHECK(r[7] == "4.7, 13.3");
    CHECK(r[9] == "2024-09-20");
    CHECK(r[10] == "2024-09-29");
    CHECK(r[11] == "bornem");
  }
  CHECK(found);
  CHECK(text.size() >= 2);
  CHECK(text.substr(text.size() - 2) == "\r\n");
}

TEST_CASE("csv: quotes, commas and newlines in pledge text survive a round trip") {
  ExportEngine e;
  REQUIRE(e.engine->create_plan(R"({"id":"p","title":"P","timezone":"Europe/Riga"})", "admin").ok);
  e.ok("p", {{"type", "make-pledge"},
             {"data", {{"pledge", "q"}, {"by", {{"municipality", "Cēsu novads, \"Vidzeme\""}}},
                       {"title", "=1+1"}, {"description", "Rinda viens\nRinda \"divi\", trīs"}}}});
  auto rows = parse_csv(exports::pledges_csv(e.view("p")).substr(3));
  REQUIRE(rows.size() == 2);
  CHECK(rows[1][1] == "Cēsu novads, \"Vidzeme\"");
  CHECK(rows[1][3] == "'=1+1");
  CHECK(rows[1][12] == "Rinda viens\nRinda \"divi\", trīs");
  CHECK(rows[1][4] == "proposed");
}

TEST_CASE("csv: a plan without pledges is a header only") {
  ExportEngine e;
  REQUIRE(e.engine->create_plan(R"({"id":"p","title":"P","timezone":"Europe/Riga"})", "admin").ok);
  auto rows = parse_csv(exports::pledges_csv(e.view("p")).substr(3));
  CHECK(rows.size() == 1);
}
