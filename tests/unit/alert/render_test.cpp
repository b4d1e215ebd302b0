// Rendering alerts into each notifier's wire format (render.h): golden files for every notifier
// type and case, and the properties a golden file cannot show (valid JSON, limits, escaping,
// signatures, no secret out of place, Alertmanager labels stable across a resolution).
//
// Golden files: tests/unit/alert/golden/<type>_<case>.txt (email: .eml, exact bytes with CRLF;
// golden/.gitattributes keeps git from touching line ends). HTTP requests are shown as
// "POST <url>", the headers, a blank line and the exact body. After an intended change of a
// format, regenerate them and review the diff:
//   HALE_UPDATE_GOLDEN=1 build/hale_unit_tests --gtest_filter='RenderGolden*'
//   git diff tests/unit/alert/golden/
// With HALE_UPDATE_GOLDEN set the golden tests write what differs from its file and FAIL for each
// file written, so a run that rewrote a golden file is never green: rerun without it after reading
// the diff. .ci/run refuses to run with HALE_UPDATE_GOLDEN set and fails if any test changed a
// tracked file, so CI can never bless a changed format by itself (issue 19).
#include "hale/alert/render.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/render_cases.h"

namespace hale {
namespace {

using hale::testing::firing_critical;
using hale::testing::kContext;
using hale::testing::kDeliveryId;
using hale::testing::notifier;
using hale::testing::render_cases;
using hale::testing::show;
using hale::testing::wall;
using ojson = nlohmann::ordered_json;

const std::string kGoldenDir = HALE_SOURCE_DIR "/tests/unit/alert/golden/";

void check_golden(const std::string& file, const std::string& actual) {
  const std::string path = kGoldenDir + file;
  std::ifstream in(path, std::ios::binary);
  std::stringstream expected;
  if (in) expected << in.rdbuf();
  if (in && actual == expected.str()) return;
  if (std::getenv("HALE_UPDATE_GOLDEN") != nullptr) {
    std::ofstream out(path, std::ios::binary);
    out << actual;
    ASSERT_TRUE(out.good()) << "cannot write " << path;
    ADD_FAILURE() << "rewrote " << path << ": review `git diff`, then run again without HALE_UPDATE_GOLDEN";
    return;
  }
  ASSERT_TRUE(in) << path << " is missing: HALE_UPDATE_GOLDEN=1 writes it";
  EXPECT_EQ(actual, expected.str()) << "differs from " << path
                                    << " (HALE_UPDATE_GOLDEN=1 rewrites it; review the diff)";
}

std::string header(const HttpDeliveryRequest& r, std::string_view name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

bool has_header(const HttpDeliveryRequest& r, std::string_view name) {
  return std::any_of(r.headers.begin(), r.headers.end(), [&](const auto& h) { return h.first == name; });
}

constexpr NotifierType kHttpTypes[] = {NotifierType::kWebhook, NotifierType::kSlack, NotifierType::kDiscord,
                                       NotifierType::kAlertmanager, NotifierType::kNtfy};

// ---- golden files ----

TEST(RenderGolden, EveryHttpTypeAndCase) {
  for (NotifierType type : kHttpTypes) {
    for (const auto& c : render_cases()) {
      const std::string file = std::string(to_string(type)) + "_" + c.name + ".txt";
      SCOPED_TRACE(file);
      check_golden(file, show(render_http(notifier(type), c.delivery, kContext)));
    }
  }
}

TEST(RenderGolden, SignedWebhook) {
  NotifierSpec n = notifier(NotifierType::kWebhook);
  n.secret = "s3cr3t-key";
  check_golden("webhook_signed.txt", show(render_http(n, firing_critical(), kContext)));
}

TEST(RenderGolden, Email) {
  for (const auto& c : render_cases()) {
    const std::string file = "email_" + c.name + ".eml";
    SCOPED_TRACE(file);
    check_golden(file, render_email(notifier(NotifierType::kEmail), c.delivery, kContext).text);
  }
}

TEST(RenderGolden, ExecStdin) {
  const auto cases = render_cases();
  for (const auto& c : cases) {
    if (c.name != "firing_critical" && c.name != "crlf_quotes") continue;
    check_golden("exec_" + c.name + ".txt", exec_stdin(c.delivery, kContext));
  }
}

// ---- every format ----

TEST(RenderHttp, EveryJsonBodyParsesBack) {
  for (NotifierType type : kHttpTypes) {
    for (const auto& c : render_cases()) {
      SCOPED_TRACE(std::string(to_string(type)) + " " + c.name);
      for (const auto& r : render_http(notifier(type), c.delivery, kContext)) {
        EXPECT_EQ(header(r, "Content-Type"), "application/json");
        const auto j = nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
        EXPECT_FALSE(j.is_discarded()) << r.body;
        EXPECT_TRUE(j.is_object() || j.is_array());
      }
    }
  }
}

TEST(RenderHttp, OneRequestPerTypeAndOnePerAlertmanagerMember) {
  const Delivery d = firing_critical();
  EXPECT_EQ(render_http(notifier(NotifierType::kWebhook), d, kContext).size(), 1u);
  EXPECT_EQ(render_http(notifier(NotifierType::kSlack), d, kContext).size(), 1u);
  EXPECT_EQ(render_http(notifier(NotifierType::kDiscord), d, kContext).size(), 1u);
  EXPECT_EQ(render_http(notifier(NotifierType::kNtfy), d, kContext).size(), 1u);
  EXPECT_EQ(render_http(notifier(NotifierType::kAlertmanager), d, kContext).size(), 2u);
  EXPECT_TRUE(render_http(notifier(NotifierType::kEmail), d, kContext).empty());
  EXPECT_TRUE(render_http(notifier(NotifierType::kExec), d, kContext).empty());
}

TEST(RenderHttp, NoSecretOutsideWhereItBelongs) {
  const std::vector<std::string> secrets = {"s3cr3t-key",   "am-token-secret",      "tk_ntfysecret",
                                            "SLACKSECRET", "DISCORDSECRET",        "smtp-password-secret"};
  for (NotifierType type : kHttpTypes) {
    NotifierSpec n = notifier(type);
    if (type == NotifierType::kWebhook) n.secret = "s3cr3t-key";
    for (const auto& c : render_cases()) {
      for (const auto& r : render_http(n, c.delivery, kContext)) {
        for (const auto& s : secrets) {
          EXPECT_EQ(r.body.find(s), std::string::npos) << s << " in the body of " << to_string(type);
          for (const auto& [name, value] : r.headers) {
            if (name == "Authorization") continue;  // the token's place
            EXPECT_EQ(value.find(s), std::string::npos) << s << " in " << name;
          }
        }
        if (n.token) {
          EXPECT_EQ(header(r, "Authorization"), "Bearer " + *n.token);
        } else {
          EXPECT_FALSE(has_header(r, "Authorization"));
        }
      }
    }
  }
  for (const auto& c : render_cases()) {
    const std::string text = render_email(notifier(NotifierType::kEmail), c.delivery, kContext).text;
    for (const auto& s : secrets) EXPECT_EQ(text.find(s), std::string::npos) << s;
  }
}

TEST(RenderHttp, InvalidUtf8BecomesReplacementCharacters) {
  Delivery d = firing_critical();
  d.alert.message = "bad \xC3\x28 \xED\xA0\x80 \xF8\x88\x80\x80\x80 end";  // truncated, surrogate, 5-byte
  d.alert.subject = "db\xFF";
  for (NotifierType type : kHttpTypes) {
    for (const auto& r : render_http(notifier(type), d, kContext)) {
      const auto j = nlohmann::json::parse(r.body, nullptr, false);
      ASSERT_FALSE(j.is_discarded()) << to_string(type);
      EXPECT_NE(r.body.find("\xEF\xBF\xBD"), std::string::npos) << to_string(type);
    }
  }
}

// ---- webhook ----

TEST(RenderWebhook, FieldsInTheSpecsOrder) {
  const auto j = ojson::parse(webhook_json(firing_critical(), kContext));
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.push_back(k);
  const std::vector<std::string> expected = {"id",       "key",     "kind",    "subject",  "status",
                                             "previous", "resolved", "flapping", "critical", "since",
                                             "message",  "service", "host",    "silenced", "severity",
                                             "state",    "at",      "sequence"};
  EXPECT_EQ(keys, expected);
  EXPECT_EQ(j["id"], kDeliveryId);
  EXPECT_EQ(j["key"], "check/db/fail");
  EXPECT_EQ(j["status"], "fail");
  EXPECT_EQ(j["previous"], "ok");
  EXPECT_EQ(j["since"], "2026-04-18T17:58:02Z");
  EXPECT_EQ(j["at"], "2026-04-18T18:00:02Z");
  EXPECT_EQ(j["severity"], "critical");
  EXPECT_EQ(j["host"], "host-1");
  EXPECT_EQ(j["service"], "hale");
  EXPECT_EQ(j["sequence"], 0);
}

TEST(RenderWebhook, ResolutionHasTheStatusRecoveredTo) {
  const auto cases = render_cases();
  const auto it = std::find_if(cases.begin(), cases.end(), [](const auto& c) { return c.name == "resolution"; });
  ASSERT_NE(it, cases.end());
  const auto j = nlohmann::json::parse(webhook_json(it->delivery, kContext));
  EXPECT_EQ(j["resolved"], true);
  EXPECT_EQ(j["status"], "ok");
  EXPECT_EQ(j["previous"], "fail");
  EXPECT_EQ(j["severity"], "critical");  // the severity of what it resolves
}

TEST(RenderWebhook, ExecStdinIsTheWebhookObjectAndANewline) {
  const Delivery d = firing_critical();
  EXPECT_EQ(exec_stdin(d, kContext), webhook_json(d, kContext) + "\n");
}

TEST(RenderWebhook, SignatureIsHmacSha256OfTheExactBody) {
  // RFC 4231 test case 2.
  EXPECT_EQ(webhook_signature("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  NotifierSpec n = notifier(NotifierType::kWebhook);
  n.secret = "s3cr3t-key";
  const auto r = render_webhook(n, firing_critical(), kContext);
  // Computed independently over the golden body: `printf %s "$body" | openssl dgst -sha256 -hmac s3cr3t-key`.
  EXPECT_EQ(header(r, "X-Hale-Signature-256"),
            "sha256=23415d3be37dec9863af2ba4901a1acb40a52400131f05398c70d346186b6aec");
  EXPECT_EQ(header(r, "X-Hale-Signature-256"), webhook_signature("s3cr3t-key", r.body));
}

TEST(RenderWebhook, HeadersInOrderAndOwnOnesNotReplaced) {
  NotifierSpec n = notifier(NotifierType::kWebhook);
  n.secret = "k";
  n.headers = {{"X-Env", "prod"},
               {"content-type", "text/plain"},          // hale's own: the body is JSON
               {"X-Hale-Signature-256", "forged"},      // hale's own
               {"X-Split", "a\r\nInjected: yes"},       // would split the request
               {"Authorization", "Basic dXNlcjpwYXNz"}};
  const auto r = render_webhook(n, firing_critical(), kContext);
  std::vector<std::string> names;
  for (const auto& [name, value] : r.headers) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"Content-Type", "Idempotency-Key", "X-Hale-Signature-256", "X-Env",
                                             "Authorization"}));
  EXPECT_EQ(header(r, "Idempotency-Key"), kDeliveryId);
  EXPECT_EQ(header(r, "Content-Type"), "application/json");
  EXPECT_NE(header(r, "X-Hale-Signature-256"), "forged");
}

TEST(RenderWebhook, NoSignatureWithoutSecret) {
  const auto r = render_webhook(notifier(NotifierType::kWebhook), firing_critical(), kContext);
  EXPECT_FALSE(has_header(r, "X-Hale-Signature-256"));
  EXPECT_EQ(r.url, "https://hooks.example.com/hale");
}

// ---- slack ----

TEST(RenderSlack, EscapesMarkupAndColoursByPhase) {
  const std::map<std::string, std::string> colours = {
      {"firing_critical", "#D50200"}, {"reminder", "#D50200"},  {"resolution", "#2EB67D"},
      {"stable", "#2EB67D"},          {"flapping", "#F2A900"},  {"non_ascii", "#F2A900"},
      {"crlf_quotes", "#F2A900"},
  };
  for (const auto& c : render_cases()) {
    const auto j = nlohmann::json::parse(render_slack(notifier(NotifierType::kSlack), c.delivery, kContext).body);
    ASSERT_TRUE(j.contains("text"));
    const auto& att = j["attachments"].at(0);
    EXPECT_EQ(att["color"], colours.at(c.name)) << c.name;
    EXPECT_EQ(att["footer"], "hale on host-1");
    EXPECT_TRUE(att["ts"].is_number_integer());
    if (c.name == "crlf_quotes") {
      const std::string body = j.dump();
      EXPECT_EQ(body.find("<!channel>"), std::string::npos);
      EXPECT_NE(body.find("&lt;!channel&gt; &amp;"), std::string::npos);
    }
  }
}

TEST(RenderSlack, TimestampIsTheAlertsTimeInEpochSeconds) {
  const auto j = nlohmann::json::parse(render_slack(notifier(NotifierType::kSlack), firing_critical(), kContext).body);
  EXPECT_EQ(j["attachments"][0]["ts"], 1776535202);  // 2026-04-18T18:00:02Z
}

// ---- discord ----

std::size_t utf16_length(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) n += c >= 0xF0 ? 2 : 1;
  }
  return n;
}

TEST(RenderDiscord, KeepsDiscordsLimitsAtCharacterBoundaries) {
  Delivery d = firing_critical();
  std::string huge;
  for (int i = 0; i < 3000; ++i) huge += "é🚨x";  // 2-, 4- and 1-byte characters
  d.alert.message = huge;
  d.alert.subject = std::string(400, 's');
  const auto r = render_discord(notifier(NotifierType::kDiscord), d, kContext);
  const auto j = nlohmann::json::parse(r.body);  // throws on a character cut in half
  const std::string content = j["content"];
  EXPECT_LE(utf16_length(content), 2000u);
  const auto& e = j["embeds"].at(0);
  const std::string title = e["title"], description = e["description"], footer = e["footer"]["text"];
  EXPECT_LE(utf16_length(title), 256u);
  EXPECT_LE(utf16_length(description), 4096u);
  EXPECT_GT(utf16_length(description), 4000u);  // cut, not dropped
  EXPECT_TRUE(description.ends_with("…"));
  std::size_t total = utf16_length(title) + utf16_length(description) + utf16_length(footer);
  for (const auto& f : e["fields"]) {
    const std::string name = f["name"], value = f["value"];
    EXPECT_FALSE(value.empty());
    EXPECT_LE(utf16_length(name), 256u);
    EXPECT_LE(utf16_length(value), 1024u);
    total += utf16_length(name) + utf16_length(value);
  }
  EXPECT_LE(total, 6000u);
}

TEST(RenderDiscord, MentionsNeverNotify) {
  const auto cases = render_cases();
  for (const auto& c : cases) {
    const auto j = nlohmann::json::parse(render_discord(notifier(NotifierType::kDiscord), c.delivery, kContext).body);
    EXPECT_EQ(j["allowed_mentions"], nlohmann::json({{"parse", nlohmann::json::array()}})) << c.name;
    EXPECT_TRUE(j["embeds"][0]["color"].is_number_integer());
    EXPECT_EQ(j["embeds"][0]["timestamp"], nlohmann::json(format_iso8601(c.delivery.alert.at)));
  }
}

// ---- alertmanager ----

std::map<std::string, std::string> am_labels(const Delivery& d) {
  const auto j = nlohmann::json::parse(render_alertmanager(notifier(NotifierType::kAlertmanager), d, kContext).at(0).body);
  return j.at(0).at("labels").get<std::map<std::string, std::string>>();
}

TEST(RenderAlertmanager, FiringAndResolutionHaveEqualLabels) {
  const auto cases = render_cases();
  std::map<std::string, Delivery> by_name;
  for (const auto& c : cases) by_name.emplace(c.name, c.delivery);
  const auto firing = am_labels(by_name.at("firing_critical"));
  EXPECT_EQ(firing, am_labels(by_name.at("resolution")));
  EXPECT_EQ(firing, am_labels(by_name.at("reminder")));
  EXPECT_EQ(firing.at("alertname"), "HaleCheckFail");
  EXPECT_EQ(firing.at("status"), "fail");
  EXPECT_EQ(firing.at("severity"), "critical");
  EXPECT_EQ(firing.at("instance"), "host-1");
  EXPECT_EQ(firing.at("service"), "hale");
  const auto flapping = am_labels(by_name.at("flapping"));
  EXPECT_EQ(flapping, am_labels(by_name.at("stable")));
  EXPECT_EQ(flapping.at("alertname"), "HaleCheckFlapping");
  EXPECT_EQ(flapping.at("status"), "flapping");
  EXPECT_EQ(am_labels(by_name.at("crlf_quotes")).at("alertname"), "HaleServiceDegraded");
  EXPECT_EQ(am_labels(by_name.at("non_ascii")).at("alertname"), "HaleHeartbeatFail");
}

TEST(RenderAlertmanager, EndsAtFollowsRepeatAndResolution) {
  const auto ends_at = [](const Delivery& d) {
    const auto j = nlohmann::json::parse(render_alertmanager(notifier(NotifierType::kAlertmanager), d, kContext).at(0).body);
    return j.at(0).at("endsAt").get<std::string>();
  };
  Delivery d = firing_critical();  // at 18:00:02, repeat 1h
  EXPECT_EQ(ends_at(d), "2026-04-18T21:00:02Z");
  d.alert.repeat = Duration::zero();
  EXPECT_EQ(ends_at(d), "2026-04-25T18:00:02Z");
  d.alert.repeat = std::chrono::hours(24 * 365 * 200);  // no overflow
  EXPECT_EQ(ends_at(d), "2029-04-17T18:00:02Z");
  d.alert.resolved = true;
  d.alert.status = Health::kOk;
  d.alert.previous = Health::kFail;
  EXPECT_EQ(ends_at(d), "2026-04-18T18:00:02Z");
  const auto j = nlohmann::json::parse(render_alertmanager(notifier(NotifierType::kAlertmanager), d, kContext).at(0).body);
  EXPECT_EQ(j.at(0).at("startsAt"), "2026-04-18T17:58:02Z");
  EXPECT_EQ(j.at(0).at("annotations").at("hale_delivery_id"), kDeliveryId);
  EXPECT_EQ(j.at(0).at("annotations").at("hale_key"), "check/db/fail");
}

TEST(RenderAlertmanager, ARetryHoldsTheFiringAlertFromItsOwnAttempt) {
  const auto ends_at = [](const Delivery& d) {
    const auto j = nlohmann::json::parse(render_alertmanager(notifier(NotifierType::kAlertmanager), d, kContext).at(0).body);
    return j.at(0).at("endsAt").get<std::string>();
  };
  Delivery d = firing_critical();  // at 18:00:02, repeat 1h
  d.last_attempt_at = d.alert.at;
  EXPECT_EQ(ends_at(d), "2026-04-18T21:00:02Z");
  // Alertmanager was down until 23:00, past the first hold: the retry arrives firing.
  d.last_attempt_at = d.alert.at + std::chrono::hours(5);
  EXPECT_EQ(ends_at(d), "2026-04-19T02:00:02Z");
  // A resolution ends when it was made, whenever it arrives.
  d.alert.resolved = true;
  d.alert.status = Health::kOk;
  d.alert.previous = Health::kFail;
  EXPECT_EQ(ends_at(d), "2026-04-18T18:00:02Z");
}

TEST(RenderAlertmanager, EveryMemberGetsTheSameBody) {
  const auto rs = render_alertmanager(notifier(NotifierType::kAlertmanager), firing_critical(), kContext);
  ASSERT_EQ(rs.size(), 2u);
  EXPECT_EQ(rs[0].url, "http://am1:9093/api/v2/alerts");
  EXPECT_EQ(rs[1].url, "https://am2.example:9093/alertmanager/api/v2/alerts");
  EXPECT_EQ(rs[0].body, rs[1].body);
}

TEST(RenderAlertmanager, EndpointAppendsTheApiPathOnlyToABareUrl) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"http://am1:9093", "http://am1:9093/api/v2/alerts"},
      {"http://am1:9093/", "http://am1:9093/api/v2/alerts"},
      {"https://am.example", "https://am.example/api/v2/alerts"},
      {"https://am.example/api/v2/alerts", "https://am.example/api/v2/alerts"},
      {"https://proxy.example/alertmanager", "https://proxy.example/alertmanager"},
      {"not a url", "not a url"},
  };
  for (const auto& [in, out] : cases) EXPECT_EQ(alertmanager_endpoint(in), out) << in;
}

// ---- ntfy ----

TEST(RenderNtfy, SplitsTheTopicUrl) {
  struct Case {
    const char* url;
    const char* base;
    const char* topic;
  };
  const std::vector<Case> cases = {
      {"https://ntfy.example/mytopic", "https://ntfy.example/", "mytopic"},
      {"https://ntfy.example/mytopic/", "https://ntfy.example/", "mytopic"},
      {"https://h.example/ntfy/alerts", "https://h.example/ntfy/", "alerts"},
      {"http://ntfy.lan:8080/t?auth=abc", "http://ntfy.lan:8080/?auth=abc", "t"},
      {"https://user:pw@ntfy.example/t", "https://user:pw@ntfy.example/", "t"},
      {"https://ntfy.example/", "https://ntfy.example/", ""},  // no topic: ntfy refuses it
  };
  for (const auto& c : cases) {
    const NtfyEndpoint e = ntfy_endpoint(c.url);
    EXPECT_EQ(e.base, c.base) << c.url;
    EXPECT_EQ(e.topic, c.topic) << c.url;
  }
}

TEST(RenderNtfy, PriorityAndTagsByPhase) {
  const std::map<std::string, std::pair<int, std::string>> expected = {
      {"firing_critical", {5, "rotating_light"}}, {"reminder", {5, "rotating_light"}},
      {"resolution", {3, "white_check_mark"}},    {"flapping", {4, "repeat"}},
      {"stable", {3, "white_check_mark"}},        {"non_ascii", {4, "warning"}},
      {"crlf_quotes", {4, "warning"}},
  };
  for (const auto& c : render_cases()) {
    const auto r = render_ntfy(notifier(NotifierType::kNtfy), c.delivery, kContext);
    EXPECT_EQ(r.url, "https://ntfy.example/");
    const auto j = nlohmann::json::parse(r.body);
    EXPECT_EQ(j["topic"], "hale-alerts");
    EXPECT_EQ(j["title"], alert_headline(c.delivery.alert));
    EXPECT_EQ(j["priority"], expected.at(c.name).first) << c.name;
    EXPECT_EQ(j["tags"][0], expected.at(c.name).second) << c.name;
    EXPECT_FALSE(j["message"].get<std::string>().empty());
  }
}

TEST(RenderNtfy, LongMessageCutTo4096Bytes) {
  Delivery d = firing_critical();
  d.alert.message.clear();
  for (int i = 0; i < 3000; ++i) d.alert.message += "ü";  // 6000 bytes
  const auto j = nlohmann::json::parse(render_ntfy(notifier(NotifierType::kNtfy), d, kContext).body);
  const std::string message = j["message"];
  EXPECT_LE(message.size(), 4096u);
  EXPECT_GT(message.size(), 4000u);
  EXPECT_NE(message.find("üü…\n"), std::string::npos);  // the reason cut at a character
  EXPECT_TRUE(message.ends_with("\nfail (was ok) since 2026-04-18T17:58:02Z, on host-1 (hale)"));
}

// ---- email ----

std::string base64_decode(std::string_view s) {
  std::string out(3 * s.size() / 4 + 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  out.resize(static_cast<std::size_t>(n));
  std::size_t pad = 0;
  for (auto it = s.rbegin(); it != s.rend() && *it == '='; ++it) ++pad;
  out.resize(out.size() - pad);
  return out;
}

// The headers of an email as (name, unfolded value).
std::vector<std::pair<std::string, std::string>> email_headers(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  const std::string head = text.substr(0, text.find("\r\n\r\n") + 2);
  std::size_t start = 0;
  while (start < head.size()) {
    std::size_t end = head.find("\r\n", start);
    const std::string line = head.substr(start, end - start);
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      out.back().second += line;
    } else {
      const auto colon = line.find(':');
      out.emplace_back(line.substr(0, colon), line.substr(colon + 2));
    }
    start = end + 2;
  }
  return out;
}

std::string decode_subject(const std::string& value) {
  std::string out;
  std::size_t pos = 0;
  while ((pos = value.find("=?UTF-8?B?", pos)) != std::string::npos) {
    const std::size_t end = value.find("?=", pos + 10);
    out += base64_decode(std::string_view(value).substr(pos + 10, end - pos - 10));
    pos = end + 2;
  }
  return out;
}

TEST(RenderEmail, CrlfLineEndsAndNoLongLines) {
  for (const auto& c : render_cases()) {
    const std::string text = render_email(notifier(NotifierType::kEmail), c.delivery, kContext).text;
    SCOPED_TRACE(c.name);
    ASSERT_TRUE(text.ends_with("\r\n"));
    std::size_t start = 0;
    while (start < text.size()) {
      const std::size_t lf = text.find('\n', start);
      ASSERT_NE(lf, std::string::npos);
      ASSERT_GT(lf, start);
      EXPECT_EQ(text[lf - 1], '\r') << "bare LF";
      const std::string_view line(text.data() + start, lf - 1 - start);
      EXPECT_EQ(line.find('\r'), std::string_view::npos) << "bare CR";
      EXPECT_LE(line.size(), 998u);
      start = lf + 1;
    }
  }
}

TEST(RenderEmail, HeadersAsciiAndSubjectEncodedWhenNot) {
  for (const auto& c : render_cases()) {
    SCOPED_TRACE(c.name);
    const std::string text = render_email(notifier(NotifierType::kEmail), c.delivery, kContext).text;
    const std::string head = text.substr(0, text.find("\r\n\r\n"));
    EXPECT_TRUE(std::all_of(head.begin(), head.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x80; }));
    for (const auto& [name, value] : email_headers(text)) {
      if (name != "Subject") continue;
      const std::string headline = alert_headline(c.delivery.alert);
      if (value.find("=?UTF-8?B?") != std::string::npos) {
        EXPECT_EQ(decode_subject(value), headline);
      } else {
        EXPECT_EQ(value, headline);
      }
    }
  }
}

TEST(RenderEmail, HeadersInOrder) {
  const EmailMessage m = render_email(notifier(NotifierType::kEmail), firing_critical(), kContext);
  std::vector<std::string> names;
  std::map<std::string, std::string> values;
  for (const auto& [name, value] : email_headers(m.text)) {
    names.push_back(name);
    values[name] = value;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"From", "To", "Subject", "Date", "Message-ID", "MIME-Version",
                                             "Content-Type", "Content-Transfer-Encoding", "X-Hale-Key"}));
  EXPECT_EQ(values["From"], "hale <hale@example.com>");
  EXPECT_EQ(values["To"], "ops@example.com, On Call <oncall@example.com>");
  EXPECT_EQ(values["Date"], "Sat, 18 Apr 2026 18:00:02 +0000");
  EXPECT_EQ(values["Message-ID"], std::string("<") + kDeliveryId + "@host-1>");
  EXPECT_EQ(values["Content-Type"], "text/plain; charset=utf-8");
  EXPECT_EQ(values["X-Hale-Key"], "check/db/fail");
  EXPECT_EQ(m.from, "hale@example.com");
  EXPECT_EQ(m.to, (std::vector<std::string>{"ops@example.com", "oncall@example.com"}));
}

TEST(RenderEmail, NoHeaderInjectionFromTheData) {
  NotifierSpec n = notifier(NotifierType::kEmail);
  n.from = "hale@example.com\r\nBcc: victim@example.org";
  n.to = {"ops@example.com\nX-Evil: 1"};
  Delivery d = firing_critical();
  d.alert.subject = "db\r\nBcc: another@example.org";
  d.alert.key = "check/db\r\nX-Injected: 1/fail";
  RenderContext ctx{"hale\r\nX-Service: 1", "host-1\r\nX-Host: 1"};
  const EmailMessage m = render_email(n, d, ctx);
  for (const auto& [name, value] : email_headers(m.text)) {
    EXPECT_NE(name, "Bcc");
    EXPECT_EQ(name.find("X-Evil"), std::string::npos);
    EXPECT_EQ(name.find("X-Injected"), std::string::npos);
  }
  const std::string head = m.text.substr(0, m.text.find("\r\n\r\n") + 2);
  EXPECT_EQ(head.find("\r\nBcc:"), std::string::npos);
  EXPECT_EQ(head.find("\r\nX-Host:"), std::string::npos);
  EXPECT_EQ(m.from.find_first_of("\r\n"), std::string::npos);
  EXPECT_EQ(m.to.at(0).find_first_of("\r\n"), std::string::npos);
  const std::string body = m.text.substr(m.text.find("\r\n\r\n") + 4);
  EXPECT_EQ(body.find("\r\nX-Service:"), std::string::npos);
}

TEST(RenderEmail, LongAsciiSubjectIsFolded) {
  Delivery d = firing_critical();
  d.alert.message = "a long reason " + std::string(10, 'x') + " that goes on and on past seventy-eight characters";
  const std::string text = render_email(notifier(NotifierType::kEmail), d, kContext).text;
  const auto subject_at = text.find("Subject:");
  const std::string line = text.substr(subject_at, text.find("\r\n", subject_at) - subject_at);
  EXPECT_LE(line.size(), 78u);
  for (const auto& [name, value] : email_headers(text)) {
    if (name == "Subject") {
      EXPECT_EQ(value, alert_headline(d.alert));
    }
  }
}

// ---- headline ----

TEST(RenderHeadline, OneLinePerCase) {
  const std::map<std::string, std::string> expected = {
      {"firing_critical", "[CRITICAL] check db is fail: connection refused"},
      {"reminder", "[CRITICAL] check db is still fail (reminder 2): connection refused"},
      {"resolution", "[RESOLVED] check db is ok again after 32m10s (was fail since 2026-04-18T17:58:02Z)"},
      {"flapping", "[FLAPPING] check db keeps changing status: 6 status changes in 10m"},
      {"stable", "[STABLE] check db is stable again: ok"},
      {"non_ascii", "[WARNING] heartbeat sauvegarde-café is down: späte Ausführung: 期限切れ 🚨"},
      {"crlf_quotes",
       "[WARNING] service web is degraded: line one  line \"two\" three  four <!channel> & @everyone   \xEF\xBF\xBD end"},
  };
  for (const auto& c : render_cases()) EXPECT_EQ(alert_headline(c.delivery.alert), expected.at(c.name)) << c.name;
}

TEST(RenderHeadline, RecoveryToAnotherProblemSaysSo) {
  Delivery d = firing_critical();
  d.alert.resolved = true;
  d.alert.status = Health::kDegraded;
  d.alert.previous = Health::kFail;
  d.alert.state = "degraded";
  d.alert.at = d.alert.since + std::chrono::minutes(5);
  EXPECT_EQ(alert_headline(d.alert),
            "[RESOLVED] check db is degraded, no longer fail after 5m (since 2026-04-18T17:58:02Z)");
}

TEST(RenderHeadline, NoMessageNoColon) {
  Delivery d = firing_critical();
  d.alert.message.clear();
  d.alert.state.clear();  // falls back to the status's name
  EXPECT_EQ(alert_headline(d.alert), "[CRITICAL] check db is fail");
}

TEST(RenderHeadline, CutAtTheLimitOnACharacterBoundary) {
  Delivery d = firing_critical();
  d.alert.message.clear();
  for (int i = 0; i < 500; ++i) d.alert.message += "日";
  const std::string h = alert_headline(d.alert);
  EXPECT_TRUE(h.ends_with("…"));
  std::size_t chars = 0;
  for (unsigned char c : h) chars += (c & 0xC0) != 0x80;
  EXPECT_EQ(chars, kHeadlineMaxChars);
  EXPECT_FALSE(nlohmann::json::parse(nlohmann::json(h).dump()).is_discarded());
}

TEST(RenderHeadline, ControlCharactersBecomeSpaces) {
  Delivery d = firing_critical();
  d.alert.subject = "d\tb";
  d.alert.message = "a\x1b[31mred\x7f\xC2\x85next\xE2\x80\xA8line";
  const std::string h = alert_headline(d.alert);
  EXPECT_EQ(h, "[CRITICAL] check d b is fail: a [31mred  next line");
}

}  // namespace
}  // namespace hale
