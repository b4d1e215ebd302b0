// Runs promtool on a page of metrics (see promtool.h).
#include "support/promtool.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "support/temp_file.h"

namespace hale::testing {

std::pair<int, std::string> promtool_check(const std::string& page) {
  TempFile file(page, ".prom");
  const std::string cmd = "/usr/bin/promtool check metrics < '" + file.path() + "' 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return {-1, "popen failed"};
  std::string out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

::testing::AssertionResult promtool_accepts(const std::string& page) {
  auto [rc, out] = promtool_check(page);
  if (rc == 0 && out.empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "promtool exit " << rc << ": " << out << "\n--- page ---\n" << page;
}

bool have_promtool() { return ::access("/usr/bin/promtool", X_OK) == 0; }

}  // namespace hale::testing
