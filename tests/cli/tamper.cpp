// cli_tamper DATA PLAN REVISION TEXT — changes the first letter of TEXT inside one stored
// event record (its hashed part), so `kartiba admin verify` must find it. Test tool only.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/event_format.h"
#include "storage/store.h"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: cli_tamper DATA PLAN REVISION TEXT\n");
    return 2;
  }
  auto store = kartiba::open_rocks_store(argv[1], false);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.error().message().c_str());
    return 1;
  }
  std::string key = kartiba::format::event_key(argv[2], std::strtoull(argv[3], nullptr, 10));
  auto record = (*store)->get(kartiba::Space::events, key);
  if (!record.ok() || !*record) {
    std::fprintf(stderr, "no such event\n");
    return 1;
  }
  std::string value = **record;
  auto at = value.find(argv[4]);
  if (at == std::string::npos || at >= value.size() - 40) {
    std::fprintf(stderr, "text not found in the record\n");
    return 1;
  }
  value[at] = value[at] == 'X' ? 'Y' : 'X';
  auto st = (*store)->write({{kartiba::Space::events, key, value}}, true);
  return st.ok() ? 0 : 1;
}
