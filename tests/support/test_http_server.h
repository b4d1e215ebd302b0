// TestHttpServer: a small HTTP/1.1 server on 127.0.0.1 (OS-chosen port) for integration
// tests, on its own thread. Each path gets a scripted answer: status, body, headers, a delay,
// or misbehaviour (hang after accepting, close without answering). Optionally HTTPS.
//
//   hale::testing::TestHttpServer server;
//   server.set("/ready", TestResponse::with_status(503, "down"));
//   probe(server.url("/ready"));
//   EXPECT_EQ(server.request_count("/ready"), 1u);
//
// Thread-safety: every method may be called from any thread while the server runs.
// Unknown paths answer 404. Keep-alive is supported; a request's query is ignored for routing.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hale::testing {

// What a path answers. Build it with the helpers, which read well at the call site:
//   TestResponse::with_status(503, "down").header("Retry-After", "1").delayed(150ms)
struct TestResponse {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // Content-Length is added
  std::chrono::milliseconds delay{0};  // wait this long before answering
  bool hang = false;                   // read the request, never answer, keep the connection
  bool close_without_response = false; // read the request, then close the connection

  static TestResponse ok(std::string body = "") { return with_status(200, std::move(body)); }
  static TestResponse with_status(int status, std::string body = "") {
    TestResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
  }
  static TestResponse hanging() {
    TestResponse r;
    r.hang = true;
    return r;
  }
  static TestResponse closing() {
    TestResponse r;
    r.close_without_response = true;
    return r;
  }
  TestResponse& header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  TestResponse& delayed(std::chrono::milliseconds d) {
    delay = d;
    return *this;
  }
};

struct RecordedRequest {
  std::string method;
  std::string target;  // path and query as sent
  std::string path;    // without the query
  std::vector<std::pair<std::string, std::string>> headers;  // in order, names as sent
  std::string body;
  std::chrono::steady_clock::time_point received_at;  // when its body was fully read
  int answer_status = 0;  // the status it was answered with; 0: none (hang, close)
  // The first header of that name (case-insensitive), nullopt if absent.
  std::optional<std::string> header(std::string_view name) const;
};

// PEM files for HTTPS (see TestTlsCert).
struct TlsFiles {
  std::string cert_file;
  std::string key_file;
};

class TestHttpServer {
 public:
  // Listens on 127.0.0.1:0 at once; plain HTTP, or HTTPS with `tls`.
  TestHttpServer();
  explicit TestHttpServer(const TlsFiles& tls);
  // Listens on 127.0.0.1:`port` (plain HTTP): a receiver that comes up where a client has been
  // refused so far (see closed_loopback_port()). Throws when the port is taken.
  explicit TestHttpServer(std::uint16_t port);
  // Stops the thread and closes every connection, hanging ones included.
  ~TestHttpServer();
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  std::uint16_t port() const;
  // "http://127.0.0.1:PORT/path" (https when TLS).
  std::string url(std::string_view path = "/") const;

  // The answer for requests to `path` (exact match, query ignored); replaces any earlier one.
  void set(const std::string& path, TestResponse response);
  // One answer for the next request to `path` only, before the standing one of set(); calls
  // queue up in order: push_once(500), push_once(500) answers two requests 500, then set()'s.
  void push_once(const std::string& path, TestResponse response);

  // Requests fully read so far, whatever they were answered.
  std::size_t request_count() const;
  std::size_t request_count(std::string_view path) const;
  // TCP connections accepted so far (keep-alive: several requests may share one).
  std::size_t connection_count() const;
  std::vector<RecordedRequest> requests() const;
  std::optional<RecordedRequest> last_request(std::string_view path) const;

  struct Impl;  // public only so that the .cpp's session class can name it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace hale::testing
