// HttpProbe: one HTTP(S) request per attempt through the shared CurlMulti, judged by
// HttpExpect. The easy handle comes from the CurlMulti's pool and goes back after the attempt.
// With `keepalive` (the default) a connection the target left open is reused, as a browser or a
// load balancer would, at most kMaxConnectionAge old; without, a new connection per attempt,
// which measures what a new client would get (kubelet's probes do that).
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <cstdint>
#include <utility>
#include <chrono>
#include <vector>

#include "hale/net/curl_errors.h"
#include "hale/net/curl_multi.h"
#include "hale/probe/http_expect.h"
#include "hale/probe/probe.h"

namespace hale {

namespace {

namespace asio = boost::asio;

// One request: the easy handle and everything curl points into while it runs.
struct HttpTransfer {
  explicit HttpTransfer(std::shared_ptr<EasyHandlePool> pool) : handles(std::move(pool)), easy(handles->take()) {}
  std::shared_ptr<EasyHandlePool> handles;
  CURL* easy;
  curl_slist* headers = nullptr;
  std::string body;
  bool keep_body = false;
  bool truncated = false;
  char error[CURL_ERROR_SIZE] = {};
  Probe::Done done;

  HttpTransfer(const HttpTransfer&) = delete;
  HttpTransfer& operator=(const HttpTransfer&) = delete;
  // Never attached to the multi handle by now: its completion ran, or cancel() removed it.
  ~HttpTransfer() {
    handles->give_back(easy);
    curl_slist_free_all(headers);
  }

  // Keeps at most kMaxHttpBody bytes and drains the rest, so that the server is not cut
  // off mid-response (a body check then reports the overflow).
  static size_t on_write(char* data, size_t size, size_t count, void* userp) {
    auto* self = static_cast<HttpTransfer*>(userp);
    size_t n = size * count;
    if (self->keep_body) {
      size_t room = kMaxHttpBody - std::min(kMaxHttpBody, self->body.size());
      if (n > room) self->truncated = true;
      self->body.append(data, std::min(n, room));
    }
    return n;
  }
};

class HttpProbe final : public Probe {
 public:
  // `spec` is an http check's (the engine shares it with the runner: 10,000 checks, 4 MB).
  HttpProbe(std::shared_ptr<const CheckSpec> spec, ProbeContext& ctx)
      : io_(ctx.io), curl_(ctx.curl), spec_(std::move(spec)), expect_(HttpExpect::compile(http())),
        secrets_(url_secrets(http().url)) {}
  ~HttpProbe() override { cancel(); }

  void rebind(std::shared_ptr<const CheckSpec> spec) override {
    if (spec && spec->as<HttpCheck>()) spec_ = std::move(spec);  // read at the next start()
  }

  void start(Duration timeout, Done done) override {
    cancel();  // a new attempt replaces one still in flight
    auto t = std::make_shared<HttpTransfer>(curl_.handles());
    t->done = std::move(done);
    if (!expect_) {
      // A check that cannot be judged: say so on every attempt, from the loop.
      bool bad_json = expect_.status().message().find("expect_json") != std::string::npos;
      asio::post(io_, [t, r = probe_failure(expect_.status().message(), bad_json ? ErrorKind::kJson : ErrorKind::kBody)] {
        if (t->done) std::exchange(t->done, nullptr)(r);
      });
      pending_ = t;
      return;
    }
    if (t->easy == nullptr || !configure(*t, timeout)) {
      asio::post(io_, [t] {
        if (t->done) std::exchange(t->done, nullptr)(probe_failure("cannot set up the request", ErrorKind::kConnect));
      });
      pending_ = t;
      return;
    }
    transfer_ = t;
    // The completion runs only if neither cancel() nor the destructor removed the transfer
    // first, so `this` is alive whenever it runs.
    curl_.add(t->easy, [this, t](CURLcode code) { on_done(t, code); });
  }

  void cancel() override {
    if (transfer_) {
      transfer_->done = nullptr;
      curl_.remove(transfer_->easy);
      transfer_.reset();
    }
    if (auto p = pending_.lock()) p->done = nullptr;
    pending_.reset();
  }

 private:
  const HttpCheck& http() const { return *spec_->as<HttpCheck>(); }

  bool configure(HttpTransfer& t, Duration timeout) {
    const HttpCheck& check = http();
    CURL* e = t.easy;
    bool ok = set_probe_transfer_options(e, check.url, timeout, t.error, check.keepalive);
    auto set = [&ok](CURLcode c) { ok = ok && c == CURLE_OK; };
    set(curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &HttpTransfer::on_write));
    set(curl_easy_setopt(e, CURLOPT_WRITEDATA, &t));
    t.keep_body = expect_->needs_body();

    if (check.method == "HEAD") {
      set(curl_easy_setopt(e, CURLOPT_NOBODY, 1L));
    } else if (check.method == "POST") {
      set(curl_easy_setopt(e, CURLOPT_POSTFIELDS, ""));
      set(curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, 0L));
    } else if (check.method != "GET") {
      set(curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, check.method.c_str()));
    }

    for (const auto& [name, value] : check.headers) {
      // "Name;" is curl's way to send a header with an empty value.
      std::string line = value.empty() ? name + ";" : name + ": " + value;
      t.headers = curl_slist_append(t.headers, line.c_str());
    }
    if (t.headers) set(curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.headers));

    long verify = check.insecure_skip_verify ? 0L : 1L;
    set(curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, verify));
    set(curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, check.insecure_skip_verify ? 0L : 2L));
    if (!check.ca_file.empty()) set(curl_easy_setopt(e, CURLOPT_CAINFO, check.ca_file.c_str()));
    return ok;
  }

  void on_done(const std::shared_ptr<HttpTransfer>& t, CURLcode code) {
    if (transfer_ == t) transfer_.reset();
    if (!t->done) return;
    Done done = std::exchange(t->done, nullptr);
    done(judge(*t, code));
  }

  ProbeResult judge(HttpTransfer& t, CURLcode code) {
    curl_off_t total_us = 0;
    curl_easy_getinfo(t.easy, CURLINFO_TOTAL_TIME_T, &total_us);
    auto latency = std::chrono::duration_cast<Duration>(std::chrono::microseconds(total_us));
    if (code != CURLE_OK) {
      ProbeResult r = transfer_failure(t.easy, code, t.error, secrets_);
      r.latency = latency;
      return r;
    }
    long status = 0;
    curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
    HttpResponse response{static_cast<int>(status), t.body, t.truncated, latency};
    return expect_->judge(response);
  }

  asio::io_context& io_;
  CurlMulti& curl_;
  std::shared_ptr<const CheckSpec> spec_;
  StatusOr<HttpExpect> expect_;
  std::vector<std::string> secrets_;
  std::shared_ptr<HttpTransfer> transfer_;      // in flight in the CurlMulti
  std::weak_ptr<HttpTransfer> pending_;         // an error waiting to be reported from the loop
};

}  // namespace

std::unique_ptr<Probe> make_http_probe(std::shared_ptr<const CheckSpec> spec, ProbeContext& ctx) {
  return std::make_unique<HttpProbe>(std::move(spec), ctx);
}

std::unique_ptr<Probe> make_probe(const HttpCheck& http, ProbeContext& ctx) {
  auto spec = std::make_shared<CheckSpec>();
  spec->kind = http;
  return make_http_probe(std::move(spec), ctx);
}

}  // namespace hale
