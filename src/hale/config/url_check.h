// What is wrong with a URL of the config, parsed by libcurl's URL API (the parser the probes and
// notifiers will use on it), said without showing the URL (it may be a secret).
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace hale::config {

// nullopt when `url` parses, has one of `schemes` ("http", "https", ...), a host, and a port
// (if it names one) from 1 to 65535; else the problem: "must start with http:// or https://",
// "has no host", "has port 99999, not one from 1 to 65535", "is not a valid URL: ...".
std::optional<std::string> url_problem(std::string_view url, std::initializer_list<std::string_view> schemes);

}  // namespace hale::config
