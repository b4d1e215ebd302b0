// The heartbeats on the event loop (see heartbeat_monitor.h).
#include "hale/heartbeat/heartbeat_monitor.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <deque>

#include <fmt/format.h>

#include "hale/heartbeat/heartbeat_policy.h"
#include "hale/heartbeat/ping_request.h"
#include "hale/log/json_log.h"
#include "hale/log/redactor.h"
#include "hale/text/secret_compare.h"
#include "hale/store/store_worker.h"

namespace hale {

namespace asio = boost::asio;

struct HeartbeatMonitor::Timer {
  explicit Timer(asio::io_context& io) : timer(io) {}
  asio::steady_timer timer;
};

struct HeartbeatMonitor::Entry {
  Entry(HeartbeatSpec s, HeartbeatPolicy policy, WallTime now)
      : spec(std::move(s)), state(spec.name, std::move(policy), now), since(now),
        schedule(describe_schedule(spec)) {}

  HeartbeatSpec spec;
  HeartbeatState state;
  WallTime since;        // when the current state began
  std::string schedule;  // as shown
  std::deque<HeartbeatRun> runs;  // newest first, at most kKeptRuns
  std::optional<WallTime> last_success;
  int consecutive_failures = 0;
  std::map<std::string, std::uint64_t> pings_by_kind;
  std::uint64_t runs_succeeded = 0;
  std::uint64_t runs_failed = 0;
  std::uint64_t transitions_total = 0;
  std::shared_ptr<const HeartbeatView> view;
};

namespace {

bool ends_run(PingKind k) { return k == PingKind::kSuccess || k == PingKind::kFail || k == PingKind::kExitCode; }

LogLevel level_for(HeartbeatStatus to) {
  return to == HeartbeatStatus::kDown || to == HeartbeatStatus::kLate ? LogLevel::kWarn : LogLevel::kInfo;
}

}  // namespace

HeartbeatMonitor::HeartbeatMonitor(asio::io_context& io, const Clock& clock)
    : clock_(clock), timer_(std::make_unique<Timer>(io)),
      snapshot_(std::make_shared<HeartbeatsSnapshot>()) {}

HeartbeatMonitor::~HeartbeatMonitor() = default;

HeartbeatMonitor::Entry* HeartbeatMonitor::find(std::string_view name) {
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : it->second.get();
}

void HeartbeatMonitor::apply(const std::vector<HeartbeatSpec>& specs) {
  const WallTime now = clock_.wall_now();
  std::map<std::string, std::unique_ptr<Entry>, std::less<>> next;
  for (const HeartbeatSpec& spec : specs) {
    auto old = entries_.find(spec.name);
    if (old != entries_.end() && old->second->spec == spec) {
      next.emplace(spec.name, std::move(old->second));  // unchanged: left alone
      continue;
    }
    auto policy = make_heartbeat_policy(spec);
    if (!policy) {
      log_event(LogLevel::kError, "heartbeat_unavailable",
                {{"heartbeat", spec.name}, {"message", policy.status().message()}});
      continue;
    }
    if (old != entries_.end()) {
      // Changed rules: keep what was seen (state, last ping, runs, counters); the next expected
      // run follows the new schedule from the last ping.
      Entry& e = *old->second;
      const WallTime from = e.state.last_ping().value_or(now);
      HeartbeatState state(spec.name, std::move(policy).value(), from);
      state.restore(e.state.status(), e.state.reason(), e.state.last_ping(), std::nullopt, e.state.running_since());
      e.state = std::move(state);
      e.spec = spec;
      e.schedule = describe_schedule(spec);
      // Late under the old schedule may be on time under the new one.
      if (auto t = e.state.reschedule(from, now)) on_transition(e, *t);
      save(e);  // a restart must find the new expected time, not the old one
      next.emplace(spec.name, std::move(old->second));
      continue;
    }
    auto e = std::make_unique<Entry>(spec, std::move(policy).value(), now);
    restore(*e);
    next.emplace(spec.name, std::move(e));
  }
  entries_ = std::move(next);
  for (auto& [name, e] : entries_) refresh_view(*e);
  tick();  // judges what passed while hale was away (or the rules changed); publishes; arms
}

// What a previous hale saved: the state, and the last runs.
void HeartbeatMonitor::restore(Entry& e) {
  if (!store_) return;
  const std::string name = e.spec.name;
  auto saved = store_->call([&name](StateStore& s) { return s.heartbeat(name); });
  auto runs = store_->call([&name](StateStore& s) { return s.runs(name); });
  if (!saved || !runs) {
    log_event(LogLevel::kError, "heartbeat_restore_failed",
              {{"heartbeat", name},
               {"message", !saved ? saved.status().message() : runs.status().message()},
               {"consequence", "it starts as new"}});
    return;
  }
  for (HeartbeatRun& r : std::move(runs).value()) {
    if (e.runs.size() == kKeptRuns) break;
    e.runs.push_back(std::move(r));
  }
  for (const HeartbeatRun& r : e.runs) {
    if (!r.success()) continue;
    e.last_success = r.ended;
    break;
  }
  for (const HeartbeatRun& r : e.runs) {
    if (r.success()) break;
    ++e.consecutive_failures;
  }
  if (!saved->has_value()) return;
  const SavedHeartbeat& h = **saved;
  const HeartbeatStatus status = parse_heartbeat_status(h.status).value_or(HeartbeatStatus::kNew);
  e.state.restore(status, h.reason, h.last_ping, h.next_expected, h.running_since);
  e.since = h.since.value_or(h.last_ping.value_or(e.since));
  // The saved next_expected was computed under the schedule of its time: if the config changed
  // while hale was away, the next run follows the schedule of now.
  if (h.schedule != e.schedule) {
    if (auto t = e.state.reschedule(h.last_ping.value_or(clock_.wall_now()), clock_.wall_now())) on_transition(e, *t);
  }
  log_event(LogLevel::kInfo, "heartbeat_restored",
            {{"heartbeat", name}, {"state", to_string(status)}, {"reason", Redactor::global().redact(h.reason)}});
}

PingAnswer HeartbeatMonitor::ping(const PingCall& call) {
  Entry* e = find(call.name);
  if (!e) return {404, fmt::format("no heartbeat named \"{}\"\n", call.name)};
  // healthchecks.io's order and words: an unknown name is 404, then an exit code over 255 is 400.
  if (call.exit_code_over_255) return {400, "invalid url format\n"};
  if (e->spec.token && !(call.token && secret_equals(*call.token, *e->spec.token))) {
    return {401, "missing or wrong token: send it as ?token= or Authorization: Bearer\n"};
  }
  PingOutput output = ping_output(call.body, call.body_bytes);
  // Masked before anything is judged, cut or kept: a job may print a secret it was given, and
  // the redactor recognises only whole secrets.
  output.text = Redactor::global().redact(std::move(output.text));
  Ping p;
  p.kind = call.kind;
  p.at = clock_.wall_now();
  p.exit_code = call.exit_code;
  p.output = std::move(output.text);
  const std::optional<WallTime> started = e->state.running_since();
  ++e->pings_by_kind[std::string(to_string(call.kind))];
  if (auto t = e->state.ping(p)) on_transition(*e, *t);
  if (ends_run(call.kind)) record_run(*e, started, p, output.dropped);
  save(*e);
  refresh_view(*e);
  publish();
  arm_timer();
  return {200, "OK\n"};
}

HeartbeatActionResult HeartbeatMonitor::act(std::string_view name, std::string_view action) {
  Entry* e = find(name);
  if (!e) return {404, "not_found", fmt::format("no heartbeat named \"{}\"", name), HeartbeatStatus::kNew};
  const WallTime now = clock_.wall_now();
  std::optional<HeartbeatTransition> t;
  if (action == "pause") {
    t = e->state.pause(now);
  } else if (action == "resume") {
    t = e->state.resume(now);
  } else {
    return {404, "not_found", fmt::format("no action \"{}\" (pause, resume)", action), e->state.status()};
  }
  if (t) {
    on_transition(*e, *t);
    save(*e);
    refresh_view(*e);
    publish();
    arm_timer();
  }
  return {200, "", "", e->state.status()};
}

void HeartbeatMonitor::tick() {
  const WallTime now = clock_.wall_now();
  for (auto& [name, e] : entries_) {
    // Up to late and on to down in one go when hale was away through both deadlines.
    bool moved = false;
    for (int i = 0; i < 3; ++i) {
      auto t = e->state.tick(now);
      if (!t) break;
      on_transition(*e, *t);
      moved = true;
    }
    if (moved) {
      save(*e);
      refresh_view(*e);
    }
  }
  publish();  // cheap (a vector of shared views), and after apply() the set itself may be new
  arm_timer();
}

void HeartbeatMonitor::stop() {
  stopped_ = true;
  timer_->timer.cancel();
}

void HeartbeatMonitor::on_transition(Entry& e, const HeartbeatTransition& t) {
  e.since = t.at;
  ++e.transitions_total;
  if (auto f = forced_.find(e.spec.name); f != forced_.end()) {
    // SPEC §7: a drill shows its own state; the real one moves underneath, said in the log only.
    log_event(LogLevel::kInfo, "heartbeat_transition",
              {{"heartbeat", t.name},
               {"from", to_string(t.from)},
               {"to", to_string(t.to)},
               {"reason", Redactor::global().redact(t.reason)},
               {"critical", e.spec.critical},
               {"hidden_by_drill", f->second.drill}});
    return;
  }
  tell(e, t);
}

void HeartbeatMonitor::tell(const Entry& e, const HeartbeatTransition& t) {
  nlohmann::json fields{{"heartbeat", t.name},
                        {"from", to_string(t.from)},
                        {"to", to_string(t.to)},
                        {"reason", Redactor::global().redact(t.reason)},
                        {"critical", e.spec.critical}};
  if (!t.drill.empty()) fields["drill"] = t.drill;
  log_event(level_for(t.to), "heartbeat_transition", std::move(fields));
  for (const auto& listener : listeners_) listener(t, e.spec.critical);
}

HeartbeatStatus HeartbeatMonitor::shown(const Entry& e) const {
  auto f = forced_.find(e.spec.name);
  return f == forced_.end() ? e.state.status() : f->second.status;
}

void HeartbeatMonitor::force(const std::string& name, Health result, const std::string& drill) {
  Entry* e = find(name);
  if (!e) return;
  const HeartbeatStatus from = shown(*e);
  const HeartbeatStatus to = result == Health::kOk ? HeartbeatStatus::kUp : HeartbeatStatus::kDown;
  forced_[name] = Forced{to, drill, e->state.status()};
  if (from != to) {
    e->since = clock_.wall_now();
    tell(*e, HeartbeatTransition{name, from, to, "drill " + drill + ": forced " + std::string(to_string(to)),
                                 e->since, drill});
  }
  refresh_view(*e);
  publish();
}

void HeartbeatMonitor::unforce(const std::string& name) {
  auto f = forced_.find(name);
  if (f == forced_.end()) return;
  const Forced was = f->second;
  forced_.erase(f);
  Entry* e = find(name);
  if (!e) return;
  const HeartbeatStatus real = e->state.status();
  // Back to the state it had before the drill: the drill's doing (its recovery). Anything else
  // happened for real meanwhile (a job that went down while forced up, or the forced state
  // itself) and is told unmarked: news of its own.
  HeartbeatTransition t{name, was.status, real, e->state.reason(), clock_.wall_now(),
                        real == was.real_before && real != was.status ? was.drill : std::string()};
  e->since = t.at;
  tell(*e, t);
  refresh_view(*e);
  publish();
}

void HeartbeatMonitor::record_run(Entry& e, std::optional<WallTime> started, const Ping& end,
                                  std::uint64_t dropped) {
  HeartbeatRun run;
  run.started = started;
  run.ended = end.at;
  if (end.kind == PingKind::kExitCode) run.exit_code = end.exit_code;
  const bool success = e.state.status() == HeartbeatStatus::kUp;
  run.verdict = success ? "success" : Redactor::global().redact(e.state.reason());
  run.output_excerpt = output_excerpt(end.output, dropped, kOutputExcerptBytes);
  if (success) {
    ++e.runs_succeeded;
    e.consecutive_failures = 0;
    e.last_success = end.at;
    log_event(LogLevel::kDebug, "heartbeat_run", {{"heartbeat", e.spec.name}, {"verdict", "success"}});
  } else {
    ++e.runs_failed;
    ++e.consecutive_failures;
    // The transition to down is logged already; a failed run while down is logged here, so
    // that no failed run goes unsaid.
    log_event(LogLevel::kWarn, "heartbeat_run_failed",
              {{"heartbeat", e.spec.name}, {"verdict", run.verdict}, {"consecutive_failures", e.consecutive_failures}});
  }
  e.runs.push_front(run);
  if (e.runs.size() > kKeptRuns) e.runs.pop_back();
  for (const auto& l : run_listeners_) l(e.spec.name, run);
  if (store_) {
    store_->post("runs:" + e.spec.name, kKeptRuns, [name = e.spec.name, run = std::move(run)](StateStore& s) {
      if (Status st = s.add_run(name, run, static_cast<int>(kKeptRuns)); !st) {
        log_event(LogLevel::kError, "heartbeat_save_failed", {{"heartbeat", name}, {"message", st.message()}});
      }
    });
  }
}

void HeartbeatMonitor::save(const Entry& e) {
  if (!store_) return;
  SavedHeartbeat h;
  h.status = std::string(to_string(e.state.status()));
  h.reason = Redactor::global().redact(e.state.reason());  // only masked text goes to disk
  h.last_ping = e.state.last_ping();
  h.next_expected = e.state.next_expected();
  h.running_since = e.state.running_since();
  h.since = e.since;
  h.schedule = e.schedule;
  store_->post("state:" + e.spec.name, 1, [name = e.spec.name, h = std::move(h)](StateStore& s) {
    if (Status st = s.save_heartbeat(name, h); !st) {
      log_event(LogLevel::kError, "heartbeat_save_failed", {{"heartbeat", name}, {"message", st.message()}});
    }
  });
}

void HeartbeatMonitor::refresh_view(Entry& e) {
  auto v = std::make_shared<HeartbeatView>();
  v->name = e.spec.name;
  v->state = shown(e);
  v->reason = Redactor::global().redact(e.state.reason());
  if (auto f = forced_.find(e.spec.name); f != forced_.end()) {
    v->reason = "drill " + f->second.drill + ": forced " + std::string(to_string(f->second.status));
    v->drill = f->second.drill;
  }
  v->critical = e.spec.critical;
  v->groups = e.spec.groups;
  v->guard_code = e.spec.guard_code;
  v->schedule = e.schedule;
  v->grace = e.spec.grace;
  v->since = e.since;
  v->last_ping = e.state.last_ping();
  v->next_expected = e.state.next_expected();
  v->running_since = e.state.running_since();
  v->last_success = e.last_success;
  v->consecutive_failures = e.consecutive_failures;
  v->runs.assign(e.runs.begin(), e.runs.end());
  v->pings_by_kind = e.pings_by_kind;
  v->runs_succeeded = e.runs_succeeded;
  v->runs_failed = e.runs_failed;
  v->transitions_total = e.transitions_total;
  e.view = std::move(v);
}

void HeartbeatMonitor::publish() {
  auto snap = std::make_shared<HeartbeatsSnapshot>();
  snap->heartbeats.reserve(entries_.size());
  for (const auto& [name, e] : entries_) snap->heartbeats.push_back(e->view);  // map: sorted by name
  finalize(*snap);
  std::lock_guard lock(snapshot_mu_);
  snapshot_ = std::move(snap);
}

std::shared_ptr<const HeartbeatsSnapshot> HeartbeatMonitor::snapshot() const {
  std::lock_guard lock(snapshot_mu_);
  return snapshot_;
}

void HeartbeatMonitor::arm_timer() {
  if (stopped_) return;
  std::optional<WallTime> next;
  for (const auto& [name, e] : entries_) {
    if (auto d = e->state.next_deadline(); d && (!next || *d < *next)) next = d;
  }
  timer_->timer.cancel();
  if (!next) return;
  // A hair past the deadline: tick() compares with >=, and waking early would only re-arm.
  Duration wait = std::chrono::duration_cast<Duration>(*next - clock_.wall_now()) + std::chrono::milliseconds(5);
  wait = std::clamp(wait, Duration::zero(), kMaxSleep);
  timer_->timer.expires_after(wait);
  timer_->timer.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled (re-armed, or stopping): `this` may be gone
    tick();
  });
}

}  // namespace hale
