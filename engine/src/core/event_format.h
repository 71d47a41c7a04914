// The stored form of an event and the keys of the log. Prose: docs/EVENT_FORMAT.md.
//
// Record (value in the `events` space, key = plan '\0' revision as 8 big-endian bytes):
//   u8      record format (kRecordFormat)
//   varint  schema version of data
//   varint  revision
//   varint  at_ms (zig-zag)
//   str     plan, type, actor, command, reason   (varint length + UTF-8 bytes each)
//   str     data (JSON text)
//   32 B    hash = SHA-256(previous event's hash ‖ every byte above)
//   8 B     seq, big-endian: the global position, appended by the commit log (not hashed:
//           the chain covers the plan's content, the seq is where the log put it)
// The global order lives in the `global` space: seq as 8 big-endian bytes → the event's key.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kartiba/error.h"
#include "kartiba/event.h"

namespace kartiba::format {

inline constexpr uint8_t kRecordFormat = 1;
inline constexpr uint32_t kCurrentSchema = 1;
inline constexpr size_t kHashSize = 32;

using Hash = std::array<unsigned char, kHashSize>;
inline constexpr Hash kGenesisHash{};  // the "previous hash" of a plan's first event

std::string big_endian64(uint64_t v);
uint64_t read_big_endian64(std::string_view bytes);

std::string event_key(std::string_view plan, uint64_t revision);
std::string plan_prefix(std::string_view plan);  // plan '\0'
std::string command_key(std::string_view plan, std::string_view command_id);
std::string snapshot_key(std::string_view plan, uint64_t revision);

// Encodes `event` (ignoring its hash and seq), computes its hash from `previous`, and
// returns the record without its seq (the commit log appends it); sets event.hash (hex).
std::string encode(Event& event, const Hash& previous);

// Decodes a record. `recomputed_hash` (optional) receives SHA-256(previous ‖ body) so the
// caller can check the chain; pass the previous hash for that.
Result<Event> decode(std::string_view record, const Hash* previous = nullptr,
                     bool* hash_matches = nullptr);

Hash hash_from_hex(std::string_view hex);
std::string hex(const unsigned char* bytes, size_t n);

// Brings an event's data up to kCurrentSchema (no-op while there is one schema).
void upcast(Event& event);

}  // namespace kartiba::format
