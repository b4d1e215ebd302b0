// Issue 17: secrets were masked only as whole values. The bare token of an `Authorization =
// "env:..."` header ("Bearer TOKEN"), the `?apikey=` of a check URL and the `?token=` of a
// notifier URL, printed by a job or a plugin, reached /health, the API, the log, the SQLite store
// and the webhook payload. Each path is read here after a job and a plugin printed all three.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "support/file_text.h"
#include "support/alert_helpers.h"
#include "support/free_port.h"
#include "support/hale_process.h"
#include "support/http_client.h"
#include "support/temp_dir.h"
#include "support/test_http_server.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kBareTokens[] = {"tok-ABCDEF123456", "KEYVALUE123", "NOTIFYTOKEN99"};

TEST(SecretsParts, ABareTokenPrintedByAJobOrAPluginIsMaskedOnEveryPath) {
  ::setenv("HALE_PARTS_AUTH", "Bearer tok-ABCDEF123456", 1);
  TempDir state;
  TestHttpServer hook;
  hook.set("/hook", TestResponse::ok());
  const std::string config =
      alert_server_section(state.path().string()) + "\n[checks.api]\ntype = \"http\"\nurl = \"http://127.0.0.1:" +
      std::to_string(closed_loopback_port()) +
      "/h?apikey=KEYVALUE123\"\ninterval = \"200ms\"\nheaders = { Authorization = \"env:HALE_PARTS_AUTH\" }\n"
      "\n[checks.plugin]\ntype = \"exec\"\ninterval = \"200ms\"\n"
      "command = [\"/usr/bin/printf\", \"printed %s %s %s\", \"tok-ABCDEF123456\", \"KEYVALUE123\", \"NOTIFYTOKEN99\"]\n"
      "\n[heartbeats.job]\nperiod = \"1h\"\nfail_if_output_matches = \"LEAK\"\n" +
      webhook_notifier("hook", hook.url("/hook") + "?token=NOTIFYTOKEN99") + alert_rule("*", "hook");
  HaleProcess hale(config);
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_EQ(http_request("POST", hale.url("/ping/job"), {}, "LEAK tok-ABCDEF123456 KEYVALUE123 NOTIFYTOKEN99\n").status,
            200);
  // The job's alert reached the receiver, and the plugin has run.
  ASSERT_TRUE(eventually([&] {
    for (const nlohmann::json& a : received_alerts(hook, "/hook", 200)) {
      if (a.value("key", "") == "heartbeat/job/fail") return true;
    }
    return false;
  }, 15s)) << hale.log();
  ASSERT_TRUE(eventually([&] { return check_status(hale, "plugin") == "ok"; })) << hale.log();
  ASSERT_NE(http_get(hale.url("/health/plugin")).body.find("printed "), std::string::npos);

  std::map<std::string, std::string> paths;
  for (const char* url : {"/health", "/health/plugin", "/health/job", "/health/api", "/api/v1/heartbeats/job",
                          "/api/v1/alerts", "/metrics"}) {
    paths[url] = http_get(hale.url(url)).body;
  }
  paths["the log"] = hale.log();
  std::string bodies;
  for (const RecordedRequest& r : hook.requests()) bodies += r.body;
  paths["the webhook payloads"] = bodies;
  hale.signal(SIGTERM);  // the store is whole on disk once hale has stopped
  ASSERT_TRUE(hale.wait_exit().has_value());
  std::string store;
  for (const auto& e : std::filesystem::directory_iterator(state.path())) {
    if (e.path().filename().string().rfind("hale.db", 0) == 0) store += file_text(e.path());
  }
  ASSERT_FALSE(store.empty());
  paths["the SQLite store"] = store;
  for (const auto& [where, text] : paths) {
    for (const char* token : kBareTokens) {
      EXPECT_EQ(text.find(token), std::string::npos) << token << " in " << where;
    }
  }
  EXPECT_NE(paths["/api/v1/heartbeats/job"].find("LEAK "), std::string::npos) << "the output is still shown, masked";
}

}  // namespace
}  // namespace hale::testing
