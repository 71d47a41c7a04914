// kartiba::server::Hub — the meeting point of WebSocket sessions (chat-multi's shared_state).
//
// It knows every authenticated session by token (to close them when the token is revoked),
// who is present on which plan and what each is editing (presence), and it encodes each
// event's frame once for every session that sends it.
//
// Thread-safety: every method may be called from any thread. Sessions are held as weak_ptr;
// the hub reaches a session only through Peer, whose methods post to the session's strand
// and never call back into the hub.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace kartiba {
struct Event;
}

namespace kartiba::server {

// Events of one plan as the engine delivered them to a subscriber, with their frames: made
// once and shared by every session it is delivered to.
struct EventBatch {
  std::vector<std::shared_ptr<const Event>> events;
  std::vector<std::shared_ptr<const std::string>> frames;  // frames[i] is events[i]'s frame
  size_t bytes = 0;                                          // of all the frames
};

// What the hub asks of a session. Implementations post to their strand and return at once.
class Peer {
 public:
  virtual ~Peer() = default;
  // Queue a presence frame for the client.
  virtual void post_frame(std::shared_ptr<const std::string> frame) = 0;
  // The session's token was revoked: tell the client and close.
  virtual void post_revoked() = 0;
  // The server is stopping: close with 1001 (going away).
  virtual void post_shutdown() = 0;
};

class Hub {
 public:
  Hub() = default;
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  uint64_t next_session_id() { return next_id_.fetch_add(1) + 1; }

  // An authenticated session of token `token_id`.
  void add_peer(const std::string& token_id, uint64_t session, std::weak_ptr<Peer> peer);
  // The session ends: forgets it and its presence on every plan (telling the others).
  void remove_peer(uint64_t session);
  // Posts post_revoked() to every session of the token; returns how many.
  size_t revoke_token(const std::string& token_id);
  // Posts post_shutdown() to every session.
  void shutdown_all();

  // Presence. join() on subscribe, leave() on unsubscribe; set_editing() when the client
  // says which item it edits (empty = none). Each change sends the plan's user list to
  // every session present on the plan. set_editing returns false when not joined.
  void join(const std::string& plan, uint64_t session, const std::string& actor);
  bool set_editing(const std::string& plan, uint64_t session, const std::string& editing);
  void leave(const std::string& plan, uint64_t session);

  // {"type":"event","plan":…,"event":…} for this event, encoded once and shared.
  std::shared_ptr<const std::string> event_frame(const Event& event);
  // The batch for these events (not empty). The engine hands the same events to every
  // subscriber of a plan in turn, on one thread: the batch made for the first is reused for
  // the others (the last one made on each thread is kept, unless large).
  std::shared_ptr<const EventBatch> event_batch(const std::vector<std::shared_ptr<const Event>>& events);

 private:
  struct Presence {
    std::string actor;
    std::string editing;
  };
  // REQUIRES: mutex_ held. Posts the plan's presence frame to everyone present. The peers it
  // reached go into `keep`, which the caller destroys after unlocking: a session's last
  // reference must not be dropped under the lock (its destructor calls remove_peer).
  // Sends the plan's presence list to every session on it when the list changed since the last
  // one sent, else only to `joining` (a newcomer still needs it). Without that, N viewers
  // joining one plan would cost N² frames.
  void broadcast_presence_locked(const std::string& plan, std::vector<std::shared_ptr<Peer>>& keep,
                                 uint64_t joining = 0);

  std::atomic<uint64_t> next_id_{0};

  std::mutex mutex_;
  struct PeerEntry {
    std::string token_id;
    std::weak_ptr<Peer> peer;
  };
  std::unordered_map<uint64_t, PeerEntry> peers_;                      // GUARDED_BY(mutex_)
  // Who is present on a plan, the distinct (actor, editing) entries with how many sessions
  // show each, and the last list sent.
  struct PlanPresence {
    std::map<uint64_t, Presence> users;  // by session
    std::map<std::pair<std::string, std::string>, size_t> entries;
    std::string sent;
    void add_entry(const Presence& p);
    void remove_entry(const Presence& p);
  };
  std::map<std::string, PlanPresence> presence_;  // GUARDED_BY(mutex_)

  std::mutex frames_mutex_;
  std::map<std::pair<std::string, uint64_t>, std::shared_ptr<const std::string>> frames_;  // GUARDED_BY(frames_mutex_)
  std::deque<std::pair<std::string, uint64_t>> frame_order_;  // GUARDED_BY(frames_mutex_)
  size_t frame_bytes_ = 0;                                     // GUARDED_BY(frames_mutex_)
};

}  // namespace kartiba::server
