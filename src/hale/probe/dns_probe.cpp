// DnsProbe: a dns check resolves `name` for `record_type` through c-ares and judges the answers
// (dns_answers.h). c-ares runs on the engine's loop: its sockets are watched with Asio
// descriptors (ARES_OPT_SOCK_STATE_CB tells which to watch), its retransmissions with a
// steady_timer at ares_timeout(); no thread, no blocking call but reading /etc/resolv.conf once
// when the channel is made. One channel per probe, made at the first start() and kept
// (its UDP sockets with it) until the probe goes.
//
// Reentrancy: c-ares calls back from inside ares_process_fd / ares_cancel / ares_destroy. The
// query callback therefore only posts the result to the loop; `done` runs from there, where the
// engine may cancel, restart or destroy the probe freely.
#include <ares.h>
#include <arpa/inet.h>

#include <map>
#include <mutex>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "hale/net/dns_answers.h"
#include "hale/probe/dns_wire.h"
#include "hale/probe/probe.h"

namespace hale {

namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using dns::RecordType;

int ares_type_of(RecordType t) {
  switch (t) {
    case RecordType::kA: return 1;
    case RecordType::kNS: return 2;
    case RecordType::kCNAME: return 5;
    case RecordType::kMX: return 15;
    case RecordType::kTXT: return 16;
    case RecordType::kAAAA: return 28;
    case RecordType::kSRV: return 33;
  }
  return 1;
}

// A lookup that did not give a usable response.
ProbeResult failure_for(int status) {
  switch (status) {
    case ARES_ENOTFOUND: return probe_failure("NXDOMAIN", ErrorKind::kDnsNxdomain);
    case ARES_ESERVFAIL: return probe_failure("SERVFAIL", ErrorKind::kDns);
    case ARES_EREFUSED: return probe_failure("REFUSED", ErrorKind::kDns);
    case ARES_ENOTIMP: return probe_failure("NOTIMP", ErrorKind::kDns);
    case ARES_EFORMERR: return probe_failure("FORMERR", ErrorKind::kDns);
    case ARES_ETIMEOUT: return probe_failure("timeout", ErrorKind::kTimeout);
    case ARES_ECONNREFUSED: return probe_failure("connection refused", ErrorKind::kRefused);
    case ARES_EBADRESP: return probe_failure("bad DNS response", ErrorKind::kDns);
    default: return probe_failure(std::string("dns: ") + ares_strerror(status), ErrorKind::kDns);
  }
}

void init_library() {
  static std::once_flag once;
  std::call_once(once, [] { ares_library_init(ARES_LIB_INIT_ALL); });
}

// One attempt: its result goes to `done` once, from the loop.
struct Attempt {
  Attempt(asio::io_context& io, const Clock& c, Probe::Done d)
      : deadline(io), done(std::move(d)), clock(c), started(c.now()) {}
  asio::steady_timer deadline;
  Probe::Done done;  // empty once finished or cancelled
  const Clock& clock;
  SteadyTime started;

  void finish(ProbeResult r) {
    if (!done) return;
    Probe::Done d = std::move(done);
    done = nullptr;
    deadline.cancel();
    d(std::move(r));
  }
};

// A c-ares channel bound to an io_context.
class Channel : public std::enable_shared_from_this<Channel> {
 public:
  explicit Channel(asio::io_context& io) : io_(io), timer_(io) {}
  ~Channel() {
    if (channel_ != nullptr) ares_destroy(channel_);  // calls back: sockets closed, queries ended
    for (auto& [fd, w] : watches_) w->descriptor.release();  // c-ares owns the sockets
  }

  // False with an error text when the channel cannot be made.
  std::string init(Duration timeout, const std::string& server) {
    init_library();
    ares_options opts{};
    int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS;
    // A SERVFAIL or REFUSED answer is what the check reports: without NOCHECKRESP c-ares 1.18
    // would retry and then call it "connection refused".
    opts.flags = ARES_FLAG_NOCHECKRESP;
    opts.sock_state_cb = &Channel::on_sock_state;
    opts.sock_state_cb_data = this;
    // Two tries within the probe's timeout (the deadline ends the attempt in any case).
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count();
    opts.timeout = static_cast<int>(std::max<long long>(50, ms / 2));
    opts.tries = 2;
    int st = ares_init_options(&channel_, &opts, mask);
    if (st != ARES_SUCCESS) {
      channel_ = nullptr;
      return std::string("dns: ") + ares_strerror(st);
    }
    if (!server.empty()) {
      auto s = dns::parse_server(server);
      if (!s) return "dns: invalid server " + server;
      ares_addr_port_node node{};
      node.family = s->ipv6 ? AF_INET6 : AF_INET;
      // inet_pton rejects what parse_server may let through (a scoped "fe80::1%eth0"): never
      // query [::] (this host) by mistake.
      const int parsed = s->ipv6 ? inet_pton(AF_INET6, s->address.c_str(), &node.addr.addr6)
                                 : inet_pton(AF_INET, s->address.c_str(), &node.addr.addr4);
      if (parsed != 1) return "dns: invalid server " + server;
      node.udp_port = s->port;
      node.tcp_port = s->port;
      st = ares_set_servers_ports(channel_, &node);
      if (st != ARES_SUCCESS) return std::string("dns: ") + ares_strerror(st);
    }
    return {};
  }

  void query(const std::string& name, int type, ares_callback cb, void* arg) {
    ares_query(channel_, name.c_str(), /*C_IN*/ 1, type, cb, arg);
    arm_timer();
  }

  // Ends every query in flight (their callbacks run now, with ARES_ECANCELLED).
  void cancel_all() {
    if (channel_ != nullptr) ares_cancel(channel_);
    arm_timer();
  }

 private:
  struct Watch {
    explicit Watch(asio::io_context& io, int fd) : descriptor(io, fd) {}
    asio::posix::stream_descriptor descriptor;
    bool read = false;
    bool write = false;
    bool read_pending = false;
    bool write_pending = false;
  };

  static void on_sock_state(void* data, ares_socket_t fd, int readable, int writable) {
    static_cast<Channel*>(data)->sock_state(fd, readable != 0, writable != 0);
  }

  void sock_state(int fd, bool readable, bool writable) {
    auto it = watches_.find(fd);
    if (!readable && !writable) {
      // c-ares closes the socket right after this: the descriptor must let go of it first.
      if (it != watches_.end()) {
        it->second->read = it->second->write = false;
        it->second->descriptor.release();  // pending waits end with operation_aborted
        watches_.erase(it);
      }
      return;
    }
    if (it == watches_.end()) it = watches_.emplace(fd, std::make_shared<Watch>(io_, fd)).first;
    it->second->read = readable;
    it->second->write = writable;
    wait(fd, it->second);
  }

  void wait(int fd, const std::shared_ptr<Watch>& w) {
    std::weak_ptr<Channel> weak = weak_from_this();
    if (w->read && !w->read_pending) {
      w->read_pending = true;
      w->descriptor.async_wait(asio::posix::descriptor_base::wait_read, [weak, w, fd](const error_code& ec) {
        w->read_pending = false;
        auto self = weak.lock();
        if (ec || !self || !w->read) return;
        self->process(fd, ARES_SOCKET_BAD);
      });
    }
    if (w->write && !w->write_pending) {
      w->write_pending = true;
      w->descriptor.async_wait(asio::posix::descriptor_base::wait_write, [weak, w, fd](const error_code& ec) {
        w->write_pending = false;
        auto self = weak.lock();
        if (ec || !self || !w->write) return;
        self->process(ARES_SOCKET_BAD, fd);
      });
    }
  }

  void process(int read_fd, int write_fd) {
    ares_process_fd(channel_, read_fd, write_fd);
    // Still watched after processing: wait again.
    for (int fd : {read_fd, write_fd}) {
      if (fd == ARES_SOCKET_BAD) continue;
      if (auto it = watches_.find(fd); it != watches_.end()) {
        auto w = it->second;
        wait(fd, w);
      }
    }
    arm_timer();
  }

  // c-ares's own retransmission timeouts.
  void arm_timer() {
    timer_.cancel();
    if (channel_ == nullptr) return;
    timeval tv{};
    if (ares_timeout(channel_, nullptr, &tv) == nullptr) return;  // nothing in flight
    timer_.expires_after(std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec));
    std::weak_ptr<Channel> weak = weak_from_this();
    timer_.async_wait([weak](const error_code& ec) {
      auto self = weak.lock();
      if (ec || !self) return;
      self->process(ARES_SOCKET_BAD, ARES_SOCKET_BAD);
    });
  }

  asio::io_context& io_;
  asio::steady_timer timer_;
  ares_channel channel_ = nullptr;
  std::map<int, std::shared_ptr<Watch>> watches_;
};

// What a query's callback needs: where to post, and which attempt (if it still exists) to tell.
struct QueryArg {
  asio::io_context& io;
  std::weak_ptr<Attempt> attempt;
  RecordType type;
  std::vector<std::string> expected;
};

void on_query(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
  std::unique_ptr<QueryArg> q(static_cast<QueryArg*>(arg));
  if (status == ARES_ECANCELLED || status == ARES_EDESTRUCTION) return;
  auto attempt = q->attempt.lock();
  if (!attempt || !attempt->done) return;
  ProbeResult r;
  std::vector<std::string> answers;
  if (status == ARES_SUCCESS) status = dns::parse_answers(q->type, abuf, alen, answers);
  if (status == ARES_SUCCESS || status == ARES_ENODATA) {
    r = dns::judge_answers(q->type, answers, q->expected, attempt->clock.now() - attempt->started);
  } else {
    r = failure_for(status);
  }
  // Never from inside c-ares: the engine may destroy the probe (and the channel) in `done`.
  asio::post(q->io, [attempt, r = std::move(r)]() mutable { attempt->finish(std::move(r)); });
}

class DnsProbe final : public Probe {
 public:
  DnsProbe(const DnsCheck& spec, ProbeContext& ctx)
      : io_(ctx.io), clock_(ctx.clock), name_(spec.name), server_(spec.server), expected_(spec.expect) {
    type_ = dns::parse_record_type(spec.record_type).value_or(RecordType::kA);
  }
  ~DnsProbe() override {
    cancel();
    channel_.reset();
  }

  void start(Duration timeout, Done done) override {
    cancel();  // a new attempt replaces one still in flight
    attempt_ = std::make_shared<Attempt>(io_, clock_, std::move(done));
    if (!channel_ || timeout != channel_timeout_) {
      channel_.reset();
      auto channel = std::make_shared<Channel>(io_);
      std::string error = channel->init(timeout, server_);
      if (!error.empty()) {
        asio::post(io_, [a = attempt_, error] { a->finish(probe_failure(error, ErrorKind::kDns)); });
        return;
      }
      channel_ = std::move(channel);
      channel_timeout_ = timeout;
    }
    attempt_->deadline.expires_after(timeout);
    attempt_->deadline.async_wait([weak = std::weak_ptr<Attempt>(attempt_),
                                   channel = std::weak_ptr<Channel>(channel_)](const error_code& ec) {
      auto a = weak.lock();
      if (ec || !a || !a->done) return;
      // The query first (its callback sees ECANCELLED), then the result: `done` may start the
      // next attempt on this channel.
      if (auto c = channel.lock()) c->cancel_all();
      a->finish(probe_failure("timeout", ErrorKind::kTimeout));
    });
    channel_->query(name_, ares_type_of(type_), &on_query, new QueryArg{io_, attempt_, type_, expected_});
  }

  void cancel() override {
    if (!attempt_) return;
    attempt_->done = nullptr;
    attempt_->deadline.cancel();
    attempt_.reset();
    if (channel_) channel_->cancel_all();
  }

 private:
  asio::io_context& io_;
  const Clock& clock_;
  std::string name_;
  std::string server_;
  std::vector<std::string> expected_;
  RecordType type_ = RecordType::kA;
  std::shared_ptr<Channel> channel_;
  Duration channel_timeout_{};
  std::shared_ptr<Attempt> attempt_;
};

}  // namespace

std::unique_ptr<Probe> make_probe(const DnsCheck& spec, ProbeContext& ctx) {
  return std::make_unique<DnsProbe>(spec, ctx);
}

}  // namespace hale
