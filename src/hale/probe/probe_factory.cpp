// make_probe: the probe for a check's kind.
#include "hale/probe/probe.h"

namespace hale {

std::unique_ptr<Probe> make_probe(const CheckSpec& spec, ProbeContext& ctx) {
  return std::visit([&](const auto& kind) { return make_probe(kind, ctx); }, spec.kind);
}

std::unique_ptr<Probe> make_probe(std::shared_ptr<const CheckSpec> spec, ProbeContext& ctx) {
  if (spec->as<HttpCheck>()) return make_http_probe(std::move(spec), ctx);
  return make_probe(*spec, ctx);
}

}  // namespace hale
