// `promtool check metrics` (Debian's prometheus package) on a page of /metrics text, for the tests
// that hold hale's exposition to Prometheus' own linter.
#pragma once

#include <string>
#include <utility>

namespace hale::testing {

// promtool's exit status and whatever it printed; -1 when it could not be run.
std::pair<int, std::string> promtool_check(const std::string& page);
// False when /usr/bin/promtool is not installed (the test then skips).
bool have_promtool();

}  // namespace hale::testing
