// DnsTestServer: a tiny authoritative DNS server over UDP on 127.0.0.1 (a free port chosen by
// the kernel), for dns probe tests. It answers A, AAAA, TXT, CNAME and MX from a fixed zone
// the test fills in, NXDOMAIN for names it does not know, NOERROR without answers for a known
// name without records of the asked type, and follows one CNAME for other types (like a real
// server, it puts the CNAME and the target's records in the answer). Two names behave badly on
// purpose: one answers SERVFAIL, one never answers (for timeouts).
// It serves on its own thread until destroyed.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hale::testing {

class DnsTestServer {
 public:
  // Record types by number: 1 A, 5 CNAME, 15 MX, 16 TXT, 28 AAAA.
  struct Record {
    int type;
    std::string value;  // "127.0.0.1", "::1", "some text", "target.test", "10 mail.test"
  };

  DnsTestServer();
  ~DnsTestServer();
  DnsTestServer(const DnsTestServer&) = delete;
  DnsTestServer& operator=(const DnsTestServer&) = delete;

  std::uint16_t port() const { return port_; }
  // "127.0.0.1:PORT", for a check's `server`.
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  // Adds a record to the zone (names without the trailing dot, compared case-insensitively).
  void add(const std::string& name, int type, const std::string& value);
  void set_servfail(const std::string& name);
  void set_silent(const std::string& name);

  // Queries received so far (answered or not).
  int queries() const { return queries_.load(); }

 private:
  void serve();
  std::vector<unsigned char> answer(const unsigned char* q, std::size_t len);

  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> queries_{0};
  mutable std::mutex mu_;
  std::multimap<std::string, Record> zone_;
  std::vector<std::string> servfail_;
  std::vector<std::string> silent_;
  std::thread thread_;
};

}  // namespace hale::testing
