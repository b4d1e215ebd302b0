// make_probe: picks the probe for a check's type. Types without a probe yet give nullptr,
// which the caller reports once instead of probing.
#include "hale/probe/probe.h"

namespace hale {

std::unique_ptr<Probe> make_probe(const CheckSpec& spec, ProbeContext& ctx) {
  switch (spec.type) {
    case CheckType::kHttp: return make_http_probe(spec, ctx);
    case CheckType::kTcp: return make_tcp_probe(spec, ctx);
    case CheckType::kExec: return make_exec_probe(spec, ctx);
    case CheckType::kTls: return make_tls_probe(spec, ctx);
    case CheckType::kDns: return make_dns_probe(spec, ctx);
    case CheckType::kExpiry: return make_expiry_probe(spec, ctx);
    case CheckType::kGrpc: return make_grpc_probe(spec, ctx);
  }
  return nullptr;
}

}  // namespace hale
