// Reading a /metrics page in tests: every sample as series -> value, and lookups that fail the
// test when a series is missing.
#pragma once

#include <cstddef>
#include <map>
#include <string>

namespace hale::testing {

// Every sample line ("name{labels} value") as series -> value; comments left out. A line
// without a value, or a series twice, fails the test.
std::map<std::string, std::string> samples(const std::string& page);
// How many series start with `prefix`.
std::size_t count_prefix(const std::map<std::string, std::string>& s, const std::string& prefix);
// The value of `series`; "<absent>" (and a test failure) when there is none.
std::string at(const std::map<std::string, std::string>& s, const std::string& series);

}  // namespace hale::testing
