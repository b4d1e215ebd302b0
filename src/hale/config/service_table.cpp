// One [services.NAME] table at a time through the key table below, then the rules between its
// keys; last, depends_on over all services together (a cycle needs them all to be seen).
#include "hale/config/service_table.h"
#include "hale/config/backoff_keys.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "hale/config/check_keys.h"
#include "hale/config/check_table.h"
#include "hale/config/dependency_graph.h"
#include "hale/config/levenshtein.h"
#include "hale/config/names.h"
#include "hale/config/toml_reader.h"
#include "hale/config/word_list.h"

namespace hale::config {

namespace {

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

// The signals a service may be stopped with; each also without its "SIG" prefix ("TERM").
constexpr std::array<Word<int>, 7> kSignals{{
    {"SIGTERM", SIGTERM},
    {"SIGINT", SIGINT},
    {"SIGQUIT", SIGQUIT},
    {"SIGHUP", SIGHUP},
    {"SIGUSR1", SIGUSR1},
    {"SIGUSR2", SIGUSR2},
    {"SIGKILL", SIGKILL},
}};

constexpr std::array<std::string_view, 2> kBudgetKeys{"max", "window"};

constexpr std::int64_t kMinLogBytes = 1024;
constexpr std::int64_t kMaxLogKeep = 100;

// An argv array: every element a non-empty string (an empty argument is nearly always a
// template that expanded to nothing). `allow_empty`: `[]` means "none".
std::optional<std::vector<std::string>> read_argv(const toml::node& v, std::string_view key, bool allow_empty,
                                                  Diagnostics& d) {
  const auto* argv = v.as_array();
  if (argv == nullptr) {
    // `command = "./api --port 8080"` would need a shell to split it; SPEC: argv, never a shell.
    d.add(v, backticked(key) + " must be an array of strings (argv, never a shell), not " + std::string(type_name(v)));
    return std::nullopt;
  }
  if (argv->empty() && !allow_empty) {
    d.add(v, backticked(key) + " must not be empty");
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (std::size_t i = 0; i < argv->size(); ++i) {
    const std::string element = std::string(key) + "[" + std::to_string(i) + "]";
    auto arg = read_nonempty_string(*argv->get(i), element, d);
    if (!arg) {
      ok = false;
      continue;
    }
    out.push_back(std::move(*arg));
  }
  if (!ok) return std::nullopt;
  return out;
}

// Whether `name` is a user of this host; nullopt when it is, else why not.
std::optional<std::string> user_problem(const std::string& name) {
  long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buf(size > 0 ? static_cast<std::size_t>(size) : 16384);
  struct passwd pw {};
  struct passwd* found = nullptr;
  int rc = 0;
  while ((rc = ::getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found)) == ERANGE &&
         buf.size() < (1u << 20)) {
    buf.resize(buf.size() * 2);
  }
  if (found != nullptr) return std::nullopt;
  // Not found is rc 0; glibc documents ENOENT, ESRCH, EBADF and EPERM as "not found" too.
  if (rc == 0 || rc == ENOENT || rc == ESRCH || rc == EBADF || rc == EPERM) {
    return "user " + quoted(name) + " does not exist";
  }
  return "`user` " + quoted(name) + ": cannot look it up: " + std::strerror(rc);
}

// The names a service table may refer to.
struct Known {
  const NameSet& services;
  const NameSet& checks;
  const NameSet& heartbeats;
};

// One service being read.
struct ServiceRead {
  ServiceSpec spec;
  KeyPositions at;          // the keys read without error, and where their values are
  std::vector<Edge> edges;  // depends_on entries naming other services
};

struct ServiceKeyCall {
  const toml::node& value;
  std::string_view key;
  ServiceRead& read;
  LoadContext& ctx;
  const Known& known;
  Diagnostics& diagnostics() const { return ctx.diagnostics(); }
  ServiceSpec& spec() const { return read.spec; }
};

void apply_command(const ServiceKeyCall& c) {
  if (auto argv = read_argv(c.value, c.key, /*allow_empty=*/false, c.diagnostics())) c.spec().command = std::move(*argv);
}

void apply_pre_start(const ServiceKeyCall& c) {
  if (auto argv = read_argv(c.value, c.key, /*allow_empty=*/true, c.diagnostics())) {
    c.spec().pre_start = std::move(*argv);
  }
}

void apply_env(const ServiceKeyCall& c) {
  Diagnostics& d = c.diagnostics();
  const auto* table = read_table(c.value, c.key, d);
  if (table == nullptr) return;
  std::vector<std::pair<std::string, std::string>> env;
  bool ok = true;
  for (auto&& [k, v] : *table) {
    const std::string name(k.str());
    const std::string key = std::string(c.key) + "." + name;
    if (!is_valid_env_name(name)) {
      d.add(k, backticked(c.key) + ": " + quoted(name) +
                   " is not a valid variable name (letters, digits and '_', not starting with a digit)");
      ok = false;
    }
    auto text = read_string(v, key, d);
    if (!text) {
      ok = false;
      continue;
    }
    auto value = c.ctx.resolve_value(v, key, *text);
    if (!value) {
      ok = false;
      continue;
    }
    env.emplace_back(name, std::move(*value));
  }
  if (!ok) return;
  // toml++ keeps keys sorted already; sorting here keeps the promise whatever it does.
  std::sort(env.begin(), env.end());
  c.spec().env = std::move(env);
}

void apply_cwd(const ServiceKeyCall& c) {
  Diagnostics& d = c.diagnostics();
  auto text = read_nonempty_string(c.value, c.key, d);
  if (!text) return;
  const std::string path = c.ctx.resolve_path(*text);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    d.add(c.value, backticked(c.key) + " " + quoted(path) + ": " + std::strerror(errno));
    return;
  }
  if (!S_ISDIR(st.st_mode)) {
    d.add(c.value, backticked(c.key) + " " + quoted(path) + " is not a directory");
    return;
  }
  c.spec().cwd = path;
}

void apply_user(const ServiceKeyCall& c) {
  auto name = read_nonempty_string(c.value, c.key, c.diagnostics());
  if (!name) return;
  // Whether hale may switch to it (it must run as root) is known only at start.
  if (auto problem = user_problem(*name)) {
    c.diagnostics().add(c.value, std::move(*problem));
    return;
  }
  c.spec().user = std::move(*name);
}

void apply_restart(const ServiceKeyCall& c) {
  if (auto mode = read_word(c.value, c.key, kRestartModeWords, c.diagnostics())) c.spec().restart = *mode;
}

void apply_backoff(const ServiceKeyCall& c) {
  const auto* table = read_table(c.value, c.key, c.diagnostics());
  if (table == nullptr) return;
  ServiceBackoff policy;
  if (read_backoff(*table, c.key, BackoffRules{.zero_base_allowed = true, .multiplier = true, .jitter = JitterForm::kEither}, policy, c.diagnostics())) {
    c.spec().backoff = policy;
  }
}

void apply_restart_budget(const ServiceKeyCall& c) {
  Diagnostics& d = c.diagnostics();
  const auto* table = read_table(c.value, c.key, d);
  if (table == nullptr) return;
  const std::size_t errors_before = d.size();
  RestartBudget budget;
  for (auto&& [k, v] : *table) {
    const std::string name = std::string(c.key) + "." + std::string(k.str());
    if (k.str() == "max") {
      if (auto n = read_integer(v, name, 1, INT_MAX, d)) budget.max = static_cast<int>(*n);
    } else if (k.str() == "window") {
      if (auto dur = read_duration(v, name, d, /*positive=*/true)) budget.window = *dur;
    } else {
      report_unknown_key(k, "in " + backticked(c.key), kBudgetKeys, d);
    }
  }
  if (d.size() == errors_before) c.spec().restart_budget = budget;
}

void apply_stability_period(const ServiceKeyCall& c) {
  if (auto dur = read_duration(c.value, c.key, c.diagnostics())) c.spec().stability_period = *dur;
}

// `liveness` / `readiness`: the name of a check of [checks].
std::optional<std::string> read_check_name(const ServiceKeyCall& c) {
  auto name = read_nonempty_string(c.value, c.key, c.diagnostics());
  if (!name) return std::nullopt;
  if (c.known.checks.find(*name) == c.known.checks.end()) {
    std::string message = std::string(c.key) + " names check " + quoted(*name) + ", which is not defined";
    const std::vector<std::string_view> checks(c.known.checks.begin(), c.known.checks.end());
    if (auto guess = did_you_mean(*name, checks)) message += "; did you mean " + quoted(*guess) + "?";
    c.diagnostics().add(c.value, std::move(message));
    return std::nullopt;
  }
  return name;
}

void apply_liveness(const ServiceKeyCall& c) {
  if (auto name = read_check_name(c)) c.spec().liveness = std::move(*name);
}

void apply_readiness(const ServiceKeyCall& c) {
  if (auto name = read_check_name(c)) c.spec().readiness = std::move(*name);
}

void apply_ready(const ServiceKeyCall& c) {
  if (auto mode = read_word(c.value, c.key, kReadyModeWords, c.diagnostics())) c.spec().ready = *mode;
}

void apply_watchdog(const ServiceKeyCall& c) {
  if (auto dur = read_duration(c.value, c.key, c.diagnostics(), /*positive=*/true)) c.spec().watchdog = *dur;
}

void apply_stop_signal(const ServiceKeyCall& c) {
  Diagnostics& d = c.diagnostics();
  auto text = read_string(c.value, c.key, d);
  if (!text) return;
  std::array<std::string_view, kSignals.size() * 2> candidates{};
  std::array<std::string, kSignals.size()> short_names;
  for (std::size_t i = 0; i < kSignals.size(); ++i) {
    const Word<int>& s = kSignals[i];
    short_names[i] = std::string(s.name.substr(3));
    if (*text == s.name || *text == short_names[i]) {
      c.spec().stop_signal = s.value;
      return;
    }
    candidates[i] = s.name;
    candidates[kSignals.size() + i] = short_names[i];
  }
  std::string message = backticked(c.key) + ": unknown signal " + quoted(*text) + " (expected one of " +
                        listed(names_of(kSignals)) + "; the SIG prefix may be left out)";
  if (auto guess = did_you_mean(*text, candidates)) message += "; did you mean " + quoted(*guess) + "?";
  d.add(c.value, std::move(message));
}

void apply_stop_timeout(const ServiceKeyCall& c) {
  if (auto dur = read_duration(c.value, c.key, c.diagnostics(), /*positive=*/true)) c.spec().stop_timeout = *dur;
}

void apply_depends_on(const ServiceKeyCall& c) {
  Diagnostics& d = c.diagnostics();
  const auto* table = read_table(c.value, c.key, d);
  if (table == nullptr) return;
  const std::string& self = c.spec().name;
  std::vector<ServiceDependency> deps;
  bool ok = true;
  for (auto&& [k, v] : *table) {
    const std::string name(k.str());
    const std::string key = std::string(c.key) + "." + name;
    const auto condition = read_word(v, key, kDependencyConditionWords, d);
    if (!condition) ok = false;
    if (name == self) {
      d.add(k, "service " + quoted(self) + " cannot depend on itself");
      ok = false;
      continue;
    }
    // Services and checks are separate namespaces; a service of that name wins.
    if (c.known.services.find(name) != c.known.services.end()) {
      c.read.edges.push_back(Edge{name, position_of(k)});
      if (condition) deps.push_back(ServiceDependency{name, *condition});
      continue;
    }
    if (c.known.checks.find(name) != c.known.checks.end()) {
      if (!condition) continue;
      if (*condition != DependencyCondition::kHealthy) {
        // A check is never "started" or "completed"; only whether it passes is known.
        d.add(v, backticked(key) + ": " + quoted(name) + " is a check, which can only be \"healthy\"");
        ok = false;
        continue;
      }
      deps.push_back(ServiceDependency{name, *condition});
      continue;
    }
    std::string message = backticked(c.key) + " names " + quoted(name) + ", which is neither a service nor a check";
    std::vector<std::string_view> known;
    for (const std::string& s : c.known.services) {
      if (s != self) known.push_back(s);
    }
    known.insert(known.end(), c.known.checks.begin(), c.known.checks.end());
    if (auto guess = did_you_mean(name, known)) message += "; did you mean " + quoted(*guess) + "?";
    d.add(k, std::move(message));
    ok = false;
  }
  if (!ok) return;
  std::sort(deps.begin(), deps.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  c.spec().depends_on = std::move(deps);
}

// `require`: checks or heartbeats (SPEC §7), each named once.
void apply_require(const ServiceKeyCall& c) {
  Diagnostics& d = c.diagnostics();
  const auto* list = c.value.as_array();
  if (list == nullptr) {
    d.add(c.value, "`require` must be an array of check or heartbeat names, not " + std::string(type_name(c.value)));
    return;
  }
  std::vector<std::string> names;
  bool ok = true;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const toml::node& item = *list->get(i);
    auto name = read_nonempty_string(item, "require[" + std::to_string(i) + "]", d);
    if (!name) {
      ok = false;
      continue;
    }
    if (!c.known.checks.count(*name) && !c.known.heartbeats.count(*name)) {
      std::string message = "`require` names " + quoted(*name) + ", which is neither a check nor a heartbeat";
      std::vector<std::string_view> known(c.known.checks.begin(), c.known.checks.end());
      known.insert(known.end(), c.known.heartbeats.begin(), c.known.heartbeats.end());
      if (auto guess = did_you_mean(*name, known)) message += "; did you mean " + quoted(*guess) + "?";
      d.add(item, std::move(message));
      ok = false;
      continue;
    }
    if (std::find(names.begin(), names.end(), *name) != names.end()) {
      d.add(item, "`require` names " + quoted(*name) + " twice");
      ok = false;
      continue;
    }
    names.push_back(std::move(*name));
  }
  if (!ok) return;
  std::sort(names.begin(), names.end());
  c.spec().require = std::move(names);
}

void apply_on_require_fail(const ServiceKeyCall& c) {
  if (auto mode = read_word(c.value, c.key, kRequireFailWords, c.diagnostics())) c.spec().on_require_fail = *mode;
}

void apply_log_max_bytes(const ServiceKeyCall& c) {
  if (auto n = read_integer(c.value, c.key, kMinLogBytes, std::numeric_limits<std::int64_t>::max(),
                            c.diagnostics())) {
    c.spec().log_max_bytes = static_cast<std::size_t>(*n);
  }
}

void apply_log_keep(const ServiceKeyCall& c) {
  if (auto n = read_integer(c.value, c.key, 0, kMaxLogKeep, c.diagnostics())) c.spec().log_keep = static_cast<int>(*n);
}

using ApplyServiceKey = void (*)(const ServiceKeyCall&);

struct ServiceKey {
  std::string_view name;
  ApplyServiceKey apply;
};

constexpr std::array kServiceKeys{
    ServiceKey{"command", apply_command},
    ServiceKey{"env", apply_env},
    ServiceKey{"cwd", apply_cwd},
    ServiceKey{"user", apply_user},
    ServiceKey{"restart", apply_restart},
    ServiceKey{"backoff", apply_backoff},
    ServiceKey{"restart_budget", apply_restart_budget},
    ServiceKey{"stability_period", apply_stability_period},
    ServiceKey{"liveness", apply_liveness},
    ServiceKey{"readiness", apply_readiness},
    ServiceKey{"ready", apply_ready},
    ServiceKey{"watchdog", apply_watchdog},
    ServiceKey{"pre_start", apply_pre_start},
    ServiceKey{"stop_signal", apply_stop_signal},
    ServiceKey{"stop_timeout", apply_stop_timeout},
    ServiceKey{"depends_on", apply_depends_on},
    ServiceKey{"log_max_bytes", apply_log_max_bytes},
    ServiceKey{"log_keep", apply_log_keep},
    ServiceKey{"require", apply_require},
    ServiceKey{"on_require_fail", apply_on_require_fail},
};

constexpr auto kServiceKeyNames = [] {
  std::array<std::string_view, kServiceKeys.size()> names{};
  for (std::size_t i = 0; i < kServiceKeys.size(); ++i) names[i] = kServiceKeys[i].name;
  return names;
}();

const ServiceKey* find_service_key(std::string_view name) {
  for (const ServiceKey& k : kServiceKeys) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

// The rules between keys, on what was read without error (a key with its own error is not
// blamed a second time).
void check_key_rules(const toml::table& table, ServiceRead& r, Diagnostics& d) {
  ServiceSpec& s = r.spec;
  const auto ready_at = r.at.find("ready");
  if (table.get("ready") == nullptr) {
    // The default: with a readiness check, ready is what that check says.
    s.ready = s.readiness.empty() ? ReadyMode::kStarted : ReadyMode::kCheck;
  } else if (ready_at != r.at.end() && s.ready == ReadyMode::kCheck && table.get("readiness") == nullptr) {
    d.add(ready_at->second, "ready = \"check\" needs `readiness` (the check that decides when the service is ready)");
  }
  if (const auto mode_at = r.at.find("on_require_fail"); mode_at != r.at.end() && table.get("require") == nullptr) {
    d.add(mode_at->second, "`on_require_fail` needs `require` (the checks or heartbeats the service must not run "
                           "without)");
  }
  const bool ready_known = table.get("ready") == nullptr || ready_at != r.at.end();
  if (const auto watchdog_at = r.at.find("watchdog");
      watchdog_at != r.at.end() && ready_known && s.ready != ReadyMode::kNotify) {
    d.add(watchdog_at->second, "`watchdog` needs ready = \"notify\" (WATCHDOG=1 arrives over sd_notify), not ready = " +
                                   quoted(to_string(s.ready)));
  }
}

std::optional<ServiceSpec> read_service(std::string_view name, const toml::table& table, const Known& known,
                                        LoadContext& ctx, std::vector<Edge>& edges) {
  Diagnostics& d = ctx.diagnostics();
  const std::size_t errors_before = d.size();
  if (auto problem = name_problem("service", name)) d.add(table, *problem);
  ServiceRead r;
  r.spec.name = std::string(name);
  r.spec.pos = position_of(table);
  for (auto&& [k, v] : table) {
    const ServiceKey* key = find_service_key(k.str());
    if (key == nullptr) {
      report_unknown_key(k, "in [services." + std::string(name) + "]", kServiceKeyNames, d);
      continue;
    }
    const std::size_t before = d.size();
    key->apply(ServiceKeyCall{v, k.str(), r, ctx, known});
    if (d.size() == before) r.at.emplace(k.str(), position_of(v));
  }
  if (table.get("command") == nullptr) {
    d.add(table, "service " + quoted(name) + " needs `command` (an argv array)");
  }
  check_key_rules(table, r, d);
  edges = std::move(r.edges);
  if (d.size() != errors_before) return std::nullopt;
  return std::move(r.spec);
}

}  // namespace

bool is_valid_env_name(std::string_view name) {
  if (name.empty() || (name.front() >= '0' && name.front() <= '9')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::vector<ServiceSpec> read_services(const toml::table& services, const NameSet& check_names,
                                       const NameSet& heartbeat_names, LoadContext& ctx) {
  Diagnostics& d = ctx.diagnostics();
  // Every name first: a service may depend on one defined further down.
  NameSet service_names;
  for (auto&& [k, v] : services) {
    if (v.is_table()) service_names.emplace(k.str());
  }
  const Known known{service_names, check_names, heartbeat_names};

  std::vector<ServiceSpec> out;
  DependencyGraph graph;
  for (auto&& [k, v] : services) {
    const std::string name(k.str());
    const auto* table = read_table(v, "services." + name, d);
    if (table == nullptr) continue;
    std::vector<Edge> edges;
    if (auto spec = read_service(name, *table, known, ctx, edges)) out.push_back(std::move(*spec));
    // Cycles are looked for among every service, also one with other errors.
    graph.emplace(name, std::move(edges));
  }
  report_cycles(graph, "depends_on", d);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

}  // namespace hale::config
