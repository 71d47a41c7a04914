#include "hub.h"

#include <vector>

#include <nlohmann/json.hpp>

#include "kartiba/event.h"

namespace kartiba::server {
namespace {
// Frames kept for sessions that send the same event: by count, and by bytes so that a plan of
// huge events (an organiser can make each ~250 KB) cannot pin gigabytes.
constexpr size_t kFrameCacheEntries = 8192;
constexpr size_t kFrameCacheBytes = 16 * 1024 * 1024;
// A batch kept for reuse on its thread holds at most this many frame bytes.
constexpr size_t kReusedBatchBytes = 1024 * 1024;
}

void Hub::add_peer(const std::string& token_id, uint64_t session, std::weak_ptr<Peer> peer) {
  std::lock_guard lock(mutex_);
  peers_[session] = PeerEntry{token_id, std::move(peer)};
}

void Hub::remove_peer(uint64_t session) {
  std::vector<std::shared_ptr<Peer>> keep;  // released after the lock
  std::lock_guard lock(mutex_);
  peers_.erase(session);
  for (auto it = presence_.begin(); it != presence_.end();) {
    const std::string plan = it->first;
    auto& pp = it->second;
    auto user = pp.users.find(session);
    if (user == pp.users.end()) {
      ++it;
      continue;
    }
    pp.remove_entry(user->second);
    pp.users.erase(user);
    if (pp.users.empty()) {
      it = presence_.erase(it);
    } else {
      broadcast_presence_locked(plan, keep);
      ++it;
    }
  }
}

void Hub::PlanPresence::add_entry(const Presence& p) { ++entries[{p.actor, p.editing}]; }

void Hub::PlanPresence::remove_entry(const Presence& p) {
  auto it = entries.find({p.actor, p.editing});
  if (it != entries.end() && --it->second == 0) entries.erase(it);
}

size_t Hub::revoke_token(const std::string& token_id) {
  std::vector<std::shared_ptr<Peer>> targets;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, entry] : peers_) {
      if (entry.token_id != token_id) continue;
      if (auto p = entry.peer.lock()) targets.push_back(std::move(p));
    }
  }
  for (auto& p : targets) p->post_revoked();
  return targets.size();
}

void Hub::shutdown_all() {
  std::vector<std::shared_ptr<Peer>> targets;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, entry] : peers_) {
      if (auto p = entry.peer.lock()) targets.push_back(std::move(p));
    }
  }
  for (auto& p : targets) p->post_shutdown();
}

void Hub::join(const std::string& plan, uint64_t session, const std::string& actor) {
  std::vector<std::shared_ptr<Peer>> keep;
  std::lock_guard lock(mutex_);
  auto& pp = presence_[plan];
  auto [it, inserted] = pp.users.try_emplace(session, Presence{actor, ""});
  if (!inserted) {
    pp.remove_entry(it->second);
    it->second.editing.clear();
  }
  pp.add_entry(it->second);
  broadcast_presence_locked(plan, keep, session);
}

bool Hub::set_editing(const std::string& plan, uint64_t session, const std::string& editing) {
  std::vector<std::shared_ptr<Peer>> keep;
  std::lock_guard lock(mutex_);
  auto pit = presence_.find(plan);
  if (pit == presence_.end()) return false;
  auto& pp = pit->second;
  auto it = pp.users.find(session);
  if (it == pp.users.end()) return false;
  if (it->second.editing != editing) {
    pp.remove_entry(it->second);
    it->second.editing = editing;
    pp.add_entry(it->second);
    broadcast_presence_locked(plan, keep);
  }
  return true;
}

void Hub::leave(const std::string& plan, uint64_t session) {
  std::vector<std::shared_ptr<Peer>> keep;
  std::lock_guard lock(mutex_);
  auto pit = presence_.find(plan);
  if (pit == presence_.end()) return;
  auto& pp = pit->second;
  auto user = pp.users.find(session);
  if (user == pp.users.end()) return;
  pp.remove_entry(user->second);
  pp.users.erase(user);
  if (pp.users.empty()) {
    presence_.erase(pit);
    return;
  }
  broadcast_presence_locked(plan, keep);
}

void Hub::broadcast_presence_locked(const std::string& plan, std::vector<std::shared_ptr<Peer>>& keep,
                                    uint64_t joining) {
  auto& pp = presence_[plan];
  // One entry per (actor, editing): two tabs of one person editing nothing show once. The
  // entries are counted as sessions come and go, so a join costs no walk over every user.
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [entry, sessions] : pp.entries) {
    const auto& [actor, editing] = entry;
    list.push_back({{"actor", actor},
                    {"editing", editing.empty() ? nlohmann::json(nullptr) : nlohmann::json(editing)}});
  }
  nlohmann::json frame = {{"type", "presence"}, {"plan", plan}, {"users", std::move(list)}};
  auto text = std::make_shared<const std::string>(frame.dump());
  const bool changed = pp.sent != *text;
  if (changed) pp.sent = *text;
  // Posted under the lock on purpose: a post only queues the frame on the session's strand
  // (no I/O), and posting in lock order keeps every session's presence frames in change order.
  auto post = [&](uint64_t session) {
    auto it = peers_.find(session);
    if (it == peers_.end()) return;
    if (auto peer = it->second.peer.lock()) {
      peer->post_frame(text);
      keep.push_back(std::move(peer));
    }
  };
  if (changed) {
    for (const auto& [session, p] : pp.users) post(session);
  } else if (joining && pp.users.count(joining)) {
    post(joining);
  }
}

std::shared_ptr<const EventBatch> Hub::event_batch(const std::vector<std::shared_ptr<const Event>>& events) {
  thread_local std::shared_ptr<const EventBatch> last;
  // The same Event objects (pointer equality), so the same frames.
  if (last && last->events == events) return last;
  auto batch = std::make_shared<EventBatch>();
  batch->events = events;
  batch->frames.reserve(events.size());
  for (const auto& e : events) {
    batch->frames.push_back(event_frame(*e));
    batch->bytes += batch->frames.back()->size();
  }
  if (batch->bytes <= kReusedBatchBytes) {
    last = batch;
  } else {
    last.reset();
  }
  return batch;
}

std::shared_ptr<const std::string> Hub::event_frame(const Event& event) {
  auto key = std::make_pair(event.plan, event.revision);
  {
    std::lock_guard lock(frames_mutex_);
    if (auto it = frames_.find(key); it != frames_.end()) return it->second;
  }
  const std::string& body = event.json.empty() ? event.to_json().dump() : event.json;
  std::string text;
  text.reserve(body.size() + event.plan.size() + 40);
  text += R"({"type":"event","plan":)";
  text += nlohmann::json(event.plan).dump();
  text += R"(,"event":)";
  text += body;
  text += '}';
  auto frame = std::make_shared<const std::string>(std::move(text));
  std::lock_guard lock(frames_mutex_);
  auto [it, inserted] = frames_.try_emplace(key, frame);
  auto result = it->second;
  if (inserted) {
    frame_order_.push_back(key);
    frame_bytes_ += result->size();
    while (frame_order_.size() > 1 &&
           (frame_order_.size() > kFrameCacheEntries || frame_bytes_ > kFrameCacheBytes)) {
      auto oldest = frames_.find(frame_order_.front());
      frame_bytes_ -= oldest->second->size();
      frames_.erase(oldest);
      frame_order_.pop_front();
    }
  }
  return result;
}

}  // namespace kartiba::server
