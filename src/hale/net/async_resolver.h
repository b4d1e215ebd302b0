// resolve_async: name resolution off the event loop without head-of-line blocking.
//
// Why not Asio's resolver: it runs every lookup of an io_context on one background thread, so
// one name whose DNS server hangs delays every other tcp check's lookup behind it (SPEC §2: a
// hung probe never delays another). Here each lookup runs getaddrinfo on its own short-lived
// thread, at most kMaxLookups at once, and posts its result to the loop.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace hale {

class Lookup;

// What a lookup reports on the loop: the addresses, or an error text for a reason ("dns: ...").
using ResolveDone =
    std::function<void(std::string error, std::vector<boost::asio::ip::tcp::endpoint> endpoints)>;

inline constexpr int kMaxLookups = 128;

// Starts a lookup of host:port. `done` runs on `io`'s thread unless the returned handle is
// cancelled (or destroyed) first. The io_context stays busy (run() does not return) while the
// lookup is pending and not cancelled.
std::shared_ptr<Lookup> resolve_async(boost::asio::io_context& io, const std::string& host,
                                      std::uint16_t port, ResolveDone done);

// Drops the result of a lookup still running: `done` is never called afterwards.
void cancel(const std::shared_ptr<Lookup>& lookup);

}  // namespace hale
