// Checks that probe an answer of hale's own that they are part of (a latch), found from the
// config alone.
#include "hale/matrix/self_probe.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hale {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> latches(const std::string& checks) {
  LoadResult r = load_config_string("[server]\nlisten = \"127.0.0.1:8099\"\n" + checks, "hale.toml");
  EXPECT_TRUE(r.errors.empty()) << (r.errors.empty() ? "" : r.errors.front().to_string());
  return r.config ? self_probe_latches(*r.config) : std::vector<std::string>{};
}

std::string http_check(const std::string& name, const std::string& url, const std::string& extra = "") {
  return "[checks." + name + "]\ntype = \"http\"\nurl = \"" + url + "\"\n" + extra;
}

TEST(SelfProbe, ACheckProbingALivezItIsPartOfLatches) {
  EXPECT_THAT(latches(http_check("self", "http://127.0.0.1:8099/livez", "groups = [\"live\"]\n")),
              ElementsAre("check self probes /livez, of which it is part: once it fails, /livez stays 503 and it "
                          "never recovers; probe /livez?exclude=self"));
  EXPECT_THAT(latches(http_check("self", "http://localhost:8099/readyz")), ::testing::SizeIs(1));
  EXPECT_THAT(latches(http_check("self", "http://127.0.0.1:8099/health")), ::testing::SizeIs(1));
}

TEST(SelfProbe, LeftOutOrNotPartOfItIsFine) {
  EXPECT_THAT(latches(http_check("self", "http://127.0.0.1:8099/livez?exclude=self", "groups = [\"live\"]\n")),
              IsEmpty());
  EXPECT_THAT(latches(http_check("self", "http://127.0.0.1:8099/livez")), IsEmpty()) << "not in group live";
  EXPECT_THAT(latches(http_check("self", "http://127.0.0.1:8099/health", "critical = false\n")), IsEmpty());
  EXPECT_THAT(latches(http_check("other", "http://127.0.0.1:9000/readyz")), IsEmpty()) << "another server";
  EXPECT_THAT(latches(http_check("self", "http://127.0.0.1:8099/")), IsEmpty());
}

}  // namespace
}  // namespace hale
