// Public links: /api/plans/{plan}/links (organiser or admin) and what a link's secret URL serves
// without a token, /l/{secret} (docs/PROTOCOL.md, "Links").
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "api.h"
#include "app.h"
#include "exports.h"
#include "json_check.h"
#include "kartiba/engine.h"
#include "kartiba/event.h"
#include "links.h"
#include "log.h"

namespace kartiba::server {
namespace {

// "http://HOST" from the request's Host header (the address the organiser used).
std::string origin_of(const HttpRequest& request) {
  return "http://" + (request.host.empty() ? std::string("127.0.0.1") : request.host);
}

std::string link_path(const std::string& secret, const std::string& kind) {
  return "/l/" + secret + (kind == "calendar" ? ".ics" : "");
}

// An IMF-fixdate (RFC 9110 5.6.7): "Sun, 06 Nov 1994 08:49:37 GMT".
std::string http_date(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  static const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
                months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

bool etag_matches(const std::string& if_none_match, const std::string& etag) {
  return !if_none_match.empty() && (if_none_match == "*" || if_none_match.find(etag) != std::string::npos);
}

HttpResponse no_such_link() { return HttpResponse::error(Error::not_found("no such link")); }

// The plan's agenda.ics, revalidated by revision: the calendar changes only with the plan.
HttpResponse calendar(App& app, const Link& link, const HttpRequest& request) {
  const uint64_t revision = app.engine->revision(link.plan);
  if (revision == 0) return no_such_link();
  int64_t modified_ms = 0;
  if (auto last = app.engine->events(link.plan, revision - 1, 1); last.ok() && !last->empty()) {
    modified_ms = last->front()->at_ms;
  }
  const std::string etag = "\"" + link.id + "-" + std::to_string(revision) + "\"";
  HttpResponse r;
  if (etag_matches(request.if_none_match, etag)) {
    r.status = 304;
    r.head = true;
  } else {
    r = export_agenda_ics(*app.engine, link.plan, {});
    if (r.status != 200) return r;
    // A subscribed calendar is shown, not downloaded.
    r.headers.erase(std::remove_if(r.headers.begin(), r.headers.end(),
                                   [](const auto& h) { return h.first == "Content-Disposition"; }),
                    r.headers.end());
    r.headers.emplace_back("Content-Disposition", "inline; filename=\"" + link.plan + ".ics\"");
  }
  r.headers.emplace_back("ETag", etag);
  if (modified_ms) r.headers.emplace_back("Last-Modified", http_date(modified_ms));
  r.headers.emplace_back("Cache-Control", "no-cache");
  return r;
}

// The web app's page for a link viewer. Its asset URLs are relative, so the page names the root
// as its base; the page finds the secret and the mode in its own address.
HttpResponse dashboard_page(const App& app, bool embed) {
  if (app.web_dir.empty()) return HttpResponse::error(Error::not_found("no web assets installed (see --web)"));
  std::ifstream in(std::filesystem::path(app.web_dir) / "index.html", std::ios::binary);
  if (!in) return HttpResponse::error(Error::not_found("no web assets installed (see --web)"));
  std::ostringstream body;
  body << in.rdbuf();
  std::string html = body.str();
  if (auto head = html.find("<head>"); head != std::string::npos) html.insert(head + 6, "\n  <base href=\"/\">");
  HttpResponse r;
  r.status = 200;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(html);
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");  // the secret is in the address
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("X-Robots-Tag", "noindex");
  if (embed) {
    // The embed page alone may be framed, by any site (a municipality's own page).
    r.headers.emplace_back("Content-Security-Policy", "frame-ancestors *");
  } else {
    r.headers.emplace_back("X-Frame-Options", "DENY");
    r.headers.emplace_back("Content-Security-Policy", "frame-ancestors 'none'");
  }
  return r;
}

}  // namespace

void handle_links(ApiCall call, std::string plan) {
  if (!call.who->may_write(plan)) {
    call.respond(error_response(Error::forbidden("only an organiser or admin of plan " + plan + " may manage its links")));
    return;
  }
  const auto& parts = call.parts;
  const std::string& method = call.http.method;
  if (parts.size() == 4 && (method == "GET" || method == "HEAD")) {
    offload(std::move(call), [plan](ApiCall& c) {
      if (!c.app->engine->has_plan(plan)) return error_response(Error::not_found("no such plan: " + plan));
      return HttpResponse::json(200, R"({"links":)" + c.app->links->list(plan) + "}");
    });
    return;
  }
  if (parts.size() == 4 && method == "POST") {
    auto parsed = parse_json_object(call.http.body, call.app->config.max_json_depth);
    if (!parsed.ok()) {
      call.respond(error_response(parsed.error()));
      return;
    }
    offload(std::move(call), [plan, request = std::move(parsed.value())](ApiCall& c) {
      auto created = c.app->links->create(plan, request, c.who->name);
      if (!created.ok()) return error_response(created.error());
      log::info("link created id=" + created->id + " plan=" + plan + " kind=" + created->kind +
                " by=" + log::quote(c.who->name));
      const std::string path = link_path(created->secret, created->kind);
      nlohmann::json body = {{"id", created->id}, {"kind", created->kind}, {"url", origin_of(c.http) + path}};
      if (created->kind == "dashboard") body["embed_url"] = origin_of(c.http) + path + "/embed";
      return HttpResponse::json(201, body.dump());
    });
    return;
  }
  if (parts.size() == 5 && method == "DELETE") {
    offload(std::move(call), [plan](ApiCall& c) {
      const std::string id = c.parts[4];
      if (Status st = c.app->links->revoke(plan, id); !st.ok()) return error_response(st.error());
      const size_t closed = c.app->hub.revoke_token(link_peer_id(id));
      log::info("link revoked id=" + id + " plan=" + plan + " viewers_closed=" + std::to_string(closed) +
                " by=" + log::quote(c.who->name));
      nlohmann::json body = {{"ok", true}, {"id", id}, {"viewers_closed", closed}};
      return HttpResponse::json(200, body.dump());
    });
    return;
  }
  call.respond(error_response(Error::not_found("no such endpoint: " + method + " " + call.target.path)));
}

void serve_link(std::shared_ptr<App> app, HttpRequest request, const std::string& path, Respond respond) {
  // /l/SECRET, /l/SECRET/embed (dashboard), /l/SECRET.ics (calendar).
  std::string rest = path.substr(3);
  bool embed = false, ics = false;
  if (rest.size() > 6 && rest.compare(rest.size() - 6, 6, "/embed") == 0) {
    embed = true;
    rest.resize(rest.size() - 6);
  } else if (rest.size() > 4 && rest.compare(rest.size() - 4, 4, ".ics") == 0) {
    ics = true;
    rest.resize(rest.size() - 4);
  }
  auto link = app->links->find(rest);
  if (!link || (ics != (link->kind == "calendar"))) {
    respond(no_such_link());
    return;
  }
  const bool head = request.method == "HEAD";
  auto shared_respond = std::make_shared<Respond>(std::move(respond));
  auto* pool = app->work.get();
  const bool queued = pool->submit([app, request = std::move(request), link = *link, embed, head, shared_respond] {
    HttpResponse r;
    try {
      r = link.kind == "calendar" ? calendar(*app, link, request) : dashboard_page(*app, embed);
    } catch (const std::exception& e) {
      log::error(std::string("link request failed: ") + e.what());
      r = error_response(Error::unavailable("internal error"));
    }
    r.head = r.head || head;
    (*shared_respond)(std::move(r));
  });
  if (!queued) (*shared_respond)(error_response(Error::unavailable("server busy; try again")));
}

}  // namespace kartiba::server
