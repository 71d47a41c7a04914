#include "connections.h"

#include <vector>

namespace kartiba::server {

uint64_t Connections::add(std::weak_ptr<Closable> conn) {
  std::lock_guard lock(mutex_);
  const uint64_t id = ++next_id_;
  conns_.emplace(id, std::move(conn));
  return id;
}

void Connections::remove(uint64_t id) {
  std::lock_guard lock(mutex_);
  conns_.erase(id);
}

size_t Connections::size() const {
  std::lock_guard lock(mutex_);
  return conns_.size();
}

void Connections::close_all() {
  std::vector<std::shared_ptr<Closable>> targets;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, weak] : conns_) {
      if (auto c = weak.lock()) targets.push_back(std::move(c));
    }
  }
  for (auto& c : targets) c->post_close();
}

}  // namespace kartiba::server
