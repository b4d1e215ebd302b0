// `guard_code` (see guard_keys.h).
#include "hale/config/guard_keys.h"

#include "hale/config/names.h"
#include "hale/config/toml_reader.h"

namespace hale::config {

std::optional<std::string> read_guard_code(const toml::node& value, Diagnostics& d) {
  auto code = read_nonempty_string(value, "guard_code", d);
  if (!code) return std::nullopt;
  if (!is_valid_name(*code)) {
    d.add(value, "`guard_code` \"" + code->substr(0, 32) +
                     "\": a code starts with a letter or a digit, then letters, digits, '_', '.' and '-' "
                     "(at most 128 characters)");
    return std::nullopt;
  }
  return code;
}

}  // namespace hale::config
