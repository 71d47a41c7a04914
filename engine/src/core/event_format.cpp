#include "core/event_format.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>

#include "core/time_format.h"

namespace kartiba {

nlohmann::json Event::to_json() const {
  return nlohmann::json{{"seq", seq},         {"plan", plan},       {"revision", revision},
                        {"type", type},       {"at", format_utc_ms(at_ms)}, {"actor", actor},
                        {"command", command}, {"reason", reason},   {"data", data},
                        {"hash", hash}};
}

namespace {
// `s` as a JSON string, as the JSON library writes it (replacing invalid UTF-8). Most envelope
// texts are plain ASCII: those are copied between quotes without building a JSON value.
void append_quoted(std::string& out, const std::string& s) {
  bool plain = true;
  for (unsigned char c : s)
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      plain = false;
      break;
    }
  if (plain) {
    out.push_back('"');
    out += s;
    out.push_back('"');
  } else {
    out += nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
}
}  // namespace

void Event::finish_encoding() {
  std::string out;
  out.reserve(200 + plan.size() + type.size() + actor.size() + command.size() + reason.size() +
              data_json.size());
  out += "{\"seq\":";
  out += std::to_string(seq);
  out += ",\"plan\":";
  append_quoted(out, plan);
  out += ",\"revision\":";
  out += std::to_string(revision);
  out += ",\"type\":";
  append_quoted(out, type);
  out += ",\"at\":\"";
  out += format_utc_ms(at_ms);
  out += "\",\"actor\":";
  append_quoted(out, actor);
  out += ",\"command\":";
  append_quoted(out, command);
  out += ",\"reason\":";
  append_quoted(out, reason);
  out += ",\"data\":";
  if (!data_json.empty()) {
    out += data_json;
    std::string().swap(data_json);
  } else {
    out += data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  out += ",\"hash\":\"";
  out += hash;
  out += "\"}";
  json = std::move(out);
}

namespace format {
namespace {

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(char(v | 0x80));
    v >>= 7;
  }
  out.push_back(char(v));
}

void put_string(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}

struct Reader {
  std::string_view in;
  size_t pos = 0;
  bool ok = true;

  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= in.size()) break;
      auto b = static_cast<unsigned char>(in[pos++]);
      v |= uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    ok = false;
    return 0;
  }
  std::string_view string() {
    uint64_t n = varint();
    if (!ok || n > in.size() - pos) {
      ok = false;
      return {};
    }
    auto s = in.substr(pos, n);
    pos += n;
    return s;
  }
};

// One digest context per thread, and the algorithm fetched once: OpenSSL 3 looks EVP_sha256()
// up in its provider tables on every init, which cost more than hashing a small event.
struct Sha256Context {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Sha256Context() { EVP_MD_CTX_free(ctx); }
};

const EVP_MD* sha256_algorithm() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md ? md : EVP_sha256();
}

Hash sha256_chain(const Hash& previous, std::string_view body) {
  thread_local Sha256Context context;
  Hash out;
  EVP_DigestInit_ex(context.ctx, sha256_algorithm(), nullptr);
  EVP_DigestUpdate(context.ctx, previous.data(), previous.size());
  EVP_DigestUpdate(context.ctx, body.data(), body.size());
  unsigned int len = 0;
  EVP_DigestFinal_ex(context.ctx, out.data(), &len);
  return out;
}

}  // namespace

std::string big_endian64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) out[i] = char(v & 0xff);
  return out;
}

uint64_t read_big_endian64(std::string_view b) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < b.size(); ++i) v = (v << 8) | static_cast<unsigned char>(b[i]);
  return v;
}

std::string plan_prefix(std::string_view plan) {
  std::string k(plan);
  k.push_back('\0');
  return k;
}
std::string event_key(std::string_view plan, uint64_t revision) {
  return plan_prefix(plan) + big_endian64(revision);
}
std::string command_key(std::string_view plan, std::string_view command_id) {
  return plan_prefix(plan) + std::string(command_id);
}
std::string snapshot_key(std::string_view plan, uint64_t revision) {
  return plan_prefix(plan) + big_endian64(revision);
}

std::string hex(const unsigned char* bytes, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = digits[bytes[i] >> 4];
    out[2 * i + 1] = digits[bytes[i] & 15];
  }
  return out;
}

Hash hash_from_hex(std::string_view h) {
  // A table, not branches: every applied event converts its hash (replay does a million).
  static constexpr auto kNibble = [] {
    std::array<unsigned char, 256> t{};
    for (int c = '0'; c <= '9'; ++c) t[c] = static_cast<unsigned char>(c - '0');
    for (int c = 'a'; c <= 'f'; ++c) t[c] = static_cast<unsigned char>(c - 'a' + 10);
    for (int c = 'A'; c <= 'F'; ++c) t[c] = static_cast<unsigned char>(c - 'A' + 10);
    return t;
  }();
  Hash out{};
  const size_t n = std::min(kHashSize, h.size() / 2);
  for (size_t i = 0; i < n; ++i)
    out[i] = static_cast<unsigned char>(kNibble[static_cast<unsigned char>(h[2 * i])] << 4 |
                                        kNibble[static_cast<unsigned char>(h[2 * i + 1])]);
  return out;
}

std::string encode(Event& e, const Hash& previous) {
  std::string out;
  out.reserve(128 + e.plan.size() + e.type.size() + e.actor.size() + e.command.size() +
              e.reason.size());
  out.push_back(char(kRecordFormat));
  put_varint(out, e.schema);
  put_varint(out, e.revision);
  put_varint(out, (uint64_t(e.at_ms) << 1) ^ uint64_t(e.at_ms >> 63));
  put_string(out, e.plan);
  put_string(out, e.type);
  put_string(out, e.actor);
  put_string(out, e.command);
  put_string(out, e.reason);
  e.data_json = e.data.dump();
  put_string(out, e.data_json);
  Hash h = sha256_chain(previous, out);
  out.append(reinterpret_cast<const char*>(h.data()), h.size());
  e.hash = hex(h.data(), h.size());
  return out;
}

Result<Event> decode(std::string_view record, const Hash* previous, bool* hash_matches) {
  if (record.size() < 1 + kHashSize + 8 || static_cast<unsigned char>(record[0]) != kRecordFormat)
    return Error::invalid("event record has an unknown format");
  uint64_t seq = read_big_endian64(record.substr(record.size() - 8));
  record = record.substr(0, record.size() - 8);
  std::string_view body = record.substr(0, record.size() - kHashSize);
  Reader r{body, 1};
  Event e;
  e.seq = seq;
  e.schema = uint32_t(r.varint());
  e.revision = r.varint();
  uint64_t zz = r.varint();
  e.at_ms = int64_t(zz >> 1) ^ -int64_t(zz & 1);
  e.plan = r.string();
  e.type = r.string();
  e.actor = r.string();
  e.command = r.string();
  e.reason = r.string();
  auto data = r.string();
  if (!r.ok || r.pos != body.size()) return Error::invalid("event record is truncated");
  e.data = nlohmann::json::parse(data, nullptr, false);
  if (e.data.is_discarded()) return Error::invalid("event data is not JSON");
  // Not kept as data_json: a stored text need not be canonical (a BOM, spacing, escapes), and
  // clients get data as this library writes it.
  auto stored = reinterpret_cast<const unsigned char*>(record.data() + body.size());
  e.hash = hex(stored, kHashSize);
  if (previous && hash_matches) {
    Hash h = sha256_chain(*previous, body);
    *hash_matches = std::equal(h.begin(), h.end(), stored);
  }
  upcast(e);
  return e;
}

void upcast(Event& event) {
  // Schema 1 is the only one so far. A later schema adds a step here, e.g.
  // if (event.schema == 1) { …rename a field…; event.schema = 2; }
  event.schema = kCurrentSchema;
}

}  // namespace format
}  // namespace kartiba
