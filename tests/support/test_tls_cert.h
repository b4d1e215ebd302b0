// TestTlsCert: a throwaway self-signed certificate for 127.0.0.1 and localhost, made with
// the openssl CLI in a private temporary directory that is removed with the object.
#pragma once

#include <string>

#include "support/test_http_server.h"

namespace hale::testing {

class TestTlsCert {
 public:
  // Generates the key and certificate; ok() says whether that worked (openssl missing, ...).
  TestTlsCert();
  ~TestTlsCert();
  TestTlsCert(const TestTlsCert&) = delete;
  TestTlsCert& operator=(const TestTlsCert&) = delete;

  bool ok() const { return ok_; }
  // The certificate doubles as the CA file a client trusts.
  const std::string& cert_file() const { return files_.cert_file; }
  const std::string& key_file() const { return files_.key_file; }
  const TlsFiles& files() const { return files_; }

 private:
  std::string dir_;
  TlsFiles files_;
  bool ok_ = false;
};

}  // namespace hale::testing
