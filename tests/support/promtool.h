// `promtool check metrics` (Debian's prometheus package) on a page of /metrics text, for the tests
// that hold hale's exposition to Prometheus' own linter.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace hale::testing {

// promtool's exit status and whatever it printed; -1 when it could not be run.
std::pair<int, std::string> promtool_check(const std::string& page);
// False when /usr/bin/promtool is not installed (the test then skips).
bool have_promtool();
// Success when promtool exits 0 and reports nothing (no lint finding); else what it said and
// the page.
::testing::AssertionResult promtool_accepts(const std::string& page);

}  // namespace hale::testing
