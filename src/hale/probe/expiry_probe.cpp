// ExpiryProbe: the expiry check (SPEC §5). Each attempt reads the credential document afresh:
// a file or an environment variable, on the loop (small bounded reads, expiry_source.h), or
// the body of a GET through the shared CurlMulti (bounded the same way, within the check's
// timeout). Then it finds the date (expiry_date.h) and judges the time left on the wall clock.
// Neither the document nor anything in it ever reaches a reason: only where it was read, the
// date and the time left.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "hale/net/curl_errors.h"
#include "hale/net/curl_multi.h"
#include "hale/probe/expiry_date.h"
#include "hale/probe/expiry_source.h"
#include "hale/probe/probe.h"

namespace hale {

namespace {

namespace asio = boost::asio;

// One GET: the easy handle and what curl writes into while it runs.
struct Fetch {
  CURL* easy = curl_easy_init();
  std::string body;
  bool too_large = false;
  char error[CURL_ERROR_SIZE] = {};
  Duration timeout{};
  Probe::Done done;

  Fetch() = default;
  Fetch(const Fetch&) = delete;
  Fetch& operator=(const Fetch&) = delete;
  ~Fetch() { curl_easy_cleanup(easy); }

  // Past kMaxExpiryDocument the transfer is aborted (CURLE_WRITE_ERROR): no token is that big,
  // and unlike an http check there is nothing to report about the rest of the body.
  static size_t on_write(char* data, size_t size, size_t count, void* userp) {
    auto* self = static_cast<Fetch*>(userp);
    const size_t n = size * count;
    if (self->body.size() + n > kMaxExpiryDocument) {
      self->too_large = true;
      return 0;
    }
    self->body.append(data, n);
    return n;
  }
};

class ExpiryProbe final : public Probe {
 public:
  ExpiryProbe(const ExpiryCheck& spec, ProbeContext& ctx)
      : io_(ctx.io), clock_(ctx.clock), curl_(ctx.curl), spec_(spec), secrets_(url_secrets(spec.url)) {}
  ~ExpiryProbe() override { cancel(); }

  void start(Duration timeout, Done done) override {
    cancel();  // a new attempt replaces one still in flight
    if (spec_.source_kind == ExpirySource::kUrl) {
      fetch(timeout, std::move(done));
    } else {
      // Read when the loop gets to it, never inside start().
      later(std::move(done), [this] { return read_and_judge(); });
    }
  }

  void cancel() override {
    if (fetch_) {
      fetch_->done = nullptr;
      curl_.remove(fetch_->easy);
      fetch_.reset();
    }
    pending_.reset();
  }

 private:
  // Reports `judge()` from the loop, unless cancel() (or the destructor) comes first: the
  // posted handler holds only a weak reference to `pending_`, so `this` is alive whenever
  // it runs `judge`.
  void later(Done done, std::function<ProbeResult()> judge) {
    pending_ = std::make_shared<Done>(std::move(done));
    asio::post(io_, [weak = std::weak_ptr<Done>(pending_), judge = std::move(judge)] {
      auto d = weak.lock();
      if (!d || !*d) return;
      ProbeResult r = judge();
      std::exchange(*d, nullptr)(std::move(r));
    });
  }

  ProbeResult read_and_judge() const {
    const bool env = spec_.source_kind == ExpirySource::kEnv;
    auto document = env ? read_expiry_env(spec_.source) : read_expiry_file(spec_.source);
    if (!document) return probe_failure(document.status().message(), ErrorKind::kSource);
    return judge_document(*document, env ? "environment variable " + spec_.source : expiry_source_name(spec_));
  }

  // `what` names the document in the one message that is about it as a whole.
  ProbeResult judge_document(std::string_view document, const std::string& what) const {
    if (document.find_first_not_of(" \t\r\n") == std::string_view::npos) {
      // A token cache caught mid-rewrite, or a variable set to nothing.
      return probe_failure(what + " is empty", ErrorKind::kSource);
    }
    auto at = find_expiry(document, spec_.format, spec_.json_pointer);
    if (!at) return probe_failure(at.status().message(), ErrorKind::kFormat);
    return judge_expiry_date(*at, clock_.wall_now(), spec_.warn_before, spec_.fail_before);
  }

  void fetch(Duration timeout, Done done) {
    auto f = std::make_shared<Fetch>();
    f->timeout = timeout;
    if (f->easy == nullptr || !configure(*f, timeout)) {
      later(std::move(done), [] { return probe_failure("cannot set up the request", ErrorKind::kConnect); });
      return;
    }
    f->done = std::move(done);
    fetch_ = f;
    // The completion runs only if neither cancel() nor the destructor removed the transfer
    // first, so `this` is alive whenever it runs.
    curl_.add(f->easy, [this, f](CURLcode code) { on_fetched(f, code); });
  }

  bool configure(Fetch& f, Duration timeout) {
    CURL* e = f.easy;
    bool ok = set_probe_transfer_options(e, spec_.url, timeout, f.error);
    auto set = [&ok](CURLcode c) { ok = ok && c == CURLE_OK; };
    // A Content-Length over the limit ends the transfer before the body (CURLE_FILESIZE_EXCEEDED).
    set(curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(kMaxExpiryDocument)));
    set(curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Fetch::on_write));
    set(curl_easy_setopt(e, CURLOPT_WRITEDATA, &f));
    return ok;
  }

  void on_fetched(const std::shared_ptr<Fetch>& f, CURLcode code) {
    if (fetch_ == f) fetch_.reset();
    if (!f->done) return;
    Done done = std::exchange(f->done, nullptr);
    done(judge_fetch(*f, code));
  }

  ProbeResult judge_fetch(Fetch& f, CURLcode code) const {
    if (f.too_large || code == CURLE_FILESIZE_EXCEEDED) {
      return probe_failure("response body is larger than 1 MiB", ErrorKind::kSource);
    }
    if (code != CURLE_OK) {
      ProbeResult r = transfer_failure(f.easy, code, f.error, secrets_);
      // SPEC §2: a timeout reads the same whoever noticed it.
      if (r.error == ErrorKind::kTimeout) r.reason = timeout_reason(f.timeout);
      return r;
    }
    long status = 0;
    curl_easy_getinfo(f.easy, CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status > 299) {
      return probe_failure("status " + std::to_string(status) + " (expected 2xx)", ErrorKind::kStatus);
    }
    return judge_document(f.body, "response body");
  }

  asio::io_context& io_;
  const Clock& clock_;
  CurlMulti& curl_;
  ExpiryCheck spec_;
  std::vector<std::string> secrets_;
  std::shared_ptr<Fetch> fetch_;     // in flight in the CurlMulti
  std::shared_ptr<Done> pending_;    // a result to report from the loop; reset = cancelled
};

}  // namespace

std::unique_ptr<Probe> make_probe(const ExpiryCheck& spec, ProbeContext& ctx) {
  return std::make_unique<ExpiryProbe>(spec, ctx);
}

}  // namespace hale
