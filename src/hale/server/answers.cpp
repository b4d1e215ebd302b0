// The small answers of the router (see answers.h).
#include "hale/server/answers.h"

#include <nlohmann/json.hpp>

#include "hale/server/router.h"

namespace hale {

HttpResponse text_answer(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse json_answer(int status, std::string body, const char* type) {
  HttpResponse r;
  r.status = status;
  r.content_type = type;
  r.body = std::move(body);
  return r;
}

HttpResponse json_error(int status, std::string_view code, std::string_view message) {
  nlohmann::json j;
  j["error"] = {{"code", code}, {"message", message}};
  return json_answer(status, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

HttpResponse method_not_allowed(std::string_view allow) {
  HttpResponse r = text_answer(405, "method not allowed\n");
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

std::optional<HttpResponse> refuse_unauthorized(const HttpRequest& req, std::optional<std::string_view> admin_token) {
  if (!admin_token) {
    return json_error(403, "api_disabled", "mutating API calls are disabled: set server.admin_token");
  }
  if (!bearer_matches(req.authorization, *admin_token)) {
    HttpResponse r = json_error(401, "unauthorized", "missing or wrong bearer token");
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }
  return std::nullopt;
}

}  // namespace hale
