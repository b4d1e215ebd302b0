// Loopback ports for tests: one to give a server (free_port) or one to be refused on
// (closed_loopback_port). Both are bound by us to let the OS choose, then closed: free a moment
// ago, and nobody listens on them until the test puts someone there.
#pragma once

#include <cstdint>

namespace hale::testing {

// A TCP port on 127.0.0.1 that was free a moment ago, for a server the test starts.
std::uint16_t free_port();

// The same, named for what the test does with it: connects and expects "connection refused".
std::uint16_t closed_loopback_port();

}  // namespace hale::testing
