// Serves the web app's files from the web directory: GET and HEAD, index.html for "/",
// content types by extension, ETag / If-None-Match, Cache-Control, and no way out of the
// directory (no "..", no hidden files, symlinks resolved and checked).
//
// Thread-safety: a free function; reads small files from disk (call from a work thread).
#pragma once

#include <string>

#include "http_types.h"

namespace kartiba::server {

// `path` is the decoded request path ("/", "/js/app.js").
HttpResponse serve_static(const std::string& web_dir, const std::string& path, const HttpRequest& req);

// "text/html; charset=utf-8" for "index.html", … ; "application/octet-stream" when unknown.
std::string content_type_for(const std::string& filename);

}  // namespace kartiba::server
