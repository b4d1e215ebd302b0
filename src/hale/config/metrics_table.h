// Reading [metrics]: how much /metrics says per check (see MetricsConfig in config.h).
#pragma once

#include <toml++/toml.h>

#include "hale/config.h"
#include "hale/config/diagnostics.h"

namespace hale::config {

MetricsConfig read_metrics(const toml::table& table, Diagnostics& d);

}  // namespace hale::config
