// Given/when/then scenarios as data files (tests/engine/scenarios/*.scenario), run by one
// runner; each scenario is its own Catch2 test case ("scenario: FILE: NAME").
//
// Format, one step a line ('#' starts a comment line):
//   scenario: NAME             starts a scenario (a fresh engine)
//   plan: seed|demo|empty      the starting plan (default seed: see test_support.h; "p",
//                              revision 8; demo: "brussels-2024"; empty: "p" at revision 1)
//   given: {command}           must succeed; "as":"NAME" in the object picks the actor
//   when: {command}            the command under test
//   then: TYPE {data}          the next event of `when` has this type and contains this data
//   then: error CODE [PATH]    `when` was rejected with this code (and JSON pointer path)
//   then: message TEXT         the rejection's message contains TEXT
//   then: details {json}       the rejection's error object contains this (current, fields, …)
//   then: duplicate            `when` was answered as a retry of an earlier command id
//   view: POINTER JSON         the current view at POINTER equals JSON; a segment "#id"
//                              picks the element with that id from a list; JSON "absent"
//                              means there is nothing at POINTER
//   history: LANG TEXT         the last history entry's sentence in LANG is TEXT
//   revision: N                the plan's revision now
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "scenario_file.h"
#include "test_support.h"

using namespace kartiba;
using namespace kartiba::test;

namespace {

using Step = ScenarioStep;

// A JSON pointer into the view; "#id" picks the list element with that id.
const json* resolve(const json& root, const std::string& pointer) {
  const json* cur = &root;
  if (pointer.empty() || pointer == "/") return cur;
  std::stringstream ss(pointer.substr(1));
  std::string seg;
  while (std::getline(ss, seg, '/')) {
    for (size_t p; (p = seg.find("~1")) != std::string::npos;) seg.replace(p, 2, "/");
    for (size_t p; (p = seg.find("~0")) != std::string::npos;) seg.replace(p, 2, "~");
    if (cur->is_array()) {
      if (!seg.empty() && seg[0] == '#') {
        const json* found = nullptr;
        for (auto& e : *cur)
          if (e.is_object() && e.value("id", "") == seg.substr(1)) found = &e;
        if (!found) return nullptr;
        cur = found;
      } else {
        size_t i = std::stoul(seg);
        if (i >= cur->size()) return nullptr;
        cur = &(*cur)[i];
      }
    } else if (cur->is_object()) {
      if (!cur->contains(seg)) return nullptr;
      cur = &(*cur)[seg];
    } else {
      return nullptr;
    }
  }
  return cur;
}

json parse_json(const Step& s, const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  INFO("line " << s.line << ": " << text);
  REQUIRE_FALSE(j.is_discarded());
  return j;
}

std::pair<std::string, std::string> split_word(const std::string& s) {
  auto sp = s.find(' ');
  if (sp == std::string::npos) return {s, ""};
  return {s.substr(0, sp), trim(s.substr(sp + 1))};
}

class ScenarioRun {
 public:
  explicit ScenarioRun(const Scenario& sc) : sc_(sc) {}

  void run() {
    std::string plan_kind = "seed";
    for (auto& s : sc_.steps)
      if (s.keyword == "plan") plan_kind = s.rest;
    if (plan_kind == "seed") {
      seed(t_);
    } else if (plan_kind == "demo") {
      t_.load_demo();
      plan_ = "brussels-2024";
    } else if (plan_kind == "empty") {
      t_.create_plan("p");
    } else {
      FAIL("unknown plan kind '" << plan_kind << "'");
    }
    for (auto& s : sc_.steps) step(s);
    finish_when();
  }

 private:
  CommandOutcome send(const Step& s) {
    json c = parse_json(s, s.rest);
    std::string actor = "K. Miķelsone";
    if (c.contains("as")) {
      actor = c["as"];
      c.erase("as");
    }
    return t_.raw(plan_, c.dump(), actor);
  }

  void finish_when() {
    if (!when_) return;
    INFO(where(*when_) << "\noutcome: " << outcome_.to_json());
    if (outcome_.ok) {
      CHECK(checked_events_ == outcome_.events.size());
    }
    CHECK(thens_ > 0);
    when_.reset();
  }

  std::string where(const Step& s) const {
    return sc_.file + ":" + std::to_string(s.line) + " (" + sc_.name + "): " + s.keyword + ": " + s.rest;
  }

  void step(const Step& s) {
    INFO(where(s));
    if (s.keyword == "plan") return;
    if (s.keyword == "given") {
      auto o = send(s);
      INFO("outcome: " << o.to_json());
      REQUIRE(o.ok);
    } else if (s.keyword == "when") {
      finish_when();
      outcome_ = send(s);
      when_ = s;
      checked_events_ = 0;
      thens_ = 0;
    } else if (s.keyword == "then") {
      REQUIRE(when_);
      ++thens_;
      INFO("outcome: " << outcome_.to_json());
      auto [word, rest] = split_word(s.rest);
      if (word == "error") {
        auto [code, path] = split_word(rest);
        REQUIRE_FALSE(outcome_.ok);
        CHECK(error_code(outcome_) == code);
        if (!path.empty()) CHECK(error_path(outcome_) == path);
      } else if (word == "message") {
        REQUIRE_FALSE(outcome_.ok);
        CHECK_THAT(error_body(outcome_)["message"].get<std::string>(), Catch::Contains(rest));
      } else if (word == "duplicate") {
        REQUIRE(outcome_.ok);
        CHECK(outcome_.duplicate);
        checked_events_ = outcome_.events.size();
      } else if (word == "details") {
        REQUIRE_FALSE(outcome_.ok);
        CHECK(json_contains(error_body(outcome_), parse_json(s, rest)));
      } else {
        REQUIRE(outcome_.ok);
        REQUIRE(checked_events_ < outcome_.events.size());
        auto e = outcome_events(outcome_)[checked_events_++];
        CHECK(e["type"] == word);
        if (!rest.empty()) CHECK(json_contains(e["data"], parse_json(s, rest)));
      }
    } else if (s.keyword == "view") {
      auto [pointer, value] = split_word(s.rest);
      auto v = t_.view(plan_);
      const json* at = resolve(v, pointer);
      INFO("view: " << v.dump());
      if (value == "absent") {
        CHECK(at == nullptr);
      } else {
        REQUIRE(at != nullptr);
        CHECK(*at == parse_json(s, value));
      }
    } else if (s.keyword == "history") {
      auto [lang, text] = split_word(s.rest);
      auto h = t_.history(plan_, lang);
      CHECK(h["entries"].back()["text"] == text);
    } else if (s.keyword == "revision") {
      CHECK(t_.revision(plan_) == std::stoull(s.rest));
    } else {
      FAIL("unknown step '" << s.keyword << "'");
    }
  }

  const Scenario& sc_;
  TestEngine t_;
  std::string plan_ = "p";
  std::optional<Step> when_;
  CommandOutcome outcome_;
  size_t checked_events_ = 0;
  int thens_ = 0;
};

class ScenarioInvoker : public Catch::ITestInvoker {
 public:
  explicit ScenarioInvoker(Scenario s) : s_(std::move(s)) {}
  void invoke() const override { ScenarioRun(s_).run(); }

 private:
  Scenario s_;
};

void fail_no_scenarios() { FAIL("no scenario files in " KARTIBA_SCENARIO_DIR); }

bool register_scenarios() {
  const auto files = scenario_files(KARTIBA_SCENARIO_DIR);
  if (files.empty())
    Catch::AutoReg(Catch::makeTestInvoker(&fail_no_scenarios), CATCH_INTERNAL_LINEINFO, Catch::StringRef(),
                   Catch::NameAndTags{"scenario: files", "[scenario]"});
  for (auto& f : files)
    for (auto& sc : parse_scenario_file(f)) {
      std::string name = "scenario: " + f.stem().string() + ": " + sc.name;
      std::replace(name.begin(), name.end(), ';', ',');  // CTest would split the name at ';'

      Catch::SourceLineInfo where(KARTIBA_SCENARIO_DIR, static_cast<std::size_t>(sc.line));
      Catch::AutoReg(new ScenarioInvoker(std::move(sc)), where, Catch::StringRef(),
                     Catch::NameAndTags{name, "[scenario]"});
    }
  return true;
}

const bool registered = register_scenarios();

}  // namespace

TEST_CASE("scenario: the runner resolves view pointers", "[scenario]") {
  json v = {{"items", {{{"id", "a"}, {"x", 1}}, {{"id", "b/c"}, {"x", 2}}}}};
  CHECK(*resolve(v, "/items/0/x") == 1);
  CHECK(*resolve(v, "/items/#a/x") == 1);
  CHECK(*resolve(v, "/items/#b~1c/x") == 2);
  CHECK(resolve(v, "/items/#zz") == nullptr);
  CHECK(resolve(v, "/items/7") == nullptr);
  CHECK(registered);
}
