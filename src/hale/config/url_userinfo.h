// Where the secret part of a URL's userinfo is, so that redact_url() can hide it and the loader
// can hand it to the log redactor (Config::secrets) even when the URL was written inline.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace hale::config {

struct TextSpan {
  std::size_t pos = 0;
  std::size_t size = 0;
};

// The password of `scheme://user:password@host/...`, or the whole userinfo when it has no ':'
// (`https://token@host`: a lone userinfo is almost always a token). nullopt when the URL has no
// userinfo, or an empty one.
std::optional<TextSpan> url_userinfo_secret(std::string_view url);

}  // namespace hale::config
