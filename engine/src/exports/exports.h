// The plan exports in one include: agenda.ics, pledges.csv, schedule.json, agenda.html, report.html.
//
// Every header under exports/ that this one pulls in includes only the standard library and
// <nlohmann/json_fwd.hpp>, so code outside the engine (server/exports.cpp) can include it by
// path without the engine's private include directory. Keep it that way.
#pragma once

#include "csv.h"
#include "html.h"
#include "report.h"
#include "ics.h"
#include "schedule.h"
