// Fuzz target: decoding a stored event record (engine/src/core/event_format.h), as the log,
// verify, catch-up and `kartiba admin dump` do with whatever bytes the disk holds. Decoding
// must not crash or read out of bounds; a record that decodes encodes back to one that decodes
// to the same event, with a matching hash.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/event_format.h"
#include "fuzz_support.h"

using namespace kartiba;

// With KARTIBA_FUZZ_WRITE_RECORDS=DIR, writes the demo plan's event records into DIR (the seed
// corpus: tests/fuzz/run.sh --seed-records) and exits.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* dir = std::getenv("KARTIBA_FUZZ_WRITE_RECORDS");
  if (!dir) return 0;
  auto engine = fuzz::demo_engine();
  auto events = engine->events(fuzz::kDemoPlan, 0, 10000);
  fuzz::require(events.ok(), "no demo events");
  format::Hash previous = format::kGenesisHash;
  for (const auto& e : *events) {
    Event copy = *e;
    std::string record = format::encode(copy, previous) + format::big_endian64(e->seq);
    previous = format::hash_from_hex(copy.hash);
    std::FILE* f = std::fopen((std::string(dir) + "/record-" + std::to_string(e->revision)).c_str(), "wb");
    fuzz::require(f != nullptr, "cannot write a seed");
    std::fwrite(record.data(), 1, record.size(), f);
    std::fclose(f);
  }
  std::exit(0);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view record(reinterpret_cast<const char*>(data), size);
  format::Hash previous = format::kGenesisHash;
  if (size > 0) previous[0] = data[0];  // some chains start elsewhere
  bool matches = false;
  auto checked = format::decode(record, &previous, &matches);
  auto plain = format::decode(record);
  fuzz::require(checked.ok() == plain.ok(), "decode depends on whether the hash is checked");
  if (!checked.ok()) return 0;
  Event e = std::move(checked.value());
  // Written out again: the same event, chained to the same previous hash.
  Event copy = e;
  std::string again = format::encode(copy, previous);
  bool matches_again = false;
  auto back = format::decode(again + std::string(8, '\0'), &previous, &matches_again);
  fuzz::require(back.ok(), "a decoded event does not encode to a decodable record");
  fuzz::require(matches_again, "a re-encoded record does not match its own hash");
  fuzz::require(back->plan == e.plan && back->type == e.type && back->actor == e.actor && back->command == e.command &&
                    back->reason == e.reason && back->revision == e.revision && back->at_ms == e.at_ms &&
                    back->data == e.data && back->schema == e.schema,
                "an event changes through encode and decode");
  // The form encode() writes is canonical: written out once more, the same bytes and hash.
  // (Arbitrary records are not: another varint or JSON spelling of the same event hashes
  // differently, which is why verify checks the stored bytes and import re-encodes.)
  Event twice = back.value();
  fuzz::require(format::encode(twice, previous) == again && twice.hash == copy.hash, "encode is not canonical");
  try {
    e.finish_encoding();
    (void)nlohmann::json::parse(e.json);
  } catch (const nlohmann::json::type_error&) {
    // Bytes that are not UTF-8 in the record's strings cannot be written as JSON; the server
    // answers those reads 503 (its job runner catches), and verify reports the record.
  }
  return 0;
}
