// The supervisor: the set of ServiceRunners, depends_on, operator calls and the published
// snapshot (see supervisor.h).
#include "hale/supervise/supervisor.h"

#include <unistd.h>

#include <boost/asio/io_context.hpp>

#include <map>
#include <mutex>
#include <random>

#include <fmt/format.h>

#include "hale/health/engine.h"
#include "hale/log/json_log.h"
#include "hale/proc/marked_processes.h"
#include "hale/store/state_store.h"
#include "hale/supervise/containment.h"
#include "hale/supervise/orphan_reaper.h"
#include "hale/supervise/service_runner.h"
#include "hale/time/timer.h"

namespace hale {

namespace asio = boost::asio;

struct Supervisor::Impl final : SupervisorHost {
  Impl(asio::io_context& io, Clock& clock, Engine& engine, StateStore* store, std::string logs_dir,
       std::uint64_t seed, Timers* timers)
      : io_(io),
        clock_(clock),
        own_timers_(timers ? nullptr : asio_timers(io)),
        timers_(timers ? *timers : *own_timers_),
        engine_(engine),
        store_(store),
        logs_dir_(std::move(logs_dir)),
        rng_(seed) {
    current_ = std::make_shared<ServicesSnapshot>();
  }

  // ---- SupervisorHost ----
  asio::io_context& io() override { return io_; }
  Clock& clock() override { return clock_; }
  Timers& timers() override { return timers_; }
  Engine& engine() override { return engine_; }
  Random& rng() override { return rng_; }
  const std::string& logs_dir() override { return logs_dir_; }
  Containment* containment() override { return containment_; }
  const std::vector<std::string>& secrets() override { return secrets_; }

  bool dependencies_met(const ServiceSpec& spec, std::string& waiting) override {
    for (const ServiceDependency& dep : spec.depends_on) {
      if (!dependency_met(dep)) {
        waiting = fmt::format("{} ({})", dep.name, to_string(dep.condition));
        return false;
      }
    }
    // SPEC §7, fail closed: a service that must not run without its requirements starts only
    // once every one of them is usable (not before their first result either).
    if (spec.on_require_fail == RequireFail::kStop) {
      for (const std::string& name : spec.require) {
        const Health h = subject_health(name);
        if (h != Health::kOk && h != Health::kDegraded) {
          waiting = fmt::format("{} (required, {})", name, to_string(h));
          return false;
        }
      }
    }
    return true;
  }

  std::optional<std::string> failing_requirement(const ServiceSpec& spec) override {
    for (const std::string& name : spec.require) {
      if (subject_health(name) == Health::kFail) return name + " fail";
    }
    return std::nullopt;
  }

  // A check's or heartbeat's status (names never clash between the two). The latest transition
  // wins: the engine publishes its snapshot a moment after it tells its subscribers.
  Health subject_health(const std::string& name) const {
    if (auto it = subject_status_.find(name); it != subject_status_.end()) return it->second;
    if (const CheckView* c = engine_.snapshot()->find(name)) return c->status;
    return Health::kUnknown;
  }

  void changed(const ServiceTransition* t) override {
    publish();
    if (!t) return;
    const std::vector<TransitionListener> copy = listeners_;
    for (const auto& l : copy) {
      try {
        l(*t);
      } catch (const std::exception& e) {
        log_event(LogLevel::kError, "subscriber_failed", {{"service", t->service}, {"error", e.what()}});
      }
    }
    // A service that started, got ready or completed may let a dependant go ahead.
    wake_dependants();
  }

  // ---- the rest ----
  bool dependency_met(const ServiceDependency& dep) {
    if (auto it = runners_.find(dep.name); it != runners_.end()) {
      const ServiceRunner& r = *it->second;
      const ServiceState s = r.state();
      switch (dep.condition) {
        case DependencyCondition::kStarted:
          return s == ServiceState::kRunning || s == ServiceState::kReady || s == ServiceState::kUnhealthy;
        case DependencyCondition::kHealthy:
          // Nothing to wait for beyond "running" when it has no readiness and no notify.
          return s == ServiceState::kReady ||
                 (s == ServiceState::kRunning && r.spec().readiness.empty() && r.spec().ready == ReadyMode::kStarted);
        case DependencyCondition::kCompleted: {
          auto e = r.last_exit();
          return s == ServiceState::kExited && e && e->code == 0;
        }
      }
      return false;
    }
    // A check (the loader allows only "healthy" for checks).
    const Health h = subject_health(dep.name);
    return h == Health::kOk || h == Health::kDegraded;
  }

  // Gives every runner waiting on depends_on a look. A start during the pass may satisfy a
  // runner already looked at: a request made during a pass makes the pass run again.
  void wake_dependants() {
    if (waking_) {
      wake_again_ = true;
      return;
    }
    waking_ = true;
    do {
      wake_again_ = false;
      for (auto& [name, r] : snapshot_of_runners()) r->dependencies_changed();
    } while (wake_again_);
    waking_ = false;
  }

  std::vector<std::pair<std::string, std::shared_ptr<ServiceRunner>>> snapshot_of_runners() const {
    return {runners_.begin(), runners_.end()};
  }

  void publish() {
    auto s = std::make_shared<ServicesSnapshot>();
    for (auto& [name, r] : runners_) s->services.push_back(r->view());
    if (containment_) s->containment = std::string(to_string(containment_->mode()));
    finalize(*s);
    std::lock_guard lock(mu_);
    current_ = std::move(s);
  }

  bool wanted_from_store(const std::string& name) {
    if (!store_) return true;
    auto w = store_->wanted(name);
    if (!w) {
      log_event(LogLevel::kError, "state_read_failed", {{"service", name}, {"message", w.status().message()}});
      return true;
    }
    return !w->has_value() || **w == Wanted::kStart;
  }

  std::shared_ptr<ServiceRunner> take_retiring(const std::string& name) {
    for (auto it = retiring_.begin(); it != retiring_.end(); ++it) {
      if (it->second->spec().name == name) {
        auto r = it->second;
        retiring_.erase(it);
        return r;
      }
    }
    return nullptr;
  }

  void on_check(const Transition& t) {
    subject_status_[t.check] = t.to;
    for (auto& [name, r] : snapshot_of_runners()) r->on_check(t);
    requirements_changed(t.check);
    wake_dependants();
  }

  // Tells the runners that require `subject` that its status changed. Not while hale stops: a
  // held service whose requirement comes back then must not start again.
  void requirements_changed(const std::string& subject) {
    if (shutting_down_) return;
    for (auto& [name, r] : snapshot_of_runners()) {
      const auto& req = r->spec().require;
      if (std::find(req.begin(), req.end(), subject) != req.end()) r->requirements_changed();
    }
  }

  asio::io_context& io_;
  Clock& clock_;
  std::unique_ptr<Timers> own_timers_;  // asio_timers(io), unless the caller gave its own
  Timers& timers_;
  Engine& engine_;
  StateStore* store_;
  std::string logs_dir_;
  std::vector<std::string> secrets_;
  Random rng_;
  std::map<std::string, std::shared_ptr<ServiceRunner>> runners_;
  // Removed by a reload, still stopping.
  // An adopted process may live on while the run it carries the INVOCATION_ID of does (subreaper
  // mode); one without such a mark is only reaped when it exits.
  bool keep_orphan(pid_t pid) const {
    if (!containment_ || containment_->mode() == ContainmentMode::kCgroup) return true;
    char id[kInvocationIdLength + 1];
    if (!invocation_id_of(pid, id)) return true;
    for (const auto& [name, r] : runners_) {
      if (r->live_invocation_id() == id) return true;
    }
    for (const auto& [key, r] : retiring_) {
      if (r->live_invocation_id() == id) return true;
    }
    return false;
  }

  Containment* containment_ = nullptr;
  std::unique_ptr<OrphanReaper> reaper_;
  std::map<ServiceRunner*, std::shared_ptr<ServiceRunner>> retiring_;
  std::vector<TransitionListener> listeners_;
  std::map<std::string, Health> subject_status_;  // checks and heartbeats, from their transitions
  bool waking_ = false;
  bool wake_again_ = false;
  bool shutting_down_ = false;
  bool applied_ = false;  // the start-up config is in: services added later are `joining`
  mutable std::mutex mu_;
  std::shared_ptr<const ServicesSnapshot> current_;
};

Supervisor::Supervisor(asio::io_context& io, Clock& clock, Engine& engine, StateStore* store,
                       std::string logs_dir, std::uint64_t seed, Timers* timers)
    : impl_(std::make_shared<Impl>(io, clock, engine, store, std::move(logs_dir), seed, timers)) {
  std::weak_ptr<Impl> weak = impl_;
  engine.subscribe([weak](const Transition& t) {
    if (auto impl = weak.lock()) impl->on_check(t);
  });
}

Supervisor::~Supervisor() = default;

void Supervisor::set_store(StateStore* store) { impl_->store_ = store; }

void Supervisor::set_containment(Containment* containment) {
  Impl& s = *impl_;
  s.containment_ = containment;
  const bool adopts = (containment && containment->mode() == ContainmentMode::kSubreaper) || ::getpid() == 1;
  if (adopts && !s.reaper_) {
    s.reaper_ = std::make_unique<OrphanReaper>(s.io_, [impl = impl_.get()](pid_t pid) { return impl->keep_orphan(pid); });
  }
}

void Supervisor::apply(const Config& config) {
  Impl& s = *impl_;
  if (s.shutting_down_) return;
  s.secrets_ = config.secrets;
  // First the new set of runners, then the starts and restarts: a start looks up its
  // depends_on among all of them.
  std::map<std::string, std::shared_ptr<ServiceRunner>> next;
  std::vector<std::shared_ptr<ServiceRunner>> fresh;
  std::vector<std::pair<std::shared_ptr<ServiceRunner>, const ServiceSpec*>> changed, returning;
  for (const ServiceSpec& spec : config.services) {
    const CheckSpec* readiness = spec.readiness.empty() ? nullptr : config.find_check(spec.readiness);
    auto it = s.runners_.find(spec.name);
    std::shared_ptr<ServiceRunner> r;
    if (it != s.runners_.end()) {
      r = it->second;
      s.runners_.erase(it);
      if (!(r->spec() == spec)) changed.emplace_back(r, &spec);
    } else if (auto back = s.take_retiring(spec.name)) {
      r = std::move(back);  // removed by an earlier reload and still stopping: never two processes
      returning.emplace_back(r, &spec);
    } else {
      r = std::make_shared<ServiceRunner>(s, spec, s.wanted_from_store(spec.name));
      if (s.applied_) r->set_joining();  // SPEC §2: a reload never flips /readyz by itself
      fresh.push_back(r);
    }
    r->set_readiness_critical(readiness && readiness->critical);
    next.emplace(spec.name, std::move(r));
  }
  // Whatever is left was removed from the config: stop it, then forget it.
  for (auto& [name, r] : s.runners_) {
    log_event(LogLevel::kInfo, "service_removed", {{"service", name}});
    ServiceRunner* key = r.get();
    s.retiring_.emplace(key, r);
    std::weak_ptr<Impl> weak = impl_;
    r->retire([weak, key] {
      if (auto impl = weak.lock()) impl->retiring_.erase(key);
    }, false);
  }
  s.runners_ = std::move(next);
  s.publish();
  for (auto& [r, spec] : changed) {
    log_event(LogLevel::kInfo, "service_changed", {{"service", spec->name}});
    r->replace_spec(*spec);
  }
  for (auto& [r, spec] : returning) {
    log_event(LogLevel::kInfo, "service_added_back", {{"service", spec->name}});
    r->unretire(*spec);
  }
  for (auto& r : fresh) r->begin();
  // A requirement that fails already holds a service the reload added or changed (it made no
  // transition to tell them).
  for (auto& [name, r] : s.runners_) {
    if (!r->spec().require.empty()) r->requirements_changed();
  }
  s.applied_ = true;
  s.publish();
}

void Supervisor::note_heartbeat(const std::string& name, Health health) {
  Impl& s = *impl_;
  if (s.shutting_down_) return;
  auto [it, added] = s.subject_status_.try_emplace(name, health);
  if (!added && it->second == health) return;
  it->second = health;
  s.requirements_changed(name);
  s.wake_dependants();
}

ServiceActionResult Supervisor::act(std::string_view name, std::string_view action) {
  Impl& s = *impl_;
  ServiceActionResult out;
  auto it = s.runners_.find(std::string(name));
  if (it == s.runners_.end()) {
    out.http_status = 404;
    out.error_code = "not_found";
    out.message = fmt::format("no service named \"{}\"", name);
    return out;
  }
  ServiceRunner& r = *it->second;
  auto conflict = [&](std::string message) {
    out.http_status = 409;
    out.error_code = "conflict";
    out.message = std::move(message);
    out.state = r.state();
    return out;
  };
  const ServiceState st = r.state();
  const bool up = st == ServiceState::kStarting || st == ServiceState::kRunning || st == ServiceState::kReady ||
                  st == ServiceState::kUnhealthy;
  Wanted want = Wanted::kStart;
  if (action == "start") {
    if (r.wanted() && up) return conflict(fmt::format("{} is already {}", name, to_string(st)));
  } else if (action == "stop") {
    if (!r.wanted() && (st == ServiceState::kStopped || st == ServiceState::kStopping)) {
      return conflict(fmt::format("{} is already {}", name, to_string(st)));
    }
    want = Wanted::kStop;
  } else if (action == "restart") {
    if (!r.wanted()) return conflict(fmt::format("{} was stopped by an operator; start it instead", name));
    if (st == ServiceState::kStopping) return conflict(fmt::format("{} is stopping; wait until it has", name));
  } else {
    out.http_status = 404;
    out.error_code = "not_found";
    out.message = fmt::format("no action \"{}\" (start, stop, restart)", action);
    return out;
  }
  // SPEC §4: the intent is durable before anything acts on it.
  if (!s.store_) {
    out.http_status = 500;
    out.error_code = "state_not_saved";
    out.message = "the state store (state_dir) is not available, so the intent could not be recorded";
    return out;
  }
  if (Status st2 = s.store_->set_wanted(std::string(name), want); !st2) {
    out.http_status = 500;
    out.error_code = "state_not_saved";
    out.message = st2.message();
    return out;
  }
  log_event(LogLevel::kInfo, "service_action", {{"service", name}, {"action", action}});
  if (action == "start") r.operator_start();
  if (action == "stop") r.operator_stop();
  if (action == "restart") r.operator_restart();
  out.state = r.state();
  return out;
}

void Supervisor::subscribe(TransitionListener listener) { impl_->listeners_.push_back(std::move(listener)); }

std::shared_ptr<const ServicesSnapshot> Supervisor::snapshot() const {
  std::lock_guard lock(impl_->mu_);
  return impl_->current_;
}

void Supervisor::shutdown(std::function<void()> done) {
  Impl& s = *impl_;
  s.shutting_down_ = true;
  auto left = std::make_shared<std::size_t>(s.runners_.size() + s.retiring_.size());
  auto finished = std::make_shared<std::function<void()>>(std::move(done));
  auto one_done = [left, finished] {
    if (--*left == 0 && *finished) (*finished)();
  };
  if (*left == 0) {
    if (*finished) (*finished)();
    return;
  }
  for (auto& [name, r] : s.snapshot_of_runners()) r->retire(one_done, true);
  for (auto& [key, r] : std::map(s.retiring_)) r->retire(one_done, true);
}

}  // namespace hale
