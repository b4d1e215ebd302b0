// The tls check (SPEC §5): the certificate chain served at host:port, or read from a PEM file,
// judged by how soon its first certificate expires. The probe itself (tls_probe.cpp, the only
// translation unit with Asio's ssl headers) is made by make_probe(const TlsCheck&, ...) in probe.h; this header
// holds the pure parts, unit-tested on fixed times, and the OpenSSL chain reading they share
// with the file mode (tls_chain.cpp).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "hale/clock.h"
#include "hale/health.h"

struct x509_st;            // OpenSSL's X509
struct stack_st_X509;      // OpenSSL's STACK_OF(X509)

namespace hale {

using SysTime = std::chrono::system_clock::time_point;

// One certificate of a chain, as far as expiry goes.
struct CertExpiry {
  std::string subject;  // "CN=example.test", or the whole subject when it has no CN
  SysTime not_after;
};

// "2026-12-02T10:00:00Z".
std::string format_utc(SysTime t);

// "9d", "5h", "42m", "30s": the largest whole unit (days once it is a day or more; rounded down).
std::string format_left(Duration d);

// Judges a chain at `now`: the certificate that expires first decides.
//   expired (not_after <= now)  -> fail   "certificate CN=x expired 2d ago (2026-...Z)", code "expiry"
//   left < fail_before          -> fail   "certificate CN=x expires in 2d (2026-...Z)", code "expiry"
//   left < warn_before          -> warn   same reason, code "expiry"
//   otherwise                   -> pass   same reason, no code
// At exactly warn_before (or fail_before) left, the lesser verdict applies ("under" the threshold
// is strictly less). An empty chain fails with code "tls".
ProbeResult judge_expiry(const std::vector<CertExpiry>& chain, SysTime now, Duration warn_before,
                         Duration fail_before);

// The expiry of one certificate.
CertExpiry cert_expiry(const x509_st* cert);

// The certificates of a chain that count: the leaf (first) and every certificate after it that is
// not self-signed (a root sent along is the trust store's business, not the server's).
std::vector<CertExpiry> chain_expiry(stack_st_X509* chain);

// The whole file mode: reads every certificate of the PEM file at `path` (leaf first) and judges
// it. With `ca_file` set (and `verify`), the chain must also verify against it and the system
// store (no name check: a file has no host); without a ca_file a file is not verified.
ProbeResult judge_pem_file(const std::string& path, const std::string& ca_file, bool verify, SysTime now,
                           Duration warn_before, Duration fail_before);

// "certificate verify failed: self-signed certificate" for an X509_V_ERR_* code.
std::string verify_failure_reason(long verify_result);

}  // namespace hale
