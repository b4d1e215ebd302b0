// closed_loopback_port: a TCP port on 127.0.0.1 that nobody listens on (bound by us to let
// the OS choose it, then closed), for "connection refused" tests.
#pragma once

#include <cstdint>

namespace hale::testing {

std::uint16_t closed_loopback_port();

}  // namespace hale::testing
