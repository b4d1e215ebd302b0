// Drills on the event loop (see drill_runner.h).
#include "hale/drill/drill_runner.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <random>

#include <fmt/format.h>

#include "hale/log/json_log.h"

namespace hale {

namespace asio = boost::asio;

struct DrillRunner::Timers {
  explicit Timers(asio::io_context& io) : end(io), settle(io), schedule(io) {}
  asio::steady_timer end;       // the end of the running drill's duration
  asio::steady_timer settle;    // looks whether the forced state has settled
  asio::steady_timer schedule;  // the next scheduled drill
};

namespace {

// A run's id: 32 hex digits, unpredictable, like an alert's.
std::string new_run_id() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("{:016x}{:016x}", rng(), rng());
}


}  // namespace

DrillRunner::DrillRunner(asio::io_context& io, const Clock& clock, Hooks hooks)
    : clock_(clock), hooks_(std::move(hooks)), timers_(std::make_unique<Timers>(io)) {}

DrillRunner::~DrillRunner() = default;

void DrillRunner::apply(const std::vector<DrillSpec>& drills) {
  specs_ = drills;
  arm_schedule();
}

const DrillRun* DrillRunner::last_run(std::string_view name) const {
  auto it = last_.find(name);
  return it == last_.end() ? nullptr : &it->second;
}

DrillRunner::StartResult DrillRunner::start(std::string_view name, std::string trigger) {
  auto spec = std::find_if(specs_.begin(), specs_.end(), [&](const DrillSpec& d) { return d.name == name; });
  if (spec == specs_.end()) return {404, "not_found", fmt::format("no drill named \"{}\"", name), std::nullopt};
  return start(*spec, std::move(trigger));
}

DrillRunner::StartResult DrillRunner::start(const DrillSpec& drill, std::string trigger) {
  const DrillSpec* spec = &drill;
  if (active_) {
    return {409, "drill_running",
            fmt::format("drill {} is running until {}; one drill at a time", active_->drill,
                        format_iso8601_ms(active_->ends_at)),
            active_};
  }
  if (stopped_) return {503, "stopping", "hale is stopping", std::nullopt};
  DrillRun run;
  run.id = new_run_id();
  run.drill = spec->name;
  run.trigger = std::move(trigger);
  run.started_at = clock_.wall_now();
  run.ends_at = run.started_at + std::chrono::duration_cast<WallTime::duration>(spec->duration);
  run.forced = spec->force;
  run.page = spec->page;
  active_spec_ = *spec;
  active_ = run;
  active_started_ = clock_.now();
  alerted_.clear();
  routed_.clear();
  ++runs_;
  log_event(LogLevel::kWarn, "drill_started",
            {{"drill", run.drill}, {"id", run.id}, {"trigger", run.trigger},
             {"duration", format_duration(spec->duration)}, {"ends_at", format_iso8601_ms(run.ends_at)},
             {"forced", to_json(run)["forced"]}});
  for (const DrillForce& f : active_spec_->force) hooks_.force(f, run.drill);
  if (hooks_.on_run) hooks_.on_run(*active_);
  timers_->end.expires_after(spec->duration);
  timers_->end.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) finish();
  });
  watch_settling();
  return {202, "", "", active_};
}

void DrillRunner::watch_settling() {
  if (!active_ || active_->settled_after) return;
  const bool settled = std::all_of(active_spec_->force.begin(), active_spec_->force.end(),
                                   [this](const DrillForce& f) { return hooks_.shows_forced(f); });
  if (settled) {
    active_->settled_after = clock_.now() - active_started_;
    log_event(LogLevel::kInfo, "drill_settled",
              {{"drill", active_->drill}, {"id", active_->id}, {"after", format_duration(*active_->settled_after)}});
    return;
  }
  timers_->settle.expires_after(kSettleEvery);
  timers_->settle.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) watch_settling();
  });
}

void DrillRunner::note_alert(const std::string& notifier, const std::string& drill, bool delivered) {
  if (!active_ || drill != active_->drill) return;
  auto add = [&](std::vector<std::string>& list) {
    if (std::find(list.begin(), list.end(), notifier) == list.end()) list.push_back(notifier);
  };
  add(routed_);
  if (delivered) add(alerted_);
}

void DrillRunner::finish() {
  if (!active_) return;
  timers_->settle.cancel();
  watch_settling();  // a last look: it may have settled since the last one
  DrillRun& run = *active_;
  // SPEC §7: judged while the forced state still holds, then everything is restored.
  auto joined = [](std::vector<std::string> names) {
    std::sort(names.begin(), names.end());
    std::string out;
    for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
  };
  run.rows = judge_expectations(active_spec_->expect, [&](const DrillExpectation& e) -> std::optional<std::string> {
    if (e.key == "alerts") return joined(alerted_);
    if (e.key == "routed") return joined(routed_);
    return hooks_.seen(e);
  });
  if (!run.settled_after) {
    std::string pending;
    for (const DrillForce& f : active_spec_->force) {
      if (!hooks_.shows_forced(f)) pending += (pending.empty() ? "" : ", ") + f.name;
    }
    run.rows.insert(run.rows.begin(), DrillRow{"settled", "within " + format_duration(active_spec_->duration),
                                                "not yet: " + pending, false});
  }
  for (const DrillForce& f : active_spec_->force) hooks_.unforce(f);
  run.ended_at = clock_.wall_now();
  run.state = drill_passed(run) ? DrillState::kPassed : DrillState::kFailed;
  nlohmann::json fields{{"drill", run.drill}, {"id", run.id}, {"result", to_string(run.state)},
                        {"expectations", to_json(run)["expectations"]}};
  if (run.state == DrillState::kFailed) fields["failed"] = drill_failure_summary(run);
  log_event(run.state == DrillState::kPassed ? LogLevel::kInfo : LogLevel::kWarn, "drill_ended", std::move(fields));
  DrillRun done = std::move(run);
  active_.reset();
  active_spec_.reset();
  last_[done.drill] = done;
  if (hooks_.on_run) hooks_.on_run(done);
}

void DrillRunner::arm_schedule() {
  timers_->schedule.cancel();
  if (stopped_) return;
  const WallTime now = clock_.wall_now();
  std::optional<WallTime> next;
  for (const DrillSpec& d : specs_) {
    if (auto at = d.schedule.next_after(now); at && (!next || *at < *next)) next = at;
  }
  if (!next) return;
  // Re-read at least every 30 s, so that a clock step is noticed (as the heartbeat monitor does).
  Duration wait = std::chrono::duration_cast<Duration>(*next - now) + std::chrono::milliseconds(5);
  wait = std::clamp(wait, Duration::zero(), Duration(std::chrono::seconds(30)));
  next_due_ = *next;
  timers_->schedule.expires_after(wait);
  timers_->schedule.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) on_schedule();
  });
}

void DrillRunner::on_schedule() {
  const WallTime now = clock_.wall_now();
  if (next_due_ && now >= *next_due_) {
    for (const DrillSpec& d : specs_) {
      // Due now: its next firing after a moment before the due time is the due time (an empty
      // schedule never fires).
      auto at = d.schedule.next_after(*next_due_ - std::chrono::seconds(1));
      if (!at || *at != *next_due_) continue;
      StartResult r = start(d.name, "schedule");
      if (r.http_status != 202) {
        // Kept as its last run (the API and `hale drill list` show it), not alerted: a skipped
        // rehearsal found nothing wrong, it just did not happen.
        DrillRun skipped;
        skipped.id = new_run_id();
        skipped.drill = d.name;
        skipped.trigger = "schedule";
        skipped.state = DrillState::kAborted;
        skipped.started_at = now;
        skipped.ends_at = now;
        skipped.ended_at = now;
        skipped.forced = d.force;
        skipped.message = "skipped: " + r.message;
        last_[d.name] = skipped;
        log_event(LogLevel::kWarn, "drill_skipped", {{"drill", d.name}, {"message", r.message}});
        if (hooks_.on_run) hooks_.on_run(skipped);
      }
    }
  }
  next_due_.reset();
  arm_schedule();
}

void DrillRunner::stop() {
  stopped_ = true;
  timers_->end.cancel();
  timers_->settle.cancel();
  timers_->schedule.cancel();
}

}  // namespace hale
