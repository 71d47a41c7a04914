// The test harness itself: a real server that commits with fsync on, survives a restart on its
// port, and leaves nothing behind.
#include <catch2/catch.hpp>
#include <libpq-fe.h>

#include <filesystem>
#include <memory>
#include <string>

#include "test_postgres.h"

using kartiba::testing::TestPostgres;

namespace {

struct Connection {
  explicit Connection(const std::string& info) : conn(PQconnectdb(info.c_str()), &PQfinish) {}
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn;
  bool ok() const { return PQstatus(conn.get()) == CONNECTION_OK; }
  // The first value of the first row, or the error message.
  std::string value(const std::string& sql) {
    std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(conn.get(), sql.c_str()), &PQclear);
    auto status = PQresultStatus(r.get());
    if (status == PGRES_TUPLES_OK && PQntuples(r.get()) > 0) return PQgetvalue(r.get(), 0, 0);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return "";
    return std::string("error: ") + PQerrorMessage(conn.get());
  }
};

}  // namespace

TEST_CASE("test postgres: a real server with fsync on, restartable, removed afterwards") {
  std::string folder;
  {
    TestPostgres pg;
    folder = pg.folder();
    REQUIRE(std::filesystem::exists(folder + "/data/PG_VERSION"));
    {
      Connection c(pg.conninfo());
      REQUIRE(c.ok());
      CHECK(c.value("SHOW fsync") == "on");
      CHECK(c.value("SHOW synchronous_commit") == "on");
      CHECK(c.value("SHOW server_encoding") == "UTF8");
      CHECK(c.value("CREATE TABLE t (v text)") == "");
      CHECK(c.value("INSERT INTO t VALUES ('Rīga, Liepāja, Ķekava')") == "");
    }
    pg.stop_immediately();
    CHECK_FALSE(pg.running());
    CHECK(PQping(pg.conninfo().c_str()) == PQPING_NO_RESPONSE);
    pg.start();  // crash recovery replays the committed row
    Connection again(pg.conninfo());
    REQUIRE(again.ok());
    CHECK(again.value("SELECT v FROM t") == "Rīga, Liepāja, Ķekava");
  }
  CHECK_FALSE(std::filesystem::exists(folder));
}
