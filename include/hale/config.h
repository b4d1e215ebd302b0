// Config: hale.toml as validated structs (SPEC §1). The loader (src/hale/config/) turns TOML
// into these or into a list of errors, each `FILE:LINE:COL: message`.
// Values only: copying a Config is cheap enough for a reload.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hale/backoff.h"
#include "hale/calendar.h"
#include "hale/check_spec.h"
#include "hale/source_pos.h"
#include "hale/clock.h"
#include "hale/health.h"
#include "hale/status.h"
#include "hale/words.h"

namespace hale {


struct ConfigError {
  std::string file;
  int line = 0;
  int column = 0;
  std::string message;
  // "FILE:LINE:COL: message" (line/column omitted when unknown, e.g. a file that cannot be read).
  std::string to_string() const;
};

// ---- Services (SPEC §4) ----

// Which endings of a service's process are followed by a restart.
enum class RestartMode { kAlways, kOnFailure, kNever };
inline constexpr std::array<Word<RestartMode>, 3> kRestartModeWords{{
    {"always", RestartMode::kAlways},
    {"on-failure", RestartMode::kOnFailure},
    {"never", RestartMode::kNever},
}};

// Delay before an automatic restart (SPEC §4 `backoff`): 1s doubling to 5m by default, plus up
// to 10 % of the delay.
struct ServiceBackoff : Backoff {
  ServiceBackoff() : Backoff{std::chrono::seconds(1), std::chrono::minutes(5), 2.0, Jitter::share(0.10)} {}
};

struct RestartBudget {
  int max = 5;                                // automatic restarts at most ...
  Duration window = std::chrono::minutes(10);  // ... within this sliding window
  bool operator==(const RestartBudget&) const = default;
};

// When a started service counts as up: at once, on sd_notify READY=1, or when its readiness
// check is ok.
enum class ReadyMode { kStarted, kNotify, kCheck };
inline constexpr std::array<Word<ReadyMode>, 3> kReadyModeWords{{
    {"started", ReadyMode::kStarted},
    {"notify", ReadyMode::kNotify},
    {"check", ReadyMode::kCheck},
}};

// docker compose's depends_on conditions.
enum class DependencyCondition { kStarted, kHealthy, kCompleted };
inline constexpr std::array<Word<DependencyCondition>, 3> kDependencyConditionWords{{
    {"started", DependencyCondition::kStarted},
    {"healthy", DependencyCondition::kHealthy},
    {"completed", DependencyCondition::kCompleted},
}};

struct ServiceDependency {
  std::string name;  // a service, or (condition kHealthy only) a check
  DependencyCondition condition = DependencyCondition::kStarted;
  bool operator==(const ServiceDependency&) const = default;
};

// SPEC §7 `on_require_fail`: what a service does while a subject it `require`s is fail.
enum class RequireFail {
  kStop,     // fail closed: stopped, started again once every requirement is usable
  kUnready,  // kept running, but not ready (out of /readyz, its guard closed)
  kIgnore,   // fail open, chosen out loud
};
inline constexpr std::array<Word<RequireFail>, 3> kRequireFailWords{{
    {"stop", RequireFail::kStop},
    {"unready", RequireFail::kUnready},
    {"ignore", RequireFail::kIgnore},
}};
std::string_view to_string(RequireFail m);

struct ServiceSpec {
  std::string name;
  SourcePos pos;  // where [services.NAME] starts

  std::vector<std::string> command;  // argv, never a shell; [0] searched in PATH when it has no '/'
  std::vector<std::pair<std::string, std::string>> env;  // added to hale's environment; values may be secrets
  std::string cwd;   // empty: hale's working directory
  std::string user;  // empty: hale's user; otherwise hale must run as root
  RestartMode restart = RestartMode::kOnFailure;
  ServiceBackoff backoff;
  RestartBudget restart_budget;
  Duration stability_period = std::chrono::seconds(60);
  std::string liveness;   // a check name; empty = none
  std::string readiness;  // a check name; empty = none
  ReadyMode ready = ReadyMode::kStarted;  // default kCheck when `readiness` is set
  std::optional<Duration> watchdog;       // ready = notify only
  std::vector<std::string> pre_start;     // argv run before every (re)start; empty = none
  int stop_signal = 15;                   // SIGTERM
  Duration stop_timeout = std::chrono::seconds(10);
  std::vector<ServiceDependency> depends_on;  // sorted by name
  std::size_t log_max_bytes = 10 * 1024 * 1024;  // state_dir/logs/NAME.log rotates past this
  int log_keep = 3;                              // rotated files kept: NAME.log.1 .. .N
  std::vector<std::string> require;  // checks or heartbeats it must not run without, sorted
  RequireFail on_require_fail = RequireFail::kStop;

  bool operator==(const ServiceSpec& o) const;  // everything but pos: decides "changed" on reload
};

std::string_view to_string(RestartMode m);
std::string_view to_string(ReadyMode m);
std::string_view to_string(DependencyCondition c);

// ---- Heartbeats (SPEC §5) ----

// A scheduled job's dead-man's switch: pinged at /ping/NAME, late after its expected time,
// down after `grace`.
struct HeartbeatSpec {
  std::string name;
  SourcePos pos;  // where [heartbeats.NAME] starts

  Calendar schedule;               // `schedule` read in `tz`; empty when `period` is used
  std::optional<Duration> period;  // expected again this long after each ping
  Duration grace = std::chrono::hours(1);
  std::optional<Duration> max_duration;  // /start without an end within it: down (stuck)
  std::optional<Duration> min_duration;  // start -> success faster: down ("finished too fast")
  bool require_output = false;            // a success with no output: down
  std::optional<std::string> fail_if_output_matches;  // PCRE2, searched line by line
  bool critical = true;
  std::vector<std::string> groups;        // default none: a late job degrades /health, not /readyz
  std::optional<std::string> token;       // resolved secret; required on its pings when set
  std::string guard_code;                 // /guard/NAME's 503 code; default_guard_code(name)

  bool operator==(const HeartbeatSpec& o) const;  // everything but pos
};

// ---- Alerts (SPEC §6) ----

// What an alert is about: a check, a supervised service or a heartbeat.
// What an alert is about. kHale: hale itself (its state store, "hale/state_store"), so that a
// problem of hale's own that costs the operator something is alerted like any other.
// kDrill: a scheduled drill's own result ("drill/NAME", SPEC §7).
enum class SubjectKind { kCheck, kService, kHeartbeat, kHale, kDrill };
inline constexpr std::array<Word<SubjectKind>, 5> kSubjectKindWords{{
    {"check", SubjectKind::kCheck},
    {"service", SubjectKind::kService},
    {"heartbeat", SubjectKind::kHeartbeat},
    {"hale", SubjectKind::kHale},
    {"drill", SubjectKind::kDrill},
}};
// The subjects of kind kHale.
inline constexpr const char* kStateStoreSubject = "state_store";
std::string_view to_string(SubjectKind k);
std::optional<SubjectKind> parse_subject_kind(std::string_view s);

enum class NotifierType { kWebhook, kSlack, kDiscord, kAlertmanager, kNtfy, kEmail, kExec };
inline constexpr std::array<Word<NotifierType>, 7> kNotifierTypeWords{{
    {"webhook", NotifierType::kWebhook},
    {"slack", NotifierType::kSlack},
    {"discord", NotifierType::kDiscord},
    {"alertmanager", NotifierType::kAlertmanager},
    {"ntfy", NotifierType::kNtfy},
    {"email", NotifierType::kEmail},
    {"exec", NotifierType::kExec},
}};
std::string_view to_string(NotifierType t);

// How an email notifier protects its SMTP session: STARTTLS required (the default, for
// smtp:// URLs), implicit TLS (smtps:// URLs), or none at all (`tls = "none"`, loopback relays).
enum class SmtpTls { kStartTls, kImplicit, kNone };

// Retries of a delivery the receiver did not accept (network error, timeout, 5xx, 429), SPEC §6
// `retry`: 1s doubling to 5m by default, plus up to 20 % of the delay (always a share).
struct RetryPolicy : Backoff {
  // A delivery still not accepted this long after it was made is marked failed ("gave up");
  // unset: retried until the receiver accepts it (SPEC §6: nothing is lost).
  std::optional<Duration> give_up_after;
  RetryPolicy() : Backoff{std::chrono::seconds(1), std::chrono::minutes(5), 2.0, Jitter::share(0.2)} {}
  bool operator==(const RetryPolicy&) const = default;
};

// [notifiers.NAME]: one receiver of alerts. Values that are secrets (urls, secret, token,
// password, header values) are resolved from env:/file: at load and registered with the log
// redactor; none of them is ever shown (the API shows `type` and the host of the first URL).
struct NotifierSpec {
  std::string name;
  SourcePos pos;
  NotifierType type = NotifierType::kWebhook;
  // webhook, slack, discord, ntfy, email (smtp:// or smtps://): exactly one; alertmanager: one
  // or more (every member of an HA cluster, e.g. "http://am1:9093"; /api/v2/alerts is appended
  // when the URL has no path).
  std::vector<std::string> urls;
  std::optional<std::string> secret;  // webhook: HMAC-SHA256 key of the X-Hale-Signature-256 header
  std::optional<std::string> token;   // ntfy and alertmanager: `Authorization: Bearer`
  std::vector<std::pair<std::string, std::string>> headers;  // webhook: extra request headers
  std::string ca_file;                // extra CA bundle for https/smtps/STARTTLS; empty = system store
  bool tls_verify = true;             // `insecure_skip_verify = true` turns it off
  // email
  std::string from;
  std::vector<std::string> to;
  std::optional<std::string> username;
  std::optional<std::string> password;
  SmtpTls smtp_tls = SmtpTls::kStartTls;
  // exec: argv (never a shell); the alert JSON arrives on stdin, exit 0 means accepted.
  std::vector<std::string> command;
  Duration timeout = std::chrono::seconds(10);  // one delivery attempt
  RetryPolicy retry;
  // SPEC §7: drills' alerts are delivered to it; false: recorded without delivering (unless the
  // drill has `page = true`).
  bool drills = false;

  bool operator==(const NotifierSpec& o) const;  // everything but pos
};

// Flap detection of one rule: more than `max_changes` status changes within `window` is
// flapping, reported once; stable again after a whole `window` without a change.
struct FlapPolicy {
  int max_changes = 5;  // 0 turns flap detection off
  Duration window = std::chrono::minutes(10);
  bool operator==(const FlapPolicy&) const = default;
};

// [[alerts]]: which subjects alert whom, and how often. A subject reaches each notifier
// through the first rule (in file order) that matches it and names that notifier.
struct AlertRuleSpec {
  SourcePos pos;
  std::vector<std::string> match{"*"};  // names or globs (fnmatch) of checks, services, heartbeats
  std::vector<SubjectKind> kinds;       // `kind`; empty = every kind
  std::vector<std::string> notify;      // notifier names, at least one
  std::vector<Health> on{Health::kFail, Health::kDegraded};  // the statuses that alert
  Duration after{};                                  // a status must have lasted this long
  Duration repeat = std::chrono::hours(4);           // re-sent this often while it lasts; 0 = never
  // SPEC §7 digest: what this rule sends a notifier within group_wait of the first goes out as
  // one message (Alertmanager's group_wait); 0 = each on its own, at once.
  Duration group_wait{};
  bool resolved = true;                              // a message when it recovers
  FlapPolicy flapping;
  bool operator==(const AlertRuleSpec& o) const;  // everything but pos
};

// [[silences]]: a maintenance window from the config: matching alerts are muted for `duration`
// from every time `schedule` (cron, read in `tz`) fires.
struct SilenceSpec {
  SourcePos pos;
  std::vector<std::string> match{"*"};
  std::vector<SubjectKind> kinds;  // empty = every kind
  Calendar schedule;               // `schedule` read in `tz`
  Duration duration{};
  std::string comment;
  bool operator==(const SilenceSpec& o) const;  // everything but pos
};

// ---- Drills (SPEC §7) ----

// What a drill forces a subject to. Checks: fail, degraded or ok (each probe's result is
// replaced); heartbeats: fail (down) or ok (up); notifiers: fail (every delivery refused) or ok.
struct DrillForce {
  SubjectKind kind = SubjectKind::kCheck;  // kCheck, kHeartbeat, or kService for a notifier (see `notifier`)
  bool notifier = false;                   // a notifier rather than a check or heartbeat
  std::string name;
  Health result = Health::kFail;
  bool operator==(const DrillForce&) const = default;
};

// One `expect` entry: what the drill checks once the forced state has settled.
//  readyz, livez: an HTTP status (200, 503); "groups.G": /readyz/G's status;
//  "guard.X": /guard/X's status (204, 503); "checks.X": ok|degraded|fail|unknown;
//  "heartbeats.X": a heartbeat state (down, up, ...); "services.X": a service state (stopped,
//  running, ...); alerts: the notifiers a drill alert was delivered (sent or queued) to; routed:
//  the notifiers the rules sent it to, also those that only recorded it (sorted names).
struct DrillExpectation {
  std::string key;     // as written: "readyz", "services.voice-agent", "alerts"
  std::string wanted;  // as text: "503", "stopped", "ops, pager" (alerts: sorted, ", "-joined)
  bool operator==(const DrillExpectation&) const = default;
};

// [drills.NAME]
struct DrillSpec {
  std::string name;
  SourcePos pos;
  std::vector<DrillForce> force;  // sorted by name
  Duration duration = std::chrono::seconds(30);
  std::vector<DrillExpectation> expect;  // sorted by key
  Calendar schedule;  // `schedule` read in `tz`; empty: run only when asked
  bool page = false;  // its alerts reach every notifier, not only those with drills = true
  std::string description;
  bool operator==(const DrillSpec& o) const;  // everything but pos
};

// A custom group declared under [groups.NAME] ("live" and "ready" always exist).
struct GroupSpec {
  std::string name;
  std::string description;
};

// How hale holds everything a service starts, so that nothing outlives it (SPEC §4): a cgroup v2
// per service where hale may create one, else hale as a child subreaper. kAuto picks the first.
enum class ContainmentSetting { kAuto, kCgroup, kSubreaper };
inline constexpr std::array<Word<ContainmentSetting>, 3> kContainmentSettingWords{{
    {"auto", ContainmentSetting::kAuto},
    {"cgroup", ContainmentSetting::kCgroup},
    {"subreaper", ContainmentSetting::kSubreaper},
}};
std::string_view to_string(ContainmentSetting c);

struct ServerConfig {
  std::string listen = "127.0.0.1:8099";
  std::string service = "hale";
  std::optional<std::string> admin_token;  // resolved secret; unset = mutating API disabled
  std::string state_dir = ".hale";
  // HTTP hardening (SPEC §8); every limit answers a 4xx or closes, never crashes.
  int max_connections = 1024;
  std::size_t max_header_bytes = 8 * 1024;   // over it: 431
  std::size_t max_body_bytes = 1024 * 1024;  // over it: 413
  Duration read_timeout = std::chrono::seconds(10);   // a request must arrive within this
  Duration header_timeout = std::chrono::seconds(5);  // and its head within this (slowloris)
  Duration idle_timeout = std::chrono::seconds(60);   // keep-alive connection left idle
  ContainmentSetting containment = ContainmentSetting::kAuto;  // read once, at start
  // Host headers answered besides loopback names when listening on loopback (DNS rebinding);
  // when listening elsewhere and set, the only ones (with loopback names).
  std::vector<std::string> allowed_hosts;
  // Probes running at once, all checks together; the others wait their turn (and the wait shows
  // as scheduler lateness). Bounds memory and sockets when thousands of checks are due together.
  int max_concurrent_probes = 512;
};

// [metrics]: how much /metrics says per check. kCompact (the default) is 5 series per check
// (up, the current status, probes, transitions, the last probe's duration), so that a scrape of
// 10,000 checks stays under 3 MB; kFull adds a series per status, consecutive failures and a
// 12-bucket latency histogram (24 per check).
enum class MetricsDetail { kCompact, kFull };
inline constexpr std::array<Word<MetricsDetail>, 2> kMetricsDetailWords{{
    {"compact", MetricsDetail::kCompact},
    {"full", MetricsDetail::kFull},
}};
struct MetricsConfig {
  MetricsDetail detail = MetricsDetail::kCompact;
  bool operator==(const MetricsConfig&) const = default;
};

// [history] (SPEC §10): what is kept in state_dir/history.db, and for how long. Rollups per
// minute, hour and day of every check, service and heartbeat, and events (transitions,
// restarts, alerts and their delivery attempts, silences, drills, runs) with incidents.
struct HistoryConfig {
  bool enabled = true;
  Duration minutes = std::chrono::hours(48);
  Duration hours = std::chrono::hours(24 * 90);
  Duration days = std::chrono::hours(24 * 730);
  Duration events = std::chrono::hours(24 * 90);  // events and the incidents that ended before
  bool operator==(const HistoryConfig&) const = default;
};

// [status_page] (SPEC §10): the public page at /status and the badges. Only the subjects it
// shows are public (match globs over names, or groups); nothing is, without it.
struct StatusPageConfig {
  std::string title = "Status";
  std::string description;
  std::vector<std::string> match;   // globs over check, service and heartbeat names
  std::vector<std::string> groups;  // or every subject in one of these groups
  // When set, /status, its JSON and the badges are also served alone on this address (and
  // nothing else is); "" for none.
  std::string public_listen;
  bool operator==(const StatusPageConfig&) const = default;
};

// [[announcements]] (SPEC §10): a message on the status page, shown between `from` and
// `until` (either may be unset).
struct AnnouncementSpec {
  std::string message;
  std::string level = "info";  // "info", "maintenance" or "incident"
  std::optional<WallTime> from;
  std::optional<WallTime> until;
  bool operator==(const AnnouncementSpec&) const = default;
};

struct Config {
  std::string path;  // the file it came from
  ServerConfig server;
  MetricsConfig metrics;
  HistoryConfig history;
  std::optional<StatusPageConfig> status_page;  // none: no subject is public
  std::vector<AnnouncementSpec> announcements;  // in file order
  std::vector<CheckSpec> checks;  // sorted by name
  std::vector<GroupSpec> groups;  // custom groups, sorted by name
  std::vector<ServiceSpec> services;  // sorted by name
  std::vector<HeartbeatSpec> heartbeats;  // sorted by name (read once the runtime exists)
  std::vector<NotifierSpec> notifiers;    // sorted by name
  std::vector<AlertRuleSpec> alerts;      // in file order: the first matching rule wins per notifier
  std::vector<SilenceSpec> silences;      // in file order
  std::vector<DrillSpec> drills;          // sorted by name
  // Every secret value resolved from env:/file: (and the admin token), so that the log
  // redactor can take them out of every line.
  std::vector<std::string> secrets;

  const CheckSpec* find_check(std::string_view name) const;
  const ServiceSpec* find_service(std::string_view name) const;
  const NotifierSpec* find_notifier(std::string_view name) const;
  const DrillSpec* find_drill(std::string_view name) const;
};

struct LoadResult {
  std::optional<Config> config;     // set only when errors is empty
  std::vector<ConfigError> errors;  // every error found, in file order
};

// The code of /guard/NAME's 503 answer when the config does not name one (SPEC §7):
// "<name>_not_ready" with '-' and '.' written as '_' ("llama-guard" -> "llama_guard_not_ready").
std::string default_guard_code(std::string_view name);

// Reads and validates a config file. Never throws.
LoadResult load_config_file(const std::string& path);
// The same for text already in memory; `path` is used in error messages.
LoadResult load_config_string(std::string_view text, const std::string& path);

// "250ms", "10s", "5m", "1h", "14d", and combinations like "1m30s". nullopt when invalid.
// Units d h m s ms (and us ns), largest first, each at most once, whole numbers only (the
// grammar of Prometheus durations). No sign: a negative duration is invalid, so is "10".
std::optional<Duration> parse_duration(std::string_view s);
// The exact form in the largest units, composite when needed, parseable again:
// 60s -> "1m", 90s -> "1m30s", 1500ms -> "1s500ms", 250ms -> "250ms", 0 -> "0s".
// A negative duration is written with a leading '-' (for logs; parse_duration rejects it).
std::string format_duration(Duration d);

// Resolves `env:NAME` / `file:PATH` to the secret's value; any other text is returned as is.
// `is_secret` is set when the value came from env: or file:.
struct ResolvedValue {
  std::string value;
  bool is_secret = false;
};
StatusOr<ResolvedValue> resolve_secret(std::string_view text);

// A URL with any password in its userinfo replaced by "***" (for display and logs):
// "http://u:p@h/x" -> "http://u:***@h/x"; a lone userinfo is taken for a token:
// "https://token@h" -> "https://***@h". Text without "://" is returned unchanged.
std::string redact_url(std::string_view url);

}  // namespace hale
