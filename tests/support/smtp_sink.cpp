// SmtpSink: tests/tools/smtp_sink.py as a child process (see smtp_sink.h).
#include "support/file_text.h"
#include "support/smtp_sink.h"

#include <sys/wait.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/hale_process.h"

namespace hale::testing {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string SmtpMessage::header(const std::string& name) const {
  const std::size_t end = content.find("\r\n\r\n");
  const std::string head = content.substr(0, end);
  std::string value;
  bool in = false;
  std::size_t pos = 0;
  while (pos < head.size()) {
    std::size_t eol = head.find("\r\n", pos);
    if (eol == std::string::npos) eol = head.size();
    const std::string line = head.substr(pos, eol - pos);
    pos = eol + 2;
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      if (in) value += line;  // a folded continuation
      continue;
    }
    if (in) break;
    const std::size_t colon = line.find(':');
    if (colon != std::string::npos && iequals(line.substr(0, colon), name)) {
      in = true;
      value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    }
  }
  return value;
}

SmtpSink::SmtpSink(const SmtpSinkOptions& options) : port_(free_port()) {
  std::vector<std::string> argv{kSystemPython, std::string(HALE_SOURCE_DIR) + "/tests/tools/smtp_sink.py",
                                "--port", std::to_string(port_), "--dir", (dir_.path()).string()};
  if (!options.cert_file.empty()) {
    argv.insert(argv.end(), {"--cert", options.cert_file, "--key", options.key_file});
    if (options.require_starttls) argv.push_back("--require-starttls");
  }
  if (!options.auth.empty()) argv.insert(argv.end(), {"--auth", options.auth});
  if (options.temp_fail_first > 0) {
    argv.insert(argv.end(), {"--temp-fail-first", std::to_string(options.temp_fail_first)});
  }
  process_.emplace(std::move(argv));
}

bool SmtpSink::ready() { return process_->wait_for_output("READY ", std::chrono::seconds(15)) && process_->running(); }

std::vector<SmtpMessage> SmtpSink::messages() const {
  std::vector<SmtpMessage> out;
  for (int n = 1;; ++n) {
    const auto eml = dir_.path() / (std::to_string(n) + ".eml");
    const auto meta = dir_.path() / (std::to_string(n) + ".json");
    if (!std::filesystem::exists(meta)) break;  // renamed last
    out.push_back({file_text(eml), nlohmann::json::parse(file_text(meta), nullptr, false)});
  }
  return out;
}

std::string SmtpSink::log() const { return process_->out() + process_->err(); }

bool smtp_sink_available() {
  const std::string cmd = std::string(kSystemPython) + " -c 'import aiosmtpd' >/dev/null 2>&1";
  const int status = std::system(cmd.c_str());
  return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace hale::testing
