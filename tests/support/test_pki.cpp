// Test certificates with OpenSSL's C API (see test_pki.h). P-256 keys: fast to generate.
#include "support/test_pki.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace hale::testing {

namespace {

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* x) const { X509_free(x); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

bool add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

bool write_pem(const std::string& path, const std::vector<X509*>& certs) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  bool ok = true;
  for (X509* c : certs) ok = ok && PEM_write_X509(f, c) == 1;
  return std::fclose(f) == 0 && ok;
}

bool write_key(const std::string& path, EVP_PKEY* key) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  const bool ok = PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  return std::fclose(f) == 0 && ok;
}

}  // namespace

struct TestPki::Impl {
  struct Entry {
    Key key;
    Cert cert;
    std::vector<X509*> chain;  // this cert, then its issuers below the root (not owned)
  };
  std::vector<std::unique_ptr<Entry>> entries;  // [0] = root
  long serial = 1;

  // Makes and signs a certificate; issuer == nullptr: self-signed.
  Entry* make(const Spec& spec, Entry* issuer) {
    auto e = std::make_unique<Entry>();
    e->key.reset(EVP_EC_gen("P-256"));
    if (!e->key) return nullptr;
    e->cert.reset(X509_new());
    X509* c = e->cert.get();
    X509_set_version(c, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(c), serial++);
    ASN1_TIME_set(X509_getm_notBefore(c), std::chrono::system_clock::to_time_t(spec.not_before));
    ASN1_TIME_set(X509_getm_notAfter(c), std::chrono::system_clock::to_time_t(spec.not_after));
    X509_set_pubkey(c, e->key.get());
    X509_NAME* name = X509_get_subject_name(c);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(spec.cn.c_str()), -1,
                               -1, 0);
    X509* issuer_cert = issuer ? issuer->cert.get() : c;
    X509_set_issuer_name(c, X509_get_subject_name(issuer_cert));
    bool ok = true;
    if (spec.is_ca) {
      ok = ok && add_ext(c, issuer_cert, NID_basic_constraints, "critical,CA:TRUE");
      ok = ok && add_ext(c, issuer_cert, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
      ok = ok && add_ext(c, issuer_cert, NID_basic_constraints, "CA:FALSE");
      ok = ok && add_ext(c, issuer_cert, NID_ext_key_usage, "serverAuth");
    }
    ok = ok && add_ext(c, issuer_cert, NID_subject_key_identifier, "hash");
    std::string san;
    for (const auto& d : spec.dns_names) san += (san.empty() ? "" : ",") + std::string("DNS:") + d;
    for (const auto& ip : spec.ip_addresses) san += (san.empty() ? "" : ",") + std::string("IP:") + ip;
    if (!san.empty()) ok = ok && add_ext(c, issuer_cert, NID_subject_alt_name, san);
    EVP_PKEY* signer = issuer ? issuer->key.get() : e->key.get();
    ok = ok && X509_sign(c, signer, EVP_sha256()) > 0;
    if (!ok) return nullptr;
    e->chain.push_back(c);
    if (issuer != nullptr && issuer != entries.front().get()) {
      e->chain.insert(e->chain.end(), issuer->chain.begin(), issuer->chain.end());
    }
    entries.push_back(std::move(e));
    return entries.back().get();
  }
};

TestPki::TestPki() : impl_(std::make_unique<Impl>()) {
  std::string pattern = (std::filesystem::temp_directory_path() / "hale-pki-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return;
  dir_ = pattern;
  const auto now = std::chrono::system_clock::now();
  Spec root{"hale test CA", {}, {}, now - std::chrono::hours(24), now + std::chrono::hours(24 * 3650), true};
  Impl::Entry* e = impl_->make(root, nullptr);
  if (e == nullptr) return;
  ca_file_ = dir_ + "/ca.pem";
  ok_ = write_pem(ca_file_, {e->cert.get()});
}

TestPki::~TestPki() {
  if (dir_.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

namespace {

TestPki::Issued write_issued(const std::string& dir, const std::string& file_name, X509* cert, EVP_PKEY* key,
                             const std::vector<X509*>& chain, int index) {
  TestPki::Issued out;
  out.cert_file = dir + "/" + file_name + ".crt";
  out.key_file = dir + "/" + file_name + ".key";
  out.chain_file = dir + "/" + file_name + ".chain.pem";
  out.index = index;
  if (!write_pem(out.cert_file, {cert}) || !write_key(out.key_file, key) || !write_pem(out.chain_file, chain)) {
    out.index = -1;
  }
  return out;
}

}  // namespace

TestPki::Issued TestPki::issue(const std::string& file_name, const Spec& spec, const Issued* issuer) {
  if (!ok_) return {};
  Impl::Entry* parent = impl_->entries.front().get();
  if (issuer != nullptr) {
    if (issuer->index < 0 || static_cast<std::size_t>(issuer->index) >= impl_->entries.size()) return {};
    parent = impl_->entries[static_cast<std::size_t>(issuer->index)].get();
  }
  Impl::Entry* e = impl_->make(spec, parent);
  if (e == nullptr) return {};
  return write_issued(dir_, file_name, e->cert.get(), e->key.get(), e->chain,
                      static_cast<int>(impl_->entries.size()) - 1);
}

TestPki::Issued TestPki::self_signed(const std::string& file_name, const Spec& spec) {
  if (!ok_) return {};
  Impl::Entry* e = impl_->make(spec, nullptr);
  if (e == nullptr) return {};
  return write_issued(dir_, file_name, e->cert.get(), e->key.get(), e->chain,
                      static_cast<int>(impl_->entries.size()) - 1);
}

TestPki::Issued TestPki::leaf(const std::string& file_name, std::chrono::seconds left,
                              std::vector<std::string> extra_dns) {
  const auto now = std::chrono::system_clock::now();
  Spec s;
  s.cn = file_name + ".test";
  s.dns_names = {"localhost"};
  s.dns_names.insert(s.dns_names.end(), extra_dns.begin(), extra_dns.end());
  s.ip_addresses = {"127.0.0.1"};
  s.not_before = now - std::chrono::hours(24 * 30);
  s.not_after = now + left;
  return issue(file_name, s);
}

}  // namespace hale::testing
