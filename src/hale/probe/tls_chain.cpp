// Certificate expiry arithmetic and PEM chain reading for the tls check (see tls_probe.h).
// OpenSSL's C API only: no Asio here.
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>

#include "hale/probe/tls_probe.h"

namespace hale {

namespace {

using std::chrono::duration_cast;

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct StackFree {
  void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
};
struct StoreFree {
  void operator()(X509_STORE* s) const { X509_STORE_free(s); }
};
struct StoreCtxFree {
  void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};
struct FileClose {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

std::string subject_of(const X509* cert) {
  const X509_NAME* name = X509_get_subject_name(cert);
  if (name == nullptr) return "(no subject)";
  const int at = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (at >= 0) {
    const ASN1_STRING* cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, at));
    unsigned char* utf8 = nullptr;
    const int n = ASN1_STRING_to_UTF8(&utf8, cn);
    if (n >= 0) {
      std::string out = "CN=" + std::string(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(n));
      OPENSSL_free(utf8);
      return out;
    }
  }
  char buf[256];
  X509_NAME_oneline(name, buf, sizeof buf);
  return buf;
}

bool self_signed(X509* cert) { return X509_check_issued(cert, cert) == X509_V_OK; }

}  // namespace

std::string format_utc(SysTime t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string format_left(Duration d) {
  using namespace std::chrono;
  if (d < Duration::zero()) d = -d;
  const auto secs = duration_cast<seconds>(d).count();
  if (secs >= 86400) return std::to_string(secs / 86400) + "d";
  if (secs >= 3600) return std::to_string(secs / 3600) + "h";
  if (secs >= 60) return std::to_string(secs / 60) + "m";
  return std::to_string(secs) + "s";
}

ProbeResult judge_expiry(const std::vector<CertExpiry>& chain, SysTime now, Duration warn_before,
                         Duration fail_before) {
  if (chain.empty()) return probe_failure("no certificate", ErrorKind::kTls);
  const CertExpiry* first = &chain.front();
  for (const CertExpiry& c : chain) {
    if (c.not_after < first->not_after) first = &c;
  }
  const Duration left = duration_cast<Duration>(first->not_after - now);
  const std::string when = " (" + format_utc(first->not_after) + ")";
  if (left <= Duration::zero()) {
    return probe_failure("certificate " + first->subject + " expired " + format_left(left) + " ago" + when, ErrorKind::kExpiry);
  }
  std::string reason = "certificate " + first->subject + " expires in " + format_left(left) + when;
  if (left < fail_before) return probe_failure(std::move(reason), ErrorKind::kExpiry);
  if (left < warn_before) return probe_result(Verdict::kWarn, std::move(reason), ErrorKind::kExpiry);
  return probe_result(Verdict::kPass, std::move(reason));
}

CertExpiry cert_expiry(const x509_st* cert) {
  CertExpiry out;
  out.subject = subject_of(cert);
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) == 1) {
    out.not_after = std::chrono::system_clock::from_time_t(timegm(&tm));
  }  // else: the epoch, which reads as long expired: a certificate whose date cannot be read fails
  return out;
}

std::vector<CertExpiry> chain_expiry(stack_st_X509* chain) {
  std::vector<CertExpiry> out;
  if (chain == nullptr) return out;
  const int n = sk_X509_num(chain);
  for (int i = 0; i < n; ++i) {
    X509* cert = sk_X509_value(chain, i);
    if (i > 0 && self_signed(cert)) continue;
    out.push_back(cert_expiry(cert));
  }
  return out;
}

std::string verify_failure_reason(long verify_result) {
  return std::string("certificate verify failed: ") + X509_verify_cert_error_string(verify_result);
}

ProbeResult judge_pem_file(const std::string& path, const std::string& ca_file, bool verify, SysTime now,
                           Duration warn_before, Duration fail_before) {
  std::unique_ptr<std::FILE, FileClose> f(std::fopen(path.c_str(), "rb"));
  if (!f) return probe_failure("cannot read " + path + ": " + std::strerror(errno), ErrorKind::kTls);
  std::unique_ptr<STACK_OF(X509), StackFree> chain(sk_X509_new_null());
  while (X509* cert = PEM_read_X509(f.get(), nullptr, nullptr, nullptr)) sk_X509_push(chain.get(), cert);
  ERR_clear_error();  // the end of the file reads as "no start line"
  if (sk_X509_num(chain.get()) == 0) return probe_failure("no PEM certificate in " + path, ErrorKind::kTls);

  if (verify && !ca_file.empty()) {
    std::unique_ptr<X509_STORE, StoreFree> store(X509_STORE_new());
    X509_STORE_set_default_paths(store.get());
    if (X509_STORE_load_file(store.get(), ca_file.c_str()) != 1) {
      ERR_clear_error();
      return probe_failure("cannot load ca_file " + ca_file, ErrorKind::kTls);
    }
    std::unique_ptr<X509_STORE_CTX, StoreCtxFree> ctx(X509_STORE_CTX_new());
    X509_STORE_CTX_init(ctx.get(), store.get(), sk_X509_value(chain.get(), 0), chain.get());
    const int ok = X509_verify_cert(ctx.get());
    const int err = X509_STORE_CTX_get_error(ctx.get());
    ERR_clear_error();
    // An expired certificate is judged below, with its date ("expired 2d ago").
    if (ok != 1 && err != X509_V_ERR_CERT_HAS_EXPIRED) return probe_failure(verify_failure_reason(err), ErrorKind::kTls);
    ProbeResult r = judge_expiry(chain_expiry(chain.get()), now, warn_before, fail_before);
    // An expired certificate outside the file (from ca_file or the system store) fails too.
    if (ok != 1 && r.verdict != Verdict::kFail) {
      return probe_failure(verify_failure_reason(err) + " (a certificate from the trust store, not in the file)", ErrorKind::kTls);
    }
    return r;
  }
  return judge_expiry(chain_expiry(chain.get()), now, warn_before, fail_before);
}

}  // namespace hale
