// Redactor: takes every known secret out of a line of text before it leaves the process
// (log lines). Secrets are the values resolved from env:/file: and the admin token; they are
// registered on every config load. Thread-safe: loads replace the set under a mutex.
#pragma once

#include <mutex>
#include <string>
#include <vector>

namespace hale {

class Redactor {
 public:
  static constexpr const char* kMask = "[REDACTED]";
  // Secrets shorter than this are not searched for: a 1-character "secret" would mask every
  // occurrence of that letter and make logs unreadable while protecting nothing.
  static constexpr std::size_t kMinLength = 4;

  void set_secrets(std::vector<std::string> secrets);
  // `text` with each secret (and its JSON-escaped form) replaced by kMask.
  std::string redact(std::string text) const;

  // The process-wide instance used by the log sink.
  static Redactor& global();

 private:
  mutable std::mutex mu_;
  std::vector<std::string> needles_;  // longest first, so a secret inside another is not cut
};

}  // namespace hale
