// Turns an exec check's exit status and output into a ProbeResult the Nagios way
// (see nagios_output.h).
#include "hale/proc/nagios_output.h"

#include <sys/wait.h>

#include <cstring>

namespace hale {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Cuts at most `max` bytes without splitting a UTF-8 sequence (continuation bytes are
// 10xxxxxx, so back off while the first dropped byte is one).
std::string_view cap_utf8(std::string_view s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

std::string signal_name(int sig) {
  const char* abbrev = sigabbrev_np(sig);  // glibc 2.32+: "KILL", nullptr when unknown
  if (abbrev == nullptr) return "signal " + std::to_string(sig);
  return std::string("SIG") + abbrev;
}

}  // namespace

std::string nagios_summary(std::string_view output) {
  // Plugins may print leading blank lines; the first line with text is the summary.
  std::string_view rest = output;
  std::string_view line;
  while (!rest.empty()) {
    std::size_t nl = rest.find('\n');
    line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (!trim(line).empty()) break;
    line = {};
  }
  line = line.substr(0, line.find('|'));
  // Control characters (NUL, escapes) would garble logs and JSON consumers: drop them.
  std::string clean;
  for (char c : trim(line)) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\t') continue;
    if (u == 0x7F) continue;
    clean += c == '\t' ? ' ' : c;
  }
  return std::string(cap_utf8(trim(clean), kMaxNagiosReason));
}

ProbeResult nagios_result(int wait_status, std::string_view output) {
  ProbeResult r;
  if (WIFSIGNALED(wait_status)) {
    r.verdict = Verdict::kFail;
    r.reason = "killed by " + signal_name(WTERMSIG(wait_status));
    r.error = ErrorKind::kExit;
    return r;
  }
  int code = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 3;
  r.reason = nagios_summary(output);
  if (r.reason.empty()) r.reason = "exit " + std::to_string(code);
  switch (code) {
    case 0:
      r.verdict = Verdict::kPass;
      break;
    case 1:
      r.verdict = Verdict::kWarn;
      r.error = ErrorKind::kWarn;
      break;
    default:  // 2 CRITICAL, 3 UNKNOWN, anything else: the check could not say "ok"
      r.verdict = Verdict::kFail;
      r.error = ErrorKind::kExit;
      break;
  }
  return r;
}

}  // namespace hale
