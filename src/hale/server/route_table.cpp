// Matching a path against the route table's patterns (see route_table.h). The table itself is
// at the end of router.cpp, beside the handlers it names.
#include "hale/server/route_table.h"

namespace hale {

namespace {

// The next segment of `s` (after its leading '/'), and `s` moved past it.
std::string_view next_segment(std::string_view& s) {
  if (s.empty() || s.front() != '/') return {};
  s.remove_prefix(1);
  const std::size_t end = s.find('/');
  const std::string_view segment = s.substr(0, end);
  s.remove_prefix(end == std::string_view::npos ? s.size() : end);
  return segment;
}

bool is_parameter(std::string_view segment) { return segment.size() > 2 && segment.front() == '{' && segment.back() == '}'; }

}  // namespace

bool Route::allows(std::string_view method) const {
  std::string_view rest = methods;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    if (rest.substr(0, comma) == method) return true;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  }
  return false;
}

bool match_route(std::string_view pattern, std::string_view path, std::string_view& name, std::string_view& action) {
  if (pattern == "/") return path == "/";
  std::string_view params[2];
  std::size_t found = 0;
  while (!pattern.empty()) {
    const std::string_view want = next_segment(pattern);
    if (path.empty() || path.front() != '/') return false;  // the path has no more segments
    if (want.ends_with("...}") && is_parameter(want)) {
      if (found < 2) params[found++] = path.substr(1);  // the rest of the path, '/' included
      path = {};
      break;
    }
    const std::string_view got = next_segment(path);
    if (is_parameter(want)) {
      if (found < 2) params[found++] = got;  // may be empty: the handler names what is missing
    } else if (got != want) {
      return false;
    }
  }
  if (!path.empty()) return false;
  name = params[0];
  action = params[1];
  return true;
}

RouteLookup find_route(std::string_view method, std::string_view path) {
  RouteLookup found;
  for (const Route& r : routes()) {
    std::string_view name, action;
    if (!match_route(r.pattern, path, name, action)) continue;
    if (!found.fits_path) found.fits_path = &r;
    if (r.allows(method)) {
      found.route = &r;
      found.name = name;
      found.action = action;
      return found;
    }
  }
  return found;
}

}  // namespace hale
