// Redactor: secret masking for everything hale writes to its log.
#include "hale/log/redactor.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace hale {

void Redactor::set_secrets(std::vector<std::string> secrets) {
  std::vector<std::string> needles;
  for (auto& s : secrets) {
    if (s.size() < kMinLength) continue;
    // Inside a JSON log line a secret appears escaped ("a\"b"); mask both forms.
    std::string escaped =
        nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    escaped = escaped.substr(1, escaped.size() - 2);
    if (escaped != s) needles.push_back(escaped);
    needles.push_back(std::move(s));
  }
  std::sort(needles.begin(), needles.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  needles.erase(std::unique(needles.begin(), needles.end()), needles.end());
  std::lock_guard lock(mu_);
  needles_ = std::move(needles);
}

std::string Redactor::redact(std::string text) const {
  std::lock_guard lock(mu_);
  for (const auto& n : needles_) {
    for (std::size_t pos = text.find(n); pos != std::string::npos;
         pos = text.find(n, pos + std::char_traits<char>::length(kMask))) {
      text.replace(pos, n.size(), kMask);
    }
  }
  return text;
}

Redactor& Redactor::global() {
  static Redactor r;
  return r;
}

}  // namespace hale
