// `hale matrix -c FILE --verify [--only NAME]...`: the degraded-mode matrix checked against the
// running daemon (SPEC §7). For each check and heartbeat (or those named with --only) it asks
// the daemon for a drill that forces it to fail (POST /api/v1/drills, matrix_verify.h says for
// how long and what to expect), waits for the result, and waits for /readyz to be back to what
// it was before the next one. Exit 0 when reality matches the matrix everywhere, 1 where it
// differs (or the daemon could not be asked), 2 for bad usage or an invalid config.
#include <time.h>

#include <cctype>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "hale/cli/commands.h"
#include "hale/cli/daemon_client.h"
#include "hale/cli/text_table.h"
#include "hale/config.h"
#include "hale/matrix/degraded_matrix.h"
#include "hale/matrix/matrix_verify.h"

namespace hale::cli {

namespace {

using json = nlohmann::json;

void pause_ms(long ms) {
  const timespec t{ms / 1000, (ms % 1000) * 1'000'000};
  ::nanosleep(&t, nullptr);
}

json request_of(const DrillSpec& d) {
  json force = json::object();
  for (const DrillForce& f : d.force) {
    force[std::string(f.kind == SubjectKind::kHeartbeat ? "heartbeats." : "checks.") + f.name] = "fail";
  }
  json expect = json::object();
  for (const DrillExpectation& e : d.expect) {
    if (e.key == "routed" || e.key == "alerts") {
      json list = json::array();
      std::size_t at = 0;
      while (at < e.wanted.size()) {
        std::size_t comma = e.wanted.find(", ", at);
        if (comma == std::string::npos) comma = e.wanted.size();
        list.push_back(e.wanted.substr(at, comma - at));
        at = comma + 2;
      }
      expect[e.key] = std::move(list);
    } else if (!e.wanted.empty() && std::isdigit(static_cast<unsigned char>(e.wanted.front()))) {
      expect[e.key] = std::stoi(e.wanted);  // an HTTP status
    } else {
      expect[e.key] = e.wanted;
    }
  }
  return {{"name", d.name}, {"force", force}, {"duration", format_duration(d.duration)}, {"expect", expect}};
}

std::string text_of(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Runs one drill in the daemon and returns its finished run; null after saying why not.
json run_one(const DaemonClient& c, const DrillSpec& d) {
  const HttpAnswer started = c.post_json("/api/v1/drills", request_of(d).dump());
  if (started.status == 0) {
    c.report_unreachable(started);
    return nullptr;
  }
  if (started.status != 202) {
    std::fprintf(stderr, "hale: the daemon at %s refused the drill (%d): %s\n", c.address().c_str(), started.status,
                 api_error_message(started.body).c_str());
    return nullptr;
  }
  auto body = c.parse_body(started);
  if (!body) return nullptr;
  const std::string id = text_of(body->value("run", json::object()), "id");
  const auto give_up = std::chrono::steady_clock::now() + d.duration + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < give_up) {
    pause_ms(250);
    const HttpAnswer a = c.get("/api/v1/drills/" + url_escape(d.name));
    if (a.status != 200) continue;
    auto doc = c.parse_body(a);
    if (!doc) continue;
    const json last = doc->value("drill", json::object()).value("last_run", json());
    if (last.is_object() && text_of(last, "id") == id) return last;
  }
  std::fprintf(stderr, "hale: the drill %s did not end in time\n", d.name.c_str());
  return nullptr;
}

int readyz_status(const DaemonClient& c) { return c.get("/readyz").status; }

// Whether the subject fails for real already: its incident is open, and a drill's alert about it
// is never made (a real incident is not turned into a drill's).
bool fails_already(const DaemonClient& c, const MatrixRow& row) {
  const HttpAnswer a = c.get(row.kind == SubjectKind::kHeartbeat ? "/api/v1/heartbeats/" + url_escape(row.name)
                                                                 : "/health/" + url_escape(row.name));
  const json j = json::parse(a.body, nullptr, false);
  if (!j.is_object()) return false;
  if (row.kind == SubjectKind::kHeartbeat) return text_of(j, "state") == "down";
  return text_of(j, "status") == "fail";
}

}  // namespace

int cmd_matrix_verify(const std::string& config_path, const std::vector<std::string>& only) {
  int exit_code = 0;
  auto client = DaemonClient::from_config(config_path, exit_code);
  if (!client) return exit_code;
  LoadResult r = load_config_file(config_path);
  if (!r.config) return 2;  // from_config printed the errors
  std::vector<MatrixRow> rows = degraded_matrix(*r.config);
  for (const std::string& name : only) {
    const bool known = std::any_of(rows.begin(), rows.end(), [&](const MatrixRow& row) { return row.name == name; });
    if (!known) {
      std::fprintf(stderr, "hale matrix: no check or heartbeat named \"%s\" in %s\n", name.c_str(), config_path.c_str());
      return 2;
    }
  }
  if (!only.empty()) {
    std::erase_if(rows, [&](const MatrixRow& row) { return std::find(only.begin(), only.end(), row.name) == only.end(); });
  }
  const int ready_before = readyz_status(*client);
  if (ready_before == 0) return client->report_unreachable(client->get("/readyz"));
  std::printf("verifying %zu dependencies against the daemon at %s; each is forced to fail for a while\n", rows.size(),
              client->address().c_str());
  int differs = 0;
  for (const MatrixRow& row : rows) {
    VerifyPlan plan = verify_plan(*r.config, row);
    const bool failed_before = fails_already(*client, row);
    if (failed_before) {
      std::erase_if(plan.drill.expect, [](const DrillExpectation& e) { return e.key == "routed"; });
      plan.not_verified.push_back("alerts: " + row.name + " fails already; its real incident was announced");
    }
    std::printf("%s %s (%s) ... ", std::string(to_string(row.kind)).c_str(), row.name.c_str(),
                format_duration(plan.drill.duration).c_str());
    std::fflush(stdout);
    const json run = run_one(*client, plan.drill);
    if (run.is_null()) return 1;
    const bool passed = text_of(run, "state") == "passed";
    std::printf("%s\n", passed ? "as the matrix says" : "DIFFERS");
    if (!passed) {
      ++differs;
      TextTable table({"EXPECTATION", "MATRIX", "SEEN"});
      for (const json& e : run.value("expectations", json::array())) {
        if (e.value("held", false)) continue;
        table.add({text_of(e, "expectation"), text_of(e, "wanted"),
                   Cell(text_of(e, "seen"), Colour::kRed)});
      }
      // The table indented under its subject: every line of it starts with four spaces.
      const std::string rendered = table.render(use_colour());
      std::string indented;
      for (std::size_t at = 0; at < rendered.size();) {
        const std::size_t end = rendered.find('\n', at);
        indented += "    " + rendered.substr(at, end - at + 1);
        at = end == std::string::npos ? rendered.size() : end + 1;
      }
      std::fputs(indented.c_str(), stdout);
    }
    for (const std::string& n : plan.not_verified) std::printf("    not verified: %s\n", n.c_str());
    std::fflush(stdout);
    // The next drill starts from the state this one found: the subject recovered (unless it
    // failed already) and /readyz back to 200 if it was (bounded: a minute).
    for (int i = 0; i < 600; ++i) {
      const bool recovered = failed_before || !fails_already(*client, row);
      if (recovered && (ready_before != 200 || readyz_status(*client) == 200)) break;
      pause_ms(100);
    }
  }
  if (differs == 0) {
    std::printf("the matrix holds: %zu of %zu dependencies verified\n", rows.size(), rows.size());
    return 0;
  }
  std::printf("the matrix differs from the daemon for %d of %zu dependencies\n", differs, rows.size());
  return 1;
}

}  // namespace hale::cli
