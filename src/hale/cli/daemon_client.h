// DaemonClient: how the CLI finds and talks to a running `hale run` (start, stop, restart,
// status, alerts, silence). It reads server.listen and server.admin_token from the config file, connects to
// the address hale listens on (a wildcard listen 0.0.0.0 / [::] becomes 127.0.0.1 / [::1]) and
// sends blocking HTTP requests with libcurl easy: 1 s to connect, 5 s in all, never a proxy.
// The admin token goes only into the Authorization header; nothing here prints it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "hale/cli/http_call.h"

namespace hale::cli {

// The host:port to connect to for a `listen` address; empty when it cannot be used by a client
// (port 0).
std::string connect_address(std::string_view listen);

class DaemonClient {
 public:
  // Loads the config at `config_path`. On failure prints the errors on stderr and sets
  // `exit_code` (2: invalid config or unusable listen) and returns nullopt.
  static std::optional<DaemonClient> from_config(const std::string& config_path, int& exit_code);

  HttpAnswer get(const std::string& path) const;
  // An authenticated POST (with the admin token, when the config has one), without a body or
  // with a JSON one.
  HttpAnswer post(const std::string& path) const;
  HttpAnswer post_json(const std::string& path, const std::string& body) const;
  // An authenticated DELETE.
  HttpAnswer del(const std::string& path) const;

  const std::string& address() const { return address_; }
  const std::string& config_path() const { return config_path_; }
  bool has_token() const { return token_.has_value(); }

  // Prints the one-line "no hale daemon answers at ..." (or, for an answer that was not HTTP,
  // what went wrong) on stderr. Returns 1, the exit code for it.
  int report_unreachable(const HttpAnswer& a) const;
  // Parses a JSON body; on failure prints "unexpected answer" on stderr and returns nullopt.
  std::optional<nlohmann::json> parse_body(const HttpAnswer& a) const;

 private:
  HttpAnswer request(const char* method, const std::string& path, bool auth,
                     const std::optional<std::string>& json_body = std::nullopt) const;

  std::string config_path_;
  std::string listen_;
  std::string address_;
  std::optional<std::string> token_;
};

// `s` as one path segment: everything but A-Z a-z 0-9 - _ . ~ percent-encoded.
std::string url_escape(const std::string& s);

// The message of an API error body {"error":{"code","message"}}; empty when there is none.
std::string api_error_message(const std::string& body);
std::string api_error_code(const std::string& body);

}  // namespace hale::cli
