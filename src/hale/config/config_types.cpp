// The small behaviours of the config structs in hale/config.h: error text, jitter, equality,
// lookup and type names.
#include <algorithm>
#include <tuple>

#include "hale/config.h"

namespace hale {

std::string ConfigError::to_string() const {
  if (line <= 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

CheckKind default_kind(CheckType type) {
  switch (type) {
    case CheckType::kHttp: return HttpCheck{};
    case CheckType::kTcp: return TcpCheck{};
    case CheckType::kExec: return ExecCheck{};
    case CheckType::kDns: return DnsCheck{};
    case CheckType::kTls: return TlsCheck{};
    case CheckType::kGrpc: return GrpcCheck{};
    case CheckType::kExpiry: return ExpiryCheck{};
  }
  return HttpCheck{};
}

bool CheckSpec::operator==(const CheckSpec& o) const {
  // Every member but `pos`: moving a check in the file is not a change. A new member of
  // CheckSpec must be added here, or a reload would not notice it changed (a kind's own members
  // are compared by its defaulted ==).
  auto fields = [](const CheckSpec& s) {
    return std::tie(s.name, s.kind, s.interval, s.timeout, s.failure_threshold, s.success_threshold,
                    s.failure_duration, s.start_period, s.jitter, s.critical, s.groups, s.backoff, s.guard_code,
                    s.latency_budget, s.depends_on);
  };
  return fields(*this) == fields(o);
}

std::string default_guard_code(std::string_view name) {
  std::string code(name);
  std::replace_if(code.begin(), code.end(), [](char c) { return c == '-' || c == '.'; }, '_');
  return code + "_not_ready";
}

const CheckSpec* Config::find_check(std::string_view name) const {
  // The daemon asks once per transition: at 100,000 checks a linear search per transition made
  // the start-up (100,000 transitions to ok) quadratic. A loaded Config is sorted by name, so a
  // bisection finds the check; a Config built by hand (tests, embedders) need not be sorted, so
  // a miss falls back to a linear search. The bisection is written out rather than
  // std::lower_bound, whose precondition (a sorted range) a hand-built Config may break.
  std::size_t lo = 0, hi = checks.size();
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    const int order = std::string_view(checks[mid].name).compare(name);
    if (order == 0) return &checks[mid];
    if (order < 0) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  auto it = std::find_if(checks.begin(), checks.end(), [&](const CheckSpec& c) { return c.name == name; });
  return it == checks.end() ? nullptr : &*it;
}

bool ServiceSpec::operator==(const ServiceSpec& o) const {
  // Every member but `pos`, as for CheckSpec: a new member must be added here too.
  auto fields = [](const ServiceSpec& s) {
    return std::tie(s.name, s.command, s.env, s.cwd, s.user, s.restart, s.backoff, s.restart_budget,
                    s.stability_period, s.liveness, s.readiness, s.ready, s.watchdog, s.pre_start,
                    s.stop_signal, s.stop_timeout, s.depends_on, s.log_max_bytes, s.log_keep, s.require, s.on_require_fail);
  };
  return fields(*this) == fields(o);
}

bool HeartbeatSpec::operator==(const HeartbeatSpec& o) const {
  auto fields = [](const HeartbeatSpec& h) {
    return std::tie(h.name, h.schedule, h.period, h.grace, h.max_duration, h.min_duration, h.require_output,
                    h.fail_if_output_matches, h.critical, h.groups, h.token, h.guard_code);
  };
  return fields(*this) == fields(o);
}

const ServiceSpec* Config::find_service(std::string_view name) const {
  auto it = std::find_if(services.begin(), services.end(), [&](const ServiceSpec& s) { return s.name == name; });
  return it == services.end() ? nullptr : &*it;
}

const NotifierSpec* Config::find_notifier(std::string_view name) const {
  auto it = std::find_if(notifiers.begin(), notifiers.end(), [&](const NotifierSpec& n) { return n.name == name; });
  return it == notifiers.end() ? nullptr : &*it;
}

bool NotifierSpec::operator==(const NotifierSpec& o) const {
  // Every member but `pos`, as for CheckSpec: a new member must be added here too.
  auto fields = [](const NotifierSpec& n) {
    return std::tie(n.name, n.type, n.urls, n.secret, n.token, n.headers, n.ca_file, n.tls_verify, n.from, n.to,
                    n.username, n.password, n.smtp_tls, n.command, n.timeout, n.retry, n.drills);
  };
  return fields(*this) == fields(o);
}

bool AlertRuleSpec::operator==(const AlertRuleSpec& o) const {
  auto fields = [](const AlertRuleSpec& r) {
    return std::tie(r.match, r.kinds, r.notify, r.on, r.after, r.repeat, r.resolved, r.flapping, r.group_wait);
  };
  return fields(*this) == fields(o);
}

bool SilenceSpec::operator==(const SilenceSpec& o) const {
  auto fields = [](const SilenceSpec& s) {
    return std::tie(s.match, s.kinds, s.schedule, s.duration, s.comment);
  };
  return fields(*this) == fields(o);
}

bool DrillSpec::operator==(const DrillSpec& o) const {
  auto fields = [](const DrillSpec& d) {
    return std::tie(d.name, d.force, d.duration, d.expect, d.schedule, d.page, d.description);
  };
  return fields(*this) == fields(o);
}

const DrillSpec* Config::find_drill(std::string_view name) const {
  auto it = std::find_if(drills.begin(), drills.end(), [&](const DrillSpec& d) { return d.name == name; });
  return it == drills.end() ? nullptr : &*it;
}

std::string_view to_string(SubjectKind k) { return word_of(kSubjectKindWords, k, "check"); }

std::optional<SubjectKind> parse_subject_kind(std::string_view s) { return value_of(kSubjectKindWords, s); }

std::string_view to_string(NotifierType t) { return word_of(kNotifierTypeWords, t, "webhook"); }

std::string_view to_string(ContainmentSetting c) { return word_of(kContainmentSettingWords, c, "auto"); }

std::string_view to_string(RestartMode m) { return word_of(kRestartModeWords, m, "on-failure"); }

std::string_view to_string(ReadyMode m) { return word_of(kReadyModeWords, m, "started"); }

std::string_view to_string(RequireFail m) { return word_of(kRequireFailWords, m, "stop"); }

std::string_view to_string(DependencyCondition c) { return word_of(kDependencyConditionWords, c, "started"); }

std::string_view to_string(CheckType t) { return word_of(kCheckTypeWords, t, "http"); }

}  // namespace hale
