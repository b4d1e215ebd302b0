// The answers of a dns check's response, read from the wire bytes c-ares hands the probe and
// written as text as dns_answers.h says each type reads ("10 mail.example.com" for MX, ...).
// Pure: no channel, no socket; split out of dns_probe.cpp so that the bytes a DNS server sends
// can be fuzzed (tests/fuzz/dns_answers_fuzz.cpp).
#pragma once

#include <string>
#include <vector>

#include "hale/net/dns_answers.h"

namespace hale::dns {

// The answers of type `t` in the response `buf[0, len)`, appended to `out`. Returns ARES_SUCCESS,
// or the c-ares status that says why the response is unusable (ARES_EBADRESP, ARES_ENODATA, ...).
int parse_answers(RecordType t, const unsigned char* buf, int len, std::vector<std::string>& out);

}  // namespace hale::dns
