// The tables kartiba keeps in PostgreSQL (docs/CLUSTER.md, "The schema"), and how a node brings
// a database up to the version it knows.
#pragma once

#include <string>

namespace kartiba::cluster {

// The schema version this build writes. A database at a later version was migrated by a newer
// kartiba: this node refuses to run on it rather than guess.
inline constexpr int kSchemaVersion = 1;

// One statement (a DO block) that takes a transaction-scoped advisory lock, so nodes starting at
// once migrate one after the other, and applies every step above the recorded version.
std::string migration_sql();

// The advisory lock key (arbitrary, fixed: "kartiba" in ASCII, truncated to fit a bigint).
inline constexpr long long kMigrationLockKey = 0x6b61727469626100LL;

// NOTIFY channels: events committed (payload "revision plan"), meta changed (payload: the key).
inline constexpr const char* kEventsChannel = "kartiba_events";
inline constexpr const char* kMetaChannel = "kartiba_meta";

}  // namespace kartiba::cluster
