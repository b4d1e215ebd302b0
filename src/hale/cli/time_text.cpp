// Short spans for tables.
#include "hale/cli/time_text.h"


namespace hale::cli {

std::string short_span(Duration d) {
  long long s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  if (s <= 0) return "0s";
  struct Unit {
    long long seconds;
    const char* name;
  };
  static constexpr Unit kUnits[] = {{86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}};
  std::string out;
  int shown = 0;
  for (const auto& u : kUnits) {
    const long long n = s / u.seconds;
    if (n == 0 && shown == 0) continue;
    if (shown == 1 && n == 0) break;
    out += std::to_string(n) + u.name;
    s -= n * u.seconds;
    if (++shown == 2) break;
  }
  return out;
}

}  // namespace hale::cli
