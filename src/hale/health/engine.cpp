// Engine: per-check runners on the event loop (see engine.h).
#include "hale/health/engine.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <climits>
#include <deque>
#include <map>
#include <mutex>
#include <unordered_set>

#include "hale/aggregate.h"
#include "hale/check_state.h"
#include "hale/health/latency_window.h"
#include "hale/health/schedule.h"
#include "hale/log/json_log.h"
#include "hale/log/redactor.h"
#include "hale/net/url.h"
#include "hale/probe/expiry_source.h"
#include "hale/probe/probe.h"
#include "hale/time/timer.h"

namespace hale {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

CheckPolicy policy_of(const CheckSpec& s) {
  return CheckPolicy{s.failure_threshold, s.success_threshold, s.failure_duration, s.start_period};
}

// A URL as /health and the logs show it: the password in its userinfo masked, the query
// (api_key=...) cut; a URL written as env:/file: is a secret as a whole, so only its scheme
// and host are shown.
std::string display_url(const std::string& url, bool url_is_secret) {
  const UrlParse parsed = parse_url(url);
  if (!parsed.url) return url_is_secret ? std::string("(a URL that does not parse)") : redact_url(url);
  const Url& u = *parsed.url;
  // A lone userinfo is almost always a token ("https://TOKEN@host"), as redact_url() decides.
  const std::string origin = u.origin(u.password ? u.user + ":***" : "***");
  if (url_is_secret) return origin + "/…";
  return origin + u.path + (u.query || u.fragment ? "?…" : "");
}

// What /health and the logs show as the target: never a secret. Exec arguments may carry
// passwords (check_mysql -p ...), so only the program is shown.
std::string display_target(const HttpCheck& k) { return display_url(k.url, k.url_is_secret); }
std::string display_target(const TcpCheck& k) { return k.target; }
std::string display_target(const ExecCheck& k) { return k.command.empty() ? std::string() : k.command.front(); }
std::string display_target(const TlsCheck& k) { return k.target.empty() ? k.file : k.target; }
std::string display_target(const DnsCheck& k) {
  return k.name + " " + k.record_type + (k.server.empty() ? "" : " @" + k.server);
}
// The source, never what it holds: "file:/path", "env:NAME", or the URL as http checks show it.
std::string display_target(const ExpiryCheck& k) {
  return k.source_kind == ExpirySource::kUrl ? display_url(k.url, k.url_is_secret) : expiry_source_name(k);
}
std::string display_target(const GrpcCheck& k) { return k.target + (k.service.empty() ? "" : " service=" + k.service); }
std::string display_target(const CheckSpec& s) {
  return std::visit([](const auto& kind) { return display_target(kind); }, s.kind);
}

// Whether two specs probe and judge the target the same way (they may differ in `critical`,
// `groups`, `guard_code` and `depends_on`, which decide how the check is aggregated, guarded and
// blocked, not how it is probed).
bool same_probing(const CheckSpec& a, CheckSpec b) {
  b.critical = a.critical;
  b.groups = a.groups;
  b.guard_code = a.guard_code;
  b.depends_on = a.depends_on;  // who blocks whom is worked out anew at every apply()
  return a == b;
}

std::int64_t millis(Duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

nlohmann::json evidence_json(const std::vector<ProbeResult>& results) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& r : results) {
    arr.push_back({{"verdict", to_string(r.verdict)}, {"reason", r.reason},
                   {"latency_ms", millis(r.latency)}});
  }
  return arr;
}

// SPEC §2: every transition is an event, logged with its time, from, to, reason and evidence.
void log_transition(const Transition& t) {
  nlohmann::json fields{{"check", t.check},
                        {"from", to_string(t.from)},
                        {"to", to_string(t.to)},
                        {"reason", t.reason},
                        {"at", format_iso8601_ms(t.wall_at)},
                        {"evidence", evidence_json(t.evidence)}};
  if (!t.drill.empty()) fields["drill"] = t.drill;  // SPEC §7: caused by a drill
  log_event(t.to == Health::kFail ? LogLevel::kError : LogLevel::kInfo, "transition", std::move(fields));
}

}  // namespace

// One check: its spec, probe, state, timers and counters.
struct Runner : std::enable_shared_from_this<Runner> {
  // `s` points into the applied Config's checks (shared with the daemon and the probe).
  Runner(Engine::Impl& e, std::shared_ptr<const CheckSpec> s, std::unique_ptr<Probe> p, SteadyTime now, Timers& timers)
      : engine(e), spec(std::move(s)), probe(std::move(p)), state(spec->name, policy_of(*spec), now),
        timer(timers.make()), deadline(timers.make()), target(display_target(*spec)) {
    if (spec->latency_budget) latencies.emplace(spec->latency_budget->window);
  }

  void schedule(Duration delay);
  void judge_latency(ProbeResult& r);
  // The first of its parents that is fail while it fails itself; "" otherwise.
  std::string blocking_parent() const;
  // SPEC §7: the drill forcing it, the drill forcing the parent that blocks it, or the drill it
  // has not recovered from yet; "" when what it shows is real.
  std::string drill_mark() const;
  // A drill replaces the probe's result (see Engine::force).
  void apply_force(ProbeResult& r) const;
  void run();
  // The probe in flight is over (answered, cancelled or given up): its slot is free.
  void end_flight();
  void on_result(ProbeResult r);
  void remove();
  std::shared_ptr<const CheckView> make_view() const;

  Engine::Impl& engine;
  std::shared_ptr<const CheckSpec> spec;  // never null
  std::unique_ptr<Probe> probe;
  CheckState state;
  std::unique_ptr<Timer> timer;     // the next probe
  std::unique_ptr<Timer> deadline;  // the probe in flight's timeout
  std::string target;
  bool removed = false;
  bool in_flight = false;
  bool waiting = false;  // due, in the queue for a slot under server.max_concurrent_probes
  // Taken off the wait after its first result, so that checks sharing an interval spread
  // evenly over it instead of probing together forever (see slot_phase in schedule.h).
  std::optional<Duration> phase;
  bool probing_stopped = false;
  bool joining = false;  // added by a reload, no decisive result yet (CheckView::joining)
  SteadyTime probe_started{};
  std::optional<SteadyTime> next_at;
  std::optional<ProbeResult> last;
  std::optional<SteadyTime> last_failure_at;
  std::uint64_t probes_total = 0;
  std::uint64_t transitions_total = 0;
  std::map<ErrorKind, std::uint64_t> errors_by_code;
  std::unique_ptr<LatencyHistogram> histogram;  // only for `[metrics] detail = "full"`
  // With a latency_budget (SPEC §7): the answered probes' latencies over its window.
  std::optional<LatencyWindow> latencies;
  std::optional<LatencyQuantiles> quantiles;
  std::string blocked_by;              // SPEC §7: the parent that blocks it, "" when none
  // Its parent recovered while it still failed: blocked until its own next result (probed at
  // once) says whether it still fails, so that a child whose probe merely lags its parent's
  // recovery is not paged.
  bool release_pending = false;
  std::vector<std::string> blocking;   // the children it blocks, sorted
  // SPEC §7: the drill that forced it until lately: its recovery is still the drill's. Cleared
  // by its next transition, or by a real failure (then it really fails, and says so).
  std::string drill_after;
  std::shared_ptr<const CheckView> view;
};

// SPEC §7: a check a drill forces, by name (so that a reload keeps it).
struct ForcedResult {
  Health result = Health::kFail;
  std::string drill;
};

struct Engine::Impl {
  Impl(asio::io_context& io, Clock& clock, ProbeContext& probes, std::uint64_t seed, Timers* given_timers)
      : io(io),
        clock(clock),
        probes(probes),
        own_timers(given_timers ? nullptr : asio_timers(io)),
        timers(given_timers ? *given_timers : *own_timers),
        rng(seed),
        lag_timer(timers.make()),
        publish_timer(timers.make()),
        urgent_timer(timers.make()) {
    started_wall = clock.wall_now();
    auto empty = std::make_shared<Snapshot>();
    empty->started_at = started_wall;
    current = empty;
  }

  // A rebuild is O(checks) (about 250 ns a check, most of it cache misses), and 10,000 checks
  // deliver 1,000 results a second, so results are published together: those that change no
  // status at most every publish_every() (what /health and /metrics show of them is at most
  // that old), a transition within urgent_gap(): at the next turn of the loop below 1,000
  // checks, so /readyz follows it at once. Both keep rebuilds under about 1 % of a core.
  Duration publish_every() const {
    return std::max<Duration>(100ms, std::chrono::microseconds(25) * static_cast<Duration::rep>(in_order.size()));
  }
  Duration urgent_gap() const { return std::chrono::microseconds(1) * static_cast<Duration::rep>(in_order.size()); }
  void publish_soon(bool urgent = false) {
    if (stopped) return;
    if (urgent) {
      if (urgent_pending) return;
      urgent_pending = true;
      auto run = [this, alive = alive] {
        if (!*alive) return;
        urgent_pending = false;
        publish();
      };
      if (urgent_gap() < 1ms) {
        asio::post(io, std::move(run));
      } else {
        urgent_timer->start(urgent_gap(), std::move(run));
      }
      return;
    }
    if (publish_pending) return;
    publish_pending = true;
    publish_timer->start(publish_every(), [this, alive = alive] {
      if (!*alive) return;
      publish_pending = false;
      publish();
    });
  }

  // SPEC §7: recomputes who `changed` blocks and who blocks it, after its status changed (or its
  // own result came in). Every other check whose view changed for it is told to the blocking
  // listeners (after `changed`'s own transition, which the caller tells). `changed` itself gets
  // its blocked_by and blocking lists up to date; its view is the caller's to rebuild.
  void refresh_blocking(Runner& changed);
  // The blocking lists of `child`'s parents (but `skip`, whose caller does its own), after
  // `child`'s blocked_by changed; a parent whose list changed gets a new view and is told.
  void relist_parents(const Runner& child, const Runner& skip);

  // Tells every subscriber. A copy of the list, so a listener may subscribe; a listener that
  // throws is logged and the others still hear of the transition.
  void notify(const Transition& t) {
    const std::vector<TransitionListener> copy = listeners;
    for (const auto& l : copy) {
      try {
        l(t);
      } catch (const std::exception& e) {
        log_event(LogLevel::kError, "subscriber_failed", {{"check", t.check}, {"error", e.what()}});
      }
      if (stopped) return;
    }
  }

  std::vector<BlockingListener> blocking_listeners;
  std::vector<std::shared_ptr<Runner>> blocking_changed;  // told once the transition is out
  void notify_blocking() {
    auto changed = std::move(blocking_changed);
    blocking_changed.clear();
    const std::vector<BlockingListener> copy = blocking_listeners;
    for (const auto& r : changed) {
      for (const auto& l : copy) {
        try {
          l(*r->view);
        } catch (const std::exception& e) {
          log_event(LogLevel::kError, "subscriber_failed", {{"check", r->spec->name}, {"error", e.what()}});
        }
      }
    }
  }

  void publish() {
    auto s = std::make_shared<Snapshot>();
    s->started_at = started_wall;
    s->checks.reserve(in_order.size());
    for (const Runner* r : in_order) s->checks.push_back(r->view);
    s->custom_groups = custom_groups;
    s->loop_lag = loop_lag;
    s->lateness = lateness;
    s->lateness.in_flight = in_flight;
    s->lateness.waiting = waiting.size();
    s->reloads_total = reloads_total;
    s->reload_failures_total = reload_failures_total;
    finalize(*s);
    std::shared_ptr<const Snapshot> old;
    {
      std::lock_guard lock(mu);
      old = std::move(current);
      current = std::move(s);
    }
    // `old` is released here, outside the lock: freeing 10,000 views must not hold readers.
  }

  // Measures how late a 1 s tick fires: the loop's responsiveness for /livez and /metrics.
  void tick(SteadyTime expected) {
    lag_timer->start(1s, [this, alive = alive, expected] {
      if (!*alive) return;
      const SteadyTime now = clock.now();
      loop_lag = now > expected ? now - expected : Duration::zero();
      summarize_lateness();
      publish_soon();
      tick(now + 1s);
    });
  }

  // SPEC §8: how late a probe starts against when it was due, kept for the last
  // kLatenessSamples probes (microseconds) and summarized once a second for /metrics.
  void note_lateness(Duration late) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(late).count();
    const auto sample = static_cast<std::uint32_t>(std::clamp<std::int64_t>(us, 0, UINT32_MAX));
    if (lateness_samples.size() < SchedulerLateness::kLatenessSamples) {
      lateness_samples.push_back(sample);
    } else {
      lateness_samples[lateness_count % SchedulerLateness::kLatenessSamples] = sample;
    }
    ++lateness_count;
    lateness_sum += late;
  }

  void summarize_lateness() {
    lateness.count = lateness_count;
    lateness.sum = lateness_sum;
    if (lateness_samples.empty()) return;
    std::vector<std::uint32_t> sorted = lateness_samples;
    auto at = [&](double q) {
      const auto k = static_cast<std::size_t>(q * static_cast<double>(sorted.size() - 1));
      std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(k), sorted.end());
      return Duration(std::chrono::microseconds(sorted[k]));
    };
    lateness.p50 = at(0.5);
    lateness.p99 = at(0.99);
    lateness.max = at(1.0);
  }

  // Starts waiting probes while slots are free. Posted, never run inside another check's
  // result handling: a probe may answer at once.
  void wake_waiting() {
    if (waiting.empty() || wake_pending || stopped) return;
    wake_pending = true;
    asio::post(io, [this, alive = alive] {
      if (!*alive) return;
      wake_pending = false;
      while (in_flight < max_in_flight && !waiting.empty()) {
        std::shared_ptr<Runner> r = waiting.front().lock();
        waiting.pop_front();
        if (!r || r->removed || !r->waiting) continue;
        r->waiting = false;
        r->run();
      }
    });
  }

  asio::io_context& io;
  Clock& clock;
  ProbeContext& probes;
  std::unique_ptr<Timers> own_timers;  // asio_timers(io), unless the caller gave its own
  Timers& timers;
  Random rng;
  std::unique_ptr<Timer> lag_timer;
  std::unique_ptr<Timer> publish_timer;
  std::unique_ptr<Timer> urgent_timer;
  bool urgent_pending = false;
  std::map<std::string, std::shared_ptr<Runner>> runners;
  std::vector<const Runner*> in_order;  // `runners` by name, for publish() to walk without the map
  std::map<std::string, ForcedResult, std::less<>> forced;  // SPEC §7 drills
  // SPEC §7: each check's children (the checks whose depends_on names it), from the config.
  std::map<std::string, std::vector<std::string>, std::less<>> children;
  std::vector<std::string> custom_groups;
  std::vector<TransitionListener> listeners;
  std::vector<ResultListener> result_listeners;
  WallTime started_wall{};
  Duration loop_lag{};
  std::uint64_t reloads_total = 0;
  std::uint64_t reload_failures_total = 0;
  bool applied = false;  // the start-up config is in: what later applies add is `joining`
  bool publish_pending = false;
  bool stopped = false;
  // SPEC §8: at most max_in_flight probes at once (server.max_concurrent_probes); the others
  // wait in `waiting`, in the order they fell due.
  std::size_t max_in_flight = 512;
  bool keep_histograms = false;  // `[metrics] detail = "full"`: the only reader of them
  std::size_t in_flight = 0;
  std::deque<std::weak_ptr<Runner>> waiting;
  bool wake_pending = false;
  std::vector<std::uint32_t> lateness_samples;  // a ring once full
  std::uint64_t lateness_count = 0;
  Duration lateness_sum{};
  SchedulerLateness lateness;
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);  // guards posted handlers
  mutable std::mutex mu;
  std::shared_ptr<const Snapshot> current;
};

void Runner::schedule(Duration delay) {
  next_at = engine.clock.now() + delay;
  timer->start(delay, [self = shared_from_this()] {
    if (self->removed) return;
    self->run();
  });
}

void Runner::run() {
  if (in_flight || waiting) return;
  if (engine.in_flight >= engine.max_in_flight) {
    waiting = true;  // next_at stays: the wait counts as lateness
    engine.waiting.push_back(weak_from_this());
    return;
  }
  const SteadyTime now = engine.clock.now();
  if (next_at) engine.note_lateness(*next_at < now ? now - *next_at : Duration::zero());
  in_flight = true;
  ++engine.in_flight;
  next_at.reset();
  probe_started = now;
  std::weak_ptr<Runner> weak = weak_from_this();
  // SPEC §2: one probe never outlives its timeout, whatever the probe does.
  deadline->start(spec->timeout, [weak] {
    auto self = weak.lock();
    if (!self || self->removed || !self->in_flight) return;
    self->probe->cancel();
    ProbeResult r;
    r.verdict = Verdict::kFail;
    r.reason = timeout_reason(self->spec->timeout);
    r.error = ErrorKind::kTimeout;
    self->on_result(std::move(r));
  });
  probe->start(spec->timeout, [weak](ProbeResult r) {
    auto self = weak.lock();
    if (!self || self->removed || !self->in_flight) return;
    self->on_result(std::move(r));
  });
}

void Runner::end_flight() {
  if (!in_flight) return;
  in_flight = false;
  --engine.in_flight;
  engine.wake_waiting();
}

void Runner::on_result(ProbeResult r) {
  end_flight();
  deadline->cancel();
  Clock& clock = engine.clock;
  r.at = clock.now();
  r.latency = r.at - probe_started;
  if (r.error == ErrorKind::kTimeout) r.reason = timeout_reason(spec->timeout);
  const WallTime wall = clock.wall_now();

  apply_force(r);
  judge_latency(r);
  // Reasons may quote what a target said (a plugin's first line may echo its arguments): every
  // known secret is masked once, here, before the state keeps it and every view shows it.
  r.reason = Redactor::global().redact(std::move(r.reason));
  ++probes_total;
  if (histogram) histogram->observe(r.latency);
  if (r.verdict != Verdict::kPass && r.error != ErrorKind::kNone) ++errors_by_code[r.error];
  if (r.verdict == Verdict::kFail) last_failure_at = r.at;
  last = r;

  std::optional<Transition> t = state.observe(r, wall);
  if (state.health() != Health::kUnknown) joining = false;
  if (!t && release_pending) {
    // SPEC §7: the first result since its parent recovered: it still fails (it is paged now), or
    // a transition (above) said otherwise.
    const std::string before = blocked_by;
    engine.refresh_blocking(*this);
    if (blocked_by != before) engine.blocking_changed.push_back(shared_from_this());
  }
  if (t) {
    // SPEC §7: a failing child of a failing parent is "blocked by" it, and the parent lists it.
    engine.refresh_blocking(*this);
    if (t->to == Health::kFail && !blocked_by.empty()) t->reason = "blocked by " + blocked_by;
    t->blocked_by = blocked_by;
    t->blocking = blocking;
    t->drill = drill_mark();
    // Its recovery (or whatever came after the drill) is told now; while forced, the mark stays
    // for the recovery to come.
    if (!engine.forced.contains(spec->name)) drill_after.clear();
  } else if (!drill_after.empty() && r.verdict != Verdict::kPass && state.health() != Health::kOk &&
             !engine.forced.contains(spec->name)) {
    // SPEC §7: the drill is over and the check still fails for real: from now on that is news
    // of its own (alerting hears the same status without the drill's mark).
    drill_after.clear();
    engine.blocking_changed.push_back(shared_from_this());
  }
  std::optional<Duration> next = next_probe_delay(*spec, state, engine.rng);
  if (phase) {
    // Its slot, once: only a steady wait is shortened (a backoff keeps its own rhythm).
    if (next && !(spec->backoff && state.consecutive_failures() > 0)) next = slot_delay(*next, *phase);
    phase.reset();
  }

  if (r.verdict == Verdict::kFail) {
    // SPEC §2: each failure while not ok is one structured JSON line.
    nlohmann::json f = {{"check", spec->name},
                        {"target", target},
                        {"error_code", to_string(r.error)},
                        {"message", r.reason},
                        {"status", to_string(state.health())},
                        {"consecutive_failures", state.consecutive_failures()},
                        {"in_start_period", state.in_start_period(r.at)},
                        {"latency_ms", millis(r.latency)}};
    if (next) {
      f["retry_in_ms"] = millis(*next);
      f["next_retry_at"] = format_iso8601_ms(wall + std::chrono::duration_cast<WallTime::duration>(*next));
    } else {
      f["retry_in_ms"] = nullptr;
      f["next_retry_at"] = nullptr;
    }
    // kubelet's distinction: a target that failed, or a probe hale could not make at all.
    const bool errored = fault_of(r.error) == Fault::kProber;
    if (errored) f["fault"] = "prober";
    log_event(errored ? LogLevel::kError : LogLevel::kWarn, errored ? "probe_errored" : "probe_failed", std::move(f));
  }
  if (t) {
    ++transitions_total;
    log_transition(*t);
  }
  if (next) {
    schedule(*next);
  } else {
    probing_stopped = true;
    log_event(LogLevel::kError, "probing_stopped",
              {{"check", spec->name},
               {"message", "backoff.max_retries exhausted; the check stays fail until a reload"},
               {"consecutive_failures", state.consecutive_failures()}});
  }
  view = make_view();
  engine.publish_soon(t.has_value());
  for (const auto& l : engine.result_listeners) l(spec->name, r, wall);
  if (t) engine.notify(*t);
  engine.notify_blocking();
}

// SPEC §7: an answered probe's latency joins the window; a pass while the window's p50 or p95
// is over budget counts as a warn, so the check turns degraded through the usual thresholds
// (as for max_latency) and says why. A failure's latency is its timeout or an error, not an
// answer's speed: it does not count.
void Runner::judge_latency(ProbeResult& r) {
  if (!latencies || !spec->latency_budget) return;
  if (r.verdict != Verdict::kFail) latencies->observe(r.at, r.latency);
  quantiles = latencies->quantiles(r.at);
  if (!quantiles || r.verdict != Verdict::kPass) return;
  if (auto over = over_budget(*spec->latency_budget, *quantiles)) {
    r.verdict = Verdict::kWarn;
    r.reason = std::move(*over);
    r.error = ErrorKind::kLatencyBudget;
  }
}

std::string Runner::drill_mark() const {
  if (auto f = engine.forced.find(spec->name); f != engine.forced.end()) return f->second.drill;
  if (!blocked_by.empty()) {
    if (auto f = engine.forced.find(blocked_by); f != engine.forced.end()) return f->second.drill;
  }
  return drill_after;
}

void Runner::apply_force(ProbeResult& r) const {
  auto f = engine.forced.find(spec->name);
  if (f == engine.forced.end()) return;
  const std::string_view word = to_string(f->second.result);
  r.reason = "drill " + f->second.drill + ": forced " + std::string(word) + " (the probe said: " + r.reason + ")";
  switch (f->second.result) {
    case Health::kOk: r.verdict = Verdict::kPass; r.error = ErrorKind::kNone; break;
    case Health::kDegraded: r.verdict = Verdict::kWarn; r.error = ErrorKind::kDrill; break;
    default: r.verdict = Verdict::kFail; r.error = ErrorKind::kDrill; break;
  }
}

std::string Runner::blocking_parent() const {
  if (state.health() != Health::kFail) return "";
  for (const std::string& name : spec->depends_on) {
    auto it = engine.runners.find(name);
    if (it != engine.runners.end() && it->second->state.health() == Health::kFail) return name;
  }
  return "";
}

namespace {

// The children `parent` blocks now; true when that list changed.
bool recompute_blocking_list(Engine::Impl& e, Runner& parent);

}  // namespace

void Engine::Impl::refresh_blocking(Runner& changed) {
  // As a child: blocked by a failing parent, or not.
  changed.release_pending = false;
  changed.blocked_by = changed.blocking_parent();
  // As a parent: its children's blocked_by may follow its new status.
  if (auto it = children.find(changed.spec->name); it != children.end()) {
    for (const std::string& name : it->second) {
      auto c = runners.find(name);
      if (c == runners.end() || c->second.get() == &changed) continue;
      Runner& child = *c->second;
      std::string now_blocked_by = child.blocking_parent();
      if (now_blocked_by == child.blocked_by) continue;
      if (now_blocked_by.empty()) {
        // The parent is back: the child's own next result decides, and it comes now.
        child.release_pending = true;
        if (!child.in_flight && !child.removed) child.schedule(Duration::zero());
        continue;
      }
      child.release_pending = false;
      child.blocked_by = std::move(now_blocked_by);
      relist_parents(child, changed);  // another parent of this child may have gained or lost it
      child.view = child.make_view();
      blocking_changed.push_back(c->second);
    }
  }
  recompute_blocking_list(*this, changed);
  relist_parents(changed, changed);  // its own parents' lists, for its own blocked_by just set
}

void Engine::Impl::relist_parents(const Runner& child, const Runner& skip) {
  for (const std::string& p : child.spec->depends_on) {
    auto pr = runners.find(p);
    if (pr == runners.end() || pr->second.get() == &skip) continue;
    if (recompute_blocking_list(*this, *pr->second)) {
      pr->second->view = pr->second->make_view();
      blocking_changed.push_back(pr->second);
    }
  }
}

namespace {

bool recompute_blocking_list(Engine::Impl& e, Runner& parent) {
  std::vector<std::string> now;
  if (auto it = e.children.find(parent.spec->name); it != e.children.end()) {
    for (const std::string& name : it->second) {
      auto c = e.runners.find(name);
      if (c != e.runners.end() && c->second->blocked_by == parent.spec->name) now.push_back(name);
    }
  }
  if (now == parent.blocking) return false;
  parent.blocking = std::move(now);
  return true;
}

}  // namespace

void Runner::remove() {
  removed = true;
  timer->cancel();
  deadline->cancel();
  if (in_flight) probe->cancel();
  end_flight();
  waiting = false;
}

std::shared_ptr<const CheckView> Runner::make_view() const {
  auto v = std::make_shared<CheckView>();
  Clock& clock = engine.clock;
  v->name = spec->name;
  v->type = std::string(to_string(spec->type()));
  v->target = target;
  v->status = state.health();
  v->critical = spec->critical;
  v->groups = spec->groups;
  v->guard_code = spec->guard_code;
  v->latency_budget = spec->latency_budget;
  v->latency_quantiles = quantiles;
  v->depends_on = spec->depends_on;
  v->blocked_by = blocked_by;
  v->blocking = blocking;
  v->drill = drill_mark();
  // Reasons may quote what a target said (a plugin's first line may echo its arguments):
  // every known secret is masked before they are shown.
  const Redactor& redactor = Redactor::global();
  if (last) {
    v->message = redactor.redact(last->reason);
    v->latency = last->latency;
  }
  if (!blocked_by.empty()) {
    v->error = "blocked by " + blocked_by;  // SPEC §7; its own failures are in `recent`
    v->error_kind = ErrorKind::kBlocked;
  } else if (state.consecutive_failures() > 0 || state.health() == Health::kFail) {
    v->error = redactor.redact(state.last_failure_reason());
    v->error_kind = last && last->verdict == Verdict::kFail ? last->error : ErrorKind::kNone;
  } else if (state.health() == Health::kDegraded && last) {
    v->error = redactor.redact(last->reason);
    v->error_kind = last->error;
  }
  v->since = clock.to_wall(state.since());
  v->consecutive_failures = state.consecutive_failures();
  if (auto ls = state.last_success()) v->last_success = clock.to_wall(*ls);
  if (last_failure_at) v->last_failure = clock.to_wall(*last_failure_at);
  // Calendar times are derived from the steady times of the results, like since/next_check.
  if (last) v->last_probe = clock.to_wall(last->at);
  if (next_at) v->next_check = clock.to_wall(*next_at);
  v->probing_stopped = probing_stopped;
  v->in_start_period = state.in_start_period(clock.now());
  v->joining = joining;
  v->recent = state.shared_recent();  // redacted when they arrived (on_result)
  v->recent_wall.reserve(v->recent->size());
  for (const ProbeResult& r : *v->recent) v->recent_wall.push_back(clock.to_wall(r.at));
  v->probes_total = probes_total;
  v->transitions_total = transitions_total;
  v->errors_by_code = errors_by_code;
  if (histogram) v->latency_histogram = std::make_shared<const LatencyHistogram>(*histogram);
  return v;
}

namespace {

// SPEC §8: checks sharing an interval spread evenly over it. The k-th of N (by name) waits
// slot_phase(interval, k, N) less after its first result; a check alone keeps its interval.
// Only new runners get a slot: a reload leaves running checks where they are.
void assign_slots(const std::map<std::string, std::shared_ptr<Runner>>& runners, const std::vector<Runner*>& started) {
  if (started.empty()) return;
  const std::unordered_set<const Runner*> is_new(started.begin(), started.end());
  std::map<Duration, std::vector<Runner*>> by_interval;
  for (const auto& [name, r] : runners) by_interval[r->spec->interval].push_back(r.get());
  for (auto& [interval, group] : by_interval) {
    for (std::size_t k = 0; k < group.size(); ++k) {
      if (is_new.contains(group[k])) group[k]->phase = slot_phase(interval, k, group.size());
    }
  }
}

}  // namespace

Engine::Engine(asio::io_context& io, Clock& clock, ProbeContext& probes, std::uint64_t seed, Timers* timers)
    : impl_(std::make_shared<Impl>(io, clock, probes, seed, timers)) {
  impl_->tick(clock.now() + 1s);
}

Engine::~Engine() { stop(); }

// SPEC §2: a reload never flips an answer by itself. An unchanged check (or one whose
// `critical` or `groups` changed: how it is aggregated, not probed) keeps running as it is. A
// check whose probing changed gets a new probe but keeps its status and runs, judged from now on
// by the new thresholds. A check the reload adds is `joining`: unknown and left out of
// aggregation until its first decisive result. A removed check leaves.
void Engine::apply(const Config& config) { apply(std::make_shared<const Config>(config)); }

void Engine::apply(std::shared_ptr<const Config> shared_config) {
  Impl& e = *impl_;
  if (e.stopped) return;
  const Config& config = *shared_config;
  e.max_in_flight = static_cast<std::size_t>(std::max(1, config.server.max_concurrent_probes));
  e.keep_histograms = config.metrics.detail == MetricsDetail::kFull;
  std::map<std::string, std::shared_ptr<Runner>> next;
  std::vector<Runner*> started;  // new runners, which get a slot of their interval
  // The results a check keeps were redacted when they arrived; this config may hold a secret that
  // one of them quotes.
  auto redact_kept = [](Runner& r) {
    r.state.redact_recent([](std::string text) { return Redactor::global().redact(std::move(text)); });
  };
  // A reload that asks for the histograms starts them from zero (a counter reset to Prometheus).
  auto keep_histogram = [&e](Runner& r) {
    if (!e.keep_histograms) r.histogram.reset();
    else if (!r.histogram) r.histogram = std::make_unique<LatencyHistogram>();
  };
  for (const CheckSpec& spec : config.checks) {
    // Shares the Config's ownership: the runner and its probe read the spec where it is.
    std::shared_ptr<const CheckSpec> shared_spec(shared_config, &spec);
    auto it = e.runners.find(spec.name);
    std::shared_ptr<Runner> old = it == e.runners.end() ? nullptr : it->second;
    // Unchanged checks keep running, except one whose max_retries ran out: a reload is what
    // starts it again (as the probing_stopped log line says).
    if (old && !old->probing_stopped && same_probing(*old->spec, spec)) {
      old->spec = shared_spec;
      old->probe->rebind(shared_spec);  // so that nothing holds the previous Config
      redact_kept(*old);
      keep_histogram(*old);
      old->view = old->make_view();
      next.emplace(spec.name, old);
      e.runners.erase(it);
      continue;
    }
    std::unique_ptr<Probe> probe = e.probes.factory ? e.probes.factory(spec) : make_probe(shared_spec, e.probes);
    if (!probe) {
      log_event(LogLevel::kError, "check_unsupported",
                {{"check", spec.name}, {"type", to_string(spec.type())}});
      continue;
    }
    auto r = std::make_shared<Runner>(e, shared_spec, std::move(probe), e.clock.now(), e.timers);
    keep_histogram(*r);
    if (old) {
      // Changed probing: what the check knew stays until the new settings decide.
      r->state = old->state;
      redact_kept(*r);
      r->state.adopt_policy(policy_of(spec));
      if (old->probing_stopped) r->state.restart_failure_run();  // a new set of retries
      r->last = old->last;
      r->joining = old->joining;
      r->drill_after = old->drill_after;  // a drill's recovery stays the drill's across a reload
      if (r->latencies && old->latencies) {  // a new budget judges the latencies already seen
        r->latencies = old->latencies;
        r->latencies->set_window(spec.latency_budget->window);
        r->quantiles = old->quantiles;
      }
    } else {
      r->joining = e.applied;
    }
    started.push_back(r.get());
    r->schedule(first_probe_delay(spec, e.rng));
    r->view = r->make_view();
    next.emplace(spec.name, std::move(r));
  }
  // What is left was removed (changed checks were taken out above, their old runner stopped
  // here). Subscribers hear that a removed check's state is gone (to `unknown`), so that, say,
  // an alert about it can be resolved rather than left open.
  std::vector<Transition> ended;
  for (auto& [name, r] : e.runners) {
    r->remove();
    if (next.count(name) || r->state.health() == Health::kUnknown) continue;
    Transition t;
    t.check = name;
    t.from = r->state.health();
    t.to = Health::kUnknown;
    t.reason = "check removed";
    t.at = e.clock.now();
    t.wall_at = e.clock.wall_now();
    ended.push_back(std::move(t));
  }
  e.runners = std::move(next);
  e.in_order.clear();
  e.in_order.reserve(e.runners.size());
  for (const auto& [name, r] : e.runners) e.in_order.push_back(r.get());
  assign_slots(e.runners, started);
  e.wake_waiting();  // a raised max_concurrent_probes frees slots now
  e.children.clear();
  for (const CheckSpec& spec : config.checks) {
    for (const std::string& parent : spec.depends_on) e.children[parent].push_back(spec.name);
  }
  // A reload may add, change or remove a dependency: who blocks whom is worked out anew.
  for (auto& [name, r] : e.runners) r->blocked_by = r->blocking_parent();
  for (auto& [name, r] : e.runners) {
    const std::vector<std::string> before = r->blocking;
    recompute_blocking_list(e, *r);
    if (r->blocking != before || r->view->blocked_by != r->blocked_by) {
      r->view = r->make_view();
      e.blocking_changed.push_back(r);
    }
  }
  e.custom_groups.clear();
  for (const auto& g : config.groups) e.custom_groups.push_back(g.name);
  e.applied = true;
  e.publish();
  for (const Transition& t : ended) {
    log_transition(t);
    e.notify(t);
  }
  e.notify_blocking();
}

void Engine::restart_check(const std::string& name, const std::string& reason) {
  Impl& e = *impl_;
  if (e.stopped) return;
  auto it = e.runners.find(name);
  if (it == e.runners.end()) return;
  std::shared_ptr<Runner> r = it->second;
  // A probe of the old process still in flight must not count for the new one.
  r->timer->cancel();
  r->deadline->cancel();
  if (r->in_flight) r->probe->cancel();
  r->end_flight();
  r->waiting = false;
  r->probing_stopped = false;
  r->last.reset();
  // A new process is not judged by its predecessor's latencies either.
  if (r->latencies) r->latencies.emplace(r->spec->latency_budget->window);
  r->quantiles.reset();
  std::optional<Transition> t = r->state.reset(e.clock.now(), e.clock.wall_now());
  if (t) e.refresh_blocking(*r);  // unknown blocks nothing, and is blocked by nothing
  r->schedule(first_probe_delay(*r->spec, e.rng));
  r->view = r->make_view();
  e.publish_soon(t.has_value());
  if (t) {
    t->reason = reason;
    ++r->transitions_total;
    log_transition(*t);
    e.notify(*t);
  }
  e.notify_blocking();
}

void Engine::force(const std::string& name, Health result, const std::string& drill) {
  Impl& e = *impl_;
  if (e.stopped) return;
  e.forced[name] = ForcedResult{result, drill};
  auto it = e.runners.find(name);
  if (it == e.runners.end()) return;
  Runner& r = *it->second;
  // Its way back is the drill's only when the drill made it worse: a check that already failed
  // (or is forced better than it is) recovers, or fails again, for real.
  auto badness = [](Health h) { return h == Health::kFail ? 2 : h == Health::kDegraded ? 1 : 0; };
  if (badness(result) > badness(r.state.health())) r.drill_after = drill;
  if (!r.in_flight && !r.removed) r.schedule(Duration::zero());
  r.view = r.make_view();
  e.publish_soon();
}

void Engine::unforce(const std::string& name) {
  Impl& e = *impl_;
  if (e.stopped || e.forced.erase(name) == 0) return;
  auto it = e.runners.find(name);
  if (it == e.runners.end()) return;
  Runner& r = *it->second;
  // A drill that changed nothing leaves no mark to clear.
  if (r.state.health() == Health::kOk || r.state.health() == Health::kUnknown) r.drill_after.clear();
  // Forced failures may have spent backoff.max_retries: the real results get a fresh run.
  if (r.probing_stopped) {
    r.probing_stopped = false;
    r.state.restart_failure_run();
  }
  if (!r.in_flight && !r.removed) r.schedule(Duration::zero());
  r.view = r.make_view();
  e.publish_soon();
}

void Engine::subscribe(TransitionListener listener) {
  impl_->listeners.push_back(std::move(listener));
}

void Engine::subscribe_results(ResultListener listener) { impl_->result_listeners.push_back(std::move(listener)); }

void Engine::subscribe_blocking(BlockingListener listener) {
  impl_->blocking_listeners.push_back(std::move(listener));
}

std::shared_ptr<const Snapshot> Engine::snapshot() const {
  std::lock_guard lock(impl_->mu);
  return impl_->current;
}

void Engine::note_reload(bool ok) {
  (ok ? impl_->reloads_total : impl_->reload_failures_total)++;
  impl_->publish();
}

void Engine::stop() {
  Impl& e = *impl_;
  if (e.stopped) return;
  e.stopped = true;
  *e.alive = false;
  e.lag_timer->cancel();
  e.publish_timer->cancel();
  e.urgent_timer->cancel();
  for (auto& [name, r] : e.runners) r->remove();
}

}  // namespace hale
