// Certificate expiry arithmetic on fixed times: days left, the warn/fail thresholds at their
// boundaries, the earliest certificate of a chain, and the reason's wording.
#include <gtest/gtest.h>

#include "hale/probe/tls_probe.h"

namespace hale {
namespace {

using namespace std::chrono_literals;
using std::chrono::hours;

constexpr Duration kDay = hours(24);
constexpr Duration kWarn = 14 * kDay;
constexpr Duration kFail = 3 * kDay;

// 2026-11-23T10:00:00Z.
const SysTime kNow = std::chrono::system_clock::from_time_t(1795428000);

CertExpiry cert(std::string cn, Duration left) {
  return {"CN=" + std::move(cn), kNow + std::chrono::duration_cast<std::chrono::system_clock::duration>(left)};
}

ProbeResult judge(Duration left) { return judge_expiry({cert("example.test", left)}, kNow, kWarn, kFail); }

TEST(TlsExpiry, FormatsUtc) {
  EXPECT_EQ(format_utc(kNow), "2026-11-23T10:00:00Z");
  EXPECT_EQ(format_utc(kNow + 9 * kDay), "2026-12-02T10:00:00Z");
}

TEST(TlsExpiry, FormatsTimeLeftInItsLargestWholeUnit) {
  EXPECT_EQ(format_left(9 * kDay), "9d");
  EXPECT_EQ(format_left(9 * kDay + hours(23)), "9d");  // rounded down
  EXPECT_EQ(format_left(kDay), "1d");
  EXPECT_EQ(format_left(kDay - 1s), "23h");
  EXPECT_EQ(format_left(90min), "1h");
  EXPECT_EQ(format_left(59s), "59s");
  EXPECT_EQ(format_left(-2 * kDay), "2d");
}

TEST(TlsExpiry, FarFromExpiryPassesWithTheDate) {
  ProbeResult r = judge(100 * kDay);
  EXPECT_EQ(r.verdict, Verdict::kPass);
  EXPECT_EQ(r.reason, "certificate CN=example.test expires in 100d (2027-03-03T10:00:00Z)");
  EXPECT_EQ(to_string(r.error), "");
}

TEST(TlsExpiry, InsideWarnBeforeWarns) {
  ProbeResult r = judge(9 * kDay);
  EXPECT_EQ(r.verdict, Verdict::kWarn);
  EXPECT_EQ(r.reason, "certificate CN=example.test expires in 9d (2026-12-02T10:00:00Z)");
  EXPECT_EQ(to_string(r.error), "expiry");
}

TEST(TlsExpiry, WarnBoundaryIsStrict) {
  EXPECT_EQ(judge(kWarn).verdict, Verdict::kPass);       // exactly 14d left: not under it
  EXPECT_EQ(judge(kWarn - 1s).verdict, Verdict::kWarn);  // a second less: under it
  EXPECT_EQ(judge(kWarn + 1s).verdict, Verdict::kPass);
}

TEST(TlsExpiry, FailBoundaryIsStrict) {
  EXPECT_EQ(judge(kFail).verdict, Verdict::kWarn);
  ProbeResult r = judge(kFail - 1s);
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, "certificate CN=example.test expires in 2d (2026-11-26T09:59:59Z)");
  EXPECT_EQ(to_string(r.error), "expiry");
}

TEST(TlsExpiry, ExpiryMomentAndAfterAreExpired) {
  ProbeResult at = judge(Duration::zero());
  EXPECT_EQ(at.verdict, Verdict::kFail);
  EXPECT_EQ(at.reason, "certificate CN=example.test expired 0s ago (2026-11-23T10:00:00Z)");
  ProbeResult r = judge(-(2 * kDay + hours(5)));
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, "certificate CN=example.test expired 2d ago (2026-11-21T05:00:00Z)");
  EXPECT_EQ(to_string(r.error), "expiry");
}

TEST(TlsExpiry, UnderADayShowsHours) {
  ProbeResult r = judge(hours(5));
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, "certificate CN=example.test expires in 5h (2026-11-23T15:00:00Z)");
}

TEST(TlsExpiry, EarliestCertificateOfTheChainWins) {
  std::vector<CertExpiry> chain{cert("leaf.test", 90 * kDay), cert("Intermediate CA", 10 * kDay),
                                cert("Other CA", 400 * kDay)};
  ProbeResult r = judge_expiry(chain, kNow, kWarn, kFail);
  EXPECT_EQ(r.verdict, Verdict::kWarn);
  EXPECT_EQ(r.reason, "certificate CN=Intermediate CA expires in 10d (2026-12-03T10:00:00Z)");
}

TEST(TlsExpiry, CustomThresholds) {
  // SPEC §5's token example: warn_before = 60m, fail_before = 5m.
  EXPECT_EQ(judge_expiry({cert("t", 61min)}, kNow, 60min, 5min).verdict, Verdict::kPass);
  EXPECT_EQ(judge_expiry({cert("t", 60min - 1s)}, kNow, 60min, 5min).verdict, Verdict::kWarn);
  EXPECT_EQ(judge_expiry({cert("t", 4min)}, kNow, 60min, 5min).verdict, Verdict::kFail);
  // fail_before = 0: fails only once expired.
  EXPECT_EQ(judge_expiry({cert("t", 1s)}, kNow, 60min, Duration::zero()).verdict, Verdict::kWarn);
}

TEST(TlsExpiry, EmptyChainFails) {
  ProbeResult r = judge_expiry({}, kNow, kWarn, kFail);
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(to_string(r.error), "tls");
}

TEST(TlsExpiry, VerifyReasonIsOpenSsls) {
  EXPECT_EQ(verify_failure_reason(18), "certificate verify failed: self-signed certificate");
  EXPECT_EQ(verify_failure_reason(10), "certificate verify failed: certificate has expired");
}

}  // namespace
}  // namespace hale
