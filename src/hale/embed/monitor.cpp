// hale::Monitor (see hale/monitor.h): the daemon's Engine, on a thread of its own or on the
// caller's io_context, without the daemon's server, supervisor, heartbeats or alerting.
#include "hale/monitor.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <atomic>
#include <mutex>
#include <random>
#include <thread>

#include "hale/health/engine.h"
#include "hale/log/json_log.h"
#include "hale/log/redactor.h"
#include "hale/net/curl_multi.h"
#include "hale/probe/probe.h"

namespace hale {

namespace asio = boost::asio;

std::string_view to_string(DependencyState s) {
  switch (s) {
    case DependencyState::kUnknown: return "unknown";
    case DependencyState::kUp: return "up";
    case DependencyState::kDown: return "down";
  }
  return "unknown";
}

namespace {

// Usable is up: ok or degraded, as a guard sees it.
DependencyState state_of(Health h) {
  if (h == Health::kUnknown) return DependencyState::kUnknown;
  return h == Health::kFail ? DependencyState::kDown : DependencyState::kUp;
}

}  // namespace

DependencyStatus dependency_status(const CheckView& c) {
  DependencyStatus d;
  d.name = c.name;
  d.health = c.status;
  d.state = state_of(c.status);
  d.critical = c.critical;
  d.last_success = c.last_success;
  d.last_failure = c.last_failure;
  d.last_error = c.error;
  d.next_retry = c.next_check;
  d.consecutive_failures = c.consecutive_failures;
  d.guard_code = c.guard_code;
  return d;
}

struct Monitor::Impl : std::enable_shared_from_this<Monitor::Impl> {
  Impl(asio::io_context* caller_io, Config c) : config(std::move(c)) {
    if (caller_io == nullptr) {
      own_io = std::make_unique<asio::io_context>(1);
      io = own_io.get();
    } else {
      io = caller_io;
    }
    curl = std::make_unique<CurlMulti>(*io);
    probes = std::make_unique<ProbeContext>(ProbeContext{*io, *curl});
    engine = std::make_unique<Engine>(*io, system_clock(), *probes, std::random_device{}());
  }

  void tell(const std::string& name, Health from, Health to) {
    std::optional<DependencyStatus> d;
    if (const CheckView* v = engine->snapshot()->find(name)) d = dependency_status(*v);
    if (!d) return;
    // The status the transition went to, even if a later one is in the snapshot already.
    d->health = to;
    d->state = state_of(to);
    for (const auto& l : listeners) {
      try {
        l(*d, from);
      } catch (const std::exception& e) {
        log_event(LogLevel::kError, "subscriber_failed", {{"check", name}, {"error", e.what()}});
      } catch (...) {
        log_event(LogLevel::kError, "subscriber_failed", {{"check", name}});
      }
    }
  }

  Config config;
  std::unique_ptr<asio::io_context> own_io;  // set when it runs on a thread of its own
  asio::io_context* io = nullptr;
  std::unique_ptr<CurlMulti> curl;
  std::unique_ptr<ProbeContext> probes;
  std::unique_ptr<Engine> engine;
  std::vector<TransitionListener> listeners;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::thread thread;
  std::mutex mu;  // start
  bool started = false;
  std::atomic<bool> stopped = false;
};

namespace {

// libhale runs checks; what needs the daemon (processes, pings, alert delivery) is refused
// rather than silently ignored.
Status embeddable(const Config& c) {
  auto refuse = [&](const char* what, const std::string& name) {
    return Status::error(c.path + ": [" + std::string(what) + "." + name +
                         "] needs the hale daemon; libhale runs [checks.NAME] only");
  };
  if (!c.services.empty()) return refuse("services", c.services.front().name);
  if (!c.heartbeats.empty()) return refuse("heartbeats", c.heartbeats.front().name);
  if (!c.notifiers.empty()) return refuse("notifiers", c.notifiers.front().name);
  if (!c.drills.empty()) return refuse("drills", c.drills.front().name);
  return Status::ok();
}

StatusOr<std::unique_ptr<Monitor>> from_result(LoadResult r) {
  if (!r.config) {
    std::string message;
    for (const ConfigError& e : r.errors) message += (message.empty() ? "" : "\n") + e.to_string();
    return Status::error(message);
  }
  if (Status s = embeddable(*r.config); !s) return s;
  return std::make_unique<Monitor>(std::move(*r.config));
}

}  // namespace

StatusOr<std::unique_ptr<Monitor>> Monitor::from_toml(std::string_view toml, const std::string& path) {
  return from_result(load_config_string(toml, path));
}

StatusOr<std::unique_ptr<Monitor>> Monitor::from_file(const std::string& path) {
  return from_result(load_config_file(path));
}

Monitor::Monitor(Config config) : impl_(std::make_shared<Impl>(nullptr, std::move(config))) {}

Monitor::Monitor(asio::io_context& io, Config config) : impl_(std::make_shared<Impl>(&io, std::move(config))) {}

Monitor::~Monitor() {
  stop();
  Impl& m = *impl_;
  // Stopped from a callback on its own thread: that thread has ended its loop by now or soon.
  if (m.thread.joinable() && std::this_thread::get_id() != m.thread.get_id()) m.thread.join();
  if (m.thread.joinable()) m.thread.detach();  // destroyed on its own thread, from a callback
}

void Monitor::on_transition(TransitionListener listener) { impl_->listeners.push_back(std::move(listener)); }

void Monitor::start() {
  Impl& m = *impl_;
  std::lock_guard lock(m.mu);
  if (m.started || m.stopped) return;
  m.started = true;
  Redactor::global().set_secrets(m.config.secrets);
  // A transition is told once the snapshot shows it: the engine publishes it at the next turn
  // of the loop, and this runs after that. What is queued holds the Impl weakly: a Monitor gone
  // meanwhile is told nothing.
  std::weak_ptr<Impl> weak = impl_;
  m.engine->subscribe([&m, weak](const Transition& t) {
    asio::post(*m.io, [weak, name = t.check, from = t.from, to = t.to] {
      if (auto self = weak.lock(); self && !self->stopped) self->tell(name, from, to);
    });
  });
  if (m.own_io) {
    m.engine->apply(m.config);  // before the loop runs: allowed, and the first probes are armed
    m.work.emplace(m.own_io->get_executor());
    m.thread = std::thread([self = impl_] { self->own_io->run(); });
  } else {
    asio::post(*m.io, [weak] {
      if (auto self = weak.lock(); self && !self->stopped) self->engine->apply(self->config);
    });
  }
}

void Monitor::stop() {
  Impl& m = *impl_;
  if (m.stopped.exchange(true)) return;
  {
    std::lock_guard lock(m.mu);  // a start() under way has finished
    if (!m.started) return;
  }
  if (m.own_io) {
    m.work.reset();
    m.own_io->stop();
    if (std::this_thread::get_id() == m.thread.get_id()) {
      // From a callback on the monitor's own thread: the loop ends when the callback returns;
      // the thread is joined by whoever destroys the Monitor.
      m.engine->stop();
      return;
    }
    if (m.thread.joinable()) m.thread.join();
    m.engine->stop();  // the loop is gone: nothing runs concurrently any more
  } else {
    // On the caller's loop, which may still be running: the engine is stopped there. The
    // handler holds the Impl, so the Monitor may be destroyed before it runs.
    asio::post(*m.io, [self = impl_] { self->engine->stop(); });
  }
}

std::vector<DependencyStatus> Monitor::dependencies() const {
  std::vector<DependencyStatus> out;
  for (const auto& c : impl_->engine->snapshot()->checks) out.push_back(dependency_status(*c));
  return out;
}

std::optional<DependencyStatus> Monitor::dependency(std::string_view name) const {
  auto snap = impl_->engine->snapshot();
  if (const CheckView* c = snap->find(std::string(name))) return dependency_status(*c);
  return std::nullopt;
}

std::shared_ptr<const Snapshot> Monitor::snapshot() const { return impl_->engine->snapshot(); }

const Config& Monitor::config() const { return impl_->config; }

}  // namespace hale
