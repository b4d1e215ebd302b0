// Reading [status_page] and [[announcements]] (SPEC §10).
#pragma once

#include <toml++/toml.h>

#include "hale/config.h"
#include "hale/config/diagnostics.h"

namespace hale::config {

StatusPageConfig read_status_page(const toml::table& table, Diagnostics& d);
std::vector<AnnouncementSpec> read_announcements(const toml::node& node, Diagnostics& d);

}  // namespace hale::config
