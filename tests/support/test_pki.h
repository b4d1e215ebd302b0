// TestPki: a throwaway certificate authority for TLS tests, made with OpenSSL's C API in a
// private temporary directory removed with the object. Issues leaves and intermediates with
// chosen names and validity (e.g. expiring in 2 days, or expired), written as PEM files.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace hale::testing {

class TestPki {
 public:
  using SysTime = std::chrono::system_clock::time_point;

  struct Spec {
    std::string cn;
    std::vector<std::string> dns_names;       // subjectAltName DNS entries
    std::vector<std::string> ip_addresses;    // subjectAltName IP entries
    SysTime not_before;
    SysTime not_after;
    bool is_ca = false;
  };

  // One issued certificate: its files, and what it was issued with.
  struct Issued {
    std::string cert_file;   // the certificate alone
    std::string key_file;    // its private key
    std::string chain_file;  // the certificate then its issuers up to (not including) the root
    int index = -1;          // for issue(..., issuer)
  };

  // Makes the root CA ("hale test CA", valid from a day ago for ten years).
  TestPki();
  ~TestPki();
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  bool ok() const { return ok_; }
  const std::string& ca_file() const { return ca_file_; }
  const std::string& dir() const { return dir_; }

  // Issues `spec`, signed by the root (issuer == nullptr) or by an issued CA certificate.
  Issued issue(const std::string& file_name, const Spec& spec, const Issued* issuer = nullptr);
  // A self-signed certificate (its own CA).
  Issued self_signed(const std::string& file_name, const Spec& spec);

  // A leaf for 127.0.0.1 / localhost (and `extra_dns`) signed by the root, valid until now + `left`.
  Issued leaf(const std::string& file_name, std::chrono::seconds left, std::vector<std::string> extra_dns = {});

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  std::string dir_;
  std::string ca_file_;
  bool ok_ = false;
};

}  // namespace hale::testing
