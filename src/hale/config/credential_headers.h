// Which request header names carry credentials: their values are secrets even when written
// inline in the config (masked in every log line), for checks' and notifiers' `headers`.
#pragma once

#include <string_view>

namespace hale::config {

// Authorization, Proxy-Authorization, Cookie, and any name that says what it holds: a key, a
// token, a secret, a password, a signature or auth ("X-Api-Key", "X-Auth-Token"), in any case.
// Other values (X-Env = "prod") stay readable: masking "prod" in every log line protects nothing.
bool is_credential_header(std::string_view name);

}  // namespace hale::config
