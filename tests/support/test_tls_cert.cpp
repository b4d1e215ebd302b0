// Makes a self-signed certificate with the openssl CLI for HTTPS tests (see test_tls_cert.h).
#include "support/test_tls_cert.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace hale::testing {

TestTlsCert::TestTlsCert() {
  std::string pattern = (std::filesystem::temp_directory_path() / "hale-tls-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return;
  dir_ = pattern;
  files_.cert_file = dir_ + "/cert.pem";
  files_.key_file = dir_ + "/key.pem";
  // Paths come from mkdtemp (no quotes or spaces), so the shell command is safe to build.
  std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost"
                    " -addext subjectAltName=IP:127.0.0.1,DNS:localhost"
                    " -keyout " + files_.key_file + " -out " + files_.cert_file +
                    " >/dev/null 2>&1";
  ok_ = std::system(cmd.c_str()) == 0 && std::filesystem::exists(files_.cert_file);
}

TestTlsCert::~TestTlsCert() {
  if (dir_.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

}  // namespace hale::testing
