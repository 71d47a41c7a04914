// report.html: the visit report's sections in both languages over the demo plan, Latvian text
// intact, user text escaped, the delegation when the view has one, the A4 print rules.
#include <catch2/catch.hpp>

#include "export_test_support.h"
#include "exports/report.h"

using namespace kartiba;
using namespace kartiba::test;

namespace {

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The text of one section (from its opening tag to the next top-level section).
std::string section(const std::string& html, const std::string& id) {
  auto from = html.find("<section id=\"" + id + "\">");
  if (from == std::string::npos) return {};
  auto to = html.find("\n<section id=", from + 1);
  return html.substr(from, to == std::string::npos ? std::string::npos : to - from);
}

}  // namespace

TEST_CASE("report: the demo's report in Latvian has the seed's sections, in its order") {
  ExportEngine e;
  auto view = e.load_demo();
  auto html = exports::report_html(view, "lv");
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(has(html, "<html lang=\"lv\">"));
  CHECK(has(html, "<meta charset=\"utf-8\">"));
  const std::vector<std::pair<std::string, std::string>> sections = {
      {"purpose", "Vizītes mērķis un organizētāji"}, {"delegation", "Delegācija"}, {"programme", "Vizītes norise"},
      {"decisions", "Lēmumi"}, {"pledges", "Apņemšanās"}, {"sdg-coverage", "IAM pārklājums"}};
  size_t last = 0;
  for (auto& [id, heading] : sections) {
    auto at = html.find("<section id=\"" + id + "\">\n<h2>" + heading + "</h2>");
    INFO(id);
    REQUIRE(at != std::string::npos);
    CHECK(at > last);
    last = at;
  }
  // Title and dates as the seed has them, Latvian letters and quotation marks intact.
  CHECK(has(html, "izpētes vizīte “Attīstības sadarbība un ANO Ilgtspējas attīstības mērķi pašvaldību attīstībai”"));
  CHECK(has(html, "2024. gada 15.–17. maijs"));
  CHECK(has(html, "Brisele (Beļģija)"));

  auto purpose = section(html, "purpose");
  CHECK(has(purpose, "<strong>Organizē:</strong> Latvijas Pašvaldību savienība; PLATFORMA"));
  CHECK(has(purpose, "Latvijas un Ukrainas pašvaldību attīstības sadarbības aktivitātēs"));
  CHECK(has(purpose, "IAM 4</span> Kvalitatīva izglītība"));
  CHECK(count(purpose, "<li><span class=\"sdg\"") == 3);  // the three priority goals

  auto delegation = section(html, "delegation");
  CHECK(has(delegation, "Plānā vēl nav delegācijas dalībnieku saraksta."));
  CHECK(has(delegation, "<h3>Uzņēmēji un runātāji</h3>"));
  CHECK(has(delegation, "<li>Eiropas Reģionu komiteja</li>"));
  CHECK(has(delegation, "<li>Bornem pašvaldība</li>"));
  CHECK(has(delegation, "<li><strong>Eva Baños de Guisasola</strong>, padomniece – globālā dienaskārtība"));
  CHECK(count(delegation, "<li><strong>") == 4);  // Latriche, Bizarro, Baños de Guisasola, Voeten

  auto programme = section(html, "programme");
  CHECK(count(programme, "<section class=\"day\"") == 3);
  CHECK(count(programme, "<div class=\"item ") == view["items"].size());
  CHECK(has(programme, "<h3>trešdiena, 15. maijs, Brisele</h3>"));
  CHECK(has(programme, "07:30 – 08:55<small>Riga → Brussels</small>"));
  CHECK(has(programme, "<dt>Vieta</dt><dd class=\"venue\">Starptautiskā lidosta “Rīga” (RIX), Mārupe</dd>"));
  CHECK(has(programme, "Tikšanās Bornem pašvaldībā <span class=\"badge\">(tbc)</span>"));
  CHECK(has(programme, "<dt>Uzņem</dt><dd class=\"host\">Eiropas Reģionu komiteja</dd>"));
  CHECK(has(programme, "<dt>Adrese</dt><dd class=\"venue\">BvS 858, Rue Montoyer 90-102, B-1040 Brussels</dd>"));
  CHECK(has(programme, "<li>Iepazīstināšana ar “Ietvaru ilgtspējīgām pilsētām”"));
  CHECK(has(programme, "<li><strong>Philippe Latriche</strong>, padomnieks, IAM un nevienlīdzība, DG INTPA</li>"));

  auto decisions = section(html, "decisions");
  CHECK(has(decisions, "<h3>Rīkot Ilgtspējīgu pašvaldību nedēļu Latvijā</h3>"));
  CHECK(has(decisions, "Attiecas uz: Tikšanās Eiropas Vietējo un reģionālo pašvaldību padomē (CEMR); Tikšanās Bornem"));

  auto pledges = section(html, "pledges");
  CHECK(count(pledges, "<tr id=\"pledge-") == view["pledges"].size());
  CHECK(has(pledges, "Ādažu novads<br><small>K. Miķelsone</small>"));
  CHECK(has(pledges, "<strong>IAM stundas Ādažu novada skolās</strong>"));
  CHECK(has(pledges, "Kampaņa: Ilgtspējīgu pašvaldību nedēļa 2024, 2024. gada 20.–29. septembris"));
  CHECK(has(pledges, ">Notiek · 40%<br><small>Skolotājiem sagatavoti mācību materiāli"));
  CHECK(has(pledges, ">Izpildīta<br><small>Pasākums notika 2024. gada 24. septembrī.</small>"));
  CHECK(has(pledges, ">Apņēmusies · 10%</td>"));
  CHECK(has(pledges, ">Ierosināta</td>"));  // no "· 0%" before any progress

  auto coverage = section(html, "sdg-coverage");
  CHECK(has(coverage, "<tr class=\"priority\"><td><span class=\"sdg\" style=\"background:#"));
  CHECK(has(coverage, "Rīcība klimata jomā"));
  CHECK(has(coverage, "Neaptvertie mērķi (IAM): 1, 2, 3, 5, 6, 8, 9, 12, 14, 15"));
}

TEST_CASE("report: the same sections in English") {
  ExportEngine e;
  auto html = exports::report_html(e.load_demo(), "en");
  CHECK(has(html, "<html lang=\"en\">"));
  for (auto heading : {"Purpose and organisers", "Delegation", "The visit day by day", "Decisions", "Pledges",
                       "SDG coverage"})
    CHECK(has(html, std::string("<h2>") + heading + "</h2>"));
  CHECK(has(html, "15–17 May 2024"));
  CHECK(has(html, "<strong>Organised by:</strong>"));
  CHECK(has(html, "The plan does not list the members of the delegation yet."));
  CHECK(has(html, "<h3>Wednesday 15 May, Brisele</h3>"));
  CHECK(has(html, "<dt>Host</dt><dd class=\"host\">Eiropas Reģionu komiteja</dd>"));
  CHECK(has(html, "SDG 4</span> Quality Education"));
  CHECK(has(html, ">In progress · 40%"));
  CHECK(has(html, "Goals not covered (SDG): 1, 2, 3, 5, 6, 8, 9, 12, 14, 15"));
  // Texts the plan holds in one language are shown as written, not translated.
  CHECK(has(html, "IAM stundas Ādažu novada skolās"));
}

TEST_CASE("report: printable on A4") {
  ExportEngine e;
  auto html = exports::report_html(e.load_demo(), "lv");
  CHECK(has(html, "@media print"));
  CHECK(has(html, "@page { size: A4;"));
  CHECK(has(html, ".item, .decision, tr { break-inside: avoid;"));
  CHECK(has(html, "print-color-adjust: exact"));  // the SDG tiles keep their colours on paper
}

TEST_CASE("report: user text never becomes markup") {
  ExportEngine e;
  REQUIRE(e.engine->create_plan(
                      R"({"id":"p","title":"<script>alert(\"x\")</script> 'q'","timezone":"Europe/Riga",)"
                      R"("organiser":"A & B <i>","description":"line <b>1</b>\nline 2","start_date":"2024-05-15","end_date":"2024-05-15"})",
                      "admin")
              .ok);
  e.ok("p", {{"type", "add-venue"}, {"data", {{"venue", "v"}, {"name", "\"><img src=x onerror=alert(1)>"}}}});
  e.ok("p", {{"type", "add-person"}, {"data", {{"person", "x"}, {"name", "<svg onload=alert(1)>"}}}});
  e.ok("p", {{"type", "schedule-item"},
             {"data", {{"item", "i"}, {"title", "</p><script>alert(1)</script>"}, {"topics", {"a & b < c"}},
                       {"venue", "v"}, {"speakers", {"x"}}, {"sdgs", {4}},
                       {"start", {{"local", "2024-05-15T10:00"}}}, {"end", {{"local", "2024-05-15T11:00"}}}}}});
  e.ok("p", {{"type", "make-pledge"},
             {"data", {{"pledge", "pl"}, {"by", {{"municipality", "<u>Ādaži</u>"}}}, {"title", "'quoted' \"too\""},
                       {"sdgs", {4}}}}});
  e.ok("p", {{"type", "record-decision"},
             {"data", {{"decision", "d"}, {"title", "<h1>big</h1>"}, {"text", "x</div>"}, {"items", {"i"}}}}});
  auto html = exports::report_html(e.view("p"), "en");
  for (auto raw : {"<script>", "<img", "<svg", "<b>1", "<i>", "<u>", "<h1>big", "x</div>"}) {
    INFO(raw);
    CHECK(!has(html, raw));
  }
  CHECK(has(html, "<h1>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &#39;q&#39;</h1>"));
  CHECK(has(html, "<strong>Organised by:</strong> A &amp; B &lt;i&gt;"));
  CHECK(has(html, "<p class=\"description\">line &lt;b&gt;1&lt;/b&gt;</p>\n<p class=\"description\">line 2</p>"));
  CHECK(has(html, "&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
  CHECK(has(html, "<li>a &amp; b &lt; c</li>"));
  CHECK(has(html, "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
  CHECK(has(html, "&lt;u&gt;Ādaži&lt;/u&gt;"));
  CHECK(has(html, "&#39;quoted&#39; &quot;too&quot;"));
}

TEST_CASE("report: the delegation is listed when the view has participants, without contact fields") {
  ExportEngine e;
  auto view = e.load_demo();
  // The shape SPEC "Delegation" gives the view's participants (another issue adds the commands).
  view["participants"] = json::array(
      {{{"id", "km"}, {"name", "Kristīne Miķelsone"}, {"municipality", "Ādažu novads"}, {"role", "deputāte"},
        {"email", "k@example.lv"}, {"phone", "+371 20000000"}, {"needs", "veģetāra ēdienkarte"}},
       {{"id", "jb"}, {"name", "Jānis Bērziņš <x>"}, {"municipality", "Cēsu novads"}, {"organisation", "LPS"}}});
  auto delegation = section(exports::report_html(view, "lv"), "delegation");
  CHECK(!has(delegation, "Plānā vēl nav delegācijas"));
  CHECK(has(delegation, "<th>Vārds, uzvārds</th><th>Pašvaldība</th><th>Organizācija</th><th>Loma</th>"));
  CHECK(has(delegation, "<tr><td>Kristīne Miķelsone</td><td>Ādažu novads</td><td></td><td>deputāte</td></tr>"));
  CHECK(has(delegation, "<td>Jānis Bērziņš &lt;x&gt;</td><td>Cēsu novads</td><td>LPS</td>"));
  for (auto secret : {"k@example.lv", "+371", "veģetāra"}) CHECK(!has(delegation, secret));
  CHECK(has(delegation, "<h3>Uzņēmēji un runātāji</h3>"));  // hosts and speakers still follow
}

TEST_CASE("report: texts given in both languages are shown in the reader's") {
  ExportEngine e;
  auto view = e.load_demo();
  view["title"] = {{"lv", "Izpētes vizīte"}, {"en", "Study visit"}};
  view["organiser"] = {{"lv", "Latvijas Pašvaldību savienība"}};  // no English: falls back to Latvian
  CHECK(has(exports::report_html(view, "en"), "<h1>Study visit</h1>"));
  CHECK(has(exports::report_html(view, "lv"), "<h1>Izpētes vizīte</h1>"));
  CHECK(has(exports::report_html(view, "en"), "<strong>Organised by:</strong> Latvijas Pašvaldību savienība"));
}

TEST_CASE("report: an empty plan still has every section, saying what is missing") {
  ExportEngine e;
  REQUIRE(e.engine->create_plan(R"({"id":"empty","title":"Tukšs","timezone":"Europe/Riga"})", "admin").ok);
  auto html = exports::report_html(e.view("empty"), "lv");
  for (auto id : {"purpose", "delegation", "programme", "decisions", "pledges", "sdg-coverage"})
    CHECK(has(html, std::string("<section id=\"") + id + "\">"));
  CHECK(has(html, "Lēmumi nav reģistrēti."));
  CHECK(has(html, "Apņemšanās nav reģistrētas."));
  CHECK(!has(html, "Uzņēmēji un runātāji"));
}
