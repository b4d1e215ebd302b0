// Credential header names (see credential_headers.h).
#include "hale/config/credential_headers.h"

#include <array>
#include <string>

namespace hale::config {

bool is_credential_header(std::string_view name) {
  std::string lower(name);
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (lower == "authorization" || lower == "proxy-authorization" || lower == "cookie") return true;
  constexpr std::array<std::string_view, 6> kWords{"key", "token", "secret", "password", "signature", "auth"};
  for (std::string_view w : kWords) {
    if (lower.find(w) != std::string::npos) return true;
  }
  return false;
}

}  // namespace hale::config
