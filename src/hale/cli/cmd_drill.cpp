// `hale drill run NAME` and `hale drill list` (SPEC §7): the running daemon's drills.
//
// run: POST /api/v1/drills/NAME/run, then GET /api/v1/drills/NAME every 250 ms until the run
// with that id has ended, and print its table (EXPECTATION WANTED SEEN RESULT). Exit 0 when
// every expectation held, 1 when one did not (or the daemon could not be asked), 2 for bad
// usage or a drill the daemon does not know. The daemon owns the drill: killing this command
// ends nothing early and leaves nothing forced.
#include <time.h>

#include <chrono>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "hale/cli/commands.h"
#include "hale/cli/daemon_client.h"
#include "hale/cli/text_table.h"
#include "hale/cli/time_text.h"
#include "hale/config.h"

namespace hale::cli {

namespace {

using json = nlohmann::json;

std::string text_of(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int report_refusal(const DaemonClient& c, const HttpAnswer& a, const std::string& name) {
  const std::string msg = api_error_message(a.body);
  const char* at = c.address().c_str();
  switch (a.status) {
    case 401:
      std::fprintf(stderr, "hale: the daemon at %s refused the admin token from %s (401)\n", at, c.config_path().c_str());
      return 1;
    case 403:
      std::fprintf(stderr, "hale: the daemon at %s has no admin_token, so drills cannot be run (403)\n", at);
      return 1;
    case 404:
      std::fprintf(stderr, "hale: no drill named \"%s\" (the daemon at %s does not know it)\n", name.c_str(), at);
      return 2;
    case 409:
      std::fprintf(stderr, "hale: %s\n", msg.c_str());
      return 1;
    default:
      std::fprintf(stderr, "hale: the daemon at %s answered %d%s%s\n", at, a.status, msg.empty() ? "" : ": ", msg.c_str());
      return 1;
  }
}

// The run's table and its last line; true when it passed.
bool print_run(const json& run) {
  TextTable table({"EXPECTATION", "WANTED", "SEEN", "RESULT"});
  const json rows = run.value("expectations", json::array());
  for (const json& r : rows) {
    const bool held = r.value("held", false);
    table.add({text_of(r, "expectation"), text_of(r, "wanted"), text_of(r, "seen"),
               Cell(held ? "ok" : "FAILED", held ? Colour::kGreen : Colour::kRed)});
  }
  if (!rows.empty()) std::fputs(table.render(use_colour()).c_str(), stdout);
  const std::string state = text_of(run, "state");
  const std::string drill = text_of(run, "drill");
  std::string settled = "never settled";
  if (auto s = run.find("settled_after_ms"); s != run.end() && s->is_number()) {
    settled = "settled after " + format_duration(std::chrono::milliseconds(s->get<std::int64_t>()));
  }
  if (state == "aborted") {
    std::printf("drill %s aborted: %s\n", drill.c_str(), text_of(run, "message").c_str());
  } else {
    std::printf("drill %s %s (%s; everything restored)\n", drill.c_str(), state.c_str(), settled.c_str());
  }
  return state == "passed";
}

}  // namespace

int cmd_drill_run(const std::string& config_path, const std::string& name) {
  int exit_code = 0;
  auto client = DaemonClient::from_config(config_path, exit_code);
  if (!client) return exit_code;
  const HttpAnswer started = client->post("/api/v1/drills/" + url_escape(name) + "/run");
  if (started.status == 0) return client->report_unreachable(started);
  if (started.status != 202) return report_refusal(*client, started, name);
  auto body = client->parse_body(started);
  if (!body || !body->contains("run")) return 1;
  const json run = body->at("run");
  const std::string id = text_of(run, "id");
  std::printf("drill %s started; forced until %s\n", name.c_str(), text_of(run, "ends_at").c_str());
  std::fflush(stdout);
  // The daemon ends the drill; this only waits to read the result (a lost answer is retried,
  // until a minute past the drill's end).
  const auto ends_at = parse_iso8601_instant(text_of(run, "ends_at"));
  const WallTime give_up = ends_at.value_or(system_clock().wall_now()) + std::chrono::minutes(1);
  for (;;) {
    const timespec pause{0, 250'000'000};
    ::nanosleep(&pause, nullptr);
    const HttpAnswer a = client->get("/api/v1/drills/" + url_escape(name));
    if (a.status == 0) {
      if (system_clock().wall_now() < give_up) continue;  // busy or restarting: it restores on its own
      std::fprintf(stderr,
                   "hale: the daemon at %s stopped answering during drill %s; nothing of a drill outlives "
                   "the daemon (a restarted hale forces nothing)\n",
                   client->address().c_str(), name.c_str());
      return 1;
    }
    if (a.status != 200) return report_refusal(*client, a, name);
    auto doc = client->parse_body(a);
    if (!doc) return 1;
    const json drill = doc->value("drill", json::object());
    const json last = drill.value("last_run", json());
    if (last.is_object() && text_of(last, "id") == id) return print_run(last) ? 0 : 1;
    const json running = drill.value("running", json());
    if (!running.is_object() || text_of(running, "id") != id) {
      if (!last.is_object() || text_of(last, "id") != id) {
        std::fprintf(stderr, "hale: the daemon no longer knows this run of %s (was it restarted?)\n", name.c_str());
        return 1;
      }
    }
  }
}

int cmd_drill_list(const std::string& config_path) {
  int exit_code = 0;
  auto client = DaemonClient::from_config(config_path, exit_code);
  if (!client) return exit_code;
  const HttpAnswer a = client->get("/api/v1/drills");
  if (a.status == 0) return client->report_unreachable(a);
  if (a.status != 200) return report_refusal(*client, a, "");
  auto doc = client->parse_body(a);
  if (!doc) return 1;
  TextTable table({"DRILL", "FORCES", "DURATION", "SCHEDULE", "LAST RUN"});
  for (const json& d : doc->value("drills", json::array())) {
    std::string forces;
    const json force = d.value("force", json::object());
    for (const auto& [k, v] : force.items()) {
      forces += (forces.empty() ? "" : ", ") + k + "=" + (v.is_string() ? v.get<std::string>() : "");
    }
    std::string last = "never";
    Colour colour = Colour::kDim;
    if (d.value("running", json()).is_object()) {
      last = "running";
      colour = Colour::kYellow;
    } else if (const json l = d.value("last_run", json()); l.is_object()) {
      last = text_of(l, "state") + " " + text_of(l, "started_at");
      colour = text_of(l, "state") == "passed" ? Colour::kGreen : Colour::kRed;
    }
    const json schedule = d.value("schedule", json());
    table.add({text_of(d, "name"), forces, text_of(d, "duration"), schedule.is_string() ? schedule.get<std::string>() : "-",
               Cell(last, colour)});
  }
  std::fputs(table.render(use_colour()).c_str(), stdout);
  return 0;
}

}  // namespace hale::cli
