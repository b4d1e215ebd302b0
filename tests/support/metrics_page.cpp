// Reading a /metrics page in tests (see metrics_page.h).
#include "support/metrics_page.h"

#include <gtest/gtest.h>

#include <sstream>

namespace hale::testing {

std::map<std::string, std::string> samples(const std::string& page) {
  std::map<std::string, std::string> out;
  std::istringstream in(page);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto sp = line.rfind(' ');
    EXPECT_NE(sp, std::string::npos) << line;
    if (sp == std::string::npos) continue;
    EXPECT_TRUE(out.emplace(line.substr(0, sp), line.substr(sp + 1)).second) << "duplicate series: " << line;
  }
  return out;
}

std::size_t count_prefix(const std::map<std::string, std::string>& s, const std::string& prefix) {
  std::size_t n = 0;
  for (const auto& [k, v] : s) n += k.rfind(prefix, 0) == 0;
  return n;
}

std::string at(const std::map<std::string, std::string>& s, const std::string& series) {
  auto it = s.find(series);
  EXPECT_NE(it, s.end()) << series;
  return it == s.end() ? "<absent>" : it->second;
}

}  // namespace hale::testing
