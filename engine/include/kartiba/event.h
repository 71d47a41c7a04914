// kartiba::Event — one entry of a plan's append-only log.
//
// Immutable once built: shared between the log, projections and every subscriber as
// std::shared_ptr<const Event>. Its JSON text (the SPEC.md shape) is encoded once, when the
// event is made or read, and reused for every client that receives it.
// The storage format is described in docs/EVENT_FORMAT.md and event_format.h.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace kartiba {

struct Event {
  uint64_t seq = 0;       // global position across all plans (assigned at commit)
  std::string plan;
  uint64_t revision = 0;  // position in its plan, 1 = the plan's creation
  std::string type;       // "ItemRescheduled", …
  int64_t at_ms = 0;      // when it was appended, milliseconds since the Unix epoch (UTC)
  std::string actor;      // the token name that caused it
  std::string command;    // the client's command id
  std::string reason;     // optional, "" when none
  nlohmann::json data;    // the type's payload (docs/EVENTS.md)
  uint32_t schema = 1;    // schema version of `data`, upcast to the current one on read
  std::string hash;       // lowercase hex SHA-256 chaining to the previous event of the plan

  // {"seq":…,"plan":…,…,"hash":…} exactly as SPEC.md shows it, encoded once by
  // finish_encoding() before the event is shared; every reader sends this text as is.
  std::string json;
  // `data` as compact JSON text when the encoder made it already, so that finish_encoding()
  // need not serialize it again; finish_encoding() consumes it.
  std::string data_json;

  nlohmann::json to_json() const;
  // Fills `json` (fields in SPEC.md's order), without building a JSON tree first.
  void finish_encoding();
};

using EventPtr = std::shared_ptr<const Event>;

}  // namespace kartiba
