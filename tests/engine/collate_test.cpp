// Names sorted as the plan's language sorts them (engine/src/core/collate.h, ICU): the collator
// itself, then the lists that use it — the pledge roll-up by municipality, venues and people in
// the view, and the rows of pledges.csv — for a Latvian and an English plan.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <thread>

#include "core/collate.h"
#include "exports/csv.h"
#include "test_support.h"

using namespace kartiba;
using namespace kartiba::test;

namespace {

std::vector<std::string> sorted(std::vector<std::string> words, CollationLanguage language) {
  std::mt19937 shuffle_with(7);
  std::shuffle(words.begin(), words.end(), shuffle_with);
  std::sort(words.begin(), words.end(),
            [language](const std::string& a, const std::string& b) { return collate_less(a, b, language); });
  return words;
}

std::vector<std::string> column(const json& list, const char* key) {
  std::vector<std::string> out;
  for (auto& e : list) out.push_back(e[key].get<std::string>());
  return out;
}

// The second field of each CSV record after the header (municipality; none of them is quoted).
std::vector<std::string> csv_municipalities(const std::string& csv) {
  std::vector<std::string> out;
  size_t at = csv.find("\r\n") + 2;
  while (at < csv.size()) {
    const size_t end = csv.find("\r\n", at);
    const std::string line = csv.substr(at, end - at);
    const size_t a = line.find(',') + 1;
    out.push_back(line.substr(a, line.find(',', a) - a));
    at = end + 2;
  }
  return out;
}

const std::vector<std::string> kMunicipalities = {"Valmieras novads", "Ādažu novads", "Ķekavas novads",
                                                  "Cēsu novads",      "Ogres novads", "Kuldīgas novads"};

void pledges_by_municipalities(TestEngine& t) {
  int n = 0;
  for (auto& m : kMunicipalities)
    t.ok("p", "make-pledge", {{"pledge", "m" + std::to_string(n++)}, {"by", {{"municipality", m}}}, {"title", "Solījums"}});
}

}  // namespace

TEST_CASE("collate: the Latvian alphabet, letters with a caron or cedilla after their base letter", "[collate]") {
  // a ā b c č d e ē f g ģ h i ī j k ķ l ļ m n ņ o p r s š t u ū v z ž: the long vowels sort with
  // their short ones; č ģ ķ ļ ņ š ž are letters of their own, after c g k l n s z.
  const std::vector<std::string> expected = {"ābele", "ass",   "bērzs",  "cukurs", "čaks",   "dārzs",
                                             "gulbis", "ģimene", "kūka",  "ķirsis", "lūpa",  "ļoti",
                                             "nūja",  "ņaudēt", "ola",    "sūna",   "šķīvis", "tilts",
                                             "zvans", "žurka"};
  CHECK(sorted(expected, CollationLanguage::lv) == expected);
  CHECK(collate_less("Ādažu novads", "Valmieras novads", CollationLanguage::lv));
  CHECK(std::string("Ādažu novads") > std::string("Valmieras novads"));  // what byte order did
}

TEST_CASE("collate: mixed case sorts by letter first, lower case before upper case on a tie", "[collate]") {
  const std::vector<std::string> words = {"Čaks", "ābols", "Bērzs", "ĀBOLS", "čaks", "Ādaži", "cukurs", "BĒRZS"};
  CHECK(sorted(words, CollationLanguage::lv) ==
        std::vector<std::string>{"ābols", "ĀBOLS", "Ādaži", "Bērzs", "BĒRZS", "cukurs", "čaks", "Čaks"});
}

TEST_CASE("collate: an English plan uses the root order, where č is an accented c", "[collate]") {
  CHECK(sorted({"cukurs", "čaks", "dārzs"}, CollationLanguage::en) == std::vector<std::string>{"čaks", "cukurs", "dārzs"});
  CHECK(sorted({"cukurs", "čaks", "dārzs"}, CollationLanguage::lv) == std::vector<std::string>{"cukurs", "čaks", "dārzs"});
  CHECK(sorted({"Zebra", "apple", "Banana"}, CollationLanguage::en) == std::vector<std::string>{"apple", "Banana", "Zebra"});
  CHECK(collation_language("en") == CollationLanguage::en);
  CHECK(collation_language("lv") == CollationLanguage::lv);
  CHECK(collation_language("") == CollationLanguage::lv);  // the plan's default
}

TEST_CASE("collate: only equal bytes compare equal; ill-formed UTF-8 does not throw", "[collate]") {
  CHECK(collate("Anna", "Anna", CollationLanguage::lv) == 0);
  // Equal to ICU (a combining macron vs the precomposed letter) but different bytes: not equal.
  const std::string composed = "\xC4\x81";      // ā
  const std::string decomposed = "a\xCC\x84";   // a + U+0304
  CHECK(collate(composed, decomposed, CollationLanguage::lv) != 0);
  CHECK(collate(composed, decomposed, CollationLanguage::lv) == -collate(decomposed, composed, CollationLanguage::lv));
  CHECK(collate("a\xFF", "a", CollationLanguage::lv) != 0);
  CHECK(collate("", "a", CollationLanguage::lv) < 0);
}

TEST_CASE("collate: threads sort at once, each with its own collator", "[collate]") {
  const std::vector<std::string> expected = {"Ādažu novads", "Cēsu novads", "Kuldīgas novads",
                                             "Ķekavas novads", "Ogres novads", "Valmieras novads"};
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] {
      for (int k = 0; k < 200; ++k)
        if (sorted(kMunicipalities, CollationLanguage::lv) != expected) ++wrong;
    });
  for (auto& th : threads) th.join();
  CHECK(wrong == 0);
}

TEST_CASE("collate: the pledge roll-up by municipality and pledges.csv in the plan's language", "[collate][views]") {
  TestEngine t;
  seed(t);  // a pledge of Ādažu novads already
  pledges_by_municipalities(t);
  json view = t.view("p");
  const std::vector<std::string> latvian = {"Ādažu novads", "Cēsu novads", "Kuldīgas novads",
                                            "Ķekavas novads", "Ogres novads", "Valmieras novads"};
  CHECK(column(view["pledge_board"]["by_municipality"], "municipality") == latvian);
  CHECK(view["pledge_board"]["by_municipality"][0]["count"] == 2);
  auto rows = csv_municipalities(exports::pledges_csv(view));
  CHECK(rows == std::vector<std::string>{"Ādažu novads", "Ādažu novads", "Cēsu novads", "Kuldīgas novads",
                                         "Ķekavas novads", "Ogres novads", "Valmieras novads"});

  t.ok("p", "update-plan", {{"language", "en"}});
  view = t.view("p");
  const std::vector<std::string> english = {"Ādažu novads", "Cēsu novads", "Ķekavas novads",
                                            "Kuldīgas novads", "Ogres novads", "Valmieras novads"};
  CHECK(column(view["pledge_board"]["by_municipality"], "municipality") == english);
  rows = csv_municipalities(exports::pledges_csv(view));
  CHECK(rows == std::vector<std::string>{"Ādažu novads", "Ādažu novads", "Cēsu novads", "Ķekavas novads",
                                         "Kuldīgas novads", "Ogres novads", "Valmieras novads"});
}

TEST_CASE("collate: venues and people in the view by name, then id", "[collate][views]") {
  TestEngine t;
  seed(t);  // venues "Lielā zāle", "Mazā istaba"; people "Anna Bērziņa", "Jānis Kalniņš"
  t.ok("p", "add-venue", {{"venue", "a-last"}, {"name", "Ūdens tornis"}});
  t.ok("p", "add-venue", {{"venue", "z-first"}, {"name", "Ādažu skola"}});
  t.ok("p", "add-venue", {{"venue", "ch"}, {"name", "Čiekurkalna nams"}});
  t.ok("p", "add-venue", {{"venue", "c"}, {"name", "Cirks"}});
  t.ok("p", "add-person", {{"person", "zz"}, {"name", "Ēriks Ābele"}});
  t.ok("p", "add-person", {{"person", "aa"}, {"name", "Žanis Lipke"}});
  t.ok("p", "add-person", {{"person", "dup-b"}, {"name", "Anna Bērziņa"}});  // same name: by id
  json view = t.view("p");
  CHECK(column(view["venues"], "name") == std::vector<std::string>{"Ādažu skola", "Cirks", "Čiekurkalna nams",
                                                                  "Lielā zāle", "Mazā istaba", "Ūdens tornis"});
  CHECK(column(view["people"], "id") == std::vector<std::string>{"anna", "dup-b", "zz", "janis", "aa"});
}
