// GrpcProbe: a grpc check calls grpc.health.v1.Health/Check (unary) on `target` through Debian's
// gRPC C++ library, with the request and response encoded by hand (grpc_health.h) and sent as
// raw bytes: no protoc, no generated code, no libprotobuf. gRPC itself lives in a module,
// libhale_grpc.so (src/hale_grpc/grpc_module.cpp), behind the C ABI of grpc_module_api.h: this
// file includes no gRPC header, and libhale does not link gRPC. The module is loaded with dlopen
// by the first grpc probe of the process (never unloaded), so a hale without grpc checks never
// maps gRPC's libraries (about 4 MB of RSS). It is looked for at $HALE_GRPC_MODULE if set, else
// next to the executable (/proc/self/exe), else at HALE_GRPC_MODULE_INSTALL_PATH (the build's
// ${libdir}/hale/libhale_grpc.so). When it cannot be loaded every grpc probe fails with
// "grpc support is not available: cannot load PATH: ..." (error_code "grpc_module_unavailable";
// not "grpc_unavailable", which is an RPC that ended UNAVAILABLE).
//
// Threads: the module starts calls on one grpc::CompletionQueue shared by every grpc probe; its
// one thread waits on it and, for each call that ends, runs on_call_done(), which posts the
// result to the engine's io_context; the verdict and `done` happen on the loop. The loop never
// waits for gRPC: starting a call and releasing one return at once.
//
// Lifetimes: one RPC is a shared Call (the way home and `done`), held by the probe and by the
// result posted to the loop; the module's call handle points back at it as user data. cancel()
// (and the destructor) releases the handle: the module clears the call's callback under its
// mutex (waiting for one that is running), then asks gRPC to cancel, so on_call_done never runs
// after cancel() has begun to return, `done` is never called after cancel(), and a probe (or the
// io_context after it) may be destroyed while gRPC still holds its side of the call. `done`
// itself is only ever moved, called or cleared on the loop.
//
// Connections: one channel per check, made at the first probe and kept while the server answers
// (one HTTP/2 connection, reused). After an RPC that did not reach a server's answer (UNAVAILABLE,
// DEADLINE_EXCEEDED, a cancel by the engine's deadline, ...) the channel is dropped and the next
// probe makes a new one: a new channel connects at once, where the old one would fail fast on
// its reconnect backoff (up to 2 minutes) long after the server is back. No wait_for_ready: a
// refused connection is reported as such, not waited on until the deadline.
#include <dlfcn.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string_view>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "hale/log/json_log.h"
#include "hale/probe/grpc_health.h"
#include "hale/probe/grpc_module_api.h"
#include "hale/probe/probe.h"
#include "hale/version.h"

#ifndef HALE_GRPC_MODULE_INSTALL_PATH
#define HALE_GRPC_MODULE_INSTALL_PATH "/usr/local/lib/hale/" HALE_GRPC_MODULE_FILE
#endif

namespace hale {

namespace {

namespace asio = boost::asio;

// gRPC's own log lines (gpr_log: what GRPC_VERBOSITY lets through, ERROR by default, e.g. a TLS
// handshake failure) go to hale's JSON log at debug level instead of gRPC's text on stderr: each
// one is about a failure the probe reports anyway, once per attempt, as a result. GRPC_VERBOSITY
// and GRPC_TRACE still choose what gRPC emits; `hale run --log-level debug` shows it.
void log_from_grpc(void*, int severity, const char* file, int line, const char* message) {
  const char* name = severity == HALE_GRPC_LOG_ERROR  ? "error"
                     : severity == HALE_GRPC_LOG_INFO ? "info"
                                                      : "debug";
  log_event(LogLevel::kDebug, "grpc_log", {{"severity", name}, {"file", file}, {"line", line}, {"message", message}});
}

// Where the module is: $HALE_GRPC_MODULE, else next to the executable, else the install path.
std::string grpc_module_path() {
  if (const char* env = std::getenv("HALE_GRPC_MODULE"); env != nullptr && *env != '\0') return env;
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const std::filesystem::path beside = exe.parent_path() / HALE_GRPC_MODULE_FILE;
    if (std::filesystem::exists(beside, ec)) return beside.string();
  }
  return HALE_GRPC_MODULE_INSTALL_PATH;
}

struct GrpcModule {
  const hale_grpc_module* api = nullptr;  // null: not available, see error
  std::string error;
};

GrpcModule load_grpc_module() {
  GrpcModule m;
  const std::string path = grpc_module_path();
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);  // never dlclose'd
  if (handle == nullptr) {
    // dlerror() mostly starts with the path itself: said once is enough.
    const char* dl = ::dlerror();
    std::string_view why = dl ? dl : "dlopen failed";
    if (why.size() > path.size() + 2 && why.substr(0, path.size()) == path && why.substr(path.size(), 2) == ": ") {
      why.remove_prefix(path.size() + 2);
    }
    m.error = "grpc support is not available: cannot load " + path + ": " + std::string(why);
  } else if (auto get = reinterpret_cast<hale_grpc_module_get_fn>(::dlsym(handle, HALE_GRPC_MODULE_SYMBOL));
             get == nullptr) {
    m.error = "grpc support is not available: " + path + " is not hale's grpc module (no " +
              HALE_GRPC_MODULE_SYMBOL + ")";
  } else if (const hale_grpc_module* api = get();
             api == nullptr || api->api_version != HALE_GRPC_MODULE_API_VERSION ||
             api->struct_size < sizeof(hale_grpc_module)) {
    m.error = "grpc support is not available: " + path + " has module API version " +
              std::to_string(api ? api->api_version : 0) + ", this hale needs " +
              std::to_string(HALE_GRPC_MODULE_API_VERSION);
  } else {
    m.api = api;
  }
  if (!m.api) {
    log_event(LogLevel::kError, "grpc_module_unavailable", {{"error", m.error}});
    return m;
  }
  // Logging once first also makes sure hale's logger exists before the atexit registration:
  // gRPC's threads may log until the very end of the process, and hale's logger is a static that
  // exit() destroys; the atexit handler (run before the destructors of statics made earlier)
  // tells the module to drop gRPC's lines from then on.
  log_event(LogLevel::kDebug, "grpc_init", {{"module", path}, {"message", "gRPC log lines routed to hale's log"}});
  static const hale_grpc_module* routed = nullptr;
  routed = m.api;
  m.api->set_log_function(&log_from_grpc, nullptr);
  std::atexit([] { routed->set_log_function(nullptr, nullptr); });
  return m;
}

// Loaded once per process, by the first grpc probe (a function-local static: thread-safe).
const GrpcModule& grpc_module() {
  static const GrpcModule module = load_grpc_module();
  return module;
}

// One Check RPC, shared by the probe and the result posted to the loop.
struct Call : std::enable_shared_from_this<Call> {
  hale_grpc_call* handle = nullptr;  // the module's side; loop only, released by the probe
  asio::io_context* io = nullptr;    // where the result goes
  // Keeps the loop's run() from returning while the call is out on gRPC's threads (the loop has
  // no other work of this probe to wait on). Handed to the posted result (and released on the
  // loop with it), or released on the loop once the handle is released: never touched by the
  // completion thread once the io_context may be gone.
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;

  // Loop only:
  Probe::Done done;       // empty once reported or abandoned
  bool finished = false;  // the RPC ended and its result was judged
  bool keep_channel = false;
};

// How an RPC ended, copied out of the module's callback.
struct Outcome {
  int code = 0;
  std::string message;
  int response_state = HALE_GRPC_RESPONSE_NONE;
  std::string response;
};

// The verdict for an ended RPC (on the loop).
ProbeResult judge(const Outcome& o) {
  if (o.code != 0) return grpc_health::rpc_failure(o.code, o.message);
  if (o.response_state == HALE_GRPC_RESPONSE_NONE) return grpc_health::missing_response();
  if (o.response_state != HALE_GRPC_RESPONSE_BYTES) return grpc_health::malformed_response();
  const auto serving = grpc_health::decode_response(o.response);
  if (!serving) return grpc_health::malformed_response();
  return grpc_health::judge_status(*serving);
}

// On the module's completion thread, under the module's lock of the call (so a release of the
// handle waits for it, and none has happened yet): hands the ended call to the loop.
void on_call_done(void* user, const hale_grpc_result* result) {
  std::shared_ptr<Call> call = static_cast<Call*>(user)->shared_from_this();  // the probe holds it
  Outcome o;
  o.code = result->status_code;
  o.message = result->message ? result->message : "";
  o.response_state = result->response_state;
  if (result->response != nullptr && result->response_len > 0) {
    o.response.assign(reinterpret_cast<const char*>(result->response), result->response_len);
  }
  // The work guard goes along and is released on the loop with the handler: released here after
  // the post, it could touch an io_context that the handler's `done` has already let be destroyed.
  asio::post(*call->io, [call, o = std::move(o), work = std::move(*call->work)] {
    if (!call->done) return;  // cancelled after the post
    ProbeResult r = judge(o);
    call->finished = true;
    call->keep_channel = grpc_health::keeps_channel(o.code);
    Probe::Done done = std::move(call->done);
    call->done = nullptr;
    done(std::move(r));
  });
  call->work.reset();  // moved from: touches nothing
}

std::string read_file(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) error = "cannot read ca_file " + path;
  if (text.str().empty()) error = "cannot read ca_file " + path;
  return text.str();
}

struct ChannelDeleter {
  const hale_grpc_module* api;
  void operator()(hale_grpc_channel* channel) const { api->destroy_channel(channel); }
};
using ChannelPtr = std::unique_ptr<hale_grpc_channel, ChannelDeleter>;

class GrpcProbe final : public Probe {
 public:
  GrpcProbe(const GrpcCheck& spec, ProbeContext& ctx)
      : io_(ctx.io),
        module_(grpc_module()),
        target_(spec.target),
        tls_(spec.tls),
        ca_file_(spec.ca_file),
        server_name_(spec.server_name),
        request_(grpc_health::encode_request(spec.service)),
        channel_(nullptr, ChannelDeleter{module_.api}) {}

  ~GrpcProbe() override { retire_call(); }

  void start(Duration timeout, Done done) override {
    retire_call();  // a new attempt replaces one still in flight
    if (!module_.api) {
      asio::post(io_, [done = std::move(done), error = module_.error] {
        done(probe_failure(error, ErrorKind::kGrpcModuleUnavailable));
      });
      return;
    }
    std::string error;
    ErrorKind error_code = ErrorKind::kTls;
    if (!channel_) channel_ = make_channel(error, error_code);
    if (!channel_) {
      asio::post(io_, [done = std::move(done), error, error_code] { done(probe_failure(error, error_code)); });
      return;
    }
    auto call = std::make_shared<Call>();
    call->io = &io_;
    call->work.emplace(io_.get_executor());
    call->done = std::move(done);
    call_ = call;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count();
    static const std::string method(grpc_health::kCheckMethod);
    // From here on the call may end on the completion thread at any time.
    call->handle = module_.api->start_call(channel_.get(), method.c_str(),
                                           reinterpret_cast<const std::uint8_t*>(request_.data()), request_.size(),
                                           std::max<std::int64_t>(ms, 1), &on_call_done, call.get());
  }

  void cancel() override { retire_call(); }

 private:
  // Ends the current attempt, if any: abandoned (never reported) when still in flight. The
  // channel stays only when the last RPC was answered by the server.
  void retire_call() {
    if (!call_) return;
    std::shared_ptr<Call> call = std::move(call_);
    call_.reset();
    const bool keep = call->finished && call->keep_channel;
    // After this, on_call_done() of this call has run or never will (the module cancels the RPC
    // if it is still in flight).
    module_.api->release_call(call->handle);
    call->handle = nullptr;
    call->work.reset();
    call->done = nullptr;
    if (!keep) channel_.reset();
  }

  ChannelPtr make_channel(std::string& error, ErrorKind& error_code) {
    std::string ca_pem;
    if (tls_ && !ca_file_.empty()) {
      ca_pem = read_file(ca_file_, error);
      if (!error.empty()) return ChannelPtr(nullptr, ChannelDeleter{module_.api});
    }
    const std::string user_agent = "hale/" + version();
    hale_grpc_channel_options options{};
    options.target = target_.c_str();
    options.tls = tls_ ? 1 : 0;
    options.ca_pem = ca_pem.empty() ? nullptr : ca_pem.c_str();
    options.server_name = server_name_.empty() ? nullptr : server_name_.c_str();
    options.user_agent_prefix = user_agent.c_str();
    char message[256] = {0};
    ChannelPtr channel(module_.api->create_channel(&options, message, sizeof message), ChannelDeleter{module_.api});
    if (!channel) {
      error = std::string("cannot make a gRPC channel: ") + message;
      error_code = ErrorKind::kGrpcChannel;
    }
    return channel;
  }

  asio::io_context& io_;
  const GrpcModule& module_;
  std::string target_;
  bool tls_;
  std::string ca_file_;
  std::string server_name_;
  std::string request_;  // the encoded HealthCheckRequest, the same for every attempt
  ChannelPtr channel_;
  std::shared_ptr<Call> call_;
};

}  // namespace

std::unique_ptr<Probe> make_probe(const GrpcCheck& spec, ProbeContext& ctx) {
  return std::make_unique<GrpcProbe>(spec, ctx);
}

}  // namespace hale
