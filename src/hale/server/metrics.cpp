// /metrics: one family at a time, every check in each family, in Prometheus text format.
#include "hale/server/metrics.h"

#include "hale/heartbeat/heartbeat_state.h"
#include "hale/supervise/restart_policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace hale {

void append_label(std::string& out, std::string_view v) {
  if (v.find_first_of("\\\"\n") == std::string_view::npos) {
    out += v;  // the common case: a name with nothing to escape
    return;
  }
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

std::string escape_label(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  append_label(out, v);
  return out;
}

namespace {

void family(std::string& out, std::string_view name, std::string_view type,
            std::string_view help) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

std::string fmt_double(double v) { return fmt::format("{}", v); }

double seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

constexpr std::array<Health, 4> kStates = {Health::kOk, Health::kDegraded, Health::kFail,
                                           Health::kUnknown};

// hale_service_*: state, restarts by reason, budget and intent of every supervised service.
void render_service_metrics(std::string& out, const ServicesSnapshot& services) {
  auto it = std::back_inserter(out);
  family(out, "hale_service_state", "gauge",
         "Current state of a supervised service: 1 for the state it is in, 0 for the others.");
  for (const auto& s : services.services) {
    const std::string name = escape_label(s->name);
    for (ServiceState st : kAllServiceStates) {
      fmt::format_to(it, "hale_service_state{{service=\"{}\",state=\"{}\"}} {}\n", name, to_string(st),
                     s->state == st ? 1 : 0);
    }
  }
  family(out, "hale_service_restarts_total", "counter",
         "Restarts of a service by reason: crash, clean_exit, start_failed, liveness, watchdog, operator.");
  for (const auto& s : services.services) {
    const std::string name = escape_label(s->name);
    auto restarts = [&](std::string_view reason) {
      auto found = s->restarts_by_reason.find(std::string(reason));
      fmt::format_to(it, "hale_service_restarts_total{{service=\"{}\",reason=\"{}\"}} {}\n", name, reason,
                     found == s->restarts_by_reason.end() ? 0 : found->second);
    };
    for (const StopCauseWords& cause : kStopCauses) restarts(cause.label);
    restarts(kOperatorRestartLabel);
  }
  family(out, "hale_service_restart_budget_left", "gauge",
         "Automatic restarts a service has left in its restart_budget window.");
  for (const auto& s : services.services) {
    fmt::format_to(it, "hale_service_restart_budget_left{{service=\"{}\"}} {}\n", escape_label(s->name),
                   s->budget_left);
  }
  family(out, "hale_service_wanted_running", "gauge",
         "The operator's intent: 1 when the service is wanted running, 0 when stopped by an operator.");
  for (const auto& s : services.services) {
    fmt::format_to(it, "hale_service_wanted_running{{service=\"{}\"}} {}\n", escape_label(s->name),
                   s->wanted ? 1 : 0);
  }
  family(out, "hale_service_transitions_total", "counter", "State changes of a service since hale started.");
  for (const auto& s : services.services) {
    fmt::format_to(it, "hale_service_transitions_total{{service=\"{}\"}} {}\n", escape_label(s->name),
                   s->transitions_total);
  }
}

double epoch_seconds(WallTime t) { return std::chrono::duration<double>(t.time_since_epoch()).count(); }

// hale_heartbeat_*: state, pings, runs and times of every heartbeat (SPEC §5). Times are
// epoch seconds, so that an alert rule can say `time() - hale_heartbeat_last_ping_timestamp_seconds > 3600`.
void render_heartbeat_metrics(std::string& out, const HeartbeatsSnapshot& heartbeats) {
  auto it = std::back_inserter(out);
  family(out, "hale_heartbeat_state", "gauge",
         "Current state of a heartbeat: 1 for the state it is in (new, up, running, late, down, paused), 0 for the others.");
  for (const auto& h : heartbeats.heartbeats) {
    const std::string name = escape_label(h->name);
    for (HeartbeatStatus st : kAllHeartbeatStatuses) {
      fmt::format_to(it, "hale_heartbeat_state{{heartbeat=\"{}\",state=\"{}\"}} {}\n", name, to_string(st),
                     h->state == st ? 1 : 0);
    }
  }
  family(out, "hale_heartbeat_up", "gauge", "1 when the heartbeat is up, running or late; 0 when down, new (never pinged) or paused.");
  for (const auto& h : heartbeats.heartbeats) {
    const bool up = h->state == HeartbeatStatus::kUp || h->state == HeartbeatStatus::kRunning ||
                    h->state == HeartbeatStatus::kLate;
    fmt::format_to(it, "hale_heartbeat_up{{heartbeat=\"{}\",critical=\"{}\"}} {}\n", escape_label(h->name),
                   h->critical ? "true" : "false", up ? 1 : 0);
  }
  family(out, "hale_heartbeat_pings_total", "counter",
         "Pings received since hale started, by kind: success, start, fail, log, exit_code.");
  for (const auto& h : heartbeats.heartbeats) {
    const std::string name = escape_label(h->name);
    for (PingKind k : kAllPingKinds) {
      const std::string_view kind = to_string(k);
      auto found = h->pings_by_kind.find(std::string(kind));
      fmt::format_to(it, "hale_heartbeat_pings_total{{heartbeat=\"{}\",kind=\"{}\"}} {}\n", name, kind,
                     found == h->pings_by_kind.end() ? 0 : found->second);
    }
  }
  family(out, "hale_heartbeat_runs_total", "counter",
         "Finished runs since hale started, by result: success, or failure (failed, silent, matched output, too fast).");
  for (const auto& h : heartbeats.heartbeats) {
    const std::string name = escape_label(h->name);
    fmt::format_to(it, "hale_heartbeat_runs_total{{heartbeat=\"{}\",result=\"success\"}} {}\n", name, h->runs_succeeded);
    fmt::format_to(it, "hale_heartbeat_runs_total{{heartbeat=\"{}\",result=\"failure\"}} {}\n", name, h->runs_failed);
  }
  family(out, "hale_heartbeat_transitions_total", "counter", "State changes of a heartbeat since hale started.");
  for (const auto& h : heartbeats.heartbeats) {
    fmt::format_to(it, "hale_heartbeat_transitions_total{{heartbeat=\"{}\"}} {}\n", escape_label(h->name),
                   h->transitions_total);
  }
  family(out, "hale_heartbeat_last_ping_timestamp_seconds", "gauge",
         "When the heartbeat was last pinged (seconds since the epoch); absent before its first ping.");
  for (const auto& h : heartbeats.heartbeats) {
    if (!h->last_ping) continue;
    fmt::format_to(it, "hale_heartbeat_last_ping_timestamp_seconds{{heartbeat=\"{}\"}} {}\n", escape_label(h->name),
                   fmt_double(epoch_seconds(*h->last_ping)));
  }
  family(out, "hale_heartbeat_next_expected_timestamp_seconds", "gauge",
         "When the next run of the heartbeat's job is expected (seconds since the epoch).");
  for (const auto& h : heartbeats.heartbeats) {
    if (!h->next_expected) continue;
    fmt::format_to(it, "hale_heartbeat_next_expected_timestamp_seconds{{heartbeat=\"{}\"}} {}\n",
                   escape_label(h->name), fmt_double(epoch_seconds(*h->next_expected)));
  }
  family(out, "hale_heartbeat_last_run_duration_seconds", "gauge",
         "How long the last run took from /start to its end; absent when it sent no /start.");
  for (const auto& h : heartbeats.heartbeats) {
    const HeartbeatRun* r = h->last_run();
    if (!r || !r->started) continue;
    fmt::format_to(it, "hale_heartbeat_last_run_duration_seconds{{heartbeat=\"{}\"}} {}\n", escape_label(h->name),
                   fmt_double(std::chrono::duration<double>(r->ended - *r->started).count()));
  }
}

// hale_alert*: deliveries by notifier (SPEC §6): sent, failed, retried, silenced, pending, the
// age of the oldest pending one, and the receiver's failures in a row.
void render_alert_metrics(std::string& out, const AlertsView& alerts) {
  auto it = std::back_inserter(out);
  auto per_notifier = [&](std::string_view name, std::string_view type, std::string_view help, auto value) {
    family(out, name, type, help);
    for (const auto& [notifier, s] : alerts.notifiers) {
      fmt::format_to(it, "{}{{notifier=\"{}\"}} {}\n", name, escape_label(notifier), value(s));
    }
  };
  per_notifier("hale_alerts_sent_total", "counter", "Alert deliveries the receiver accepted, by notifier.",
               [](const NotifierStats& s) { return s.sent; });
  per_notifier("hale_alerts_failed_total", "counter",
               "Alert deliveries refused for good (a 4xx) or given up (retry.give_up_after), by notifier.",
               [](const NotifierStats& s) { return s.failed; });
  per_notifier("hale_alert_retries_total", "counter",
               "Alert delivery attempts that failed and will be made again, by notifier.",
               [](const NotifierStats& s) { return s.retries; });
  per_notifier("hale_alerts_silenced_total", "counter", "Alerts recorded as silenced instead of sent, by notifier.",
               [](const NotifierStats& s) { return s.silenced; });
  per_notifier("hale_alerts_pending", "gauge", "Alert deliveries not accepted yet (waiting or in flight), by notifier.",
               [](const NotifierStats& s) { return s.pending; });
  per_notifier("hale_alert_oldest_pending_age_seconds", "gauge",
               "Age of the oldest alert delivery not accepted yet; 0 when none is pending.",
               [&](const NotifierStats& s) {
                 if (!s.oldest_pending) return 0.0;
                 return std::max(0.0, std::chrono::duration<double>(alerts.now - *s.oldest_pending).count());
               });
  per_notifier("hale_alert_notifier_consecutive_failures", "gauge",
               "Failed delivery attempts in a row of a notifier (0 while it accepts).",
               [](const NotifierStats& s) { return s.consecutive_failures; });
  family(out, "hale_alert_outbox_durable", "gauge",
         "1 when every alert delivery in hand is in the outbox (survives a crash), 0 when a write failed or some "
         "are in memory only.");
  fmt::format_to(it, "hale_alert_outbox_durable {}\n", alerts.durable ? 1 : 0);
  family(out, "hale_alert_outbox_memory_only", "gauge", "Pending alert deliveries that could not be written to the outbox.");
  fmt::format_to(it, "hale_alert_outbox_memory_only {}\n", alerts.memory_only);
  family(out, "hale_alert_outbox_write_failures_total", "counter", "Alert outbox writes that failed (a full disk, say).");
  fmt::format_to(it, "hale_alert_outbox_write_failures_total {}\n", alerts.outbox_write_failures);
  family(out, "hale_alert_silences_active", "gauge", "Silences muting alerts now: API silences and config windows.");
  std::size_t active = alerts.windows.size();
  for (const Silence& s : alerts.silences) active += silence_active(s, alerts.now) ? 1 : 0;
  fmt::format_to(it, "hale_alert_silences_active {}\n", active);
}

// SPEC §7: the p50/p95 a latency_budget judges, and the budget itself, for checks that have one
// (only they keep a window of latencies). One family per quantile: promtool keeps the
// `quantile` label for summaries, and these are gauges over a sliding window.
void render_latency_budget_metrics(std::string& out, const Snapshot& snap) {
  const bool any = std::any_of(snap.checks.begin(), snap.checks.end(),
                               [](const auto& c) { return c->latency_budget.has_value(); });
  if (!any) return;
  auto it = std::back_inserter(out);
  struct Quantile {
    std::string_view name;  // p50, p95
    std::optional<Duration> LatencyBudget::*budget;
    Duration LatencyQuantiles::*seen;
  };
  for (const Quantile q : {Quantile{"p50", &LatencyBudget::p50, &LatencyQuantiles::p50},
                           Quantile{"p95", &LatencyBudget::p95, &LatencyQuantiles::p95}}) {
    const std::string seen = fmt::format("hale_check_latency_{}_seconds", q.name);
    family(out, seen, "gauge",
           fmt::format("The {} of a check's answered probes over its latency_budget window, once it holds 20 results.",
                       q.name));
    for (const auto& c : snap.checks) {
      if (!c->latency_budget || !c->latency_quantiles) continue;
      fmt::format_to(it, "{}{{check=\"{}\"}} {}\n", seen, escape_label(c->name),
                     fmt_double(seconds((*c->latency_quantiles).*q.seen)));
    }
    const std::string budget = fmt::format("hale_check_latency_budget_{}_seconds", q.name);
    family(out, budget, "gauge", fmt::format("The {} a check's latency_budget allows.", q.name));
    for (const auto& c : snap.checks) {
      if (!c->latency_budget || !((*c->latency_budget).*q.budget)) continue;
      fmt::format_to(it, "{}{{check=\"{}\"}} {}\n", budget, escape_label(c->name),
                     fmt_double(seconds(*((*c->latency_budget).*q.budget))));
    }
  }
}

// hale_check_*: compact (the default) says per check whether it is up, its current status, its
// probes, its transitions and the last probe's duration: 5 series, what a fleet's Prometheus can
// afford at 10,000 checks a host. Full detail adds one series per status (0 or 1), consecutive
// failures and a 12-bucket latency histogram: 24 series. Errors by code appear in both, only for
// the codes a check has seen.
void render_check_metrics(std::string& out, const Snapshot& snap, MetricsDetail detail) {
  auto it = std::back_inserter(out);
  const bool full = detail == MetricsDetail::kFull;
  // Every line of a check family starts `NAME{check="CHECK"`: written once per line, without
  // building a string per check (10,000 checks, 50 bytes a line).
  auto head = [&out](std::string_view family_name, const CheckView& c) {
    out += family_name;
    out += "{check=\"";
    append_label(out, c.name);
    out += '"';
  };
  if (full) {
    family(out, "hale_check_status", "gauge", "Current status of a check: 1 for the status it is in, 0 for the others.");
    for (const auto& c : snap.checks) {
      for (Health h : kStates) {
        head("hale_check_status", *c);
        fmt::format_to(it, ",status=\"{}\"}} {}\n", to_string(h), c->status == h ? 1 : 0);
      }
    }
  } else {
    family(out, "hale_check_status", "gauge",
           "Current status of a check, in the status label (ok, degraded, fail, unknown); the value is always 1.");
    for (const auto& c : snap.checks) {
      head("hale_check_status", *c);
      fmt::format_to(it, ",status=\"{}\"}} 1\n", to_string(c->status));
    }
  }
  family(out, "hale_check_up", "gauge", "1 when the check is ok or degraded, else 0.");
  for (const auto& c : snap.checks) {
    const bool up = c->status == Health::kOk || c->status == Health::kDegraded;
    head("hale_check_up", *c);
    fmt::format_to(it, ",critical=\"{}\"}} {}\n", c->critical ? "true" : "false", up ? 1 : 0);
  }
  if (full) {
    family(out, "hale_check_consecutive_failures", "gauge", "Failed probes in a row since the last pass.");
    for (const auto& c : snap.checks) {
      head("hale_check_consecutive_failures", *c);
      fmt::format_to(it, "}} {}\n", c->consecutive_failures);
    }
  }
  family(out, "hale_check_probes_total", "counter", "Probes completed, pass or fail.");
  for (const auto& c : snap.checks) {
    head("hale_check_probes_total", *c);
    fmt::format_to(it, "}} {}\n", c->probes_total);
  }
  family(out, "hale_check_transitions_total", "counter", "Status changes of the check.");
  for (const auto& c : snap.checks) {
    head("hale_check_transitions_total", *c);
    fmt::format_to(it, "}} {}\n", c->transitions_total);
  }
  family(out, "hale_check_duration_seconds", "gauge", "How long the check's last probe took; absent before its first.");
  for (const auto& c : snap.checks) {
    if (!c->latency) continue;
    head("hale_check_duration_seconds", *c);
    fmt::format_to(it, "}} {}\n", seconds(*c->latency));
  }
  family(out, "hale_check_probe_errors_total", "counter",
         "Failed or warning probes by error code (timeout, refused, status, exit, ...).");
  for (const auto& c : snap.checks) {
    for (const auto& [code, n] : c->errors_by_code) {
      head("hale_check_probe_errors_total", *c);
      fmt::format_to(it, ",code=\"{}\"}} {}\n", to_string(code), n);
    }
  }
  if (!full) return;
  family(out, "hale_check_latency_seconds", "histogram", "Probe latency.");
  const LatencyHistogram none;  // a check whose view has none (made before a reload asked for it)
  for (const auto& c : snap.checks) {
    const LatencyHistogram& h = c->latency_histogram ? *c->latency_histogram : none;
    for (std::size_t i = 0; i < h.kBounds.size(); ++i) {
      head("hale_check_latency_seconds_bucket", *c);
      fmt::format_to(it, ",le=\"{}\"}} {}\n", h.kBounds[i], h.buckets[i]);
    }
    head("hale_check_latency_seconds_bucket", *c);
    fmt::format_to(it, ",le=\"+Inf\"}} {}\n", h.count);
    head("hale_check_latency_seconds_sum", *c);
    fmt::format_to(it, "}} {}\n", h.sum_seconds);
    head("hale_check_latency_seconds_count", *c);
    fmt::format_to(it, "}} {}\n", h.count);
  }
}

// SPEC §8: how late probes start against when they were due, over the last probes (see
// Snapshot::lateness). A summary: Prometheus keeps the quantile label.
void render_lateness(std::string& out, const SchedulerLateness& l) {
  auto it = std::back_inserter(out);
  family(out, "hale_scheduler_lateness_seconds", "summary",
         "How late probes start after they were due (timer delay, and the wait for a free slot under "
         "server.max_concurrent_probes), over the last probes.");
  fmt::format_to(it, "hale_scheduler_lateness_seconds{{quantile=\"0.5\"}} {}\n", seconds(l.p50));
  fmt::format_to(it, "hale_scheduler_lateness_seconds{{quantile=\"0.99\"}} {}\n", seconds(l.p99));
  fmt::format_to(it, "hale_scheduler_lateness_seconds{{quantile=\"1\"}} {}\n", seconds(l.max));
  fmt::format_to(it, "hale_scheduler_lateness_seconds_sum {}\n", seconds(l.sum));
  fmt::format_to(it, "hale_scheduler_lateness_seconds_count {}\n", l.count);
  family(out, "hale_probes_in_flight", "gauge", "Probes running now, all checks together.");
  fmt::format_to(it, "hale_probes_in_flight {}\n", l.in_flight);
  family(out, "hale_probes_waiting", "gauge", "Probes due but waiting for a slot under server.max_concurrent_probes.");
  fmt::format_to(it, "hale_probes_waiting {}\n", l.waiting);
}

}  // namespace

std::string render_metrics(const Snapshot& snap, const std::optional<ProcessStats>& proc,
                           std::string_view version, const ServicesSnapshot* services,
                           const HeartbeatsSnapshot* heartbeats, const AlertsView* alerts, MetricsDetail detail) {
  std::string out;
  out.reserve(4096 + snap.checks.size() * (detail == MetricsDetail::kFull ? 1500 : 300));
  auto it = std::back_inserter(out);

  render_check_metrics(out, snap, detail);
  render_lateness(out, snap.lateness);
  render_latency_budget_metrics(out, snap);

  family(out, "hale_build_info", "gauge", "Always 1; the version is in the label.");
  fmt::format_to(it, "hale_build_info{{version=\"{}\"}} 1\n", escape_label(version));
  family(out, "hale_event_loop_lag_seconds", "gauge",
         "How late the event loop ran its last 1 s tick.");
  fmt::format_to(it, "hale_event_loop_lag_seconds {}\n",
                 fmt_double(std::chrono::duration<double>(snap.loop_lag).count()));
  family(out, "hale_config_reloads_total", "counter", "Successful configuration reloads.");
  fmt::format_to(it, "hale_config_reloads_total {}\n", snap.reloads_total);
  family(out, "hale_config_reload_failures_total", "counter",
         "Reloads refused because the new configuration had errors.");
  fmt::format_to(it, "hale_config_reload_failures_total {}\n", snap.reload_failures_total);

  if (services) render_service_metrics(out, *services);
  if (heartbeats) render_heartbeat_metrics(out, *heartbeats);
  if (alerts) render_alert_metrics(out, *alerts);

  if (proc) {
    family(out, "process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.");
    fmt::format_to(it, "process_cpu_seconds_total {}\n", fmt_double(proc->cpu_seconds));
    family(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    fmt::format_to(it, "process_resident_memory_bytes {}\n", proc->resident_bytes);
    family(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
    fmt::format_to(it, "process_virtual_memory_bytes {}\n", proc->virtual_bytes);
    family(out, "process_start_time_seconds", "gauge",
           "Start time of the process since unix epoch in seconds.");
    fmt::format_to(it, "process_start_time_seconds {}\n", fmt_double(proc->start_time_seconds));
    family(out, "process_open_fds", "gauge", "Number of open file descriptors.");
    fmt::format_to(it, "process_open_fds {}\n", proc->open_fds);
    family(out, "process_max_fds", "gauge", "Maximum number of open file descriptors.");
    fmt::format_to(it, "process_max_fds {}\n", proc->max_fds);
    family(out, "process_threads", "gauge", "Number of OS threads in the process.");
    fmt::format_to(it, "process_threads {}\n", proc->threads);
  }
  return out;
}

}  // namespace hale
