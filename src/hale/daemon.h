// Daemon: `hale run`. Wires the loaded Config to the Engine (probes), the HttpServer
// (endpoints) and the signals: SIGHUP reloads (a bad file keeps the running config and logs the
// error with its position), SIGTERM/SIGINT stop cleanly.
#pragma once

#include <string>

#include "hale/config.h"

namespace hale {

// Runs until SIGTERM/SIGINT. Returns the process exit code (0 clean stop, 1 cannot listen).
int run_daemon(Config config);

}  // namespace hale
