// The small answers every route builds: text, JSON, a JSON error, 405, and the admin-token
// check of mutating calls (SPEC §3). Shared by the router's files.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hale/server/http_types.h"

namespace hale {

inline constexpr const char* kJsonType = "application/json";

HttpResponse text_answer(int status, std::string body);
HttpResponse json_answer(int status, std::string body, const char* type = kJsonType);
// {"error": {"code": CODE, "message": MESSAGE}}
HttpResponse json_error(int status, std::string_view code, std::string_view message);
HttpResponse method_not_allowed(std::string_view allow);

// SPEC §3: every mutating call needs the admin token. The answer when it is refused: 403 when
// no token is configured (mutating API disabled), 401 (with WWW-Authenticate) for a missing or
// wrong one; nullopt when the call may go ahead.
std::optional<HttpResponse> refuse_unauthorized(const HttpRequest& req, std::optional<std::string_view> admin_token);

}  // namespace hale
