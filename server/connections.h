// kartiba::server::Connections — every open connection, to count them (--max-connections)
// and to close them all on shutdown.
//
// A connection registers itself while it lives and deregisters in its destructor.
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace kartiba::server {

// What shutdown asks of a connection: close soon (finish a response being written first).
// Implementations post to their strand and return at once.
class Closable {
 public:
  virtual ~Closable() = default;
  virtual void post_close() = 0;
};

class Connections {
 public:
  Connections() = default;
  Connections(const Connections&) = delete;
  Connections& operator=(const Connections&) = delete;

  uint64_t add(std::weak_ptr<Closable> conn);
  void remove(uint64_t id);
  size_t size() const;
  // Posts post_close() to every open connection.
  void close_all();

 private:
  mutable std::mutex mutex_;
  uint64_t next_id_ = 0;                                          // GUARDED_BY(mutex_)
  std::unordered_map<uint64_t, std::weak_ptr<Closable>> conns_;  // GUARDED_BY(mutex_)
};

}  // namespace kartiba::server
