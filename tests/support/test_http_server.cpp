// The scripted HTTP/1.1 test server (see test_http_server.h): plain Asio, one thread, one
// Session per connection, templated on the stream so HTTPS shares the code.
#include "support/test_http_server.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <cctype>
#include <deque>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

namespace hale::testing {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return s.substr(i);
}

const char* reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

// Parses the request line and headers (the text before the blank line).
bool parse_head(const std::string& head, RecordedRequest& req) {
  std::istringstream in(head);
  std::string line;
  if (!std::getline(in, line)) return false;
  std::istringstream first(trim(line));
  std::string version;
  if (!(first >> req.method >> req.target >> version)) return false;
  req.path = req.target.substr(0, req.target.find('?'));
  while (std::getline(in, line)) {
    line = trim(line);
    if (line.empty()) break;
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    req.headers.emplace_back(line.substr(0, colon), trim(line.substr(colon + 1)));
  }
  return true;
}

}  // namespace

std::optional<std::string> RecordedRequest::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) return v;
  }
  return std::nullopt;
}

struct TestHttpServer::Impl {
  // Declared first so that it is destroyed last: TLS streams refer to it.
  std::optional<asio::ssl::context> tls;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::thread thread;

  mutable std::mutex mu;  // guards routes, once and recorded
  std::map<std::string, TestResponse, std::less<>> routes;
  std::map<std::string, std::deque<TestResponse>, std::less<>> once;
  std::vector<RecordedRequest> recorded;
  std::size_t connections = 0;  // accepted so far

  TestResponse answer_for(RecordedRequest& req) {
    std::lock_guard lock(mu);
    req.received_at = std::chrono::steady_clock::now();
    TestResponse r;
    if (auto q = once.find(req.path); q != once.end() && !q->second.empty()) {
      r = std::move(q->second.front());
      q->second.pop_front();
    } else if (auto it = routes.find(req.path); it != routes.end()) {
      r = it->second;
    } else {
      r.status = 404;
      r.body = "not found";
    }
    req.answer_status = r.hang || r.close_without_response ? 0 : r.status;
    recorded.push_back(req);
    return r;
  }

  void do_accept();
};

namespace {

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  template <class... Args>
  Session(TestHttpServer::Impl& server, Args&&... args)
      : server_(server), stream_(std::forward<Args>(args)...), timer_(server.io) {}

  void start() {
    if constexpr (std::is_same_v<Stream, tcp::socket>) {
      do_read_head();
    } else {
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](const error_code& ec) {
                                if (!ec) self->do_read_head();
                              });
    }
  }

 private:
  void do_read_head() {
    asio::async_read_until(stream_, buffer_, "\r\n\r\n",
                           [self = this->shared_from_this()](const error_code& ec, std::size_t n) {
                             self->on_head(ec, n);
                           });
  }

  void on_head(const error_code& ec, std::size_t n) {
    if (ec) return;
    std::string head(asio::buffers_begin(buffer_.data()), asio::buffers_begin(buffer_.data()) + n);
    buffer_.consume(n);
    request_ = RecordedRequest{};
    if (!parse_head(head, request_)) return;
    std::size_t length = 0;
    if (auto cl = request_.header("Content-Length")) length = std::stoul(*cl);
    std::size_t have = std::min(buffer_.size(), length);
    if (have == length) {
      on_body(length);
      return;
    }
    asio::async_read(stream_, buffer_, asio::transfer_exactly(length - have),
                     [self = this->shared_from_this(), length](const error_code& ec, std::size_t) {
                       if (!ec) self->on_body(length);
                     });
  }

  void on_body(std::size_t length) {
    request_.body.assign(asio::buffers_begin(buffer_.data()),
                         asio::buffers_begin(buffer_.data()) + length);
    buffer_.consume(length);
    response_ = server_.answer_for(request_);
    if (response_.close_without_response) {
      close();
      return;
    }
    if (response_.hang) {
      // Keep the connection open without answering: the session lives while this read waits
      // (it ends when the client gives up or the server stops).
      asio::async_read(stream_, buffer_, asio::transfer_at_least(1),
                       [self = this->shared_from_this()](const error_code&, std::size_t) {});
      return;
    }
    if (response_.delay.count() > 0) {
      timer_.expires_after(response_.delay);
      timer_.async_wait([self = this->shared_from_this()](const error_code& ec) {
        if (!ec) self->do_write();
      });
      return;
    }
    do_write();
  }

  void do_write() {
    std::string out = "HTTP/1.1 " + std::to_string(response_.status) + " " +
                      reason_phrase(response_.status) + "\r\n";
    for (const auto& [k, v] : response_.headers) out += k + ": " + v + "\r\n";
    out += "Content-Length: " + std::to_string(response_.body.size()) + "\r\n\r\n";
    if (request_.method != "HEAD") out += response_.body;
    wire_ = std::move(out);
    bool keep_alive = !iequals(request_.header("Connection").value_or(""), "close");
    for (const auto& [k, v] : response_.headers) {
      if (iequals(k, "Connection") && iequals(v, "close")) keep_alive = false;  // the server closes too
    }
    asio::async_write(stream_, asio::buffer(wire_),
                      [self = this->shared_from_this(), keep_alive](const error_code& ec,
                                                                    std::size_t) {
                        if (ec) return;
                        if (keep_alive) {
                          self->do_read_head();
                        } else {
                          self->close();
                        }
                      });
  }

  void close() {
    error_code ignored;
    auto& socket = stream_.lowest_layer();
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }

  TestHttpServer::Impl& server_;
  Stream stream_;
  asio::steady_timer timer_;
  asio::streambuf buffer_;
  RecordedRequest request_;
  TestResponse response_;
  std::string wire_;
};

}  // namespace

void TestHttpServer::Impl::do_accept() {
  acceptor.async_accept([this](const error_code& ec, tcp::socket socket) {
    if (ec) return;  // closed: the server is stopping
    {
      std::lock_guard lock(mu);
      ++connections;
    }
    if (tls) {
      std::make_shared<Session<asio::ssl::stream<tcp::socket>>>(*this, std::move(socket), *tls)
          ->start();
    } else {
      std::make_shared<Session<tcp::socket>>(*this, std::move(socket))->start();
    }
    do_accept();
  });
}

TestHttpServer::TestHttpServer() : impl_(std::make_unique<Impl>()) {
  impl_->acceptor.open(tcp::v4());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  impl_->acceptor.listen();
  impl_->do_accept();
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

TestHttpServer::TestHttpServer(std::uint16_t port) : impl_(std::make_unique<Impl>()) {
  impl_->acceptor.open(tcp::v4());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  impl_->acceptor.listen();
  impl_->do_accept();
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

TestHttpServer::TestHttpServer(const TlsFiles& files) : impl_(std::make_unique<Impl>()) {
  impl_->tls.emplace(asio::ssl::context::tls_server);
  impl_->tls->use_certificate_chain_file(files.cert_file);
  impl_->tls->use_private_key_file(files.key_file, asio::ssl::context::pem);
  impl_->acceptor.open(tcp::v4());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  impl_->acceptor.listen();
  impl_->do_accept();
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

TestHttpServer::~TestHttpServer() {
  // Stopping the loop abandons every session; destroying the io_context (with Impl) then
  // destroys their handlers and so closes their sockets.
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::uint16_t TestHttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }

std::string TestHttpServer::url(std::string_view path) const {
  return std::string(impl_->tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port()) +
         std::string(path);
}

void TestHttpServer::set(const std::string& path, TestResponse response) {
  std::lock_guard lock(impl_->mu);
  impl_->routes[path] = std::move(response);
}

void TestHttpServer::push_once(const std::string& path, TestResponse response) {
  std::lock_guard lock(impl_->mu);
  impl_->once[path].push_back(std::move(response));
}

std::size_t TestHttpServer::connection_count() const {
  std::lock_guard lock(impl_->mu);
  return impl_->connections;
}

std::size_t TestHttpServer::request_count() const {
  std::lock_guard lock(impl_->mu);
  return impl_->recorded.size();
}

std::size_t TestHttpServer::request_count(std::string_view path) const {
  std::lock_guard lock(impl_->mu);
  return static_cast<std::size_t>(std::count_if(impl_->recorded.begin(), impl_->recorded.end(),
                                                [&](const auto& r) { return r.path == path; }));
}

std::vector<RecordedRequest> TestHttpServer::requests() const {
  std::lock_guard lock(impl_->mu);
  return impl_->recorded;
}

std::optional<RecordedRequest> TestHttpServer::last_request(std::string_view path) const {
  std::lock_guard lock(impl_->mu);
  for (auto it = impl_->recorded.rbegin(); it != impl_->recorded.rend(); ++it) {
    if (it->path == path) return *it;
  }
  return std::nullopt;
}

}  // namespace hale::testing
