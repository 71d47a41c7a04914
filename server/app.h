// kartiba::server::App — the state every connection shares (chat-multi's shared_state):
// configuration, the engine, the auth store, the hub, counters and the work pool.
//
// Built once by main() before the first connection, torn down after the last one.
// Thread-safety: the members are themselves thread-safe (see each type); the pointers are
// set before serving and never reseated while connections exist.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "config.h"
#include "kartiba/engine.h"
#include "connections.h"
#include "derived_feeds.h"
#include "hub.h"
#include "links.h"
#include "metrics.h"
#include "rate_limiter.h"
#include "tokens.h"
#include "webhooks/webhooks.h"
#include "work_pool.h"

namespace kartiba::server {

struct App {
  explicit App(Config cfg) : config(std::move(cfg)) {}
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  const Config config;
  std::string web_dir;                  // resolved web asset directory ("" = none found)
  std::unique_ptr<Engine> engine;
  std::unique_ptr<TokenStore> tokens;
  std::unique_ptr<LinkStore> links;
  std::unique_ptr<DerivedFeeds> derived;  // stopped before the engine goes
  std::unique_ptr<RateLimiter> limiter;
  std::unique_ptr<WorkPool> work;
  std::unique_ptr<::kartiba::server::webhooks::Webhooks> webhooks;  // after work: its queues use the pool
  Hub hub;
  Connections connections;
  Metrics metrics;
  std::atomic<bool> stopping{false};    // set once by shutdown; sessions stop keeping alive
};

}  // namespace kartiba::server
