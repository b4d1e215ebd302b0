// [server]: each key read into ServerConfig, admin_token kept as a secret however it is written.
#include "hale/config/server_table.h"

#include <array>
#include <climits>
#include <cstdint>
#include <limits>
#include <string>

#include "hale/net/host_port.h"
#include "hale/config/toml_reader.h"
#include "hale/config/word_list.h"

namespace hale::config {

namespace {

constexpr std::array<std::string_view, 13> kServerKeys{
    "listen",         "service",      "admin_token",  "state_dir",   "max_connections", "max_header_bytes",
    "max_body_bytes", "read_timeout", "idle_timeout", "containment", "allowed_hosts",   "header_timeout",
    "max_concurrent_probes",
};

constexpr std::int64_t kMaxBytes = std::numeric_limits<std::int64_t>::max();

void read_listen(const toml::node& v, ServerConfig& s, Diagnostics& d) {
  auto text = read_nonempty_string(v, "listen", d);
  if (!text) return;
  // Port 0 (any free port) is fine for a listener: tests and ad-hoc runs use it.
  if (auto read = read_host_port(*text, /*allow_port_zero=*/true); !read) {
    d.add(v, "`listen` \"" + *text + "\": " + read.status().message());
    return;
  }
  s.listen = *text;
}

void read_admin_token(const toml::node& v, ServerConfig& s, LoadContext& ctx) {
  Diagnostics& d = ctx.diagnostics();
  auto text = read_string(v, "admin_token", d);
  if (!text) return;
  auto token = ctx.resolve_value(v, "admin_token", *text);
  if (!token) return;
  // An empty token would let `Authorization: Bearer ` through; unset is how to disable the API.
  if (token->empty()) {
    d.add(v, "`admin_token` must not be empty; leave it out to disable the mutating API");
    return;
  }
  // SPEC §1: the admin token is a secret even when written inline.
  ctx.add_secret(*token);
  s.admin_token = std::move(*token);
}

// Host names or addresses as a browser sends them, without the port: letters, digits, '.', '-'
// and ':' (an IPv6 address, written without brackets).
void read_allowed_hosts(const toml::node& v, ServerConfig& s, Diagnostics& d) {
  const auto* list = v.as_array();
  if (list == nullptr) {
    d.add(v, "`allowed_hosts` must be an array of host names, not " + std::string(type_name(v)));
    return;
  }
  for (const toml::node& e : *list) {
    const auto* text = e.as_string();
    const std::string host = text ? text->get() : "";
    const bool ok = !host.empty() && host.size() <= 253 &&
                    host.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:") ==
                        std::string::npos;
    if (!ok) {
      d.add(e, "`allowed_hosts`: each entry is a host name or address without a port, e.g. \"hale.internal\"");
      continue;
    }
    s.allowed_hosts.push_back(host);
  }
}

}  // namespace

ServerConfig read_server(const toml::table& table, LoadContext& ctx) {
  Diagnostics& d = ctx.diagnostics();
  ServerConfig s;
  for (auto&& [k, v] : table) {
    const std::string_view key = k.str();
    if (key == "listen") {
      read_listen(v, s, d);
    } else if (key == "service") {
      if (auto text = read_nonempty_string(v, key, d)) s.service = *text;
    } else if (key == "admin_token") {
      read_admin_token(v, s, ctx);
    } else if (key == "state_dir") {
      if (auto text = read_nonempty_string(v, key, d)) s.state_dir = *text;
    } else if (key == "max_connections") {
      if (auto n = read_integer(v, key, 1, INT_MAX, d)) s.max_connections = static_cast<int>(*n);
    } else if (key == "max_concurrent_probes") {
      if (auto n = read_integer(v, key, 1, 1'000'000, d)) s.max_concurrent_probes = static_cast<int>(*n);
    } else if (key == "max_header_bytes") {
      if (auto n = read_integer(v, key, 1, kMaxBytes, d)) s.max_header_bytes = static_cast<std::size_t>(*n);
    } else if (key == "max_body_bytes") {
      // 0 is legal: no request body at all (pings then carry no output).
      if (auto n = read_integer(v, key, 0, kMaxBytes, d)) s.max_body_bytes = static_cast<std::size_t>(*n);
    } else if (key == "read_timeout") {
      if (auto t = read_duration(v, key, d, /*positive=*/true)) s.read_timeout = *t;
    } else if (key == "header_timeout") {
      if (auto t = read_duration(v, key, d, /*positive=*/true)) s.header_timeout = *t;
    } else if (key == "idle_timeout") {
      if (auto t = read_duration(v, key, d, /*positive=*/true)) s.idle_timeout = *t;
    } else if (key == "allowed_hosts") {
      read_allowed_hosts(v, s, d);
    } else if (key == "containment") {
      if (auto c = read_word(v, key, kContainmentSettingWords, d)) s.containment = *c;
    } else {
      report_unknown_key(k, "in [server]", kServerKeys, d);
    }
  }
  return s;
}

}  // namespace hale::config
