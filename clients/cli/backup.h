// Copies of a data directory's RocksDB database, safe while kartiba-server runs on it.
//
// RocksDB lets one process open a database read-write. When nobody holds it, the copy is a
// RocksDB checkpoint (hard links where possible). When the server holds it, the copy opens
// the database as a *secondary instance* (DB::OpenAsSecondary, max_open_files = -1), catches
// up with the primary once (TryCatchUpWithPrimary), and copies every column family into a new
// database: the secondary's view is one point of the primary's history (whole write batches),
// and it does not move while we read it. docs/CLI.md explains why not a checkpoint there.
#pragma once

#include <string>

namespace kartiba::cli {

struct CopyReport {
  bool ok = false;
  std::string error;
  std::string method;   // "checkpoint" or "secondary-copy"
  uint64_t keys = 0;    // keys copied (secondary-copy)
};

// REQUIRES: dest does not exist.
CopyReport copy_database(const std::string& data_dir, const std::string& dest);

// True when another process holds the database open read-write.
bool database_in_use(const std::string& data_dir);

}  // namespace kartiba::cli
