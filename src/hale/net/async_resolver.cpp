// resolve_async: one detached thread per lookup, a cap on how many run, and a cancelled flag
// so that a lookup outliving its probe (or the loop) posts nothing.
#include "hale/net/async_resolver.h"

#include <netdb.h>
#include <sys/socket.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

namespace hale {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {
std::atomic<int> running_lookups{0};
}  // namespace

class Lookup {
 public:
  Lookup(asio::io_context& io, ResolveDone done)
      : io_(io), work_(asio::make_work_guard(io)), done_(std::move(done)) {}

  // On the lookup's thread: hand the result to the loop unless cancelled.
  void deliver(std::string error, std::vector<tcp::endpoint> endpoints) {
    std::lock_guard lock(mu_);
    if (cancelled_) return;
    asio::post(io_, [this_ptr = self_, error = std::move(error),
                     endpoints = std::move(endpoints)]() mutable {
      ResolveDone d;
      {
        std::lock_guard lock(this_ptr->mu_);
        if (this_ptr->cancelled_) return;
        d = std::move(this_ptr->done_);
        this_ptr->cancelled_ = true;
      }
      if (d) d(std::move(error), std::move(endpoints));
    });
    work_.reset();  // after the post: run() cannot return before the result is queued
    self_.reset();
  }

  void cancel() {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    done_ = nullptr;
    work_.reset();
    self_.reset();
  }

  std::shared_ptr<Lookup> self_;  // keeps the lookup alive for its posted handler

 private:
  asio::io_context& io_;
  std::mutex mu_;
  bool cancelled_ = false;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  ResolveDone done_;
};

std::shared_ptr<Lookup> resolve_async(asio::io_context& io, const std::string& host,
                                      std::uint16_t port, ResolveDone done) {
  auto lookup = std::make_shared<Lookup>(io, std::move(done));
  lookup->self_ = lookup;
  if (running_lookups.fetch_add(1) >= kMaxLookups) {
    running_lookups.fetch_sub(1);
    lookup->deliver("dns: too many lookups in flight (" + std::to_string(kMaxLookups) + ")", {});
    return lookup;
  }
  std::thread([lookup, host, port] {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG;
    addrinfo* res = nullptr;
    const int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
    std::vector<tcp::endpoint> endpoints;
    std::string error;
    if (rc != 0) {
      error = std::string("dns: ") + gai_strerror(rc);
    } else {
      for (addrinfo* a = res; a; a = a->ai_next) {
        tcp::endpoint ep;
        if (a->ai_addrlen <= ep.capacity()) {
          std::memcpy(ep.data(), a->ai_addr, a->ai_addrlen);
          ep.resize(a->ai_addrlen);
          endpoints.push_back(ep);
        }
      }
      freeaddrinfo(res);
      if (endpoints.empty()) error = "dns: no address for " + host;
    }
    lookup->deliver(std::move(error), std::move(endpoints));
    running_lookups.fetch_sub(1);
  }).detach();
  return lookup;
}

void cancel(const std::shared_ptr<Lookup>& lookup) {
  if (lookup) lookup->cancel();
}

}  // namespace hale
