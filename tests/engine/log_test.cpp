// The log: the hash chain (verify finds a changed or missing event and names the first bad
// revision), and reopening restores the same state, with and without snapshots.
#include <map>
#include <set>

#include <catch2/catch.hpp>

#include "core/event_format.h"
#include "engine/engine_impl.h"
#include "engine/snapshot.h"
#include "views/view.h"
#include "storage/store.h"
#include "test_support.h"

using namespace kartiba;
using namespace kartiba::test;

namespace {

// Opens the closed engine's database directly.
std::unique_ptr<Store> open_store(TestEngine& t) {
  t.close();
  auto s = open_rocks_store(t.options.data_dir, false);
  INFO((s.ok() ? std::string() : s.error().to_json()));
  REQUIRE(s.ok());
  return std::move(s.value());
}

std::string read_event(Store& s, const std::string& plan, uint64_t rev) {
  auto v = s.get(Space::events, format::event_key(plan, rev));
  REQUIRE(v.ok());
  REQUIRE(v.value());
  return *v.value();
}

void write_event(Store& s, const std::string& plan, uint64_t rev, const std::string& record) {
  REQUIRE(s.write({{Space::events, format::event_key(plan, rev), record}}, true).ok());
}

// Replaces `from` by `to` (same byte length) inside a stored record, keeping its hash.
void tamper(Store& s, const std::string& plan, uint64_t rev, const std::string& from, const std::string& to) {
  REQUIRE(from.size() == to.size());
  std::string rec = read_event(s, plan, rev);
  auto pos = rec.find(from);
  REQUIRE(pos != std::string::npos);
  rec.replace(pos, from.size(), to);
  write_event(s, plan, rev, rec);
}

size_t count_snapshots(Store& s, const std::string& plan) {
  size_t n = 0;
  auto prefix = format::plan_prefix(plan);
  REQUIRE(s.scan(Space::snapshots, prefix, prefix + std::string(9, '\xff'), [&](std::string_view, std::string_view) {
             ++n;
             return true;
           }).ok());
  return n;
}

// A plan with some history: 8 seed events plus `extra` more.
void grow(TestEngine& t, int extra) {
  for (int i = 0; i < extra; ++i) {
    switch (i % 4) {
      case 0: t.ok("p", "edit-item", {{"item", "talk"}, {"title", "Ievadruna " + std::to_string(i)}}); break;
      case 1: t.ok("p", "reschedule-item", {{"item", "lunch"}, {"start", time_at("2024-05-15T12:" + std::to_string(10 + i % 40))}}); break;
      case 2: t.ok("p", "report-pledge-progress", {{"pledge", "pl"}, {"percent", i % 100}}); break;
      case 3: t.ok("p", "add-venue", {{"venue", "v" + std::to_string(i)}, {"name", "Vieta " + std::to_string(i)}}); break;
    }
  }
}

}  // namespace

TEST_CASE("log: verify walks an intact chain", "[log][verify]") {
  TestEngine t;
  seed(t);
  auto v = t.engine->verify("p");
  REQUIRE(v.ok());
  CHECK(v->ok);
  CHECK(v->revision == kSeedRevision);
  CHECK(t.engine->verify("nope").error().code() == ErrorCode::not_found);
  // Each event's hash chains to the one before it: all differ, none empty.
  auto evs = t.events("p");
  std::set<std::string> hashes;
  for (auto& e : evs) hashes.insert(e["hash"].get<std::string>());
  CHECK(hashes.size() == evs.size());
}

TEST_CASE("log: a changed event is detected at its revision", "[log][verify]") {
  TestEngine t;
  seed(t);
  {
    auto s = open_store(t);
    tamper(*s, "p", 2, "Lielā zāle", "Mielā zāle");  // VenueAdded hall
  }
  t.reopen();
  auto v = t.engine->verify("p");
  REQUIRE(v.ok());
  CHECK_FALSE(v->ok);
  CHECK(v->revision == 2);
  CHECK(v->message.find("revision 2") != std::string::npos);
}

TEST_CASE("log: a changed actor or reason is detected too", "[log][verify]") {
  TestEngine t;
  seed(t);
  t.ok("p", "edit-item", {{"item", "talk"}, {"title", "X"}}, {{"reason", "Annas lūgums"}}, "Anna");
  {
    auto s = open_store(t);
    tamper(*s, "p", kSeedRevision + 1, "Annas", "Ilzes");
  }
  t.reopen();
  auto v = t.engine->verify("p");
  CHECK_FALSE(v->ok);
  CHECK(v->revision == kSeedRevision + 1);
}

TEST_CASE("log: a changed event re-hashed on its own breaks the next link", "[log][verify]") {
  TestEngine t;
  seed(t);
  {
    auto s = open_store(t);
    // Decode revision 3, change it, encode it again chained to revision 2: its own hash
    // matches, but revision 4 was chained to the original.
    auto prev = format::decode(read_event(*s, "p", 2));
    REQUIRE(prev.ok());
    auto e = format::decode(read_event(*s, "p", 3));
    REQUIRE(e.ok());
    e.value().data["value"]["name"] = "Viltota istaba";
    std::string rec = format::encode(e.value(), format::hash_from_hex(prev.value().hash)) + format::big_endian64(e.value().seq);
    write_event(*s, "p", 3, rec);
  }
  t.reopen();
  auto v = t.engine->verify("p");
  CHECK_FALSE(v->ok);
  CHECK(v->revision == 4);
}

TEST_CASE("log: a missing event is detected and named", "[log][verify]") {
  Options o;
  o.snapshot_every = 3;  // a snapshot after the gap lets the plan load
  TestEngine t(o);
  seed(t);
  grow(t, 4);
  {
    auto s = open_store(t);
    REQUIRE(count_snapshots(*s, "p") >= 2);
    REQUIRE(s->write({{Space::events, format::event_key("p", 5), "", true}}, true).ok());
  }
  t.reopen();
  CHECK(t.revision() == kSeedRevision + 4);
  auto v = t.engine->verify("p");
  CHECK_FALSE(v->ok);
  CHECK(v->revision == 5);
  CHECK(v->message.find("missing") != std::string::npos);
}

TEST_CASE("log: without a snapshot past the gap the engine refuses to open", "[log][verify]") {
  TestEngine t;
  seed(t);
  {
    auto s = open_store(t);
    REQUIRE(s->write({{Space::events, format::event_key("p", 4), "", true}}, true).ok());
  }
  auto e = Engine::open(t.options);
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().code() == ErrorCode::unavailable);
  CHECK(e.error().message().find("gap") != std::string::npos);
}

TEST_CASE("log: the seq is not part of the chain", "[log][verify]") {
  TestEngine t;
  seed(t);
  {
    auto s = open_store(t);
    std::string rec = read_event(*s, "p", 3);
    rec.replace(rec.size() - 8, 8, format::big_endian64(999));
    write_event(*s, "p", 3, rec);
  }
  t.reopen();
  CHECK(t.engine->verify("p")->ok);
}

TEST_CASE("log: reopening restores the same view, events and history", "[log][reopen]") {
  TestEngine t;
  seed(t);
  grow(t, 10);
  auto view = t.view("p");
  auto evs = t.events("p");
  auto hist = t.history("p", "en");
  t.reopen();
  CHECK(t.view("p") == view);
  CHECK(t.events("p") == evs);
  CHECK(t.history("p", "en") == hist);
  CHECK(t.engine->verify("p")->ok);
  CHECK(t.engine->plans().size() == 1);
}

TEST_CASE("log: reopening with snapshots every 7 events restores the same state", "[log][reopen][snapshot]") {
  Options o;
  o.snapshot_every = 7;
  TestEngine t(o);
  seed(t);
  std::map<uint64_t, json> live;
  live[t.revision()] = t.view("p");
  for (int i = 0; i < 30; ++i) {
    grow(t, 1 + i % 3);
    live[t.revision()] = t.view("p");
  }
  uint64_t last = t.revision();
  {
    auto s = open_store(t);
    CHECK(count_snapshots(*s, "p") >= last / 7 - 1);
  }
  t.reopen();
  CHECK(t.view("p") == live[last]);
  // Time travel: a snapshot plus the tail of the log gives each recorded revision back.
  for (auto& [rev, v] : live) {
    INFO("revision " << rev);
    CHECK(t.view("p", ViewAt{rev, {}}) == v);
  }
  // Conflict detection survives the snapshot: the field revisions are part of it.
  auto stale = t.run("p", "edit-item", {{"item", "talk"}, {"title", "X"}}, {{"base", kSeedRevision}});
  CHECK(error_code(stale) == "conflict");
  REQUIRE_OK(t.run("p", "edit-item", {{"item", "talk"}, {"title", "X"}}, {{"base", last}}));
  // And the next events continue the plan and the global order.
  auto evs = t.events("p");
  CHECK(evs.back()["revision"] == last + 1);
  CHECK(evs.back()["seq"].get<uint64_t>() > evs[evs.size() - 2]["seq"].get<uint64_t>());
  t.reopen();
  CHECK(t.engine->verify("p")->ok);
  CHECK(t.revision() == last + 1);
}

TEST_CASE("log: a damaged snapshot is replaced by a replay", "[log][reopen][snapshot]") {
  Options o;
  o.snapshot_every = 5;
  TestEngine t(o);
  seed(t);
  grow(t, 6);
  auto view = t.view("p");
  {
    auto s = open_store(t);
    auto prefix = format::plan_prefix("p");
    std::vector<std::string> keys;
    REQUIRE(s->scan(Space::snapshots, prefix, prefix + std::string(9, '\xff'), [&](std::string_view k, std::string_view) {
               keys.emplace_back(k);
               return true;
             }).ok());
    REQUIRE_FALSE(keys.empty());
    for (auto& k : keys) REQUIRE(s->write({{Space::snapshots, k, "not a snapshot"}}, true).ok());
  }
  t.reopen();
  CHECK(t.view("p") == view);
}

TEST_CASE("log: global seq orders events across plans", "[log]") {
  TestEngine t;
  seed(t);
  t.create_plan("q");
  t.ok("q", "add-venue", {{"venue", "v"}, {"name", "V"}});
  t.ok("p", "add-venue", {{"venue", "v"}, {"name", "V"}});
  auto p = t.events("p");
  auto q = t.events("q");
  CHECK(q[0]["seq"].get<uint64_t>() > p[kSeedRevision - 1]["seq"].get<uint64_t>());
  CHECK(p.back()["seq"].get<uint64_t>() > q.back()["seq"].get<uint64_t>());
  t.reopen();
  t.ok("q", "add-venue", {{"venue", "w"}, {"name", "W"}});
  CHECK(t.events("q").back()["seq"].get<uint64_t>() == p.back()["seq"].get<uint64_t>() + 1);
}

TEST_CASE("log: events paging", "[log]") {
  TestEngine t;
  seed(t);
  auto page = t.engine->events("p", 3, 2);
  REQUIRE(page.ok());
  REQUIRE(page->size() == 2);
  CHECK(page.value()[0]->revision == 4);
  CHECK(page.value()[1]->revision == 5);
  CHECK(t.engine->events("p", kSeedRevision, 10)->empty());
  t.reopen();  // from the log rather than memory
  auto again = t.engine->events("p", 3, 2);
  REQUIRE(again->size() == 2);
  CHECK(again.value()[0]->json == page.value()[0]->json);
}

TEST_CASE("log: an event's JSON text says what its fields say, whatever they hold", "[log][format]") {
  // finish_encoding writes plain ASCII texts as they are and hands the rest to the JSON library:
  // both paths must give the event's own fields back.
  const std::vector<std::string> texts = {
      "plain", "", "with \"quotes\" and \\backslash\\", "tab\tnew\nline\rcr", std::string("nul\0byte", 8),
      "\x7f del", "Ādažu novads — Cēsis, Ķekava, Žīguri", "emoji 🌍 and ✓", std::string(300, 'x')};
  for (const auto& text : texts) {
    Event e;
    e.seq = 42;
    e.plan = "p1";
    e.revision = 7;
    e.type = "ItemEdited";
    e.at_ms = 1726830000123;
    e.actor = text;
    e.command = "c-" + std::to_string(text.size());
    e.reason = text;
    e.data = {{"item", "i1"}, {"set", {{"title", text}}}};
    format::encode(e, format::Hash{});
    e.finish_encoding();
    auto parsed = nlohmann::json::parse(e.json);
    CAPTURE(text);
    CHECK(parsed == e.to_json());
  }
}

TEST_CASE("log: a snapshot decodes to the state it was made of", "[log][snapshot]") {
  TestEngine t;
  t.load_demo();
  seed(t);
  grow(t, 12);
  t.ok("p", "publish-release", {{"name", "v1"}});
  t.ok("p", "remove-venue", {{"venue", "v3"}});
  t.ok("p", "set-day", {{"date", "2024-05-16"}, {"title", "Otrā diena"}});
  for (const char* plan : {"p", "brussels-2024"}) {
    INFO(plan);
    auto state = static_cast<EngineImpl&>(*t.engine).current_state(plan);
    REQUIRE(state);
    const std::string bytes = encode_snapshot(*state);
    auto back = decode_snapshot(bytes);
    REQUIRE(back.ok());
    CHECK(render_view(back.value()) == render_view(*state));
    CHECK(encode_snapshot(back.value()) == bytes);  // revisions and removals included
    CHECK(back.value().field_rev("item", "talk", "title") == state->field_rev("item", "talk", "title"));
    CHECK(back.value().removed_revision("venue", "v3") == state->removed_revision("venue", "v3"));
  }
}

TEST_CASE("log: a snapshot of the old format is ignored and the plan rebuilt from its log", "[log][reopen][snapshot]") {
  TestEngine t;
  seed(t);
  grow(t, 6);
  const json before = t.view("p");
  const uint64_t last = t.revision();
  {
    auto s = open_store(t);
    REQUIRE(count_snapshots(*s, "p") == 0);
    // Format 1 kept the entities as JSON with flat revision maps. This one disagrees with the
    // log (another title, no items), so that using it would show.
    json old = {{"format", 1},
                {"id", "p"},
                {"revision", last},
                {"updated_ms", 0},
                {"last_hash", std::string(64, '0')},
                {"plan", {{"id", "p"}, {"title", "Novecojis"}, {"timezone", "UTC"}}},
                {"days", json::object()},
                {"venues", json::object()},
                {"people", json::object()},
                {"items", json::object()},
                {"pledges", json::object()},
                {"decisions", json::object()},
                {"releases", json::array()},
                {"field_rev", {{"item/talk/title", 1}}},
                {"touched_rev", json::object()},
                {"removed_rev", json::object()}};
    auto bytes = json::to_msgpack(old);
    REQUIRE(s->write({{Space::snapshots, format::snapshot_key("p", last), std::string(bytes.begin(), bytes.end())}}, true)
                .ok());
    REQUIRE(count_snapshots(*s, "p") == 1);
  }
  t.reopen();
  CHECK(t.view("p") == before);
  CHECK(t.view("p", ViewAt{last, {}}) == before);  // time travel reads the same snapshot
  // The field revisions come from the log too: the title changed after the seed.
  auto stale = t.run("p", "edit-item", {{"item", "talk"}, {"title", "X"}}, {{"base", kSeedRevision}});
  CHECK(error_code(stale) == "conflict");
  CHECK(t.engine->verify("p")->ok);
}
