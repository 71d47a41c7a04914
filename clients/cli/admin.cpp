// Admin verbs on a data directory, without a server: backup, restore, verify, stats,
// compact, dump. They read the log through the engine's Store seam (docs/EVENT_FORMAT.md).
#include <CLI/CLI.hpp>

#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "backup.h"
#include "context.h"
#include "core/event_format.h"
#include "core/time_format.h"
#include "storage/store.h"
#include "verbs.h"

namespace kartiba::cli {
namespace fs = std::filesystem;
namespace {

const std::string kPlanMeta = "engine/plan/";  // the engine's record of each plan (engine_impl.cpp)
const char* kManifest = "kartiba-backup.json";

struct PlanCheck {
  uint64_t events = 0;       // contiguous, hash-checked events from revision 1
  uint64_t expected = 0;     // the highest revision the global index names
  int64_t last_at_ms = 0;
  bool ok = true;
  uint64_t bad_revision = 0;
  std::string message;
};

// Walks every plan's hash chain, and checks the global index against the events.
std::map<std::string, PlanCheck> check_store(Store& store, uint64_t& last_seq, std::string& failure) {
  std::map<std::string, PlanCheck> plans;
  (void)store.scan(Space::meta, kPlanMeta, kPlanMeta + "\xff", [&](std::string_view key, std::string_view) {
    plans[std::string(key.substr(kPlanMeta.size()))];
    return true;
  });
  last_seq = 0;
  auto st = store.scan(Space::global, "", "", [&](std::string_view key, std::string_view value) {
    last_seq = format::read_big_endian64(key);
    auto zero = value.find('\0');
    if (zero == std::string_view::npos || value.size() < zero + 9) return true;
    auto& p = plans[std::string(value.substr(0, zero))];
    p.expected = std::max(p.expected, format::read_big_endian64(value.substr(zero + 1)));
    return true;
  });
  if (!st.ok()) failure = st.error().message();
  // Plans with events but no record, too.
  (void)store.scan(Space::events, "", "", [&](std::string_view key, std::string_view) {
    auto zero = key.find('\0');
    if (zero != std::string_view::npos) plans[std::string(key.substr(0, zero))];
    return true;
  });
  for (auto& [plan, check] : plans) {
    format::Hash previous = format::kGenesisHash;
    uint64_t expected = 1;
    std::string lo = format::event_key(plan, 1);
    std::string hi = format::plan_prefix(plan) + std::string(8, '\xff') + "\xff";
    auto bad = [&](std::string why) {
      check.ok = false;
      check.bad_revision = expected;
      check.message = "revision " + std::to_string(expected) + " " + why;
      return false;
    };
    auto s = store.scan(Space::events, lo, hi, [&](std::string_view key, std::string_view value) {
      uint64_t rev = format::read_big_endian64(key.substr(key.size() - 8));
      if (rev != expected) return bad("is missing from the log");
      bool matches = false;
      auto e = format::decode(value, &previous, &matches);
      if (!e.ok()) return bad("cannot be read: " + e.error().message());
      if (e->revision != rev || e->plan != plan) return bad("is filed under the wrong key");
      if (!matches) return bad("does not match its hash: it or an earlier event was changed");
      previous = format::hash_from_hex(e->hash);
      check.last_at_ms = e->at_ms;
      check.events = expected;
      ++expected;
      return true;
    });
    if (!s.ok() && check.ok) {
      check.ok = false;
      check.message = s.error().message();
    }
    if (check.ok && check.events < check.expected) {
      check.ok = false;
      check.bad_revision = check.events + 1;
      check.message = "revision " + std::to_string(check.events + 1) + " is missing from the log (the index names up to " +
                      std::to_string(check.expected) + ")";
    }
    if (check.ok && check.events == 0) {
      check.ok = false;
      check.bad_revision = 1;
      check.message = "the plan has no events";
    }
  }
  return plans;
}

Result<std::unique_ptr<Store>> open_for_reading(const std::string& dir) {
  if (!fs::exists(dir + "/CURRENT")) return Error::not_found("no kartiba database in " + dir);
  return open_rocks_store(dir, true);
}

// Prints the verification of `dir`; returns kExitOk when every chain is intact.
int verify_dir(Context& ctx, const std::string& dir) {
  auto store = open_for_reading(dir);
  if (!store.ok()) return fail(store.error().message());
  uint64_t last_seq = 0;
  std::string failure;
  auto plans = check_store(**store, last_seq, failure);
  bool all_ok = failure.empty();
  json out = {{"ok", true}, {"plans", json::array()}, {"last_seq", last_seq}};
  for (auto& [plan, c] : plans) {
    all_ok = all_ok && c.ok;
    json p = {{"plan", plan}, {"ok", c.ok}, {"revision", c.ok ? c.events : c.bad_revision}};
    if (!c.ok) p["message"] = c.message;
    out["plans"].push_back(p);
    if (!ctx.json_output) {
      if (c.ok) std::cout << "ok   " << plan << ": " << c.events << " events, hash chain intact\n";
      else std::cout << "BAD  " << plan << ": " << c.message << "\n";
    }
  }
  out["ok"] = all_ok;
  if (!failure.empty()) out["error"] = failure;
  if (ctx.json_output) std::cout << out.dump() << "\n";
  else if (plans.empty()) std::cout << "no plans in " << dir << "\n";
  if (!failure.empty()) fail(failure);
  return all_ok ? kExitOk : kExitFailed;
}

int verify(Context& ctx, const std::string& dir) { return verify_dir(ctx, dir); }

int stats(Context& ctx, const std::string& dir) {
  auto store = open_for_reading(dir);
  if (!store.ok()) return fail(store.error().message());
  uint64_t last_seq = 0;
  std::string failure;
  auto plans = check_store(**store, last_seq, failure);
  uintmax_t bytes = 0;
  for (auto& entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file()) bytes += entry.file_size();
  if (ctx.json_output) {
    json out = {{"data", dir}, {"bytes", bytes}, {"events", last_seq}, {"plans", json::array()},
                {"storage", (*store)->describe()}};
    for (auto& [plan, c] : plans)
      out["plans"].push_back({{"plan", plan}, {"revision", c.events}, {"ok", c.ok},
                              {"last_event_at", c.last_at_ms ? format_utc_ms(c.last_at_ms) : ""}});
    std::cout << out.dump() << "\n";
    return kExitOk;
  }
  std::cout << "data directory " << dir << ": " << bytes << " bytes on disk, " << last_seq << " events, "
            << plans.size() << " plans\n";
  for (auto& [plan, c] : plans)
    std::cout << "  " << plan << ": revision " << c.events
              << (c.last_at_ms ? ", last change " + format_utc_ms(c.last_at_ms) : "") << (c.ok ? "" : "  (BAD: " + c.message + ")")
              << "\n";
  std::cout << (*store)->describe();
  return kExitOk;
}

int compact(Context& ctx, const std::string& dir) {
  if (!fs::exists(dir + "/CURRENT")) return fail("no kartiba database in " + dir);
  auto store = open_rocks_store(dir, false);
  if (!store.ok())
    return fail(store.error().message() +
                (database_in_use(dir) ? " — the server is running on it; stop it first (RocksDB compacts on its own meanwhile)"
                                      : ""));
  auto started = std::chrono::steady_clock::now();
  if (auto st = (*store)->compact(); !st.ok()) return fail(st.error().message());
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  if (ctx.json_output) std::cout << json{{"ok", true}, {"data", dir}, {"ms", ms}}.dump() << "\n";
  else std::cout << "compacted " << dir << " in " << ms << " ms\n";
  return kExitOk;
}

int dump(Context&, const std::string& dir) {
  auto store = open_for_reading(dir);
  if (!store.ok()) return fail(store.error().message());
  int code = kExitOk;
  auto st = (*store)->scan(Space::global, "", "", [&](std::string_view key, std::string_view value) {
    uint64_t seq = format::read_big_endian64(key);
    auto record = (*store)->get(Space::events, value);
    if (!record.ok() || !*record) {
      code = fail("seq " + std::to_string(seq) + ": its event is missing");
      return true;
    }
    auto e = format::decode(**record);
    if (!e.ok()) {
      code = fail("seq " + std::to_string(seq) + ": " + e.error().message());
      return true;
    }
    e->seq = seq;
    std::cout << e->to_json().dump() << "\n";
    return true;
  });
  if (!st.ok()) return fail(st.error().message());
  return code;
}

bool empty_or_missing(const std::string& dir) { return !fs::exists(dir) || (fs::is_directory(dir) && fs::is_empty(dir)); }

int backup(Context& ctx, const std::string& dir, const std::string& dest) {
  if (!empty_or_missing(dest)) return fail(dest + " exists and is not empty: back up into a new directory");
  if (fs::exists(dest)) fs::remove(dest);
  if (fs::path(dest).has_parent_path()) fs::create_directories(fs::path(dest).parent_path());
  auto started = std::chrono::steady_clock::now();
  auto report = copy_database(dir, dest);
  if (!report.ok) {
    std::error_code ec;
    fs::remove_all(dest, ec);
    return fail("backup failed: " + report.error);
  }
  // The admin token file is beside the database, not in it.
  if (fs::exists(dir + "/admin-token")) {
    fs::copy_file(dir + "/admin-token", dest + "/admin-token", fs::copy_options::overwrite_existing);
    ::chmod((dest + "/admin-token").c_str(), 0600);
  }
  // Check what was written before calling it a backup.
  auto store = open_for_reading(dest);
  if (!store.ok()) return fail("the backup cannot be opened: " + store.error().message());
  uint64_t last_seq = 0;
  std::string failure;
  auto plans = check_store(**store, last_seq, failure);
  store.value().reset();
  json manifest = {{"format", "kartiba-backup"},
                   {"version", 1},
                   {"created", format_utc_ms(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 std::chrono::system_clock::now().time_since_epoch())
                                                 .count())},
                   {"source", fs::absolute(dir).string()},
                   {"method", report.method},
                   {"last_seq", last_seq},
                   {"plans", json::object()}};
  bool ok = failure.empty();
  for (auto& [plan, c] : plans) {
    manifest["plans"][plan] = c.events;
    ok = ok && c.ok;
    if (!c.ok) fail("backup of " + plan + " is damaged: " + c.message);
  }
  std::ofstream(dest + "/" + kManifest) << manifest.dump(2) << "\n";
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  if (ctx.json_output) std::cout << manifest.dump() << "\n";
  else
    std::cout << "backed up " << plans.size() << " plans, " << last_seq << " events to " << dest << " ("
              << report.method << ", " << ms << " ms)\n";
  return ok ? kExitOk : kExitFailed;
}

int restore(Context& ctx, const std::string& from, const std::string& dir) {
  if (!fs::exists(from + "/CURRENT")) return fail(from + " is not a kartiba backup (no database in it)");
  if (!empty_or_missing(dir)) return fail(dir + " exists and is not empty: restore into a new or empty directory");
  fs::create_directories(dir);
  for (auto& entry : fs::directory_iterator(from)) {
    if (entry.path().filename() == kManifest) continue;
    fs::copy(entry.path(), fs::path(dir) / entry.path().filename(), fs::copy_options::recursive);
  }
  if (fs::exists(dir + "/admin-token")) ::chmod((dir + "/admin-token").c_str(), 0600);
  if (!ctx.json_output) std::cout << "restored " << from << " into " << dir << "\n";
  return verify_dir(ctx, dir);
}

}  // namespace

void add_admin_verbs(CLI::App& app, Context& ctx) {
  auto* admin = app.add_subcommand("admin", "work on a data directory directly (no server needed)");
  admin->require_subcommand(1);
  auto data = std::make_shared<std::string>("./data");
  auto add = [&](const char* name, const char* help) {
    auto* s = admin->add_subcommand(name, help);
    s->add_option("--data", *data, "the data directory (default ./data)");
    return s;
  };
  auto* b = add("backup", "consistent copy of the database, also while the server runs");
  auto to = std::make_shared<std::string>();
  b->add_option("--to", *to, "new directory for the backup")->required();
  b->callback([&ctx, data, to] { ctx.exit_code = backup(ctx, *data, *to); });

  auto* r = add("restore", "copy a backup into a new data directory, then verify it");
  auto from = std::make_shared<std::string>();
  r->add_option("--from", *from, "the backup directory")->required();
  r->callback([&ctx, data, from] { ctx.exit_code = restore(ctx, *from, *data); });

  add("verify", "walk every plan's hash chain; exit 1 and name the first bad event if one is")
      ->callback([&ctx, data] { ctx.exit_code = verify(ctx, *data); });
  add("stats", "plans, revisions, events and storage figures")->callback([&ctx, data] { ctx.exit_code = stats(ctx, *data); });
  add("compact", "compact the database (the server must be stopped)")
      ->callback([&ctx, data] { ctx.exit_code = compact(ctx, *data); });
  add("dump", "every event as a JSON line, in global seq order")->callback([&ctx, data] { ctx.exit_code = dump(ctx, *data); });
}

}  // namespace kartiba::cli
