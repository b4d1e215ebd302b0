// Reading [server]: where hale listens, who may use the mutating API, and its HTTP limits.
#pragma once

#include <toml++/toml.h>

#include "hale/config.h"
#include "hale/config/load_context.h"

namespace hale::config {

// [server] over the built-in ServerConfig; errors go to ctx's diagnostics.
ServerConfig read_server(const toml::table& table, LoadContext& ctx);

}  // namespace hale::config
