// Daemon: the one event loop of `hale run` and everything on it.
#include "hale/daemon.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <malloc.h>
#include <sys/resource.h>

#include <cctype>
#include <csignal>
#include <random>

#include "hale/alert/alerting.h"
#include "hale/alert/subject_status.h"
#include "hale/drill/drill_api.h"
#include "hale/drill/drill_request.h"
#include "hale/drill/drill_runner.h"
#include "hale/health/engine.h"
#include "hale/heartbeat/heartbeat_monitor.h"
#include "hale/history/history.h"
#include "hale/log/json_log.h"
#include "hale/log/redactor.h"
#include "hale/net/curl_multi.h"
#include "hale/probe/probe.h"
#include "hale/server/event_json.h"
#include "hale/server/http_server.h"
#include "hale/server/router.h"
#include "hale/store/state_store.h"
#include "hale/store/store_worker.h"
#include "hale/supervise/containment.h"
#include "hale/supervise/supervisor.h"
#include "hale/supervise/systemd_notifier.h"
#include "hale/time/timer.h"
#include "hale/version.h"

namespace hale {

namespace asio = boost::asio;

namespace {

// 64 bits from the system's entropy: the alert ids (idempotency keys) are drawn from a generator
// seeded with it, and a 32-bit seed would repeat across a fleet's starts.
std::uint64_t seed64() {
  std::random_device rd;
  return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
}

class Daemon {
 public:
  explicit Daemon(Config config)
      : config_(std::make_shared<const Config>(std::move(config))), io_(1), curl_(io_), probe_ctx_{io_, curl_},
        engine_(io_, system_clock(), probe_ctx_, std::random_device{}()),
        server_(io_, config_->server, [this](const HttpRequest& r) { return handle(r); },
                [max = config_->server.max_body_bytes](std::string_view method, std::string_view target) {
                  return body_rule_for(method, target, max);
                }),
        supervisor_(io_, system_clock(), engine_, nullptr, config_->server.state_dir + "/logs",
                    std::random_device{}()),
        signals_(io_, SIGTERM, SIGINT, SIGHUP) {}

  int run() {
    raise_open_files_limit();
    Redactor::global().set_secrets(config_->secrets);
    engine_.apply(config_);
    open_store();
    if (!open_containment()) return 1;
    supervisor_.apply(*config_);
    open_worker_store();
    heartbeats_.apply(config_->heartbeats);
    open_history();
    subscribe_events();  // first: a transition's event goes out before the alerts it causes
    subscribe_history();  // and its history line before the alerts' lines
    subscribe_alerting();
    apply_alerting();
    drills_.apply(config_->drills);
    if (Status s = server_.listen(config_->server.listen); !s) {
      log_event(LogLevel::kError, "listen_failed", {{"message", s.message()}});
      return 1;
    }
    if (!listen_public()) return 1;
    log_event(LogLevel::kInfo, "started",
              {{"version", version()},
               {"config", config_->path},
               {"listen", config_->server.listen},
               {"port", server_.port()},
               {"checks", config_->checks.size()},
               {"services", config_->services.size()},
               {"heartbeats", config_->heartbeats.size()},
               {"notifiers", config_->notifiers.size()}});
    notifier_.ready("serving on port " + std::to_string(server_.port()));
    wait_for_signal();
    io_.run();
    log_event(LogLevel::kInfo, "stopped", {});
    return 0;
  }

 private:
  HttpResponse handle(const HttpRequest& req, bool public_only = false) {
    std::shared_ptr<const Snapshot> snap = engine_.snapshot();
    RouterContext ctx{*snap};
    ctx.public_only = public_only;
    ctx.service = config_->server.service;
    ctx.version = version();
    if (config_->server.admin_token) ctx.admin_token = *config_->server.admin_token;
    ctx.now = system_clock().wall_now();
    ctx.process_stats = read_process_stats;
    ctx.reload = [this] { return reload("api"); };
    // Only a config with services pays for their snapshot (a mutex and a shared_ptr copy) on
    // the hot path; without services, no "services" appears anywhere.
    std::shared_ptr<const ServicesSnapshot> services;
    if (!config_->services.empty()) {
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
    ctx.alerts = [this](bool deliveries) { return alerting_.view(deliveries); };
    ctx.add_silence = [this](Silence s) {
      Silence added = alerting_.add_silence(std::move(s));
      record_silence(added, false);
      return added;
    };
    ctx.expire_silence = [this](std::string_view id) {
      if (!alerting_.expire_silence(id)) return false;
      for (const Silence& s : alerting_.view(false).silences) {
        if (s.id == id) record_silence(s, true);
      }
      return true;
    };
    ctx.alert_metrics = !alerting_.empty();
    ctx.metrics_detail = config_->metrics.detail;
    if (req.target.starts_with("/api/v1/drills")) {  // not on the hot path of /readyz and /guard
      ctx.drills = [this](std::string_view name) { return drills_answer(name); };
      ctx.run_drill = [this](std::string_view name) { return run_drill(name); };
      ctx.run_drill_request = [this](std::string_view body) { return run_drill_request(body); };
    }
    ctx.hosts = &hosts_;
    if (store_health_) ctx.state_store = &*store_health_;
    ctx.history = &history_;
    ctx.history_config = &config_->history;
    if (config_->status_page) ctx.status_page = &*config_->status_page;
    ctx.announcements = [this] { return all_announcements(); };
    if (history_.enabled()) {
      ctx.add_announcement = [this](history::Announcement a) { return add_announcement(std::move(a)); };
      ctx.remove_announcement = [this](std::string_view id) { return remove_announcement(id); };
    }
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
      if (public_server_) public_server_->stop();
      drills_.stop();  // before what it forces: nothing of a drill outlives hale anyway
      engine_.stop();
      heartbeats_.stop();
      // Before the services stop: their stopping with hale is not news for anyone. What was
      // not delivered yet stays in the outbox for the next start.
      alerting_.stop();
      // The current minutes are written: a restart within the minute loses none of it.
      history_.stop();
      // Services get their stop_signal and stop_timeout; `wanted` stays as it is, so they
      // start again with hale.
      supervisor_.shutdown([this] { io_.stop(); });
      wait_for_signal();
    });
  }

  // How services' descendants are held (SPEC §4), set up once some service exists: a cgroup per
  // service where hale may create one, else hale as a child subreaper. False when the config
  // asks for cgroups and none may be made.
  bool open_containment() {
    if (containment_ || config_->services.empty()) return true;
    auto opened = Containment::open(config_->server.containment);
    if (!opened) {
      log_event(LogLevel::kError, "containment_unavailable",
                {{"message", opened.status().message()},
                 {"consequence", "set server.containment = \"auto\" to fall back to the subreaper"}});
      return false;
    }
    containment_ = std::move(opened).value();
    nlohmann::json fields{{"mode", to_string(containment_->mode())}};
    if (!containment_->cgroup_dir().empty()) fields["cgroup"] = containment_->cgroup_dir();
    if (!containment_->why_not_cgroup().empty()) fields["why_not_cgroup"] = containment_->why_not_cgroup();
    log_event(LogLevel::kInfo, "containment", std::move(fields));
    supervisor_.set_containment(containment_.get());
    return true;
  }

  // Issue 17: what the state store could not do is said loudly, in the log, /health
  // ("state_store") and as an alert about hale/state_store. The first problem found is kept (the
  // second connection may find a file the first one already replaced).
  void note_store_condition(StoreCondition c, const std::string& message) {
    if (!store_health_) store_health_.emplace();
    // Unavailable at start, opened since (a reload after the operator fixed state_dir): once
    // every connection hale needs is open, the problem is over.
    if (c == StoreCondition::kOk && store_health_->status == "unavailable" && every_store_needed_is_open()) {
      log_event(LogLevel::kInfo, "state_store_recovered", {{"path", config_->server.state_dir}});
      store_health_->status = "ok";
      store_health_->message.clear();
      return;
    }
    if (c == StoreCondition::kOk || store_health_->status != "ok") return;
    store_health_->status = std::string(to_string(c));
    store_health_->message = message;
    log_event(LogLevel::kError, "state_store_condition", {{"status", store_health_->status}, {"message", message}});
  }
  bool every_store_needed_is_open() const {
    const bool worker_needed = !config_->heartbeats.empty() || !config_->notifiers.empty();
    return (store_ || config_->services.empty()) && (worker_store_ || !worker_needed);
  }
  void note_store_unavailable(const std::string& message) {
    if (!store_health_) store_health_.emplace();
    if (store_health_->status != "ok") return;
    store_health_->status = "unavailable";
    store_health_->message = message;
  }
  // hale/state_store in the words of alerting: read-only or unavailable is fail (an operator's
  // intent cannot be kept), recreated is degraded (what the old file held is gone).
  SubjectStatus store_subject_status() const {
    SubjectStatus s;
    const std::string status = store_health_ ? store_health_->status : "ok";
    s.status = status == "ok" ? Health::kOk : status == "recreated" ? Health::kDegraded : Health::kFail;
    s.state = status;
    s.reason = store_health_ ? Redactor::global().redact(store_health_->message) : "";
    s.since = started_at_;
    return s;
  }

  // The state store (wanted intents) is opened once some service needs it.
  void open_store() {
    if (store_ || config_->services.empty()) return;
    auto opened = StateStore::open(config_->server.state_dir);
    if (!opened) {
      log_event(LogLevel::kError, "state_store_unavailable",
                {{"message", opened.status().message()},
                 {"consequence", "services run, but operator start/stop cannot be recorded and answer 500"}});
      note_store_unavailable(opened.status().message() +
                             ": services run as their config says (an operator's earlier stop cannot be read), and "
                             "operator start/stop answer 500");
      return;
    }
    store_ = std::move(opened).value();
    note_store_condition(store_->condition(), store_->condition_message());
    supervisor_.set_store(store_.get());
  }

  // Heartbeat state and runs and the alert outbox are saved by a worker thread with its own
  // connection (see store_worker.h), opened once some heartbeat or notifier needs it. Without it
  // heartbeats and alerts still work, in memory only.
  void open_worker_store() {
    if (worker_store_ || (config_->heartbeats.empty() && config_->notifiers.empty())) return;
    auto opened = StoreWorker::open(config_->server.state_dir);
    if (!opened) {
      log_event(LogLevel::kError, "state_store_unavailable",
                {{"message", opened.status().message()},
                 {"consequence", "heartbeats and alerts work, but nothing of theirs is kept across a restart"}});
      note_store_unavailable(opened.status().message() +
                             ": heartbeats and alerts work, but nothing of theirs is kept across a restart");
      return;
    }
    worker_store_ = std::move(opened).value();
    note_store_condition(worker_store_->condition(), worker_store_->condition_message());
    heartbeats_.set_store(worker_store_.get());
    alerting_.set_store(worker_store_.get());
  }

  // Every connection (max_connections, event streams) and probe holds a descriptor: the soft
  // limit (often 1024) is raised to the hard one, as nginx's worker_rlimit_nofile and systemd's
  // services do.
  static void raise_open_files_limit() {
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= lim.rlim_max) return;
    lim.rlim_cur = lim.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &lim) != 0) {
      log_event(LogLevel::kWarn, "open_files_limit", {{"message", "could not raise the open files limit"}});
    }
  }

  // SPEC §7: GET /api/v1/events streams every transition of checks, services and heartbeats.
  void subscribe_events() {
    engine_.subscribe([this](const Transition& t) { server_.events().publish("check", check_event_json(t)); });
    supervisor_.subscribe(
        [this](const ServiceTransition& t) { server_.events().publish("service", service_event_json(marked(t))); });
    heartbeats_.subscribe([this](const HeartbeatTransition& t, bool) {
      server_.events().publish("heartbeat", heartbeat_event_json(t));
    });
    alerting_.on_delivery([this](const Delivery& d) {
      server_.events().publish("alert", alert_event_json(d));
      // SPEC §7: a drill's `alerts` expectation counts what was sent or queued, not recorded.
      if (!d.alert.drill.empty()) {
        drills_.note_alert(d.notifier, d.alert.drill, d.state == DeliveryState::kPending || d.state == DeliveryState::kSent);
      }
    });
  }

  // SPEC §6: alerts follow the transitions of checks, services and heartbeats.
  void subscribe_alerting() {
    engine_.subscribe([this](const Transition& t) {
      if (const CheckSpec* c = config_->find_check(t.check)) {
        alerting_.observe({SubjectKind::kCheck, t.check}, check_subject_status(t, c->critical));
      }
    });
    // SPEC §7: a child blocked or let go by its parent, and the parent's list of blocked
    // children, change without a transition of their own.
    engine_.subscribe_blocking([this](const CheckView& v) {
      if (config_->find_check(v.name)) alerting_.observe({SubjectKind::kCheck, v.name}, check_subject_status(v));
    });
    // The supervisor publishes before it tells its subscribers: the view is the new state.
    supervisor_.subscribe([this](const ServiceTransition& t) {
      auto snap = supervisor_.snapshot();
      if (const ServiceView* v = snap->find(t.service)) {
        SubjectStatus s = service_subject_status(*v);
        s.drill = marked(t).drill;
        alerting_.observe({SubjectKind::kService, t.service}, s);
      }
    });
    // Last: the events and alerts above saw the transition with the drill mark it had.
    supervisor_.subscribe([this](const ServiceTransition& t) { remember_service_drill(t); });
    heartbeats_.subscribe([this](const HeartbeatTransition& t, bool critical) {
      supervisor_.note_heartbeat(t.name, to_health(t.to));
      SubjectStatus s = heartbeat_subject_status(t.to, t.reason, critical, t.at);
      s.drill = t.drill;
      alerting_.observe({SubjectKind::kHeartbeat, t.name}, s);
    });
  }

  // ---- SPEC §10 history ----

  // state_dir/history.db; without it hale runs on and the history endpoints answer 503.
  void open_history() {
    auto maintenance = [this](const SubjectId& s) { return alerting_.silenced(s, Health::kFail); };
    if (Status s = history_.open(config_->server.state_dir, config_->history, maintenance); !s) {
      log_event(LogLevel::kError, "history_unavailable",
                {{"message", s.message()}, {"consequence", "nothing is kept for /api/v1/history, uptime and incidents"}});
    }
    announcements_ = history_.take_restored_announcements();
  }

  // The wall time of a steady time point of this run.
  static WallTime wall_of(SteadyTime t, SteadyTime ref, WallTime ref_wall) {
    return ref_wall - std::chrono::duration_cast<WallTime::duration>(ref - t);
  }

  static nlohmann::json result_json(const ProbeResult& r, const Transition& t) {
    return {{"at", format_iso8601_ms(wall_of(r.at, t.at, t.wall_at))},
            {"verdict", to_string(r.verdict)},
            {"reason", r.reason},
            {"latency_ms", std::chrono::duration<double, std::milli>(r.latency).count()}};
  }

  history::StatusChange check_change(const Transition& t, bool critical) {
    history::StatusChange c;
    c.status = check_subject_status(t, critical);
    c.at = t.wall_at;
    c.removed = t.to == Health::kUnknown && t.reason == "check removed";
    // The failures in a row that led here (its evidence, oldest first): the incident began
    // with the first of them.
    for (auto it = t.evidence.rbegin(); it != t.evidence.rend() && it->verdict != Verdict::kPass; ++it) {
      c.first_failure = wall_of(it->at, t.at, t.wall_at);
    }
    nlohmann::json data{{"from", to_string(t.from)}, {"to", to_string(t.to)}};
    // The results that led here tell an incident's start; a recovery's (or a first ok's, 10,000
    // of them at start) say nothing an "ok" does not, and are not kept.
    if (t.to == Health::kFail || t.to == Health::kDegraded) {
      nlohmann::json evidence = nlohmann::json::array();
      for (const ProbeResult& r : t.evidence) evidence.push_back(result_json(r, t));
      data["evidence"] = std::move(evidence);
    }
    if (!t.blocked_by.empty()) data["blocked_by"] = t.blocked_by;
    if (!t.blocking.empty()) data["blocking"] = t.blocking;
    if (!t.drill.empty()) data["drill"] = t.drill;
    c.data = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return c;
  }

  // A service's status as the history counts its time (docs/history.md): being healed (backoff,
  // unhealthy) is down for its users, starting and stopping are unknown, an operator's stop and a
  // completed job are up.
  static Health service_history_health(ServiceState state, const ServiceView& v) {
    switch (state) {
      case ServiceState::kBackoff:
      case ServiceState::kUnhealthy:
      case ServiceState::kFailed: return Health::kFail;
      case ServiceState::kStarting:
      case ServiceState::kStopping: return Health::kUnknown;
      default: return v.overall_health() == Health::kFail ? Health::kFail : Health::kOk;
    }
  }

  // Results, transitions, runs, restarts, alerts and their attempts, drills and silences go to
  // the history's Recorder; it hands them to history.db once a second.
  void subscribe_history() {
    if (!history_.enabled()) return;
    history::Recorder& rec = history_.recorder();
    engine_.subscribe_results([&rec](const std::string& check, const ProbeResult& r, WallTime at) {
      rec.result({SubjectKind::kCheck, check}, at, r.verdict == Verdict::kFail,
                 std::chrono::duration<double, std::milli>(r.latency).count(), r.reason);
    });
    engine_.subscribe([this, &rec](const Transition& t) {
      const CheckSpec* c = config_->find_check(t.check);
      rec.status({SubjectKind::kCheck, t.check}, check_change(t, c ? c->critical : true));
    });
    supervisor_.subscribe([this, &rec](const ServiceTransition& t) {
      auto snap = supervisor_.snapshot();
      const ServiceView* v = snap->find(t.service);
      if (!v) return;
      history::StatusChange c;
      c.status = service_subject_status(*v);
      c.status.status = service_history_health(t.to, *v);
      c.status.drill = marked(t).drill;
      c.status.state = std::string(to_string(t.to));
      c.status.reason = t.reason;
      c.at = t.wall_at;
      nlohmann::json data{{"from", to_string(t.from)}, {"to", to_string(t.to)}, {"restarts", v->restarts}};
      if (v->last_exit) data["last_exit"] = v->last_exit->describe();
      if (v->pid) data["pid"] = *v->pid;
      c.data = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      rec.status({SubjectKind::kService, t.service}, c);
    });
    heartbeats_.subscribe([&rec](const HeartbeatTransition& t, bool critical) {
      history::StatusChange c;
      c.status = heartbeat_subject_status(t.to, t.reason, critical, t.at);
      c.status.drill = t.drill;
      c.at = t.at;
      c.data = nlohmann::json{{"from", to_string(t.from)}, {"to", to_string(t.to)}}.dump();
      rec.status({SubjectKind::kHeartbeat, t.name}, c);
    });
    heartbeats_.on_run([&rec](const std::string& name, const HeartbeatRun& run) {
      std::optional<double> duration;
      if (run.started) duration = std::chrono::duration<double, std::milli>(run.ended - *run.started).count();
      const SubjectId subject{SubjectKind::kHeartbeat, name};
      rec.result(subject, run.ended, !run.success(), duration, run.verdict);
      history::Event e;
      e.at = run.ended;
      e.subject = subject;
      e.type = "run";
      e.text = run.success() ? "run succeeded" : "run failed: " + run.verdict;
      nlohmann::json data{{"success", run.success()}, {"verdict", run.verdict}};
      data["duration_ms"] = duration ? nlohmann::json(*duration) : nlohmann::json(nullptr);
      data["exit_code"] = run.exit_code ? nlohmann::json(*run.exit_code) : nlohmann::json(nullptr);
      e.data = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      rec.event(std::move(e));
    });
    alerting_.on_delivery([&rec](const Delivery& d) { rec.delivery(d, false); });
    alerting_.on_attempt([&rec](const Delivery& d) { rec.delivery(d, true); });
  }

  // The history's word on a drill's run, and on a silence made or ended through the API.
  void record_drill(const DrillRun& run) {
    if (!history_.enabled()) return;
    history::Event e;
    e.at = system_clock().wall_now();
    e.subject = {SubjectKind::kDrill, run.drill};
    e.type = "drill";
    e.text = "drill " + run.drill + " " + std::string(to_string(run.state));
    e.data = to_json(run).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    history_.recorder().event(std::move(e));
  }
  void record_silence(const Silence& s, bool ended) {
    if (!history_.enabled()) return;
    history::Event e;
    e.at = system_clock().wall_now();
    e.subject = {SubjectKind::kHale, "silences"};
    e.type = "silence";
    std::string matchers;
    for (const SilenceMatcher& m : s.matchers) matchers += (matchers.empty() ? "" : ", ") + m.name + "=" + m.value;
    e.text = (ended ? "silence ended: " : "silence until " + format_iso8601(s.ends_at) + ": ") + matchers +
             (s.comment.empty() ? "" : " (" + s.comment + ")");
    e.data = nlohmann::json{{"id", s.id}, {"ended", ended}}.dump();
    history_.recorder().event(std::move(e));
  }

  // SPEC §10: the status page alone on [status_page] public_listen, if set (any Host, no body,
  // nothing but /status, /status.json and the badges).
  bool listen_public() {
    if (!config_->status_page || config_->status_page->public_listen.empty()) return true;
    public_server_ = std::make_unique<HttpServer>(
        io_, config_->server, [this](const HttpRequest& r) { return handle(r, true); },
        [](std::string_view, std::string_view) { return BodyRule{}; });
    if (Status s = public_server_->listen(config_->status_page->public_listen); !s) {
      log_event(LogLevel::kError, "listen_failed",
                {{"listen", config_->status_page->public_listen}, {"what", "status_page.public_listen"},
                 {"message", s.message()}});
      return false;
    }
    log_event(LogLevel::kInfo, "status_page_listening",
              {{"listen", config_->status_page->public_listen}, {"port", public_server_->port()}});
    return true;
  }

  // The config's [[announcements]] (ids config-N) and the API's.
  std::vector<history::Announcement> all_announcements() const {
    std::vector<history::Announcement> out;
    for (std::size_t i = 0; i < config_->announcements.size(); ++i) {
      const AnnouncementSpec& spec = config_->announcements[i];
      history::Announcement a;
      a.id = "config-" + std::to_string(i + 1);
      a.message = spec.message;
      a.level = spec.level;
      a.from = spec.from;
      a.until = spec.until;
      a.created_at = started_at_;
      out.push_back(std::move(a));
    }
    out.insert(out.end(), announcements_.begin(), announcements_.end());
    return out;
  }

  history::Announcement add_announcement(history::Announcement a) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::uniform_int_distribution<int> digit(0, 15);
    for (int i = 0; i < 32; ++i) a.id += kHex[digit(announcement_ids_)];
    a.created_at = system_clock().wall_now();
    announcements_.push_back(a);
    history_.write_job([a](history::HistoryDb& db) {
      if (Status s = db.save_announcement(a); !s) {
        log_event(LogLevel::kError, "announcement_save_failed",
                  {{"id", a.id}, {"message", s.message()}, {"consequence", "shown until hale stops, not after"}});
      }
    });
    log_event(LogLevel::kInfo, "announcement", {{"id", a.id}, {"level", a.level}});
    return a;
  }

  bool remove_announcement(std::string_view id) {
    auto it = std::find_if(announcements_.begin(), announcements_.end(), [&](const auto& a) { return a.id == id; });
    if (it == announcements_.end()) return false;
    announcements_.erase(it);
    history_.write_job([id = std::string(id)](history::HistoryDb& db) {
      if (Status s = db.delete_announcement(id); !s) {
        log_event(LogLevel::kError, "announcement_save_failed", {{"id", id}, {"message", s.message()}});
      }
    });
    return true;
  }

  // A subject whose status the history has not heard yet (a heartbeat restored as it was, a
  // service whose state came before the history was open) is told it now.
  void tell_history(const SubjectId& subject, const SubjectStatus& s) {
    if (!history_.enabled() || history_.recorder().has_status(subject) || s.status == Health::kUnknown) return;
    history::StatusChange c;
    c.status = s;
    c.at = system_clock().wall_now();
    history_.recorder().status(subject, c);
  }

  // The alerting of a (re)loaded config, then the current state of checks, services and
  // heartbeats (a heartbeat restored as down is news, or the continuation of an incident a
  // previous hale announced). At start checks are unknown (their first results are
  // transitions), but after a reload an unchanged check keeps its status and makes no
  // transition: a route the reload added (a new notifier or rule) learns it here, or a check
  // failing all along would never be announced to it.
  void apply_alerting() {
    alerting_.apply(*config_);
    if (store_health_) alerting_.observe({SubjectKind::kHale, kStateStoreSubject}, store_subject_status());
    for (const auto& c : engine_.snapshot()->checks) {
      if (c->status != Health::kUnknown) alerting_.observe({SubjectKind::kCheck, c->name}, check_subject_status(*c));
    }
    // A reload mid-drill tells what a drill forces with the drill's mark, as it was told.
    for (const auto& v : supervisor_.snapshot()->services) {
      SubjectStatus s = service_subject_status(*v);
      if (auto it = service_drill_.find(v->name); it != service_drill_.end()) s.drill = it->second;
      alerting_.observe({SubjectKind::kService, v->name}, s);
      SubjectStatus counted = s;
      counted.status = service_history_health(v->state, *v);
      tell_history({SubjectKind::kService, v->name}, counted);
    }
    for (const auto& h : heartbeats_.snapshot()->heartbeats) {
      // A restored heartbeat makes no transition: a service that requires it learns it here.
      supervisor_.note_heartbeat(h->name, h->health());
      SubjectStatus s = heartbeat_subject_status(h->state, h->reason, h->critical, h->since);
      s.drill = h->drill;
      alerting_.observe({SubjectKind::kHeartbeat, h->name}, s);
      tell_history({SubjectKind::kHeartbeat, h->name}, s);
    }
  }

  // ---- SPEC §7 drills ----

  DrillRunner::Hooks drill_hooks() {
    DrillRunner::Hooks h;
    h.force = [this](const DrillForce& f, const std::string& drill) {
      if (f.notifier) return alerting_.force_notifier(f.name, drill);
      if (f.kind == SubjectKind::kHeartbeat) return heartbeats_.force(f.name, f.result, drill);
      engine_.force(f.name, f.result, drill);
    };
    h.unforce = [this](const DrillForce& f) {
      if (f.notifier) return alerting_.unforce_notifier(f.name);
      if (f.kind == SubjectKind::kHeartbeat) return heartbeats_.unforce(f.name);
      engine_.unforce(f.name);
    };
    h.shows_forced = [this](const DrillForce& f) {
      if (f.notifier) return true;  // refuses from the first attempt on
      if (f.kind == SubjectKind::kHeartbeat) {
        auto snap = heartbeats_.snapshot();
        const HeartbeatView* v = snap->find(f.name);
        return v && v->health() == f.result;
      }
      auto snap = engine_.snapshot();
      const CheckView* c = snap->find(f.name);
      return c && c->status == f.result;
    };
    h.seen = [this](const DrillExpectation& e) { return drill_seen(e); };
    h.on_run = [this](const DrillRun& run) {
      // SPEC §7 page = true: its alerts reach every notifier, also the resolutions that come
      // after its end (so that what paged someone is resolved for them too); the next run of
      // that name decides anew.
      if (run.state == DrillState::kRunning) alerting_.set_drill_pages(run.drill, run.page);
      server_.events().publish("drill", to_json(run).dump());
      record_drill(run);
      // SPEC §7: a scheduled drill's result is subject drill/NAME, alerted when it fails.
      const bool judged = run.state == DrillState::kPassed || run.state == DrillState::kFailed;
      if (judged && run.trigger == "schedule") {
        SubjectStatus s;
        s.status = run.state == DrillState::kPassed ? Health::kOk : Health::kFail;
        s.state = std::string(to_string(run.state));
        s.reason = run.state == DrillState::kPassed ? "every expectation held" : drill_failure_summary(run);
        s.since = run.ended_at.value_or(system_clock().wall_now());
        alerting_.observe({SubjectKind::kDrill, run.drill}, s);
      }
    };
    return h;
  }

  // What a drill's expectation sees now: the answer any client would get (a status code), or
  // the subject's state word.
  std::optional<std::string> drill_seen(const DrillExpectation& e) {
    const auto dot = e.key.find('.');
    const std::string section = dot == std::string::npos ? e.key : e.key.substr(0, dot);
    const std::string name = dot == std::string::npos ? "" : e.key.substr(dot + 1);
    auto status_of = [this](const std::string& target) {
      HttpRequest req;
      req.target = target;
      req.host = "localhost";
      return std::to_string(handle(req).status);
    };
    if (section == "readyz" || section == "livez") return status_of("/" + section);
    if (section == "groups") return status_of("/groupz/" + name);
    if (section == "guard") return status_of("/guard/" + name);
    if (section == "checks") {
      auto snap = engine_.snapshot();
      if (const CheckView* c = snap->find(name)) return std::string(to_string(c->status));
    } else if (section == "heartbeats") {
      auto snap = heartbeats_.snapshot();
      if (const HeartbeatView* h = snap->find(name)) return std::string(to_string(h->state));
    } else if (section == "services") {
      auto snap = supervisor_.snapshot();
      if (const ServiceView* s = snap->find(name)) return std::string(to_string(s->state));
    }
    return std::nullopt;
  }

  // SPEC §7: a service transition caused by a drill (it holds or restarts the service because a
  // check or heartbeat the running drill forces is down) is marked with the drill, and so is
  // its way back (until it runs again).
  ServiceTransition marked(const ServiceTransition& t) const {
    ServiceTransition out = t;
    // Held by a drill: its way back (starting, then running) is the drill's too; anything else
    // (a crash, a spent budget) is real.
    if (auto it = service_drill_.find(t.service); it != service_drill_.end() && on_the_way_back(t.to)) {
      out.drill = it->second;
    }
    const auto& active = drills_.active();
    if (!active) return out;
    const ServiceSpec* spec = config_->find_service(t.service);
    if (!spec) return out;
    std::vector<std::string> watched = spec->require;
    if (!spec->liveness.empty()) watched.push_back(spec->liveness);
    if (!spec->readiness.empty()) watched.push_back(spec->readiness);
    for (const DrillForce& f : active->forced) {
      if (f.notifier) continue;
      const bool watches = std::find(watched.begin(), watched.end(), f.name) != watched.end();
      if (watches && names(t.reason, f.name)) out.drill = active->drill;
    }
    return out;
  }

  static bool on_the_way_back(ServiceState s) {
    return s == ServiceState::kStopping || s == ServiceState::kStopped || s == ServiceState::kStarting ||
           s == ServiceState::kRunning || s == ServiceState::kReady || s == ServiceState::kUnhealthy;
  }

  // Whether `reason` names `name` as a word of its own ("held: db fail" names db, not db-replica).
  static bool names(const std::string& reason, const std::string& name) {
    auto name_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'; };
    for (auto at = reason.find(name); at != std::string::npos; at = reason.find(name, at + 1)) {
      const bool starts = at == 0 || !name_char(reason[at - 1]);
      const std::size_t end = at + name.size();
      // A name may end a sentence: "held: db." is still db.
      const bool ends = end == reason.size() || !name_char(reason[end]) ||
                        (reason[end] == '.' && (end + 1 == reason.size() || !name_char(reason[end + 1])));
      if (starts && ends) return true;
    }
    return false;
  }

  // After everyone heard of `t`: which drill the service's next transitions are marked with.
  void remember_service_drill(const ServiceTransition& t) {
    const std::string drill = marked(t).drill;
    const bool back = t.to == ServiceState::kRunning || t.to == ServiceState::kReady;
    if (drill.empty() || back || !on_the_way_back(t.to)) {
      service_drill_.erase(t.service);
    } else {
      service_drill_[t.service] = drill;
    }
  }

  DrillAnswer drills_answer(std::string_view name) {
    if (name.empty()) return {200, drills_list_json(drills_)};
    if (auto j = drill_json(drills_, name)) return {200, std::move(*j)};
    return {404, error_json("not_found", "no drill named \"" + std::string(name) + "\"")};
  }

  static std::string error_json(std::string_view code, const std::string& message) {
    return nlohmann::json{{"error", {{"code", code}, {"message", message}}}}.dump();
  }

  DrillAnswer run_drill_request(std::string_view body) {
    auto spec = parse_drill_request(body, *config_);
    if (!spec) return {400, error_json("bad_request", spec.status().message())};
    if (config_->find_drill(spec->name)) {
      return {409, error_json("drill_exists", "a drill named \"" + spec->name + "\" is in the config: POST /api/v1/drills/" +
                                                  spec->name + "/run")};
    }
    return start_answer(drills_.start(*spec, "api"));
  }

  DrillAnswer run_drill(std::string_view name) { return start_answer(drills_.start(name, "api")); }

  static DrillAnswer start_answer(const DrillRunner::StartResult& r) {
    nlohmann::json body;
    if (r.http_status != 202) body["error"] = {{"code", r.error_code}, {"message", r.message}};
    if (r.run) body["run"] = to_json(*r.run);  // the running one, also with a 409
    return {r.http_status, body.dump()};
  }

  // SPEC §1: a reload with a bad file keeps the running config and logs the error.
  ReloadOutcome reload(const char* trigger) {
    SystemdNotifier::ReloadScope notify_reload(notifier_);  // RELOADING=1 now, READY=1 at return
    ReloadOutcome out;
    LoadResult loaded = load_config_file(config_->path);
    if (!loaded.config) {
      for (const auto& e : loaded.errors) out.errors.push_back(e.to_string());
      log_event(LogLevel::kError, "reload_failed",
                {{"trigger", trigger}, {"config", config_->path}, {"errors", out.errors},
                 {"message", "keeping the running configuration"}});
      engine_.note_reload(false);
      return out;
    }
    Config next = std::move(*loaded.config);
    // The listener and its limits are set up once; say so rather than ignore a change.
    const ServerConfig& a = config_->server;
    const ServerConfig& b = next.server;
    if (a.listen != b.listen || a.max_connections != b.max_connections ||
        a.max_header_bytes != b.max_header_bytes || a.max_body_bytes != b.max_body_bytes ||
        a.read_timeout != b.read_timeout || a.idle_timeout != b.idle_timeout || a.header_timeout != b.header_timeout) {
      log_event(LogLevel::kWarn, "reload_server_unchanged",
                {{"message", "changes to server.listen and the HTTP limits take effect at the next start"},
                 {"listen", config_->server.listen}});
      ServerConfig kept = config_->server;  // what the running listener really uses
      kept.service = b.service;
      kept.admin_token = b.admin_token;
      kept.state_dir = b.state_dir;
      kept.allowed_hosts = b.allowed_hosts;  // checked per request, not by the listener
      next.server = std::move(kept);
    }
    if (next.server.containment != config_->server.containment && containment_) {
      log_event(LogLevel::kWarn, "reload_containment_unchanged",
                {{"message", "a change of server.containment takes effect at the next start"},
                 {"containment", to_string(containment_->mode())}});
    }
    config_ = std::make_shared<const Config>(std::move(next));
    hosts_ = HostAllowList(config_->server.listen, config_->server.allowed_hosts);
    Redactor::global().set_secrets(config_->secrets);
    engine_.apply(config_);
    open_store();
    // A reload that adds the first service sets containment up now; if it cannot be (cgroup
    // asked for, none allowed), the services start with their process groups only, and say so.
    open_containment();
    supervisor_.apply(*config_);
    open_worker_store();
    heartbeats_.apply(config_->heartbeats);
    history_.apply(config_->history);
    apply_alerting();
    drills_.apply(config_->drills);  // a running drill goes on to its end, and restores then
    engine_.note_reload(true);
    out.ok = true;
    out.checks = config_->checks.size();
    log_event(LogLevel::kInfo, "reloaded",
              {{"trigger", trigger}, {"config", config_->path}, {"checks", out.checks}});
    return out;
  }

  // Shared with the engine, whose runners and probes point into its checks instead of copying
  // them (10,000 checks: 10 MB less; docs/scale.md).
  std::shared_ptr<const Config> config_;
  HostAllowList hosts_{config_->server.listen, config_->server.allowed_hosts};
  std::optional<StateStoreHealth> store_health_;  // set once something needed a state store
  WallTime started_at_ = system_clock().wall_now();
  // Before io_: a run's Process, which a handler in io_ may hold to the end, ends its leftovers
  // through it when the loop goes away.
  std::unique_ptr<Containment> containment_;
  asio::io_context io_;
  SystemdNotifier notifier_{io_};  // first after io_: unsets NOTIFY_SOCKET before any child is spawned
  CurlMulti curl_;
  ProbeContext probe_ctx_;
  Engine engine_;
  HttpServer server_;
  std::unique_ptr<StateStore> store_;
  Supervisor supervisor_;
  std::unique_ptr<StoreWorker> worker_store_;  // before the monitor and alerting: outlives them
  HeartbeatMonitor heartbeats_{io_, system_clock()};
  Alerting alerting_{io_, system_clock(), curl_, seed64()};
  std::unique_ptr<Timers> timers_ = asio_timers(io_);
  history::History history_{*timers_, system_clock()};
  std::vector<history::Announcement> announcements_;  // made through the API (history.db keeps them)
  std::mt19937_64 announcement_ids_{seed64()};
  std::unique_ptr<HttpServer> public_server_;  // [status_page] public_listen
  DrillRunner drills_{io_, system_clock(), drill_hooks()};
  std::map<std::string, std::string> service_drill_;  // service -> the drill it is held by, till it runs again
  asio::signal_set signals_;
  bool stopping_ = false;
};

}  // namespace

int run_daemon(Config config) {
  // glibc raises its mmap threshold to the size of the largest block freed (up to 32 MB): after
  // the first scrape of 10,000 checks (/metrics, 2.5 MB, grown by doubling) such blocks come from
  // the heap and stay in it, 5 MB of RSS for good. A fixed threshold (glibc's initial 128 KB)
  // gives every large block back to the system when it is freed (docs/scale.md).
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  std::signal(SIGPIPE, SIG_IGN);  // a client that goes away must not kill the daemon
  // A write past RLIMIT_FSIZE (a quota) is an error to report (EFBIG), not a reason to die.
  std::signal(SIGXFSZ, SIG_IGN);
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
