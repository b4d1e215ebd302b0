// HttpServer: Beast listener + session (do_read/on_read/do_write/on_write, like Beast's
// advanced_server), with the limits described in http_server.h.
#include "hale/server/http_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <limits>
#include <deque>
#include <list>

#include "hale/log/json_log.h"
#include "hale/server/request_parse.h"

namespace hale {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

class Session;

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(asio::io_context& io, const ServerConfig& l, Handler h, BodyLimit b, const Clock& c)
      : io(io), clock(c), acceptor(io), sweeper(io), coarse_now(c.now()), limits(l), handler(std::move(h)),
        body_limit(std::move(b)), last_keepalive(c.now()) {
    if (!body_limit) {
      body_limit = [this](std::string_view, std::string_view) {
        return BodyRule{limits.max_body_bytes, 0};
      };
    }
  }
  void do_accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  void sweep_soon();
  void sweep();
  void evict_one();

  asio::io_context& io;
  const Clock& clock;  // connection deadlines and keep-alives are measured on it
  tcp::acceptor acceptor;
  // Connection deadlines are checked by one periodic sweep rather than a timer per read and
  // write: arming and cancelling a timer around every operation costs more than the rest of a
  // /readyz answer. The sweep runs only while connections are open (no idle wake-ups).
  asio::steady_timer sweeper;
  bool sweeping = false;
  SteadyTime coarse_now;
  ServerConfig limits;
  Handler handler;
  BodyLimit body_limit;
  std::list<std::weak_ptr<Session>> sessions;  // for the sweep, stop() and the connection limit
  EventHub events;                              // GET /api/v1/events
  SteadyTime last_keepalive;
  std::uint64_t evicted = 0;                    // connections closed to make room for a newcomer
  bool stopped = false;
};

namespace {

constexpr auto kSweepPeriod = std::chrono::milliseconds(100);
constexpr std::size_t kFirstRead = 4096;  // a whole health request fits: one read, as before
// Bytes read but not yet parsed, beyond a header: body data passes through in pieces this size
// at most. It also bounds what Beast buffers while it looks for the end of a line no limit
// covers (a chunk size with an endless extension, trailers): over it, 400.
constexpr std::size_t kMaxUnparsedBody = 64 * 1024;

// A stream silent this long gets an SSE comment, so that proxies keep it open.
constexpr auto kKeepalivePeriod = std::chrono::seconds(15);

// One connection: read a request, answer it, repeat while keep-alive; or, after GET
// /api/v1/events, a Server-Sent Events stream until the client goes.
class Session : public std::enable_shared_from_this<Session>, public EventHub::Subscriber {
 public:
  Session(tcp::socket socket, std::shared_ptr<HttpServer::Impl> server)
      : socket_(std::move(socket)), server_(std::move(server)),
        buffer_(std::max<std::size_t>(server_->limits.max_header_bytes, kFirstRead) + kMaxUnparsedBody) {}

  ~Session() override {
    if (streaming_ && !dropped_) server_->events.unsubscribe(this);
  }

  void start() { do_read(); }
  void close() {
    if (streaming_ && !dropped_) {
      server_->events.unsubscribe(this);
      dropped_ = true;
    }
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    // A deferred answer still to come finds the session closed; whoever called close() holds
    // a reference, so this does not destroy it under our feet.
    auto keep = std::move(waiting_self_);
  }
  bool is_open() const { return socket_.is_open(); }
  bool expired(SteadyTime now) const { return now >= deadline_; }
  // Connected but no byte of a request yet (new, or idle between keep-alive requests).
  bool waiting_for_request() const { return !request_started_; }
  // Answered at least once: idle now means a keep-alive connection between requests.
  bool served() const { return served_; }
  // A request has begun and its header is not whole yet: a slow client, or a slowloris.
  bool in_header() const { return request_started_ && !header_done_; }
  bool streaming() const { return streaming_; }

  // EventHub::Subscriber: queued in order, written one after another. A client that lets more
  // than kMaxQueuedBytes pile up is dropped (it reconnects with Last-Event-ID and resumes).
  bool push(const EventHub::Frame& frame) override {
    if (!socket_.is_open() || dropped_) return false;
    if (queued_bytes_ + frame->size() > EventHub::kMaxQueuedBytes) {
      dropped_ = true;  // the hub forgets it; closed on the next turn (the hub is iterating)
      asio::post(socket_.get_executor(), [self = shared_from_this()] { self->close(); });
      return false;
    }
    queue_.push_back(frame);
    queued_bytes_ += frame->size();
    if (!writing_) write_next();
    return true;
  }
  // When the connection began waiting for a request (accepted, or answered last), or when its
  // request began.
  SteadyTime phase_started_at() const { return request_started_ ? request_started_at_ : waiting_since_; }

 private:
  void expires_after(Duration d) { deadline_ = server_->coarse_now + d; }

  // Waiting for a request: idle_timeout until its first byte, then read_timeout for the whole
  // request, so an idle keep-alive connection and a slow client (slowloris) are told apart.
  // The first bytes are read straight into the buffer (Beast's read_some only completes once
  // the whole header is in, too late to switch deadlines); the parser then starts from them.
  void do_read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_->limits.max_header_bytes));
    // No limit until the header says which route this is (see on_read_some): Beast checks a
    // Content-Length against the limit the moment the header ends, before we could lift it
    // for a ping's body.
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    body_limit_set_ = false;
    if (buffer_.size() > 0) return start_request();  // pipelined bytes already here
    request_started_ = false;
    waiting_since_ = server_->coarse_now;
    expires_after(server_->limits.idle_timeout);
    socket_.async_read_some(buffer_.prepare(kFirstRead),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              if (ec || n == 0) return self->close();
                              self->buffer_.commit(n);
                              self->start_request();
                            });
  }

  // SPEC §8 and issue 17: the head of a request must arrive within header_timeout (a health
  // checker sends it in one packet), the whole request within read_timeout.
  void start_request() {
    request_started_ = true;
    header_done_ = false;
    request_started_at_ = server_->coarse_now;
    expires_after(std::min(server_->limits.header_timeout, server_->limits.read_timeout));
    do_read_some();
  }

  void do_read_some() {
    http::async_read_some(socket_, buffer_, *parser_,
                          beast::bind_front_handler(&Session::on_read_some, shared_from_this()));
  }

  void on_read_some(beast::error_code ec, std::size_t bytes) {
    if (ec == http::error::header_limit) return answer_error(431, "request header too large\n");
    if (ec == http::error::body_limit) return answer_error(413, "request body too large\n");
    if (ec == http::error::buffer_overflow) return answer_error(400, "bad request: line too long\n");
    if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || ec == asio::error::eof ||
        ec == asio::error::bad_descriptor) {
      return close();
    }
    if (ec) return answer_error(400, "bad request\n");
    if (parser_->is_header_done() && !body_limit_set_) {
      // The head is in: the body has what is left of read_timeout.
      header_done_ = true;
      deadline_ = request_started_at_ + server_->limits.read_timeout;
      // Only requests that take a body may send one, and no more than their route allows:
      // a GET announcing a megabyte of body is refused before the megabyte is read.
      body_limit_set_ = true;
      const auto& h = parser_->get();
      const BodyRule rule = server_->body_limit(h.method_string(), h.target());
      const std::optional<std::size_t> limit = apply_body_rule(*parser_, rule, server_->limits.max_body_bytes);
      if (!limit) return answer_error(413, "request body too large\n");
      route_body_limit_ = *limit;
    }
    if (!parser_->is_done()) return do_read_some();
    // A small body may have come in the same read as the header, before the limit was set.
    if (parser_->get().body().received > route_body_limit_) {
      return answer_error(413, "request body too large\n");
    }
    on_request();
  }

  void on_request() {
    const auto& req = parser_->get();
    const HttpRequest in = request_view(req);
    HttpResponse out;
    try {
      out = server_->handler(in);
    } catch (const std::exception& e) {
      // A handler bug must cost one request, never the daemon.
      log_event(LogLevel::kError, "http_handler_error",
                {{"target", std::string(in.target)}, {"error", e.what()}});
      out = HttpResponse{500, "text/plain; charset=utf-8", "internal error\n", {}};
    }
    keep_alive_ = req.keep_alive() && !server_->stopped;
    if (out.event_stream && req.method() == http::verb::get && !server_->stopped) {
      return start_stream(std::string(req["Last-Event-ID"]));
    }
    if (out.deferred) return defer(std::move(out.deferred), req.version(), req.method() == http::verb::head);
    write(out, req.version(), req.method() == http::verb::head);
  }

  // An answer that comes later from another thread (HttpResponse::deferred). The session keeps
  // itself alive until then (or until it is closed); the reply holds only a weak reference, so
  // the other thread never holds, nor destroys, the session.
  void defer(std::function<void(HttpResponse::Reply)> deferred, unsigned version, bool head) {
    waiting_self_ = shared_from_this();
    expires_after(server_->limits.read_timeout);
    std::weak_ptr<Session> weak = waiting_self_;
    auto executor = socket_.get_executor();
    deferred([weak, executor, version, head](HttpResponse answer) {
      asio::post(executor, [weak, version, head, answer = std::move(answer)]() {
        auto self = weak.lock();
        if (!self) return;
        self->waiting_self_.reset();
        if (self->socket_.is_open()) self->write(answer, version, head);
      });
    });
  }

  // SPEC §7 events: the answer's head, then what the client missed, then every event as it
  // comes. The connection has no deadline from now on; a read that ends says the client left.
  void start_stream(std::string last_event_id) {
    streaming_ = true;
    deadline_ = SteadyTime::max();
    auto head = std::make_shared<const std::string>(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n"
        "X-Accel-Buffering: no\r\n\r\nretry: 2000\n\n");
    queue_.push_back(head);
    queued_bytes_ += head->size();
    write_next();
    if (!server_->events.subscribe(this, last_event_id)) {
      dropped_ = true;
      return close();
    }
    watch_for_close();
  }

  void write_next() {
    if (queue_.empty()) {
      writing_ = false;
      return;
    }
    writing_ = true;
    asio::async_write(socket_, asio::buffer(*queue_.front()),
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return self->close();
                        self->queued_bytes_ -= self->queue_.front()->size();
                        self->queue_.pop_front();
                        self->write_next();
                      });
  }

  // A stream's client sends nothing more; a read completes only when it goes (or misbehaves).
  void watch_for_close() {
    socket_.async_read_some(asio::buffer(ignored_, sizeof ignored_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->close();
                              self->watch_for_close();
                            });
  }

  void answer_error(int status, const char* body) {
    keep_alive_ = false;
    write(HttpResponse{status, "text/plain; charset=utf-8", body, {}}, 11, false);
  }

  // The response is a status line, four or five headers and a body: written straight into a
  // buffer the session keeps, instead of through Beast's serializer, whose per-field
  // allocations cost a quarter of a /readyz answer.
  void write(const HttpResponse& out, unsigned version, bool head) {
    const unsigned status = static_cast<unsigned>(out.status);
    out_.clear();
    out_ += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    out_ += std::to_string(status);
    out_ += ' ';
    out_ += http::obsolete_reason(static_cast<http::status>(status));
    if (status == 204) {
      out_ += "\r\nCache-Control: no-store";  // RFC 9110: a 204 has no Content-Length, no body
    } else {
      out_ += "\r\nContent-Type: ";
      out_ += out.content_type;
      out_ += "\r\nCache-Control: no-store\r\nContent-Length: ";
      out_ += std::to_string(out.body.size());
    }
    for (const auto& [k, v] : out.headers) {
      out_ += "\r\n";
      out_ += k;
      out_ += ": ";
      out_ += v;
    }
    if (!keep_alive_) {
      out_ += "\r\nConnection: close";
    } else if (version == 10) {
      out_ += "\r\nConnection: keep-alive";
    }
    out_ += "\r\n\r\n";
    if (!head) out_ += out.body;
    expires_after(server_->limits.read_timeout);
    asio::async_write(socket_, asio::buffer(out_),
                      beast::bind_front_handler(&Session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec || !keep_alive_) return close();
    served_ = true;
    do_read();
  }

  tcp::socket socket_;
  std::shared_ptr<HttpServer::Impl> server_;
  beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  std::string out_;
  SteadyTime deadline_{};
  SteadyTime request_started_at_{};
  SteadyTime waiting_since_{};
  bool request_started_ = false;
  bool header_done_ = false;
  bool served_ = false;
  bool body_limit_set_ = false;
  std::size_t route_body_limit_ = 0;
  bool keep_alive_ = true;
  // An event stream (GET /api/v1/events).
  bool streaming_ = false;
  bool writing_ = false;
  bool dropped_ = false;  // the hub no longer has it
  std::deque<EventHub::Frame> queue_;
  std::size_t queued_bytes_ = 0;
  std::shared_ptr<Session> waiting_self_;  // set while a deferred answer is awaited
  char ignored_[512];
};

std::optional<tcp::endpoint> parse_endpoint(std::string_view address) {
  const auto colon = address.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string host(address.substr(0, colon));
  const std::string port_text(address.substr(colon + 1));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty() || host == "localhost") host = "127.0.0.1";
  unsigned long port = 0;
  try {
    std::size_t used = 0;
    port = std::stoul(port_text, &used);
    if (used != port_text.size() || port > 65535) return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  beast::error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (ec) return std::nullopt;
  return tcp::endpoint(addr, static_cast<unsigned short>(port));
}

}  // namespace

void HttpServer::Impl::do_accept() {
  // One I/O thread: sessions live on the io_context itself, no strand needed.
  acceptor.async_accept(beast::bind_front_handler(&HttpServer::Impl::on_accept, shared_from_this()));
}

void HttpServer::Impl::on_accept(beast::error_code ec, tcp::socket socket) {
  if (stopped || ec == asio::error::operation_aborted) return;
  if (ec) {
    // EMFILE and the like: log, and keep accepting; the limit below keeps this rare.
    log_event(LogLevel::kWarn, "http_accept_failed", {{"error", ec.message()}});
    return do_accept();
  }
  sessions.remove_if([](const std::weak_ptr<Session>& w) {
    auto s = w.lock();
    return !s || !s->is_open();
  });
  coarse_now = clock.now();
  // At the limit the newcomer is always taken and an older connection gives way (issue 17: a
  // crowd of half-sent requests turned /livez and /readyz 503 for everyone, and an orchestrator
  // reads that as "hale is unhealthy"); evict_one() says which.
  if (sessions.size() >= static_cast<std::size_t>(limits.max_connections)) evict_one();
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  auto session = std::make_shared<Session>(std::move(socket), shared_from_this());
  sessions.push_back(session);
  session->start();
  sweep_soon();
  do_accept();
}

// Who gives way when a newcomer finds every slot taken, first to last (oldest first within each):
//  0  a keep-alive connection idle between requests (as nginx does);
//  1  a connection that has sent nothing for a second or more (a silent one);
//  2  a request whose head has been arriving for 250 ms or more (a slow client, a slowloris);
//  3  a request stalled in its body or its answer for a second or more;
//  4  an event stream (GET /api/v1/events), oldest first;
//  5  anything fresh: a client just accepted, or whose request has just begun. A real health
//     check is one of these for a few milliseconds; it goes only when nothing else can.
void HttpServer::Impl::evict_one() {
  const SteadyTime now = coarse_now;
  auto rank = [&](const Session& s) {
    const Duration age = now - s.phase_started_at();
    if (s.waiting_for_request()) {
      if (s.served()) return 0;
      return age >= std::chrono::seconds(1) ? 1 : 5;
    }
    if (s.in_header()) return age >= std::chrono::milliseconds(250) ? 2 : 5;
    // An event stream is a long connection on purpose: after what stalls, before what is fresh.
    if (s.streaming()) return 4;
    return age >= std::chrono::seconds(1) ? 3 : 5;
  };
  auto victim = sessions.end();
  int victim_rank = 6;
  SteadyTime victim_since{};
  for (auto it = sessions.begin(); it != sessions.end(); ++it) {
    auto s = it->lock();
    if (!s) continue;
    const int r = rank(*s);
    if (r < victim_rank || (r == victim_rank && s->phase_started_at() < victim_since)) {
      victim = it;
      victim_rank = r;
      victim_since = s->phase_started_at();
    }
  }
  if (victim == sessions.end()) return;
  if (auto s = victim->lock()) s->close();
  sessions.erase(victim);
  ++evicted;
}

void HttpServer::Impl::sweep_soon() {
  if (sweeping || stopped) return;
  sweeping = true;
  sweeper.expires_after(kSweepPeriod);
  sweeper.async_wait([self = shared_from_this()](const beast::error_code& ec) {
    self->sweeping = false;
    if (!ec) self->sweep();
  });
}

// Closes every connection past its deadline; keeps sweeping while any is open.
void HttpServer::Impl::sweep() {
  coarse_now = clock.now();
  sessions.remove_if([&](const std::weak_ptr<Session>& w) {
    auto s = w.lock();
    if (!s || !s->is_open()) return true;
    if (s->expired(coarse_now)) {
      s->close();
      return true;
    }
    return false;
  });
  if (events.clients() > 0 && coarse_now - last_keepalive >= kKeepalivePeriod) {
    last_keepalive = coarse_now;
    events.keepalive();
  }
  if (!sessions.empty()) sweep_soon();
}

EventHub& HttpServer::events() { return impl_->events; }

HttpServer::HttpServer(asio::io_context& io, const ServerConfig& limits, Handler handler,
                       BodyLimit body_limit, const Clock& clock)
    : impl_(std::make_shared<Impl>(io, limits, std::move(handler), std::move(body_limit), clock)) {}

HttpServer::~HttpServer() { stop(); }

Status HttpServer::listen(std::string_view address) {
  auto ep = parse_endpoint(address);
  if (!ep) return Status::error("invalid listen address \"" + std::string(address) + "\" (want host:port)");
  beast::error_code ec;
  impl_->acceptor.open(ep->protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(*ep, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
    return Status::error("cannot listen on " + std::string(address) + ": " + ec.message());
  }
  impl_->do_accept();
  return Status::ok();
}

std::uint16_t HttpServer::port() const {
  beast::error_code ec;
  auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

void HttpServer::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
  impl_->sweeper.cancel();
  for (auto& w : impl_->sessions) {
    if (auto s = w.lock()) s->close();
  }
  impl_->sessions.clear();
}

}  // namespace hale
