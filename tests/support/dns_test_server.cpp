#include "support/dns_test_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

namespace hale::testing {

namespace {

std::string lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

void put16(std::vector<unsigned char>& out, unsigned v) {
  out.push_back(static_cast<unsigned char>(v >> 8));
  out.push_back(static_cast<unsigned char>(v & 0xff));
}

void put_name(std::vector<unsigned char>& out, const std::string& name) {
  std::size_t start = 0;
  while (start < name.size()) {
    std::size_t dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    out.push_back(static_cast<unsigned char>(dot - start));
    out.insert(out.end(), name.begin() + static_cast<long>(start), name.begin() + static_cast<long>(dot));
    start = dot + 1;
  }
  out.push_back(0);
}

// One resource record: NAME (as a name, or a pointer to the question's name) TYPE IN TTL RDATA.
void put_record(std::vector<unsigned char>& out, const std::string& owner, bool owner_is_question,
                const DnsTestServer::Record& r) {
  if (owner_is_question) {
    put16(out, 0xC00C);
  } else {
    put_name(out, owner);
  }
  put16(out, static_cast<unsigned>(r.type));
  put16(out, 1);
  put16(out, 0);
  put16(out, 60);  // TTL 60
  std::vector<unsigned char> rdata;
  switch (r.type) {
    case 1: {
      in_addr a{};
      inet_pton(AF_INET, r.value.c_str(), &a);
      auto* b = reinterpret_cast<unsigned char*>(&a);
      rdata.assign(b, b + 4);
      break;
    }
    case 28: {
      in6_addr a{};
      inet_pton(AF_INET6, r.value.c_str(), &a);
      auto* b = reinterpret_cast<unsigned char*>(&a);
      rdata.assign(b, b + 16);
      break;
    }
    case 5: put_name(rdata, r.value); break;
    case 15: {
      const auto space = r.value.find(' ');
      put16(rdata, static_cast<unsigned>(std::stoi(r.value.substr(0, space))));
      put_name(rdata, r.value.substr(space + 1));
      break;
    }
    case 16: {
      // Strings of up to 255 bytes each.
      for (std::size_t i = 0; i < r.value.size() || i == 0; i += 255) {
        const std::string chunk = r.value.substr(i, 255);
        rdata.push_back(static_cast<unsigned char>(chunk.size()));
        rdata.insert(rdata.end(), chunk.begin(), chunk.end());
        if (r.value.empty()) break;
      }
      break;
    }
    default: break;
  }
  put16(out, static_cast<unsigned>(rdata.size()));
  out.insert(out.end(), rdata.begin(), rdata.end());
}

}  // namespace

DnsTestServer::DnsTestServer() {
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error("DnsTestServer: socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) throw std::runtime_error("DnsTestServer: bind");
  socklen_t len = sizeof addr;
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { serve(); });
}

DnsTestServer::~DnsTestServer() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  ::close(fd_);
}

void DnsTestServer::add(const std::string& name, int type, const std::string& value) {
  std::lock_guard lock(mu_);
  zone_.emplace(lower(name), Record{type, value});
}

void DnsTestServer::set_servfail(const std::string& name) {
  std::lock_guard lock(mu_);
  servfail_.push_back(lower(name));
}

void DnsTestServer::set_silent(const std::string& name) {
  std::lock_guard lock(mu_);
  silent_.push_back(lower(name));
}

void DnsTestServer::serve() {
  unsigned char buf[1500];
  while (!stop_) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;  // wakes up every 50 ms to see stop_
    sockaddr_in from{};
    socklen_t len = sizeof from;
    const ssize_t n = ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n <= 0) continue;
    ++queries_;
    auto reply = answer(buf, static_cast<std::size_t>(n));
    if (!reply.empty()) {
      ::sendto(fd_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
    }
  }
}

std::vector<unsigned char> DnsTestServer::answer(const unsigned char* q, std::size_t len) {
  if (len < 12) return {};
  // The question: labels (queries are never compressed), QTYPE, QCLASS.
  std::size_t p = 12;
  std::string name;
  while (p < len && q[p] != 0) {
    const std::size_t l = q[p];
    if (l > 63 || p + 1 + l > len) return {};
    if (!name.empty()) name += '.';
    name.append(reinterpret_cast<const char*>(q + p + 1), l);
    p += 1 + l;
  }
  if (p + 5 > len) return {};
  const int qtype = (q[p + 1] << 8) | q[p + 2];
  const std::size_t question_end = p + 5;
  name = lower(name);

  std::lock_guard lock(mu_);
  if (std::find(silent_.begin(), silent_.end(), name) != silent_.end()) return {};
  int rcode = 0;
  std::vector<std::pair<std::string, Record>> answers;  // owner, record
  if (std::find(servfail_.begin(), servfail_.end(), name) != servfail_.end()) {
    rcode = 2;
  } else if (zone_.count(name) == 0) {
    rcode = 3;  // NXDOMAIN
  } else {
    std::string owner = name;
    for (int hops = 0; hops < 2; ++hops) {
      auto [lo, hi] = zone_.equal_range(owner);
      std::string cname;
      for (auto it = lo; it != hi; ++it) {
        if (it->second.type == qtype) answers.emplace_back(owner, it->second);
        if (it->second.type == 5) cname = it->second.value;
      }
      if (!answers.empty() || qtype == 5 || cname.empty()) break;
      // Follow one CNAME: the alias, then the target's records.
      answers.emplace_back(owner, Record{5, cname});
      owner = lower(cname);
      auto [tlo, thi] = zone_.equal_range(owner);
      for (auto it = tlo; it != thi; ++it) {
        if (it->second.type == qtype) answers.emplace_back(owner, it->second);
      }
      break;
    }
  }

  std::vector<unsigned char> out;
  out.push_back(q[0]);
  out.push_back(q[1]);
  out.push_back(static_cast<unsigned char>(0x84 | (q[2] & 0x01)));  // QR, AA, RD copied
  out.push_back(static_cast<unsigned char>(0x80 | rcode));           // RA, RCODE
  put16(out, 1);
  put16(out, static_cast<unsigned>(answers.size()));
  put16(out, 0);
  put16(out, 0);
  out.insert(out.end(), q + 12, q + question_end);
  for (const auto& [owner, r] : answers) put_record(out, owner, owner == name, r);
  return out;
}

}  // namespace hale::testing
