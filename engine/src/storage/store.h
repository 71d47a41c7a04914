// The storage seam is public (kartiba/store.h): tests and tools hand the engine a Store through
// Options::store. This header stays for the engine's own files.
#pragma once

#include "kartiba/store.h"
