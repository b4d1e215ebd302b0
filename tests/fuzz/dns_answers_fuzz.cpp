// DNS answers (SPEC §1 dns checks): the response bytes a DNS server sends, as c-ares hands them
// to the probe, read by dns::parse_answers (c-ares's reply parsers, and hale's own CNAME reader)
// and judged by dns::judge_answers. The first byte picks the record type asked for; the rest is
// the response. The server is not trusted: any bytes. Every answer read must match itself as an
// `expect` entry (what `hale probe` prints can be pasted into the config).
#include <ares.h>

#include <array>
#include <chrono>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "hale/net/dns_answers.h"
#include "hale/probe/dns_wire.h"

namespace {

using hale::dns::RecordType;

const std::array<RecordType, 7> kTypes = {RecordType::kA,   RecordType::kAAAA, RecordType::kCNAME, RecordType::kMX,
                                          RecordType::kTXT, RecordType::kNS,   RecordType::kSRV};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const RecordType type = kTypes[data[0] % kTypes.size()];
  std::vector<std::string> answers;
  const int status = hale::dns::parse_answers(type, data + 1, static_cast<int>(size - 1), answers);
  if (status != ARES_SUCCESS && status != ARES_ENODATA) return 0;
  for (const std::string& a : answers) {
    if (!hale::dns::answer_matches(type, a, a)) hale::fuzz::fail();
  }
  const hale::ProbeResult r = hale::dns::judge_answers(type, answers, answers, std::chrono::milliseconds(2));
  if (r.reason.empty()) hale::fuzz::fail();
  (void)hale::dns::summarize_answers(answers);
  return 0;
}
