// The webhook notifier's request (SPEC §6: one JSON object per alert, signed when the notifier has
// a secret), the exec notifier's stdin (the same object), and render_http's dispatch by type.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "hale/alert/render.h"
#include "hale/alert/render_text.h"
#include "hale/text/ascii.h"

namespace hale {

namespace {

using ojson = nlohmann::ordered_json;

// Headers hale sets itself: a notifier's `headers` cannot replace them (the signature and the
// idempotency key must be hale's own, and the body is JSON).
constexpr std::array<std::string_view, 3> kOwnHeaders{"content-type", "idempotency-key", "x-hale-signature-256"};

bool header_safe(std::string_view s) { return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos; }

}  // namespace

namespace {

// One alert's SPEC §6 fields; `id` and the sender go around it (webhook_json) or beside it (a
// digest's list).
void alert_fields(ojson& j, const Alert& a, const RenderContext& ctx) {
  j["key"] = a.key;
  j["kind"] = to_string(a.kind);
  j["subject"] = a.subject;
  j["status"] = to_string(a.status);
  j["previous"] = to_string(a.previous);
  j["resolved"] = a.resolved;
  j["flapping"] = a.flapping;
  j["critical"] = a.critical;
  j["since"] = render::iso(a.since);
  j["message"] = a.message;
  j["service"] = ctx.service;
  j["host"] = ctx.host;
  j["silenced"] = a.silenced;
  j["severity"] = a.severity();
  j["state"] = a.state;
  j["at"] = render::iso(a.at);
  j["sequence"] = a.sequence;
  if (!a.drill.empty()) j["drill"] = a.drill;  // SPEC §7: caused by this drill
}

}  // namespace

std::string webhook_json(const Delivery& d, const RenderContext& ctx) {
  const Alert& a = d.alert;
  ojson j;
  j["id"] = d.id;
  if (a.members.empty()) {
    // SPEC §6 order, then what the spec's example leaves out.
    alert_fields(j, a, ctx);
    return render::dump(j);
  }
  // SPEC §7 digest: one object, the alerts of the window in `alerts`, each as on its own.
  j["digest"] = true;
  j["count"] = a.members.size();
  j["resolved"] = a.resolved;
  j["severity"] = a.severity();
  j["message"] = alert_headline(a);
  j["service"] = ctx.service;
  j["host"] = ctx.host;
  j["at"] = render::iso(a.at);
  if (!a.drill.empty()) j["drill"] = a.drill;
  ojson alerts = ojson::array();
  for (const Alert& m : a.members) {
    ojson one;
    alert_fields(one, m, ctx);
    alerts.push_back(std::move(one));
  }
  j["alerts"] = std::move(alerts);
  return render::dump(j);
}

std::string exec_stdin(const Delivery& d, const RenderContext& ctx) { return webhook_json(d, ctx) + "\n"; }

std::string webhook_signature(std::string_view secret, std::string_view body) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac.data(), &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256=";
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 0x0F];
  }
  return out;
}

HttpDeliveryRequest render_webhook(const NotifierSpec& n, const Delivery& d, const RenderContext& ctx) {
  HttpDeliveryRequest r;
  r.url = n.urls.empty() ? std::string() : n.urls.front();
  r.body = webhook_json(d, ctx);
  r.headers.emplace_back("Content-Type", "application/json");
  r.headers.emplace_back("Idempotency-Key", d.id);
  if (n.secret) r.headers.emplace_back("X-Hale-Signature-256", webhook_signature(*n.secret, r.body));
  for (const auto& [name, value] : n.headers) {
    const std::string l = ascii_lower(name);
    if (std::find(kOwnHeaders.begin(), kOwnHeaders.end(), l) != kOwnHeaders.end()) continue;
    if (name.empty() || !header_safe(name) || !header_safe(value)) continue;  // would split the request
    r.headers.emplace_back(name, value);
  }
  return r;
}

std::vector<HttpDeliveryRequest> render_http(const NotifierSpec& n, const Delivery& d, const RenderContext& ctx) {
  switch (n.type) {
    case NotifierType::kWebhook: return {render_webhook(n, d, ctx)};
    case NotifierType::kSlack: return {render_slack(n, d, ctx)};
    case NotifierType::kDiscord: return {render_discord(n, d, ctx)};
    case NotifierType::kAlertmanager: return render_alertmanager(n, d, ctx);
    case NotifierType::kNtfy: return {render_ntfy(n, d, ctx)};
    case NotifierType::kEmail:
    case NotifierType::kExec: break;  // render_email, exec_stdin
  }
  return {};
}

}  // namespace hale
