// DeliverySender: one attempt of one delivery to its notifier, on the event loop (SPEC §6):
// HTTP POSTs (webhook, slack, discord, ntfy, and every member of an Alertmanager cluster at
// once) and SMTP (email, STARTTLS) through the shared CurlMulti, the exec notifier through
// CommandRun. Nothing blocks the loop; each attempt ends in exactly one DeliveryOutcome within
// the notifier's timeout (curl's own timeout, or CommandRun's). An Alertmanager attempt ends as
// soon as one member accepts (a member that hangs holds nothing back); the other members'
// requests still run to their end.
//
// Proxies: libcurl's environment variables (https_proxy, no_proxy, ...) apply to notifiers, so a
// host that reaches Slack through a proxy works; a loopback URL never goes through a proxy.
// Reasons pass through the log redactor: a notifier's URL is a secret even in curl's errors.
// Thread-safety: the loop's thread only.
#pragma once

#include <functional>
#include <memory>

#include "hale/model/alert.h"
#include "hale/alert/delivery_outcome.h"
#include "hale/alert/render.h"
#include "hale/clock.h"
#include "hale/config.h"

namespace boost::asio {
class io_context;
}

namespace hale {

class CurlMulti;

class DeliverySender {
 public:
  using Done = std::function<void(DeliveryOutcome)>;

  DeliverySender(boost::asio::io_context& io, CurlMulti& curl, const Clock& clock);
  ~DeliverySender();  // cancels what is in flight (no Done is called)
  DeliverySender(const DeliverySender&) = delete;
  DeliverySender& operator=(const DeliverySender&) = delete;

  // Starts one attempt. `done` is called once, on the loop, never inside send().
  void send(const NotifierSpec& n, const Delivery& d, const RenderContext& ctx, Done done);
  // Abandons every attempt in flight; their Done is never called.
  void cancel_all();

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace hale
