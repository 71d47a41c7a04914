#include <catch2/catch.hpp>

#include "test_support.h"

using namespace kartiba;
using namespace kartiba::test;

TEST_CASE("smoke: the demo plan loads and reads back", "[smoke]") {
  TestEngine t;
  t.load_demo();
  auto v = t.view("brussels-2024");
  CHECK(v["id"] == "brussels-2024");
  CHECK(v["items"].size() == 10);
  CHECK(v["revision"].get<int>() > 10);
  auto o = t.run("brussels-2024", "reschedule-item",
                 {{"item", "bornem"}, {"start", time_at("2024-05-16T10:30")}, {"end", time_at("2024-05-16T12:30")}},
                 {{"reason", "Bornem lūdza 10:30"}});
  INFO(o.to_json());
  REQUIRE(o.ok);
  auto h = t.engine->history("brussels-2024", "lv", 0, 1000);
  REQUIRE(h.ok());
  auto entries = json::parse(h.value())["entries"];
  INFO(entries.back().dump());
  CHECK(entries.back()["text"] == "K. Miķelsone pārcēla 'Tikšanās Bornem pašvaldībā' no 10:00 uz 10:30 — Bornem lūdza 10:30");
  auto verify = t.engine->verify("brussels-2024");
  REQUIRE(verify.ok());
  CHECK(verify->ok);
  uint64_t rev = v["revision"];
  t.reopen();
  auto v2 = t.view("brussels-2024");
  CHECK(v2["revision"].get<uint64_t>() == rev + 1);
  auto old = t.view("brussels-2024", ViewAt{rev, {}});
  CHECK(old == v);
}
