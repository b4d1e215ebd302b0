// The keys of a grpc check: `service` (the name sent in HealthCheckRequest, as the `service` of
// Kubernetes' grpc probe) and `tls`. `target` is tcp's key, `server_name` tls's and `ca_file`
// http's, read the same way; check_grpc_table() says what the table needs once it is read.
#include <string>
#include <utility>

#include "hale/config/check_keys.h"
#include "hale/config/toml_reader.h"

namespace hale::config {

void apply_grpc_service(const KeyCall& c) {
  // "" is allowed: the server as a whole, the same as leaving the key out.
  auto text = read_string(c.value, c.key, c.diagnostics());
  if (!text) return;
  for (char ch : *text) {
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) {
      c.diagnostics().add(c.value, backticked(c.key) + " must not contain control characters");
      return;
    }
  }
  set_on<GrpcCheck>(c.spec, [&](GrpcCheck& k) { k.service = *text; });
}

void apply_grpc_tls(const KeyCall& c) {
  if (auto b = read_bool(c.value, c.key, c.diagnostics())) set_on<GrpcCheck>(c.spec, [&](GrpcCheck& k) { k.tls = *b; });
}

void check_grpc_table(const GrpcCheck& s, const toml::table& table, std::string_view prefix, Diagnostics& d) {
  if (table.get("target") == nullptr) d.add(table, std::string(prefix) + "`target` (host:port)");
  // A `tls` that did not read is reported already; judging the TLS keys by the default would
  // only add noise.
  if (const toml::node* tls = table.get("tls"); s.tls || (tls != nullptr && !tls->is_boolean())) return;
  // Written in the check itself, a TLS key without TLS is a mistake (the check would silently
  // verify nothing); a ca_file from [defaults] is simply not used. A value that did not read
  // (an unreadable ca_file) is reported already, once is enough.
  const std::pair<std::string_view, bool> keys[] = {{"ca_file", !s.ca_file.empty()},
                                                    {"server_name", !s.server_name.empty()}};
  for (const auto& [key, read] : keys) {
    if (const toml::node* node = table.get(key); node != nullptr && read) {
      d.add(*node, backticked(key) + " needs `tls = true`: a plaintext grpc check has no certificate to verify");
    }
  }
}

}  // namespace hale::config
