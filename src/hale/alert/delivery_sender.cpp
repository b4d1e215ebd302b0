// One delivery attempt over HTTP, SMTP or a command (see delivery_sender.h).
#include "hale/alert/delivery_sender.h"

#include <sys/wait.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <map>

#include "hale/log/redactor.h"
#include "hale/proc/command_run.h"
#include "hale/net/curl_multi.h"
#include "hale/net/url.h"
#include "hale/proc/nagios_output.h"
#include "hale/version.h"

namespace hale {

namespace asio = boost::asio;

namespace {

long to_ms(Duration d) {
  return static_cast<long>(std::max<std::int64_t>(1, std::chrono::duration_cast<std::chrono::milliseconds>(d).count()));
}

bool is_loopback(std::string_view url) {
  const UrlParse parsed = parse_url(url);
  return parsed.url && is_loopback_host(parsed.url->host);
}

// "hale <hale@example.org>" -> "<hale@example.org>"; "hale@example.org" -> "<hale@example.org>".
std::string envelope_address(const std::string& address) {
  auto open = address.rfind('<');
  auto close = address.rfind('>');
  if (open != std::string::npos && close != std::string::npos && close > open) return address.substr(open, close - open + 1);
  return "<" + address + ">";
}

std::string redacted(std::string text) { return Redactor::global().redact(std::move(text)); }

// One libcurl transfer of an attempt and what curl points into while it runs.
struct Transfer {
  CURL* easy = curl_easy_init();
  curl_slist* headers = nullptr;
  curl_slist* recipients = nullptr;
  std::string url;
  std::string body;          // HTTP request body, or the email being uploaded
  std::size_t uploaded = 0;  // SMTP: bytes of `body` given to curl
  std::string retry_after;
  char error[CURL_ERROR_SIZE] = {};
  std::optional<DeliveryOutcome> outcome;

  Transfer() = default;
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;
  ~Transfer() {
    curl_easy_cleanup(easy);
    curl_slist_free_all(headers);
    curl_slist_free_all(recipients);
  }

  static size_t discard(char*, size_t size, size_t count, void*) { return size * count; }

  static size_t on_header(char* data, size_t size, size_t count, void* userp) {
    auto* self = static_cast<Transfer*>(userp);
    const std::string_view line(data, size * count);
    constexpr std::string_view kName = "retry-after:";
    if (line.size() > kName.size()) {
      std::string lower(line.substr(0, kName.size()));
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      if (lower == kName) {
        std::string_view v = line.substr(kName.size());
        while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
        while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) v.remove_suffix(1);
        self->retry_after = std::string(v);
      }
    }
    return size * count;
  }

  static size_t on_read(char* buffer, size_t size, size_t count, void* userp) {
    auto* self = static_cast<Transfer*>(userp);
    const size_t n = std::min(size * count, self->body.size() - self->uploaded);
    std::memcpy(buffer, self->body.data() + self->uploaded, n);
    self->uploaded += n;
    return n;
  }

  // What every notifier transfer gets: the URL and its protocols, the timeout, TLS, no
  // signals, no redirects, hale's User-Agent, and no proxy for loopback.
  bool common(const NotifierSpec& n, const char* protocols) {
    static const std::string user_agent = "hale/" + version();
    bool ok = true;
    auto set = [&ok](CURLcode c) { ok = ok && c == CURLE_OK; };
    set(curl_easy_setopt(easy, CURLOPT_URL, url.c_str()));
    set(curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, protocols));
    set(curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L));
    set(curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, to_ms(n.timeout)));
    set(curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, to_ms(n.timeout)));
    set(curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L));
    set(curl_easy_setopt(easy, CURLOPT_QUICK_EXIT, 1L));
    set(curl_easy_setopt(easy, CURLOPT_USERAGENT, user_agent.c_str()));
    set(curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error));
    set(curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, n.tls_verify ? 1L : 0L));
    set(curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, n.tls_verify ? 2L : 0L));
    if (!n.ca_file.empty()) set(curl_easy_setopt(easy, CURLOPT_CAINFO, n.ca_file.c_str()));
    if (is_loopback(url)) set(curl_easy_setopt(easy, CURLOPT_PROXY, ""));
    return ok;
  }

  bool http(const NotifierSpec& n, HttpDeliveryRequest r) {
    url = std::move(r.url);
    body = std::move(r.body);
    if (!easy || !common(n, "http,https")) return false;
    for (const auto& [name, value] : r.headers) headers = curl_slist_append(headers, (name + ": " + value).c_str());
    headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
    bool ok = true;
    auto set = [&ok](CURLcode c) { ok = ok && c == CURLE_OK; };
    set(curl_easy_setopt(easy, CURLOPT_POST, 1L));
    set(curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body.data()));
    set(curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size())));
    set(curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers));
    set(curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Transfer::on_header));
    set(curl_easy_setopt(easy, CURLOPT_HEADERDATA, this));
    set(curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Transfer::discard));
    return ok;
  }

  bool smtp(const NotifierSpec& n, EmailMessage m) {
    url = n.urls.empty() ? std::string() : n.urls.front();
    body = std::move(m.text);
    if (!easy || !common(n, "smtp,smtps")) return false;
    bool ok = true;
    auto set = [&ok](CURLcode c) { ok = ok && c == CURLE_OK; };
    const std::string from = envelope_address(m.from);
    set(curl_easy_setopt(easy, CURLOPT_MAIL_FROM, from.c_str()));
    for (const std::string& to : m.to) recipients = curl_slist_append(recipients, envelope_address(to).c_str());
    set(curl_easy_setopt(easy, CURLOPT_MAIL_RCPT, recipients));
    set(curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L));
    set(curl_easy_setopt(easy, CURLOPT_READFUNCTION, &Transfer::on_read));
    set(curl_easy_setopt(easy, CURLOPT_READDATA, this));
    set(curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(body.size())));
    // smtp:// with STARTTLS required (the default), or not at all; smtps:// is TLS from the start.
    set(curl_easy_setopt(easy, CURLOPT_USE_SSL, n.smtp_tls == SmtpTls::kNone ? CURLUSESSL_NONE : CURLUSESSL_ALL));
    if (n.username) set(curl_easy_setopt(easy, CURLOPT_USERNAME, n.username->c_str()));
    if (n.password) set(curl_easy_setopt(easy, CURLOPT_PASSWORD, n.password->c_str()));
    return ok;
  }
};

}  // namespace

struct DeliverySender::Impl : std::enable_shared_from_this<Impl> {
  // One attempt: its transfers (several for an Alertmanager cluster) or its command.
  struct Attempt {
    NotifierType type = NotifierType::kWebhook;
    std::vector<std::unique_ptr<Transfer>> transfers;
    std::size_t left = 0;  // transfers not finished yet
    CommandRun command;
    Done done;
  };

  Impl(asio::io_context& io_context, CurlMulti& multi, const Clock& c) : io(io_context), curl(multi), clock(c) {}

  void send(const NotifierSpec& n, const Delivery& d, const RenderContext& ctx, Done done) {
    const std::uint64_t id = ++next_id;
    Attempt& a = attempts[id];
    a.type = n.type;
    a.done = std::move(done);
    switch (n.type) {
      case NotifierType::kExec: return start_command(id, n, d, ctx);
      case NotifierType::kEmail: {
        auto t = std::make_unique<Transfer>();
        if (!t->smtp(n, render_email(n, d, ctx))) return fail_later(id, "cannot set up the SMTP transfer");
        a.transfers.push_back(std::move(t));
        break;
      }
      default:
        for (HttpDeliveryRequest& r : render_http(n, d, ctx)) {
          auto t = std::make_unique<Transfer>();
          if (!t->http(n, std::move(r))) return fail_later(id, "cannot set up the HTTP request");
          a.transfers.push_back(std::move(t));
        }
        if (a.transfers.empty()) return fail_later(id, "the notifier has no URL");
        break;
    }
    a.left = a.transfers.size();
    for (auto& t : a.transfers) {
      Transfer* raw = t.get();
      curl.add(raw->easy, [self = weak_from_this(), id, raw](CURLcode code) {
        if (auto s = self.lock()) s->on_transfer_done(id, raw, code);
      });
    }
  }

  void start_command(std::uint64_t id, const NotifierSpec& n, const Delivery& d, const RenderContext& ctx) {
    auto run = CommandRun::start(io, n.command, exec_stdin(d, ctx), n.timeout,
                                 [self = weak_from_this(), id](CommandResult r) {
                                   if (auto s = self.lock()) s->on_command_done(id, std::move(r));
                                 });
    if (!run) {
      const DeliveryOutcome o = exec_outcome(std::nullopt, std::nullopt, false, redacted(run.status().message()));
      return finish_later(id, o);
    }
    attempts.at(id).command = std::move(run).value();
  }

  void on_command_done(std::uint64_t id, CommandResult r) {
    std::optional<int> code;
    std::optional<int> sig;
    if (WIFEXITED(r.wait_status)) code = WEXITSTATUS(r.wait_status);
    if (WIFSIGNALED(r.wait_status)) sig = WTERMSIG(r.wait_status);
    DeliveryOutcome o = exec_outcome(code, sig, r.timed_out, {});
    // What the command said about its failure, one line of it, masked like every log line.
    if (o.kind != OutcomeKind::kAccepted) {
      if (std::string said = nagios_summary(r.output); !said.empty()) o.reason += ": " + redacted(said);
    }
    finish(id, std::move(o));
  }

  void on_transfer_done(std::uint64_t id, Transfer* t, CURLcode code) {
    auto it = attempts.find(id);
    if (it == attempts.end()) return on_lingering_done(id);
    Attempt& a = it->second;
    long status = 0;
    long os_errno = 0;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(t->easy, CURLINFO_OS_ERRNO, &os_errno);
    const std::string error = redacted(t->error);
    t->outcome = a.type == NotifierType::kEmail
                     ? smtp_outcome(code, os_errno, status, error)
                     : http_outcome(code, os_errno, status, t->retry_after, clock.wall_now(), error);
    t->outcome->reason = redacted(std::move(t->outcome->reason));
    --a.left;
    if (a.type == NotifierType::kAlertmanager) {
      // One member's acceptance is the cluster's (its members gossip alerts to each other): the
      // delivery is done now, not when a member that hangs times out. The others' requests go
      // on without it (each member still gets every alert) and are let go when they end.
      const bool accepted = t->outcome->kind == OutcomeKind::kAccepted;
      if (a.left > 0 && !accepted) return;
      std::vector<DeliveryOutcome> members;
      for (auto& each : a.transfers) {
        members.push_back(each->outcome.value_or(DeliveryOutcome{OutcomeKind::kRetry, "no answer yet", std::nullopt}));
      }
      if (a.left > 0) linger(id);
      return finish(id, combine_cluster(members));
    }
    if (a.left > 0) return;
    finish(id, *t->outcome);
  }

  // The attempt `id` is decided while some of its transfers still run: they move to `lingering`,
  // where they stay alive (curl points into them) until they end or cancel_all().
  void linger(std::uint64_t id) {
    Attempt& a = attempts.at(id);
    Attempt& rest = lingering[id];
    rest.type = a.type;
    rest.left = a.left;
    rest.transfers = std::move(a.transfers);
    a.transfers.clear();
  }

  void on_lingering_done(std::uint64_t id) {
    auto it = lingering.find(id);
    if (it != lingering.end() && --it->second.left == 0) lingering.erase(it);
  }

  void finish(std::uint64_t id, DeliveryOutcome o) {
    auto it = attempts.find(id);
    if (it == attempts.end()) return;
    Done done = std::move(it->second.done);
    // The transfers are done with (curl let go of them before calling us), the command reaped.
    attempts.erase(it);
    if (done) done(std::move(o));
  }

  // Results of attempts that never started are still delivered from the loop.
  void finish_later(std::uint64_t id, DeliveryOutcome o) {
    asio::post(io, [self = weak_from_this(), id, o = std::move(o)]() mutable {
      if (auto s = self.lock()) s->finish(id, std::move(o));
    });
  }
  void fail_later(std::uint64_t id, std::string reason) {
    finish_later(id, DeliveryOutcome{OutcomeKind::kRetry, std::move(reason), std::nullopt});
  }

  void cancel_all() {
    for (auto& [id, a] : attempts) {
      for (auto& t : a.transfers) curl.remove(t->easy);
      a.command.cancel();
    }
    attempts.clear();
    for (auto& [id, a] : lingering) {
      for (auto& t : a.transfers) curl.remove(t->easy);
    }
    lingering.clear();
  }

  asio::io_context& io;
  CurlMulti& curl;
  const Clock& clock;
  std::uint64_t next_id = 0;
  std::map<std::uint64_t, Attempt> attempts;
  std::map<std::uint64_t, Attempt> lingering;  // decided attempts whose other transfers still run
};

DeliverySender::DeliverySender(asio::io_context& io, CurlMulti& curl, const Clock& clock)
    : impl_(std::make_shared<Impl>(io, curl, clock)) {}

DeliverySender::~DeliverySender() { impl_->cancel_all(); }

void DeliverySender::send(const NotifierSpec& n, const Delivery& d, const RenderContext& ctx, Done done) {
  impl_->send(n, d, ctx, std::move(done));
}

void DeliverySender::cancel_all() { impl_->cancel_all(); }


}  // namespace hale
