// The SSRF guard at registration: resolves a target's host and refuses it (400 invalid, path
// "/url") when it does not resolve or when any address it resolves to is refused
// (address_guard.h). Delivery checks again at every connection (poster.h): names change.
// Thread-safety: blocks on the resolver (getaddrinfo); call from a work thread.
#pragma once

#include "kartiba/error.h"
#include "webhooks/target_url.h"

namespace kartiba::server::webhooks {

Status check_target_addresses(const TargetUrl& url, bool allow_private);

}  // namespace kartiba::server::webhooks
