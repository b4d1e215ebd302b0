// KubeExclusions: the `?exclude=NAME` of /livez, /readyz and /groupz as kube-apiserver's
// healthz.go takes them (SPEC §3): an excluded check is still listed under ?verbose, as
// `[+]NAME excluded: ok` in its place, and the names that matched nothing get one line,
// `warn: some health checks cannot be excluded: no matches for "a","b"` (sorted, Go-quoted), byte
// for byte kube-apiserver's. Pure.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace hale {

class KubeExclusions {
 public:
  explicit KubeExclusions(std::vector<std::string> names) : names_(std::move(names)) {}

  const std::vector<std::string>& names() const { return names_; }
  bool empty() const { return names_.empty(); }

  // Whether `name` is excluded; remembers that it matched something.
  bool take(std::string_view name);

  // The listing line of an excluded check: "[+]NAME excluded: ok\n".
  static std::string excluded_line(std::string_view name);

  // kube-apiserver's warning for the names no check matched, "" when every name matched.
  std::string warning() const;

 private:
  std::vector<std::string> names_;
  std::set<std::string, std::less<>> matched_;
};

// Go's %q of a string (strconv.Quote): double quotes, with \" \\ \a \b \f \n \r \t \v, \xNN for
// other control bytes, DEL and bytes that are not valid UTF-8; \uXXXX for code points Go's
// unicode.IsPrint rejects (C1 controls, non-ASCII spaces, format characters, private use:
// approximated without Unicode's tables, see printable()); other UTF-8 as is.
std::string go_quote(std::string_view s);

}  // namespace hale
