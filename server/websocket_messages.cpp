// WebSocketSession: what the client says (auth, subscribe, unsubscribe, command, presence)
// and the plan subscriptions behind it. All on the session's strand unless said otherwise.
#include <nlohmann/json.hpp>

#include "app.h"
#include "commands.h"
#include "json_check.h"
#include "kartiba/event.h"
#include "log.h"
#include "websocket_session.h"

namespace kartiba::server {
namespace {

// Events per catch-up page read before the live subscription starts.
constexpr uint64_t kCatchUpPage = 256;
// Within this many events of the end, the live subscription delivers the rest in one go: few
// enough that even events of the largest size stay near the queue budget.
constexpr uint64_t kLiveCatchUp = 32;

bool valid_plan_id(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && i > 0))) return false;
  }
  return true;
}

bool valid_entity_id(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
          c == '_' || c == '-')) {
      return false;
    }
  }
  return true;
}

// The engine's deliveries for one subscription, posted to the session's strand. Holds the
// session weakly: a subscription must not keep its session alive.
class PlanSubscriber final : public Subscriber {
 public:
  PlanSubscriber(std::weak_ptr<WebSocketSession> session, std::string plan, uint64_t generation)
      : session_(std::move(session)), plan_(std::move(plan)), generation_(generation) {}

  void on_snapshot(uint64_t revision, std::shared_ptr<const std::string> view) override {
    if (auto s = session_.lock()) s->deliver_snapshot(plan_, generation_, revision, std::move(view));
  }
  void on_events(const std::vector<EventPtr>& events) override {
    if (events.empty()) return;
    if (auto s = session_.lock()) s->deliver_events(generation_, events);
  }

 private:
  const std::weak_ptr<WebSocketSession> session_;
  const std::string plan_;
  const uint64_t generation_;
};

// The plan a message names: present, a string, a plan id.
Result<std::string> plan_of(const nlohmann::json& msg) {
  auto it = msg.find("plan");
  if (it == msg.end() || !it->is_string()) return Error::invalid("plan is required", "/plan");
  std::string plan = it->get<std::string>();
  if (!valid_plan_id(plan)) return Error::not_found("no such plan: not a plan id", "/plan");
  return plan;
}

}  // namespace

void WebSocketSession::deliver_snapshot(const std::string& plan, uint64_t generation, uint64_t revision,
                                        std::shared_ptr<const std::string> view) {
  net::post(ws_.get_executor(), [self = shared_from_this(), plan, generation, revision, view = std::move(view)] {
    self->on_snapshot(plan, generation, revision, view);
  });
}

void WebSocketSession::deliver_events(uint64_t generation, const std::vector<EventPtr>& events) {
  // One post per session and batch; the batch (events and frames) is made for the first
  // subscriber and shared by the others. The plan is the events'.
  net::post(ws_.get_executor(),
            [self = shared_from_this(), generation, batch = app_->hub.event_batch(events)]() mutable {
              self->on_events(generation, std::move(batch));
            });
}

void WebSocketSession::send_error(const Error& error, const std::string& plan) {
  nlohmann::json body = nlohmann::json::parse(error.to_json(), nullptr, false);
  nlohmann::json frame = {{"type", "error"}};
  frame["error"] = body.is_object() && body.contains("error") ? body["error"] : nlohmann::json::object();
  if (!plan.empty()) frame["plan"] = plan;
  send(frame.dump());
}

void WebSocketSession::handle_message(const std::string& text) {
  auto parsed = parse_json_object(text, app_->config.max_json_depth);
  if (!parsed.ok()) return send_error(parsed.error());
  const nlohmann::json& msg = *parsed;
  auto type_it = msg.find("type");
  if (type_it == msg.end() || !type_it->is_string()) {
    return send_error(Error::invalid("type is required", "/type"));
  }
  const std::string type = type_it->get<std::string>();
  if (type == "auth") return on_auth(msg);
  if (!who_) return send_error(Error::unauthorized("authenticate first: {\"type\":\"auth\",\"token\":…}"));
  if (type == "subscribe") return on_subscribe(msg);
  if (type == "unsubscribe") return on_unsubscribe(msg);
  if (type == "command") return on_command(msg);
  if (type == "presence") return on_presence(msg);
  send_error(Error::invalid("unknown message type " + type, "/type"));
}

void WebSocketSession::on_auth(const nlohmann::json& msg) {
  if (who_) return send_error(Error::invalid("already authenticated"));
  if (auto link = msg.find("link"); link != msg.end() && link->is_string() && !msg.contains("token")) {
    return on_link_auth(link->get<std::string>());
  }
  auto it = msg.find("token");
  if (it == msg.end() || !it->is_string()) return send_error(Error::invalid("token is required", "/token"));
  PrincipalPtr who = app_->tokens->authenticate(it->get<std::string>());
  if (!who) {
    send_error(Error::unauthorized("unknown or revoked token"));
    return close_after_flush({websocket::close_code::policy_error, "unauthorized"});
  }
  who_ = std::move(who);
  beast::error_code ignored;
  auth_timer_.cancel(ignored);
  app_->hub.add_peer(who_->id, id_, weak_from_this());
  // A revoke between authenticate() and add_peer() would have missed this session.
  if (!app_->tokens->is_active(who_->id)) {
    send_error(Error::unauthorized("token revoked"));
    return close_after_flush({websocket::close_code::policy_error, "token revoked"});
  }
  log::info("websocket session " + std::to_string(id_) + " authenticated actor=" + log::quote(who_->name) +
            " role=" + std::string(to_string(who_->role)));
  nlohmann::json welcome = {{"type", "welcome"}, {"actor", who_->name}, {"role", std::string(to_string(who_->role))}};
  send(welcome.dump());
}

void WebSocketSession::on_link_auth(const std::string& secret) {
  auto link = app_->links->find(secret);
  if (!link || link->kind != "dashboard") {
    send_error(Error::unauthorized("unknown or revoked link"));
    return close_after_flush({websocket::close_code::policy_error, "unauthorized"});
  }
  if (!app_->links->admit(link->id)) {
    app_->metrics.link_viewers_refused_total.fetch_add(1);
    send_error(Error::unavailable("this dashboard has as many viewers as it may have; try again later"));
    return close_after_flush({websocket::close_code::try_again_later, "too many viewers"});
  }
  link_admitted_ = true;
  app_->metrics.link_viewers.fetch_add(1);
  link_ = *link;
  // A read-only principal of the link's plan alone.
  auto who = std::make_shared<Principal>();
  who->id = link_peer_id(link->id);
  who->name = link->name;
  who->role = Role::viewer;
  who->plans = {link->plan};
  who_ = std::move(who);
  beast::error_code ignored;
  auth_timer_.cancel(ignored);
  app_->hub.add_peer(who_->id, id_, weak_from_this());
  // A revoke between find() and add_peer() would have missed this session.
  if (!app_->links->is_active(link->id)) {
    send_error(Error::unauthorized("link revoked"));
    return close_after_flush({websocket::close_code::policy_error, "link revoked"});
  }
  log::info("websocket session " + std::to_string(id_) + " opened link=" + link->id + " plan=" + link->plan);
  nlohmann::json welcome = {{"type", "welcome"}, {"actor", link->name}, {"role", "public"}, {"plan", link->plan}};
  send(welcome.dump());
}

void WebSocketSession::on_subscribe(const nlohmann::json& msg) {
  auto plan = plan_of(msg);
  if (!plan.ok()) return send_error(plan.error());
  if (!who_->may_read(*plan)) return send_error(Error::forbidden("this token may not read plan " + *plan), *plan);
  std::optional<uint64_t> from;
  if (auto it = msg.find("from"); it != msg.end() && !it->is_null()) {
    if (!it->is_number_unsigned() && !(it->is_number_integer() && it->get<int64_t>() >= 0)) {
      return send_error(Error::invalid("from must be a revision number", "/from"), *plan);
    }
    from = it->get<uint64_t>();
  }
  if (plans_.count(*plan)) drop_plan(*plan);  // subscribing again starts over
  PlanState& st = plans_[*plan];
  st.generation = ++next_generation_;
  app_->metrics.ws_subscriptions.fetch_add(1);
  // The plan's derived parts follow its events (derived_feeds.h); the latest render, if any,
  // goes out once the client's events reach it.
  if (auto latest = app_->derived->watch(*plan, id_, std::weak_ptr<DerivedPeer>(shared_from_this()))) {
    st.pending_derived = std::move(latest);
  }
  if (from) {
    st.sent_revision = *from;
    st.catching_up = true;
    st.resume = true;
    return continue_catch_up(*plan);
  }
  subscribe_live(*plan, st.generation, std::nullopt);
}

void WebSocketSession::continue_catch_up(const std::string& plan) {
  auto it = plans_.find(plan);
  if (it == plans_.end() || !it->second.catching_up || it->second.page_pending) return;
  PlanState& st = it->second;
  const uint64_t current = app_->engine->revision(plan);
  if (current == 0) {
    send_error(Error::not_found("no such plan: " + plan, "/plan"), plan);
    return drop_plan(plan);
  }
  if (current <= st.sent_revision + kLiveCatchUp) {
    // Close enough: the engine delivers the rest, then live events, with none missed. The
    // rest (at most a page) is catch-up the client asked for, not a sign that it lags.
    st.catching_up = false;
    st.catch_up_until = current;
    return subscribe_live(plan, st.generation, st.sent_revision);
  }
  st.page_pending = true;
  const uint64_t generation = st.generation;
  const uint64_t from = st.sent_revision;
  auto self = shared_from_this();
  const bool queued = app_->work->submit([self, plan, generation, from] {
    auto page = self->app_->engine->events(plan, from, kCatchUpPage);
    net::post(self->ws_.get_executor(), [self, plan, generation, page = std::move(page)]() mutable {
      self->on_catch_up_page(plan, generation, std::move(page));
    });
  });
  if (!queued) {
    send_error(Error::unavailable("server busy; subscribe again"), plan);
    drop_plan(plan);
  }
}

void WebSocketSession::on_catch_up_page(const std::string& plan, uint64_t generation,
                                        Result<std::vector<EventPtr>> page) {
  auto it = plans_.find(plan);
  if (it == plans_.end() || it->second.generation != generation) return;
  PlanState& st = it->second;
  st.page_pending = false;
  if (!page.ok()) {
    send_error(page.error(), plan);
    return drop_plan(plan);
  }
  std::vector<EventPtr> fresh;
  for (auto& e : *page) {
    if (e->revision > st.sent_revision) fresh.push_back(std::move(e));
  }
  if (fresh.empty()) {
    // Nothing more to page through (the plan's end moved?): let the engine finish.
    st.catching_up = false;
    return subscribe_live(plan, generation, st.sent_revision);
  }
  // A page is bounded in bytes as well: at most half the budget (and at least one event), the
  // rest is read again with the next page.
  size_t bytes = 0;
  size_t fits = 0;
  while (fits < fresh.size()) {
    bytes += app_->hub.event_frame(*fresh[fits])->size();
    if (fits > 0 && bytes > app_->config.ws_queue_bytes / 2) break;
    ++fits;
  }
  fresh.resize(fits);
  auto batch = std::make_shared<EventBatch>();
  batch->events = std::move(fresh);
  for (const auto& e : batch->events) {
    batch->frames.push_back(app_->hub.event_frame(*e));
    batch->bytes += batch->frames.back()->size();
  }
  send_event_frames(st, std::move(batch), 0, /*paced=*/true);
  flush_pending_derived(plan);
  if (state_ == State::open && queued_bytes_ < app_->config.ws_queue_bytes / 2) continue_catch_up(plan);
  // Otherwise on_write continues once the queue has drained.
}

void WebSocketSession::subscribe_live(const std::string& plan, uint64_t generation, std::optional<uint64_t> from) {
  auto subscriber = std::make_shared<PlanSubscriber>(weak_from_this(), plan, generation);
  auto self = shared_from_this();
  // Subscribing builds a snapshot or reads old events: work-pool work.
  const bool queued = app_->work->submit([self, plan, generation, from, subscriber] {
    auto sub = self->app_->engine->subscribe(plan, from, subscriber);
    net::post(self->ws_.get_executor(), [self, plan, generation, sub = std::move(sub)]() mutable {
      self->on_subscribed(plan, generation, std::move(sub));
    });
  });
  if (!queued) {
    send_error(Error::unavailable("server busy; subscribe again"), plan);
    drop_plan(plan);
  }
}

void WebSocketSession::on_subscribed(const std::string& plan, uint64_t generation,
                                     Result<std::unique_ptr<Subscription>> sub) {
  auto it = plans_.find(plan);
  if (it == plans_.end() || it->second.generation != generation || state_ == State::closed) {
    if (sub.ok() && *sub) (*sub)->cancel();  // unsubscribed meanwhile
    return;
  }
  if (!sub.ok()) {
    send_error(sub.error(), plan);
    return drop_plan(plan);
  }
  it->second.subscription = std::move(*sub);
  // Present once subscribed; with a snapshot, after it (see on_snapshot).
  if (it->second.resume) join_presence(plan, it->second);
}

void WebSocketSession::on_snapshot(const std::string& plan, uint64_t generation, uint64_t revision,
                                   std::shared_ptr<const std::string> view) {
  auto it = plans_.find(plan);
  if (it == plans_.end() || it->second.generation != generation) return;
  std::string frame = R"({"type":"snapshot","plan":)";
  frame += nlohmann::json(plan).dump();
  frame += R"(,"revision":)" + std::to_string(revision) + R"(,"view":)";
  if (!view) {
    frame += "null";
  } else if (link_) {
    frame += public_view(*view);
  } else {
    frame += *view;
  }
  frame += '}';
  it->second.sent_revision = revision;
  it->second.derived_revision = revision;  // the view holds its derived parts
  send(std::move(frame));
  join_presence(plan, it->second);
  flush_pending_derived(plan);
}

void WebSocketSession::on_derived(const DerivedPtr& update) {
  auto it = plans_.find(update->plan);
  if (it == plans_.end()) return;
  PlanState& st = it->second;
  if (update->revision <= st.derived_revision) return;
  if (st.pending_derived && st.pending_derived->revision >= update->revision) return;
  st.pending_derived = update;
  flush_pending_derived(update->plan);
}

void WebSocketSession::flush_pending_derived(const std::string& plan) {
  auto it = plans_.find(plan);
  if (it == plans_.end() || !it->second.pending_derived) return;
  PlanState& st = it->second;
  // Not before the snapshot, nor ahead of the events it describes.
  if (st.sent_revision == 0 || st.pending_derived->revision > st.sent_revision) return;
  DerivedPtr update = std::move(st.pending_derived);
  st.pending_derived.reset();
  if (update->revision <= st.derived_revision) return;
  send_derived(st, update);
}

void WebSocketSession::send_derived(PlanState& st, const DerivedPtr& update) {
  // The delta only when the client holds exactly what it patches; else the whole.
  const bool delta = update->delta && st.derived_revision == update->base;
  st.derived_revision = update->revision;
  send(delta ? update->delta : update->full);
}

void WebSocketSession::on_events(uint64_t generation, std::shared_ptr<const EventBatch> batch) {
  auto it = plans_.find(batch->events.front()->plan);
  if (it == plans_.end() || it->second.generation != generation) return;
  // The engine delivers each event once; this guards the seam with the snapshot anyway.
  // Events come in revision order: the fresh ones are a suffix of the batch.
  const auto& events = batch->events;
  size_t first = 0;
  while (first < events.size() && events[first]->revision <= it->second.sent_revision) ++first;
  if (first == events.size()) return;
  const bool catch_up = events[first]->revision <= it->second.catch_up_until;
  const std::string plan = it->first;
  send_event_frames(it->second, std::move(batch), first, /*paced=*/catch_up);
  flush_pending_derived(plan);  // the plan may have been dropped (lagging): looked up again
}

void WebSocketSession::join_presence(const std::string& plan, PlanState& state) {
  if (state.joined || !who_ || link_) return;  // a public viewer is nobody's company
  state.joined = true;
  app_->hub.join(plan, id_, who_->name);
}

void WebSocketSession::drop_plan(const std::string& plan) {
  auto it = plans_.find(plan);
  if (it == plans_.end()) return;
  if (it->second.subscription) it->second.subscription->cancel();
  if (it->second.joined) app_->hub.leave(plan, id_);
  plans_.erase(it);
  app_->derived->unwatch(plan, id_);
  app_->metrics.ws_subscriptions.fetch_sub(1);
}

void WebSocketSession::on_unsubscribe(const nlohmann::json& msg) {
  auto plan = plan_of(msg);
  if (!plan.ok()) return send_error(plan.error());
  drop_plan(*plan);
}

void WebSocketSession::on_command(const nlohmann::json& msg) {
  std::string id;
  auto cmd = msg.find("command");
  if (cmd != msg.end() && cmd->is_object()) {
    if (auto it = cmd->find("id"); it != cmd->end() && it->is_string()) id = it->get<std::string>();
  }
  auto reject = [&](const Error& error) {
    CommandOutcome o;
    o.ok = false;
    o.error = error;
    o.command_id = id;
    send(ws_command_reply(o));
  };
  auto plan = plan_of(msg);
  if (!plan.ok()) return reject(plan.error());
  if (cmd == msg.end() || !cmd->is_object()) return reject(Error::invalid("command must be an object", "/command"));
  auto self = shared_from_this();
  run_command(*app_, who_, *plan, *cmd, [self](CommandOutcome outcome) {
    // On an engine thread: encode here, send on the strand.
    auto reply = std::make_shared<const std::string>(ws_command_reply(outcome));
    net::post(self->ws_.get_executor(), [self, reply] { self->send(reply); });
  });
}

void WebSocketSession::on_presence(const nlohmann::json& msg) {
  auto plan = plan_of(msg);
  if (!plan.ok()) return send_error(plan.error());
  if (link_) return send_error(Error::forbidden("a public dashboard link is read-only"), *plan);
  std::string editing;
  if (auto it = msg.find("editing"); it != msg.end() && !it->is_null()) {
    if (!it->is_string() || (!it->get<std::string>().empty() && !valid_entity_id(it->get<std::string>()))) {
      return send_error(Error::invalid("editing must be an entity id or null", "/editing"), *plan);
    }
    editing = it->get<std::string>();
  }
  // Each change is sent to everyone on the plan: a token's presence changes share the
  // command rate limit's size (their own bucket), so one client cannot flood the others.
  if (!app_->limiter->allow(who_->id + "/presence")) {
    return send_error(Error(ErrorCode::rate_limited, "too many presence changes; slow down"), *plan);
  }
  if (!app_->hub.set_editing(*plan, id_, editing)) {
    send_error(Error::invalid("subscribe to the plan before sending presence", "/plan"), *plan);
  }
}

}  // namespace kartiba::server
