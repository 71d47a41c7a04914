// Reads: the log, states at a revision or a time, views, events, history, changelog, releases
// and verify. A read never takes a plan's lock for longer than it takes to copy a pointer.
#include <algorithm>

#include "core/event_format.h"
#include "domain/apply.h"
#include "engine/engine_impl.h"
#include "engine/snapshot.h"
#include "views/history.h"
#include "views/view.h"

namespace kartiba {
namespace {
// Reads render JSON from stored state; a bug there must answer one request with an error,
// not cross the engine's API as an exception.
template <class F>
auto guarded(const char* what, F&& read) -> decltype(read()) {
  try {
    return read();
  } catch (const std::exception& e) {
    return Error::unavailable(std::string(what) + " failed: " + e.what());
  }
}
}  // namespace

Result<std::vector<EventPtr>> EngineImpl::read_events(const std::string& plan, uint64_t from, uint64_t to,
                                                     bool with_json) {
  std::vector<EventPtr> out;
  std::optional<Error> failure;
  std::string lo = format::event_key(plan, from + 1);
  std::string hi = to == UINT64_MAX ? format::plan_prefix(plan) + std::string(8, '\xff') + "\xff"
                                    : format::event_key(plan, to + 1);
  auto st = store_->scan(Space::events, lo, hi, [&](std::string_view key, std::string_view value) {
    auto e = format::decode(value);
    if (!e.ok()) {
      failure = e.error();
      return false;
    }
    auto ev = std::make_shared<Event>(std::move(e.value()));
    if (with_json) ev->finish_encoding();
    (void)key;
    out.push_back(std::move(ev));
    return true;
  });
  if (!st.ok()) return st.error();
  if (failure) return *failure;
  return out;
}

Result<std::shared_ptr<PlanState>> EngineImpl::load_state(const std::string& plan, uint64_t up_to) {
  auto state = std::make_shared<PlanState>();
  std::string hi = up_to == UINT64_MAX ? format::plan_prefix(plan) + std::string(8, '\xff') + "\xff"
                                       : format::snapshot_key(plan, up_to + 1);
  auto snap = store_->last_in_range(Space::snapshots, format::plan_prefix(plan), hi);
  if (!snap.ok()) return snap.error();
  if (snap.value()) {
    auto decoded = decode_snapshot(snap.value()->second);
    if (decoded.ok()) *state = std::move(decoded.value());
    // A damaged snapshot is not fatal: replay from the start instead.
  }
  auto events = read_events(plan, state->revision, up_to, false);
  if (!events.ok()) return events.error();
  for (auto& e : events.value()) {
    if (e->revision != state->revision + 1) return Error::unavailable("plan " + plan + ": the log has a gap before revision " + std::to_string(e->revision));
    apply(*state, *e);
  }
  return state;
}

Result<std::shared_ptr<const PlanState>> EngineImpl::state_at(const std::string& plan, uint64_t revision) {
  auto s = load_state(plan, revision);
  if (!s.ok()) return s.error();
  return std::shared_ptr<const PlanState>(std::move(s.value()));
}

Result<EventPtr> EngineImpl::event_at(const std::shared_ptr<PlanHandle>& h, uint64_t revision) {
  {
    std::lock_guard lock(h->mu);
    if (!h->recent.empty() && h->recent.front()->revision <= revision && revision <= h->recent.back()->revision)
      return h->recent[revision - h->recent.front()->revision];
    for (auto& b : h->in_flight)
      if (!b->events.empty() && b->events.front()->revision <= revision && revision <= b->events.back()->revision)
        return b->events[revision - b->events.front()->revision];
  }
  auto ev = read_events(h->id, revision - 1, revision);
  if (!ev.ok()) return ev.error();
  if (ev.value().empty()) return Error::not_found("no revision " + std::to_string(revision));
  return ev.value()[0];
}

bool EngineImpl::has_plan(const std::string& plan) { return revision(plan) > 0; }

uint64_t EngineImpl::revision(const std::string& plan) {
  auto h = handle(plan);
  if (!h) return 0;
  std::lock_guard lock(h->mu);
  return h->state->revision;
}

std::vector<PlanSummary> EngineImpl::plans() {
  std::vector<std::shared_ptr<PlanHandle>> handles;
  {
    std::lock_guard lock(plans_mu_);
    for (auto& [id, h] : plans_) handles.push_back(h);
  }
  std::vector<PlanSummary> out;
  for (auto& h : handles) {
    std::lock_guard lock(h->mu);
    if (h->state->revision == 0) continue;
    out.push_back({h->id, h->state->plan.value("title", ""), h->state->revision});
  }
  return out;
}

std::shared_ptr<const std::string> EngineImpl::render_cached(PlanHandle& h) {
  if (!h.view_cache) h.view_cache = std::make_shared<const std::string>(render_view(*h.state).dump());
  return h.view_cache;
}

Result<uint64_t> EngineImpl::revision_at_time(const std::string& plan, uint64_t current, int64_t ms) {
  // Events' times never decrease within a plan: binary search for the last one at or before ms.
  uint64_t lo = 0, hi = current;  // invariant: event lo is at or before ms (0 = none), events after hi are after
  while (lo < hi) {
    uint64_t mid = lo + (hi - lo + 1) / 2;
    auto ev = read_events(plan, mid - 1, mid);
    if (!ev.ok()) return ev.error();
    if (ev.value().empty()) return Error::unavailable("the log has a gap at revision " + std::to_string(mid));
    if (ev.value()[0]->at_ms <= ms) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

Result<std::shared_ptr<const std::string>> EngineImpl::view_unguarded(const std::string& plan, ViewAt at) {
  auto h = handle(plan);
  std::shared_ptr<const PlanState> now;
  if (h) {
    std::lock_guard lock(h->mu);
    now = h->state;
    if (now->revision > 0 && !at.revision && !at.asof_ms) return render_cached(*h);
  }
  if (!now || now->revision == 0) return Error::not_found("no plan '" + plan + "'");
  uint64_t rev;
  if (at.revision) {
    rev = *at.revision;
    if (rev < 1 || rev > now->revision)
      return Error::not_found("plan '" + plan + "' has revisions 1 to " + std::to_string(now->revision), "/at");
  } else {
    auto r = revision_at_time(plan, now->revision, *at.asof_ms);
    if (!r.ok()) return r.error();
    rev = r.value();
    if (rev == 0) return Error::not_found("plan '" + plan + "' did not exist yet at that time", "/asof");
  }
  if (rev == now->revision) return std::make_shared<const std::string>(render_view(*now).dump());
  auto s = state_at(plan, rev);
  if (!s.ok()) return s.error();
  return std::make_shared<const std::string>(render_view(*s.value()).dump());
}

Result<std::vector<EventPtr>> EngineImpl::events(const std::string& plan, uint64_t from, size_t limit) {
  auto h = handle(plan);
  if (!h || revision(plan) == 0) return Error::not_found("no plan '" + plan + "'");
  uint64_t current;
  {
    std::lock_guard lock(h->mu);
    current = h->state->revision;
    if (!h->recent.empty() && h->recent.front()->revision <= from + 1) {
      std::vector<EventPtr> out;
      for (auto& e : h->recent)
        if (e->revision > from && out.size() < limit) out.push_back(e);
      return out;
    }
  }
  uint64_t to = std::min<uint64_t>(current, from + limit);
  if (from >= to) return std::vector<EventPtr>{};
  auto evs = read_events(plan, from, to);
  if (!evs.ok()) return evs.error();
  return evs;
}

Result<std::string> EngineImpl::history_unguarded(const std::string& plan, const std::string& lang, uint64_t from,
                                                  size_t limit) {
  uint64_t current = revision(plan);
  if (current == 0) return Error::not_found("no plan '" + plan + "'");
  if (lang != "lv" && lang != "en") return Error::invalid("lang is lv or en", "/lang");
  std::shared_ptr<PlanState> state;
  if (from == 0) {
    state = std::make_shared<PlanState>();
  } else {
    auto s = load_state(plan, std::min(from, current));
    if (!s.ok()) return s.error();
    state = std::move(s.value());
  }
  uint64_t to = std::min<uint64_t>(current, state->revision + limit);
  auto evs = read_events(plan, state->revision, to);
  if (!evs.ok()) return evs.error();
  nlohmann::json entries = nlohmann::json::array();
  for (auto& e : evs.value()) {
    entries.push_back({{"revision", e->revision},
                       {"at", e->to_json()["at"]},
                       {"actor", e->actor},
                       {"type", e->type},
                       {"reason", e->reason},
                       {"command", e->command},
                       {"text", history_sentence(*state, *e, lang)}});
    apply(*state, *e);
  }
  nlohmann::json out = {{"entries", std::move(entries)}, {"revision", current}};
  out["next"] = to < current ? nlohmann::json(to) : nlohmann::json(nullptr);
  return out.dump();
}

Result<uint64_t> EngineImpl::resolve_point(const PlanState& now, const std::string& point, bool is_from) {
  if (point.empty()) {
    if (!is_from) return now.revision;
    return now.releases.empty() ? uint64_t(0) : now.releases.back()["revision"].get<uint64_t>();
  }
  bool numeric = std::all_of(point.begin(), point.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (numeric && point.size() < 19) {
    uint64_t r = std::stoull(point);
    if (r > now.revision) return Error::not_found("no revision " + point, is_from ? "/from" : "/to");
    return r;
  }
  for (auto& r : now.releases)
    if (r["name"] == point) return r["revision"].get<uint64_t>();
  return Error::not_found("no release or revision '" + point + "'", is_from ? "/from" : "/to");
}

Result<std::string> EngineImpl::changelog_unguarded(const std::string& plan, const std::string& from,
                                                    const std::string& to) {
  auto h = handle(plan);
  if (!h || revision(plan) == 0) return Error::not_found("no plan '" + plan + "'");
  std::shared_ptr<const PlanState> now;
  {
    std::lock_guard lock(h->mu);
    now = h->state;
  }
  auto a = resolve_point(*now, from, true);
  if (!a.ok()) return a.error();
  auto b = resolve_point(*now, to, false);
  if (!b.ok()) return b.error();
  if (a.value() > b.value()) return Error::invalid("from is after to", "/from");
  std::shared_ptr<const PlanState> sa, sb;
  if (a.value() == 0) {
    sa = std::make_shared<PlanState>();
  } else {
    auto s = state_at(plan, a.value());
    if (!s.ok()) return s.error();
    sa = s.value();
  }
  if (b.value() == now->revision) {
    sb = now;
  } else {
    auto s = state_at(plan, b.value());
    if (!s.ok()) return s.error();
    sb = s.value();
  }
  auto out = kartiba::changelog(*sa, *sb);
  if (!from.empty()) out["from_name"] = from;
  return out.dump();
}

Result<std::string> EngineImpl::releases(const std::string& plan) {
  auto h = handle(plan);
  if (!h || revision(plan) == 0) return Error::not_found("no plan '" + plan + "'");
  std::lock_guard lock(h->mu);
  return nlohmann::json{{"releases", h->state->releases}}.dump();
}

Result<VerifyReport> EngineImpl::verify(const std::string& plan) {
  uint64_t current = revision(plan);
  if (current == 0) return Error::not_found("no plan '" + plan + "'");
  VerifyReport report;
  format::Hash previous = format::kGenesisHash;
  uint64_t expected = 1;
  std::string lo = format::event_key(plan, 1);
  std::string hi = format::plan_prefix(plan) + std::string(8, '\xff') + "\xff";
  auto st = store_->scan(Space::events, lo, hi, [&](std::string_view key, std::string_view value) {
    uint64_t key_rev = format::read_big_endian64(key.substr(key.size() - 8));
    if (key_rev != expected) {
      report = {false, expected, "revision " + std::to_string(expected) + " is missing from the log"};
      return false;
    }
    bool matches = false;
    auto e = format::decode(value, &previous, &matches);
    if (!e.ok()) {
      report = {false, expected, "revision " + std::to_string(expected) + " cannot be read: " + e.error().message()};
      return false;
    }
    if (e->revision != key_rev || e->plan != plan) {
      report = {false, expected, "revision " + std::to_string(expected) + " is filed under the wrong key"};
      return false;
    }
    if (!matches) {
      report = {false, expected, "revision " + std::to_string(expected) + " does not match its hash: it or an earlier event was changed or removed"};
      return false;
    }
    previous = format::hash_from_hex(e->hash);
    ++expected;
    return true;
  });
  if (!st.ok()) return st.error();
  if (!report.ok) return report;
  if (expected - 1 < current) return VerifyReport{false, expected, "revision " + std::to_string(expected) + " is missing from the log"};
  report.revision = expected - 1;
  return report;
}

std::shared_ptr<const PlanState> EngineImpl::current_state(const std::string& plan) {
  auto h = handle(plan);
  if (!h) return nullptr;
  std::lock_guard lock(h->mu);
  return h->state->revision ? h->state : nullptr;
}
Result<std::shared_ptr<const std::string>> EngineImpl::view(const std::string& plan, ViewAt at) {
  return guarded("reading the view", [&] { return view_unguarded(plan, at); });
}
Result<std::string> EngineImpl::history(const std::string& plan, const std::string& lang, uint64_t from, size_t limit) {
  return guarded("reading the history", [&] { return history_unguarded(plan, lang, from, limit); });
}
Result<std::string> EngineImpl::changelog(const std::string& plan, const std::string& from, const std::string& to) {
  return guarded("reading the changelog", [&] { return changelog_unguarded(plan, from, to); });
}
Result<std::string> EngineImpl::export_plan(const std::string& plan) {
  return guarded("exporting the plan", [&] { return export_unguarded(plan); });
}

}  // namespace kartiba
