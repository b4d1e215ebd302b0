// The answers of a DNS response as text (dns_wire.h): c-ares's reply parsers, and a CNAME
// reader of its own where c-ares has none.
#include "hale/probe/dns_wire.h"

#include <ares.h>
#include <arpa/inet.h>
#include <netdb.h>

namespace hale::dns {

namespace {

// The CNAME targets in a response's answer section (c-ares has no parser for a CNAME query).
int parse_cname_reply(const unsigned char* buf, int len, std::vector<std::string>& out) {
  if (len < 12) return ARES_EBADRESP;
  const int qdcount = (buf[4] << 8) | buf[5];
  const int ancount = (buf[6] << 8) | buf[7];
  const unsigned char* p = buf + 12;
  const unsigned char* end = buf + len;
  auto skip_name = [&](const unsigned char* at) -> const unsigned char* {
    char* name = nullptr;
    long n = 0;
    if (ares_expand_name(at, buf, len, &name, &n) != ARES_SUCCESS) return nullptr;
    ares_free_string(name);
    return at + n;
  };
  for (int i = 0; i < qdcount; ++i) {
    p = skip_name(p);
    if (p == nullptr || end - p < 4) return ARES_EBADRESP;
    p += 4;
  }
  for (int i = 0; i < ancount; ++i) {
    p = skip_name(p);
    if (p == nullptr || end - p < 10) return ARES_EBADRESP;
    const int type = (p[0] << 8) | p[1];
    const int rdlen = (p[8] << 8) | p[9];
    p += 10;
    if (end - p < rdlen) return ARES_EBADRESP;
    if (type == 5) {
      char* name = nullptr;
      long n = 0;
      if (ares_expand_name(p, buf, len, &name, &n) != ARES_SUCCESS) return ARES_EBADRESP;
      out.emplace_back(name);
      ares_free_string(name);
    }
    p += rdlen;
  }
  return ARES_SUCCESS;
}

}  // namespace

// The answers of record type `t` in a response, as text (dns_answers.h says how each reads).
int parse_answers(RecordType t, const unsigned char* buf, int len, std::vector<std::string>& out) {
  char text[INET6_ADDRSTRLEN];
  switch (t) {
    case RecordType::kA: {
      ares_addrttl addrs[64];
      int n = 64;
      int st = ares_parse_a_reply(buf, len, nullptr, addrs, &n);
      if (st != ARES_SUCCESS) return st;
      for (int i = 0; i < n; ++i) {
        if (inet_ntop(AF_INET, &addrs[i].ipaddr, text, sizeof text)) out.emplace_back(text);
      }
      return ARES_SUCCESS;
    }
    case RecordType::kAAAA: {
      ares_addr6ttl addrs[64];
      int n = 64;
      int st = ares_parse_aaaa_reply(buf, len, nullptr, addrs, &n);
      if (st != ARES_SUCCESS) return st;
      for (int i = 0; i < n; ++i) {
        if (inet_ntop(AF_INET6, &addrs[i].ip6addr, text, sizeof text)) out.emplace_back(text);
      }
      return ARES_SUCCESS;
    }
    case RecordType::kCNAME: return parse_cname_reply(buf, len, out);
    case RecordType::kMX: {
      ares_mx_reply* mx = nullptr;
      int st = ares_parse_mx_reply(buf, len, &mx);
      if (st != ARES_SUCCESS) return st;
      for (auto* m = mx; m; m = m->next) out.push_back(std::to_string(m->priority) + " " + m->host);
      ares_free_data(mx);
      return ARES_SUCCESS;
    }
    case RecordType::kTXT: {
      ares_txt_ext* txt = nullptr;
      int st = ares_parse_txt_reply_ext(buf, len, &txt);
      if (st != ARES_SUCCESS) return st;
      // A record may be several strings: joined without separator (as SPF does).
      for (auto* x = txt; x; x = x->next) {
        std::string chunk(reinterpret_cast<const char*>(x->txt), x->length);
        if (x->record_start || out.empty()) {
          out.push_back(std::move(chunk));
        } else {
          out.back() += chunk;
        }
      }
      ares_free_data(txt);
      return ARES_SUCCESS;
    }
    case RecordType::kNS: {
      hostent* host = nullptr;
      int st = ares_parse_ns_reply(buf, len, &host);
      if (st != ARES_SUCCESS) return st;
      for (char** a = host->h_aliases; a && *a; ++a) out.emplace_back(*a);
      ares_free_hostent(host);
      return ARES_SUCCESS;
    }
    case RecordType::kSRV: {
      ares_srv_reply* srv = nullptr;
      int st = ares_parse_srv_reply(buf, len, &srv);
      if (st != ARES_SUCCESS) return st;
      for (auto* s = srv; s; s = s->next) {
        out.push_back(std::to_string(s->priority) + " " + std::to_string(s->weight) + " " + std::to_string(s->port) +
                      " " + s->host);
      }
      ares_free_data(srv);
      return ARES_SUCCESS;
    }
  }
  return ARES_ENOTIMP;
}

}  // namespace hale::dns
