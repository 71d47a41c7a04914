#include "static_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "url.h"

namespace kartiba::server {
namespace fs = std::filesystem;
namespace {

HttpResponse not_found() {
  return HttpResponse::error(Error::not_found("no such file"));
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::string content_type_for(const std::string& name) {
  static const std::pair<std::string_view, std::string_view> types[] = {
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".ttf", "font/ttf"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json"},
      {".wasm", "application/wasm"},
  };
  for (const auto& [ext, type] : types) {
    if (ends_with(name, ext)) return std::string(type);
  }
  return "application/octet-stream";
}

HttpResponse serve_static(const std::string& web_dir, const std::string& path, const HttpRequest& req) {
  if (web_dir.empty()) return HttpResponse::error(Error::not_found("no web assets installed (see --web)"));
  // Each segment must be a plain name: no "..", no ".", no hidden files, no backslashes.
  std::string relative;
  for (const auto& segment : split_path(path)) {
    if (segment.empty() || segment[0] == '.' || segment.find('\\') != std::string::npos ||
        segment.find('\0') != std::string::npos) {
      return not_found();
    }
    if (!relative.empty()) relative += '/';
    relative += segment;
  }
  if (relative.empty() || (!path.empty() && path.back() == '/')) {
    relative += relative.empty() ? "index.html" : "/index.html";
  }

  std::error_code ec;
  const fs::path root = fs::canonical(web_dir, ec);
  if (ec) return not_found();
  const fs::path file = fs::canonical(root / relative, ec);
  if (ec) return not_found();
  // Symlinks inside the tree may not lead out of it.
  const auto rel = file.lexically_relative(root);
  if (rel.empty() || *rel.begin() == "..") return not_found();
  if (!fs::is_regular_file(file, ec)) return not_found();

  const auto size = fs::file_size(file, ec);
  if (ec) return not_found();
  const auto mtime = fs::last_write_time(file, ec);
  if (ec) return not_found();
  std::ostringstream etag;
  etag << '"' << std::hex << size << '-'
       << static_cast<unsigned long long>(mtime.time_since_epoch().count()) << '"';

  HttpResponse r;
  r.content_type = content_type_for(file.filename().string());
  r.headers.emplace_back("ETag", etag.str());
  // No fingerprinted file names: revalidate every time (a 304 is cheap).
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  // The page is opened with ?token=…: never leak it in a Referer.
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  if (ends_with(r.content_type, "charset=utf-8") && r.content_type.rfind("text/html", 0) == 0) {
    r.headers.emplace_back("X-Frame-Options", "DENY");
  }
  r.head = req.method == "HEAD";
  if (!req.if_none_match.empty() &&
      (req.if_none_match == etag.str() || req.if_none_match == "*" ||
       req.if_none_match.find(etag.str()) != std::string::npos)) {
    r.status = 304;
    r.head = true;
    return r;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return not_found();
  std::ostringstream body;
  body << in.rdbuf();
  r.body = body.str();
  r.status = 200;
  return r;
}

}  // namespace kartiba::server
