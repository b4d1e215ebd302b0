// Reading [history] (SPEC §10): `enabled`, and how long minutes, hours, days and events are kept.
#pragma once

#include <toml++/toml.h>

#include "hale/config.h"
#include "hale/config/diagnostics.h"

namespace hale::config {

HistoryConfig read_history(const toml::table& table, Diagnostics& d);

}  // namespace hale::config
