// sd_notify datagrams (SPEC §4): whatever a supervised child sends to NOTIFY_SOCKET is parsed by
// parse_notify_message. The child is not trusted: any bytes, any length up to a datagram's.
// A STATUS= text is kept capped and on one line, as it ends up in /health and in logs.
#include "fuzz_support.h"
#include "hale/supervise/sd_notify.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const hale::NotifyMessage m = hale::parse_notify_message(hale::fuzz::as_text(data, size));
  if (m.status && (m.status->size() > hale::kMaxNotifyStatus || m.status->find('\n') != std::string::npos)) {
    hale::fuzz::fail();
  }
  if (m.watchdog_interval && m.watchdog_interval->count() < 0) hale::fuzz::fail();
  return 0;
}
