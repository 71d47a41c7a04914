#include "cluster/pg_schema.h"

#include <vector>

namespace kartiba::cluster {
namespace {

// Step N brings the schema from version N-1 to N. Never edit a released step: add one.
const std::vector<std::string>& steps() {
  static const std::vector<std::string> all = {
      // 1: the log of record.
      R"sql(
      -- Each plan's head: its latest committed event's revision and hash. An append moves it
      -- from the event the node decided on to the new one, or does nothing if another node moved
      -- it first; that row is how appends to one plan are ordered across nodes.
      CREATE TABLE kartiba_plans (
        plan     text   PRIMARY KEY,
        revision bigint NOT NULL CHECK (revision > 0),
        hash     bytea  NOT NULL
      );
      -- The next seq. Every appending transaction locks this row first and keeps the lock until
      -- it commits, so seqs increase in commit order (a sequence would hand them out in the order
      -- transactions started and let readers see 12 before 11 commits: marten issue 3321).
      CREATE TABLE kartiba_seq (
        next bigint NOT NULL
      );
      INSERT INTO kartiba_seq VALUES (1);
      -- The events: the engine's record (docs/EVENT_FORMAT.md, without the trailing seq) and the
      -- columns an operator queries by.
      CREATE TABLE kartiba_events (
        plan     text   NOT NULL,
        revision bigint NOT NULL,
        seq      bigint NOT NULL UNIQUE,
        type     text   NOT NULL,
        command  text   NOT NULL,
        at_ms    bigint NOT NULL,
        hash     bytea  NOT NULL,
        record   bytea  NOT NULL,
        PRIMARY KEY (plan, revision)
      );
      -- Command ids, unique per plan across the cluster, with the revisions the command appended.
      CREATE TABLE kartiba_commands (
        plan           text   NOT NULL,
        command        text   NOT NULL,
        first_revision bigint NOT NULL,
        last_revision  bigint NOT NULL,
        created_id     text   NOT NULL DEFAULT '',
        PRIMARY KEY (plan, command)
      );
      -- The server's cluster-wide records (tokens).
      CREATE TABLE kartiba_meta (
        key   text  PRIMARY KEY,
        value bytea NOT NULL
      );
      )sql",
  };
  return all;
}

}  // namespace

std::string migration_sql() {
  std::string sql =
      "DO $kartiba$\n"
      "DECLARE v integer;\n"
      "BEGIN\n"
      "  PERFORM pg_advisory_xact_lock(" + std::to_string(kMigrationLockKey) + ");\n"
      "  CREATE TABLE IF NOT EXISTS kartiba_schema (version integer NOT NULL);\n"
      "  SELECT max(version) INTO v FROM kartiba_schema;\n"
      "  IF v IS NULL THEN\n"
      "    INSERT INTO kartiba_schema VALUES (0);\n"
      "    v := 0;\n"
      "  END IF;\n";
  const auto& all = steps();
  for (size_t i = 0; i < all.size(); ++i) {
    const std::string n = std::to_string(i + 1);
    sql += "  IF v < " + n + " THEN\n" + all[i] + "\n    UPDATE kartiba_schema SET version = " + n +
           ";\n    v := " + n + ";\n  END IF;\n";
  }
  sql += "END\n$kartiba$";
  return sql;
}

}  // namespace kartiba::cluster
