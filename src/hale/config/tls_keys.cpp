// The keys of a tls check: where the chain is (`target` is shared with tcp, or `file`), the name
// to send and verify (`server_name`) and the expiry thresholds (`warn_before`, `fail_before`;
// expiry checks read them too, with defaults of their own: expiry_keys.cpp).
// `ca_file` and `insecure_skip_verify` are http's keys (http_keys.cpp), read the same way.
#include <string>

#include "hale/config/check_keys.h"
#include "hale/config/toml_reader.h"

namespace hale::config {

void apply_file(const KeyCall& c) {
  auto text = read_nonempty_string(c.value, c.key, c.diagnostics());
  if (!text) return;
  // Not opened here: the file is what is watched (a renewal may replace it, a missing one is a
  // failing check, not a config that cannot load), unlike a ca_file that hale itself relies on.
  set_on<TlsCheck>(c.spec, [&](TlsCheck& k) { k.file = c.ctx.resolve_path(*text); });
}

void apply_server_name(const KeyCall& c) {
  auto text = read_nonempty_string(c.value, c.key, c.diagnostics());
  if (!text) return;
  for (char ch : *text) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
                    ch == '.' || ch == '_' || ch == ':' || ch == '*';
    if (!ok) {
      c.diagnostics().add(c.value, backticked(c.key) + " \"" + *text + "\" is not a host name");
      return;
    }
  }
  set_on<TlsCheck, GrpcCheck>(c.spec, [&](auto& k) { k.server_name = *text; });
}

void apply_warn_before(const KeyCall& c) {
  if (auto d = read_duration(c.value, c.key, c.diagnostics(), /*positive=*/true)) set_on<TlsCheck, ExpiryCheck>(c.spec, [&](auto& k) { k.warn_before = *d; });
}

void apply_fail_before(const KeyCall& c) {
  // "0s" is allowed: fail only once the certificate (or token) has expired.
  if (auto d = read_duration(c.value, c.key, c.diagnostics())) set_on<TlsCheck, ExpiryCheck>(c.spec, [&](auto& k) { k.fail_before = *d; });
}

}  // namespace hale::config
