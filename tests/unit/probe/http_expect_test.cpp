// HttpExpect as tables: which responses pass, warn or fail, and the short reason each gets.
#include "hale/probe/http_expect.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace hale {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

HttpCheck http_spec() { return HttpCheck{.url = "http://127.0.0.1:1/"}; }

ProbeResult judge(const HttpCheck& spec, int status, std::string_view body = "",
                  Duration latency = 5ms, bool truncated = false) {
  auto expect = HttpExpect::compile(spec);
  EXPECT_TRUE(expect.is_ok()) << expect.status().message();
  return expect->judge(HttpResponse{status, body, truncated, latency});
}

struct StatusCase {
  std::vector<StatusRange> ranges;
  int status;
  Verdict verdict;
  const char* reason;
};

TEST(HttpExpect, StatusRangesDecideTheVerdict) {
  const std::vector<StatusCase> cases = {
      {{{200, 399}}, 200, Verdict::kPass, "HTTP 200"},
      {{{200, 399}}, 302, Verdict::kPass, "HTTP 302"},
      {{{200, 399}}, 399, Verdict::kPass, "HTTP 399"},
      {{{200, 399}}, 503, Verdict::kFail, "status 503 (expected 200-399)"},
      {{{200, 399}}, 199, Verdict::kFail, "status 199 (expected 200-399)"},
      {{{200, 200}, {204, 204}}, 204, Verdict::kPass, "HTTP 204"},
      {{{200, 200}, {204, 204}}, 201, Verdict::kFail, "status 201 (expected 200, 204)"},
      {{{200, 200}, {500, 599}}, 503, Verdict::kPass, "HTTP 503"},
  };
  for (const auto& c : cases) {
    HttpCheck spec = http_spec();
    spec.expect_status = c.ranges;
    ProbeResult r = judge(spec, c.status);
    EXPECT_EQ(r.verdict, c.verdict) << c.reason;
    EXPECT_EQ(r.reason, c.reason);
    EXPECT_EQ(to_string(r.error), c.verdict == Verdict::kPass ? "" : "status") << c.reason;
  }
}

TEST(HttpExpect, DescribesRanges) {
  EXPECT_EQ(describe_status_ranges({{200, 399}}), "200-399");
  EXPECT_EQ(describe_status_ranges({{200, 200}, {204, 204}, {300, 302}}), "200, 204, 300-302");
}

TEST(HttpExpect, BodyRegexIsSearchedNotAnchored) {
  HttpCheck spec = http_spec();
  spec.expect_body = "\"status\":\\s*\"ok\"";
  EXPECT_EQ(judge(spec, 200, "{\"db\": 1, \"status\": \"ok\"}").verdict, Verdict::kPass);

  ProbeResult miss = judge(spec, 200, "{\"status\": \"down\", \"secret\": \"hunter2\"}");
  EXPECT_EQ(miss.verdict, Verdict::kFail);
  EXPECT_EQ(miss.reason, "body did not match");
  EXPECT_EQ(to_string(miss.error), "body");
  EXPECT_EQ(miss.reason.find("hunter2"), std::string::npos);
}

TEST(HttpExpect, WrongStatusWinsOverBody) {
  HttpCheck spec = http_spec();
  spec.expect_body = "ok";
  ProbeResult r = judge(spec, 500, "not ok");
  EXPECT_EQ(to_string(r.error), "status");
}

TEST(HttpExpect, TruncatedBodyFailsABodyCheck) {
  HttpCheck spec = http_spec();
  spec.expect_body = "ok";
  ProbeResult r = judge(spec, 200, "ok", 5ms, /*truncated=*/true);
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, "body larger than 1 MiB");
  // Without a body check the size does not matter.
  EXPECT_EQ(judge(http_spec(), 200, "", 5ms, true).verdict, Verdict::kPass);
}

TEST(HttpExpect, BadRegexOrJsonIsACompileError) {
  HttpCheck spec = http_spec();
  spec.expect_body = "(unclosed";
  EXPECT_FALSE(HttpExpect::compile(spec).is_ok());
  spec = http_spec();
  spec.expect_json = "{not json";
  auto e = HttpExpect::compile(spec);
  ASSERT_FALSE(e.is_ok());
  EXPECT_EQ(e.status().message(), "expect_json is not valid JSON");
}

struct JsonCase {
  const char* name;
  const char* expected;
  const char* actual;
  std::optional<std::string> mismatch;  // nullopt = subset
};

TEST(HttpExpect, JsonSubsetTable) {
  const std::vector<JsonCase> cases = {
      {"equal scalar", "1", "1", std::nullopt},
      {"int equals float", "1", "1.0", std::nullopt},
      {"different scalar", "\"ok\"", "\"down\"", ""},
      {"null matches null", "null", "null", std::nullopt},
      {"extra keys are fine", R"({"status":"ok"})", R"({"status":"ok","db":true})", std::nullopt},
      {"missing key", R"({"status":"ok"})", R"({"state":"ok"})", "/status"},
      {"wrong value", R"({"status":"ok"})", R"({"status":"down"})", "/status"},
      {"type differs", R"({"n":1})", R"({"n":"1"})", "/n"},
      {"nested object", R"({"db":{"up":true}})", R"({"db":{"up":true,"ms":3}})", std::nullopt},
      {"nested mismatch", R"({"db":{"up":true}})", R"({"db":{"up":false}})", "/db/up"},
      {"object vs array", R"({"a":1})", "[1]", ""},
      {"array same order", "[1,2]", "[1,2]", std::nullopt},
      {"array other order", "[1,2]", "[2,1]", "/0"},
      {"array length differs", "[1]", "[1,2]", ""},
      {"empty array means empty", R"({"errors":[]})", R"({"errors":["x"]})", "/errors"},
      {"array elements are subsets", R"([{"id":1}])", R"([{"id":1,"name":"a"}])", std::nullopt},
      {"array element mismatch", R"({"items":[{"id":1},{"id":2}]})",
       R"({"items":[{"id":1},{"id":3}]})", "/items/1/id"},
      {"escaped pointer", R"({"a/b":{"c~d":1}})", R"({"a/b":{"c~d":2}})", "/a~1b/c~0d"},
      {"empty object matches any object", "{}", R"({"x":1})", std::nullopt},
  };
  for (const auto& c : cases) {
    auto got = json_subset_mismatch(json::parse(c.expected), json::parse(c.actual));
    EXPECT_EQ(got, c.mismatch) << c.name;
  }
}

TEST(HttpExpect, JsonReasons) {
  HttpCheck spec = http_spec();
  spec.expect_json = R"({"status":"ok"})";
  EXPECT_EQ(judge(spec, 200, R"({"status":"ok","v":2})").verdict, Verdict::kPass);

  ProbeResult wrong = judge(spec, 200, R"({"status":"down"})");
  EXPECT_EQ(wrong.verdict, Verdict::kFail);
  EXPECT_EQ(wrong.reason, "json did not match at /status");
  EXPECT_EQ(to_string(wrong.error), "json");

  ProbeResult not_json = judge(spec, 200, "<html>ok</html>");
  EXPECT_EQ(not_json.reason, "response is not JSON");
  EXPECT_EQ(to_string(not_json.error), "json");

  spec.expect_json = "[1]";
  EXPECT_EQ(judge(spec, 200, "{}").reason, "json did not match at /");
}

TEST(HttpExpect, SlowPassBecomesWarn) {
  HttpCheck spec = http_spec();
  spec.max_latency = 300ms;
  ProbeResult slow = judge(spec, 200, "", 412ms);
  EXPECT_EQ(slow.verdict, Verdict::kWarn);
  EXPECT_EQ(slow.reason, "slow: 412ms > 300ms");
  EXPECT_EQ(to_string(slow.error), "latency");

  EXPECT_EQ(judge(spec, 200, "", 300ms).verdict, Verdict::kPass);  // at the limit is fine
  // A failure stays a failure, however slow.
  EXPECT_EQ(to_string(judge(spec, 500, "", 900ms).error), "status");
}

TEST(HttpExpect, RegexKeepsItsMeaning) {
  struct Case {
    const char* pattern;
    const char* body;
    bool match;
  };
  const std::vector<Case> cases = {
      {"foo|bar", "xx bar", true},      // top-level alternation stays whole
      {"^ok", "ok then", true},
      {"^ok", "not ok", false},         // ^ still anchors at the start of the body
      {"ok$", "it is ok", true},
      {"ok$", "ok, then", false},
      {"a(?=b)", "cab", true},
      {"a(?!b)", "ab", false},
      {"\\bup\\b", "status: up.", true},
      {"[0-9]{3}", "code 12", false},
      {"(?:ok)+", "okok", true},
  };
  for (const auto& c : cases) {
    HttpCheck spec = http_spec();
    spec.expect_body = c.pattern;
    EXPECT_EQ(judge(spec, 200, c.body).verdict == Verdict::kPass, c.match)
        << c.pattern << " on " << c.body;
  }
}

TEST(HttpExpect, UnbalancedPatternIsRejectedNotWrapped) {
  HttpCheck spec = http_spec();
  spec.expect_body = "a)|(b";  // would compile once wrapped in (?:...): must not
  EXPECT_FALSE(HttpExpect::compile(spec).is_ok());
}

TEST(HttpExpect, BackReferencesAreRefused) {
  HttpCheck spec = http_spec();
  spec.expect_body = "(a)\\1";
  auto e = HttpExpect::compile(spec);
  ASSERT_FALSE(e.is_ok());
  EXPECT_EQ(e.status().message(),
            "expect_body is not a valid regex: a back-reference (\\1), which the probe's linear-time matcher does not "
            "support");
}

TEST(HttpExpect, PathologicalPatternsOnAOneMiBLineNeitherCrashNorHang) {
  // With libstdc++'s backtracking executor each of these overflows the stack or runs for
  // hours on a 1 MiB one-line body; the probe's search is one linear pass instead.
  std::string body(kMaxHttpBody, 'x');
  for (const char* pattern : {"x.*y", "x+y", "(x+x+)+y", "(x|y)*z", "[\\s\\S]*q"}) {
    HttpCheck spec = http_spec();
    spec.expect_body = pattern;
    EXPECT_EQ(judge(spec, 200, body).reason, "body did not match") << pattern;
  }
  HttpCheck spec = http_spec();
  spec.expect_body = "x.*\"status\":\"ok\"";
  EXPECT_EQ(judge(spec, 200, body + "\"status\":\"ok\"").verdict, Verdict::kPass);
}

}  // namespace
}  // namespace hale
