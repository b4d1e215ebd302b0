// Comparing a secret someone sent with the one configured, in constant time: neither the content
// nor the length of the configured secret leaks through how long the answer takes. Used for the
// admin token and heartbeat ping tokens.
#pragma once

#include <string_view>

namespace hale {

// False when `expected` is empty (an empty secret never matches).
bool secret_equals(std::string_view given, std::string_view expected);

}  // namespace hale
