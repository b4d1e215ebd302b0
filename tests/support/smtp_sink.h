// SmtpSink: a real SMTP server on 127.0.0.1 for the email alert tests, tests/tools/smtp_sink.py
// (aiosmtpd) run by Debian's /usr/bin/python3: optionally STARTTLS with a test certificate
// (required or offered) and AUTH. Keeps every message it accepts for the test to read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/test_process.h"
#include "support/temp_dir.h"

namespace hale::testing {

inline constexpr const char* kSystemPython = "/usr/bin/python3";

struct SmtpSinkOptions {
  std::string cert_file;  // with key_file: STARTTLS is offered
  std::string key_file;
  bool require_starttls = false;  // refuse mail until the session is upgraded
  std::string auth;               // "USER:PASSWORD": AUTH required (over TLS)
  int temp_fail_first = 0;        // the first N messages are answered 451 and not kept
};

struct SmtpMessage {
  std::string content;     // as received (CRLF line ends)
  nlohmann::json envelope;  // mail_from, rcpt_tos, tls, authenticated
  // The value of the first header `name` (case-insensitive), unfolded; "" when absent.
  std::string header(const std::string& name) const;
};

class SmtpSink {
 public:
  explicit SmtpSink(const SmtpSinkOptions& options = {});
  // Waits (bounded) until it accepts connections; false when it did not start.
  bool ready();
  std::uint16_t port() const { return port_; }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
  std::vector<SmtpMessage> messages() const;
  std::string log() const;

 private:
  TempDir dir_;
  std::uint16_t port_;
  std::optional<TestProcess> process_;
};

// True when the sink can run here (python3-aiosmtpd installed for /usr/bin/python3).
bool smtp_sink_available();

}  // namespace hale::testing
