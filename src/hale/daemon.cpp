// Daemon: the one event loop of `hale run` and everything on it.
#include "hale/daemon.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <random>

#include "hale/health/engine.h"
#include "hale/heartbeat/heartbeat_monitor.h"
#include "hale/log/json_log.h"
#include "hale/log/redactor.h"
#include "hale/probe/curl_multi.h"
#include "hale/probe/probe.h"
#include "hale/server/http_server.h"
#include "hale/server/router.h"
#include "hale/store/state_store.h"
#include "hale/store/store_worker.h"
#include "hale/supervise/supervisor.h"
#include "hale/supervise/systemd_notifier.h"
#include "hale/version.h"

namespace hale {

namespace asio = boost::asio;

namespace {

class Daemon {
 public:
  explicit Daemon(Config config)
      : config_(std::move(config)), io_(1), curl_(io_), probe_ctx_{io_, curl_},
        engine_(io_, system_clock(), probe_ctx_, std::random_device{}()),
        server_(io_, config_.server, [this](const HttpRequest& r) { return handle(r); },
                [max = config_.server.max_body_bytes](std::string_view method, std::string_view target) {
                  return body_rule_for(method, target, max);
                }),
        supervisor_(io_, system_clock(), engine_, nullptr, config_.server.state_dir + "/logs",
                    std::random_device{}()),
        signals_(io_, SIGTERM, SIGINT, SIGHUP) {}

  int run() {
    Redactor::global().set_secrets(config_.secrets);
    engine_.apply(config_);
    open_store();
    supervisor_.apply(config_);
    open_heartbeat_store();
    heartbeats_.apply(config_.heartbeats);
    if (Status s = server_.listen(config_.server.listen); !s) {
      log_event(LogLevel::kError, "listen_failed", {{"message", s.message()}});
      return 1;
    }
    log_event(LogLevel::kInfo, "started",
              {{"version", version()},
               {"config", config_.path},
               {"listen", config_.server.listen},
               {"port", server_.port()},
               {"checks", config_.checks.size()},
               {"services", config_.services.size()},
               {"heartbeats", config_.heartbeats.size()}});
    notifier_.ready("serving on port " + std::to_string(server_.port()));
    wait_for_signal();
    io_.run();
    log_event(LogLevel::kInfo, "stopped", {});
    return 0;
  }

 private:
  HttpResponse handle(const HttpRequest& req) {
    std::shared_ptr<const Snapshot> snap = engine_.snapshot();
    RouterContext ctx{*snap};
    ctx.service = config_.server.service;
    ctx.version = version();
    if (config_.server.admin_token) ctx.admin_token = *config_.server.admin_token;
    ctx.now = system_clock().wall_now();
    ctx.reload = [this] { return reload("api"); };
    // Only a config with services pays for their snapshot (a mutex and a shared_ptr copy) on
    // the hot path; without services, no "services" appears anywhere.
    std::shared_ptr<const ServicesSnapshot> services;
    if (!config_.services.empty()) {
      services = supervisor_.snapshot();
      ctx.services = services.get();
    }
    ctx.service_action = [this](std::string_view name, std::string_view action) {
      return supervisor_.act(name, action);
    };
    std::shared_ptr<const HeartbeatsSnapshot> heartbeats;
    if (!heartbeats_.empty()) {
      heartbeats = heartbeats_.snapshot();
      ctx.heartbeats = heartbeats.get();
    }
    // Requests are handled on the loop, where the monitor lives: a ping is applied at once.
    ctx.ping = [this](const PingCall& call) { return heartbeats_.ping(call); };
    ctx.heartbeat_action = [this](std::string_view name, std::string_view action) {
      return heartbeats_.act(name, action);
    };
    return route(req, ctx);
  }

  void wait_for_signal() {
    signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      if (sig == SIGHUP) {
        if (!stopping_) reload("SIGHUP");  // stopping: nothing to reload into
        return wait_for_signal();
      }
      if (stopping_) {  // a second signal: do not wait for the services any longer
        log_event(LogLevel::kWarn, "stopping_now", {{"message", "second signal: killing every service now"}});
        io_.stop();
        return;
      }
      stopping_ = true;
      log_event(LogLevel::kInfo, "stopping", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
      notifier_.stopping();
      server_.stop();
      engine_.stop();
      heartbeats_.stop();
      // Services get their stop_signal and stop_timeout; `wanted` stays as it is, so they
      // start again with hale.
      supervisor_.shutdown([this] { io_.stop(); });
      wait_for_signal();
    });
  }

  // The state store (wanted intents) is opened once some service needs it.
  void open_store() {
    if (store_ || config_.services.empty()) return;
    auto opened = StateStore::open(config_.server.state_dir);
    if (!opened) {
      log_event(LogLevel::kError, "state_store_unavailable",
                {{"message", opened.status().message()},
                 {"consequence", "services run, but operator start/stop cannot be recorded and answer 500"}});
      return;
    }
    store_ = std::move(opened).value();
    supervisor_.set_store(store_.get());
  }

  // Heartbeat state and runs are saved by a worker thread with its own connection (see
  // store_worker.h), opened once some heartbeat needs it. Without it heartbeats still work,
  // in memory only.
  void open_heartbeat_store() {
    if (heartbeat_store_ || config_.heartbeats.empty()) return;
    auto opened = StoreWorker::open(config_.server.state_dir);
    if (!opened) {
      log_event(LogLevel::kError, "state_store_unavailable",
                {{"message", opened.status().message()},
                 {"consequence", "heartbeats work, but their state and runs are not kept across a restart"}});
      return;
    }
    heartbeat_store_ = std::move(opened).value();
    heartbeats_.set_store(heartbeat_store_.get());
  }

  // SPEC §1: a reload with a bad file keeps the running config and logs the error.
  ReloadOutcome reload(const char* trigger) {
    SystemdNotifier::ReloadScope notify_reload(notifier_);  // RELOADING=1 now, READY=1 at return
    ReloadOutcome out;
    LoadResult loaded = load_config_file(config_.path);
    if (!loaded.config) {
      for (const auto& e : loaded.errors) out.errors.push_back(e.to_string());
      log_event(LogLevel::kError, "reload_failed",
                {{"trigger", trigger}, {"config", config_.path}, {"errors", out.errors},
                 {"message", "keeping the running configuration"}});
      engine_.note_reload(false);
      return out;
    }
    Config next = std::move(*loaded.config);
    // The listener and its limits are set up once; say so rather than ignore a change.
    const ServerConfig& a = config_.server;
    const ServerConfig& b = next.server;
    if (a.listen != b.listen || a.max_connections != b.max_connections ||
        a.max_header_bytes != b.max_header_bytes || a.max_body_bytes != b.max_body_bytes ||
        a.read_timeout != b.read_timeout || a.idle_timeout != b.idle_timeout) {
      log_event(LogLevel::kWarn, "reload_server_unchanged",
                {{"message", "changes to server.listen and the HTTP limits take effect at the next start"},
                 {"listen", config_.server.listen}});
      ServerConfig kept = config_.server;  // what the running listener really uses
      kept.service = b.service;
      kept.admin_token = b.admin_token;
      kept.state_dir = b.state_dir;
      next.server = std::move(kept);
    }
    config_ = std::move(next);
    Redactor::global().set_secrets(config_.secrets);
    engine_.apply(config_);
    open_store();
    supervisor_.apply(config_);
    open_heartbeat_store();
    heartbeats_.apply(config_.heartbeats);
    engine_.note_reload(true);
    out.ok = true;
    out.checks = config_.checks.size();
    log_event(LogLevel::kInfo, "reloaded",
              {{"trigger", trigger}, {"config", config_.path}, {"checks", out.checks}});
    return out;
  }

  Config config_;
  asio::io_context io_;
  SystemdNotifier notifier_{io_};  // first after io_: unsets NOTIFY_SOCKET before any child is spawned
  CurlMulti curl_;
  ProbeContext probe_ctx_;
  Engine engine_;
  HttpServer server_;
  std::unique_ptr<StateStore> store_;
  Supervisor supervisor_;
  std::unique_ptr<StoreWorker> heartbeat_store_;  // before the monitor: outlives it
  HeartbeatMonitor heartbeats_{io_, system_clock()};
  asio::signal_set signals_;
  bool stopping_ = false;
};

}  // namespace

int run_daemon(Config config) {
  std::signal(SIGPIPE, SIG_IGN);  // a client that goes away must not kill the daemon
  try {
    Daemon d(std::move(config));
    return d.run();
  } catch (const std::exception& e) {
    // Nothing should get here; if something does, say what before exiting.
    log_event(LogLevel::kError, "fatal", {{"error", e.what()}});
    return 1;
  }
}

}  // namespace hale
