// Secrets at the config edge: `env:NAME` / `file:PATH` resolution and URL redaction (SPEC §1:
// "hale resolves it at load time and never prints it back"). No message built here ever
// contains a secret's value: only the variable's name or the file's path.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "hale/config.h"
#include "hale/config/file_read.h"
#include "hale/config/url_userinfo.h"

namespace hale {

namespace {

// A secret is a token or a password; a file much larger than this is a wrong path (a log, a
// device), and reading it whole would only waste memory.
constexpr std::size_t kMaxSecretFileBytes = 1024 * 1024;

StatusOr<ResolvedValue> read_env(std::string_view name) {
  if (name.empty()) return Status::error("`env:` needs a variable name, e.g. env:HALE_TOKEN");
  const std::string key(name);
  const char* value = std::getenv(key.c_str());
  if (value == nullptr) return Status::error("environment variable " + key + " is not set");
  return ResolvedValue{value, true};
}

StatusOr<ResolvedValue> read_file(std::string_view path_text) {
  if (path_text.empty()) return Status::error("`file:` needs a path, e.g. file:/run/secrets/token");
  const std::string path(path_text);
  auto read = config::read_regular_file(path, kMaxSecretFileBytes);
  if (!read) return Status::error("cannot read file:" + path + ": " + read.status().message());
  std::string content = std::move(read).value();
  // `echo token > file` adds a newline nobody means as part of the token. Strip exactly one
  // (CRLF counts as one), so a secret that really ends in a blank line keeps it.
  if (!content.empty() && content.back() == '\n') {
    content.pop_back();
    if (!content.empty() && content.back() == '\r') content.pop_back();
  }
  return ResolvedValue{std::move(content), true};
}

}  // namespace

StatusOr<ResolvedValue> resolve_secret(std::string_view text) {
  if (text.starts_with("env:")) return read_env(text.substr(4));
  if (text.starts_with("file:")) return read_file(text.substr(5));
  return ResolvedValue{std::string(text), false};
}

namespace config {

std::optional<TextSpan> url_userinfo_secret(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  const std::size_t authority = scheme_end + 3;
  std::size_t authority_end = url.find_first_of("/?#", authority);
  if (authority_end == std::string_view::npos) authority_end = url.size();
  // The last '@' of the authority: an unencoded '@' in a password must not leave its tail visible.
  const std::size_t at = url.substr(0, authority_end).rfind('@');
  if (at == std::string_view::npos || at < authority) return std::nullopt;
  const std::string_view userinfo = url.substr(authority, at - authority);
  const std::size_t colon = userinfo.find(':');
  TextSpan span;
  if (colon == std::string_view::npos) {
    span = {authority, userinfo.size()};
  } else {
    span = {authority + colon + 1, userinfo.size() - colon - 1};
  }
  if (span.size == 0) return std::nullopt;
  return span;
}

}  // namespace config

std::string redact_url(std::string_view url) {
  std::string out(url);
  if (auto span = config::url_userinfo_secret(url)) out.replace(span->pos, span->size, "***");
  return out;
}

}  // namespace hale
