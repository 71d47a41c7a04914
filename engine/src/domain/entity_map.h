// kartiba::EntityMap — a plan's entities of one kind (id → fields and field revisions),
// shared between the states of successive revisions.
//
// The engine copies the committed PlanState to decide each batch. Copying an EntityMap copies
// pointers; a change clones only the entity it touches, and only when another state still
// shares it (copy on write). So a batch costs the entities it changes, not the plan's size.
//
// Thread-safety: a record is mutated only through mutable_record() of a state that no other
// thread can see (the batch's working copy); records shared with a published state are cloned
// first, so published states are never written to.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace kartiba {

// The revision that last changed each field of one entity ("speakers/<person>" for speaker
// assignments). An entity has a dozen fields or so: a flat vector copies and frees in one go,
// which is what a clone costs.
class FieldRevs {
 public:
  using Entry = std::pair<std::string, uint64_t>;
  uint64_t get(std::string_view field) const {
    for (auto& [f, rev] : v_)
      if (f == field) return rev;
    return 0;
  }
  void set(std::string_view field, uint64_t rev) {
    for (auto& [f, r] : v_)
      if (f == field) {
        r = rev;
        return;
      }
    v_.emplace_back(std::string(field), rev);
  }
  std::vector<Entry>::const_iterator begin() const { return v_.begin(); }
  std::vector<Entry>::const_iterator end() const { return v_.end(); }

 private:
  std::vector<Entry> v_;
};

struct EntityRecord {
  nlohmann::json value;  // the entity's fields, in the shape commands and views use
  FieldRevs field_rev;
  uint64_t touched_rev = 0;  // the last revision that changed the entity at all
};

class EntityMap {
  using Map = std::map<std::string, std::shared_ptr<EntityRecord>>;

 public:
  // What iteration yields: `for (const auto& [id, value] : map)`.
  struct Entry {
    const std::string& first;
    const nlohmann::json& second;
  };
  class const_iterator {
   public:
    explicit const_iterator(Map::const_iterator it) : it_(it) {}
    Entry operator*() const { return {it_->first, it_->second->value}; }
    struct Arrow {
      Entry entry;
      const Entry* operator->() const { return &entry; }
    };
    Arrow operator->() const { return {**this}; }
    const_iterator& operator++() {
      ++it_;
      return *this;
    }
    bool operator==(const const_iterator& other) const { return it_ == other.it_; }
    bool operator!=(const const_iterator& other) const { return it_ != other.it_; }

   private:
    Map::const_iterator it_;
  };

  size_t size() const { return m_.size(); }
  bool empty() const { return m_.empty(); }
  size_t count(const std::string& id) const { return m_.count(id); }
  const_iterator begin() const { return const_iterator(m_.begin()); }
  const_iterator end() const { return const_iterator(m_.end()); }
  const_iterator find(const std::string& id) const { return const_iterator(m_.find(id)); }
  // Throws std::out_of_range when there is no such entity.
  const nlohmann::json& at(const std::string& id) const { return m_.at(id)->value; }
  // Null when there is no such entity.
  const EntityRecord* record(const std::string& id) const {
    auto it = m_.find(id);
    return it == m_.end() ? nullptr : it->second.get();
  }

  // The entity's record for changing it, created empty when absent, cloned when shared.
  EntityRecord& mutable_record(const std::string& id) {
    auto& p = m_[id];
    if (!p)
      p = std::make_shared<EntityRecord>();
    else if (p.use_count() > 1)
      p = std::make_shared<EntityRecord>(*p);
    return *p;
  }
  void erase(const std::string& id) { m_.erase(id); }

 private:
  Map m_;
};

}  // namespace kartiba
