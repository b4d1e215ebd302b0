// Validation of `host:port` addresses (tcp `target`, server `listen`), IPv6 in brackets.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hale::config {

// nullopt when `text` is a usable host:port; else what is wrong with it, for a message of the
// form "`target` \"TEXT\": WHAT". `allow_port_zero`: port 0 asks the kernel for any free port,
// which makes sense for a listener, never for a target.
std::optional<std::string> host_port_problem(std::string_view text, bool allow_port_zero);

}  // namespace hale::config
