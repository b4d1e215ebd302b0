// GrpcProbe: a grpc check calls grpc.health.v1.Health/Check (unary) on `target` through Debian's
// gRPC C++ library, with the request and response encoded by hand (grpc_health.h) and sent as
// raw bytes through grpc::GenericStub: no protoc, no generated code, no libprotobuf. This is the
// only translation unit of hale that includes gRPC's headers.
//
// Threads: calls are started from the loop on one grpc::CompletionQueue shared by every grpc
// probe; one thread of hale's (CompletionThread) waits on it and, for each call that ends, posts
// the status to the engine's io_context; the verdict and `done` happen on the loop. The loop
// never waits for gRPC: starting a call and TryCancel() return at once. (gRPC's callback API
// was the first choice; Debian's 1.51 runs its callbacks on a shared "nexting" thread pool that
// aborts when the last channel is destroyed from one of its own callbacks, which is exactly
// what an abandoned call does. Our own queue has no such rule.)
//
// Lifetimes: one RPC is a shared Call (ClientContext, both byte buffers, the status, the way
// home), held by the probe and by the queue's tag. cancel() (and the destructor) marks the Call
// abandoned under its mutex, then asks gRPC to cancel; a completion that arrives afterwards sees
// the mark and drops the status without touching the loop, so `done` is never called after
// cancel(), and a probe (or the io_context after it) may be destroyed while gRPC still holds the
// Call. `done` itself is only ever moved, called or cleared on the loop.
//
// Connections: one channel per check, made at the first probe and kept while the server answers
// (one HTTP/2 connection, reused). After an RPC that did not reach a server's answer (UNAVAILABLE,
// DEADLINE_EXCEEDED, a cancel by the engine's deadline, ...) the channel is dropped and the next
// probe makes a new one: a new channel connects at once, where the old one would fail fast on
// its reconnect backoff (up to 2 minutes) long after the server is back. No wait_for_ready: a
// refused connection is reported as such, not waited on until the deadline.
#include <grpc/support/log.h>
#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/completion_queue.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/channel_arguments.h>
#include <grpcpp/support/status.h>

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "hale/log/json_log.h"
#include "hale/probe/grpc_health.h"
#include "hale/probe/probe.h"
#include "hale/version.h"

namespace hale {

namespace {

namespace asio = boost::asio;

// gRPC's own log lines (gpr_log: what GRPC_VERBOSITY lets through, ERROR by default, e.g. a TLS
// handshake failure) go to hale's JSON log at debug level instead of gRPC's text on stderr: each
// one is about a failure the probe reports anyway, once per attempt, as a result. GRPC_VERBOSITY
// and GRPC_TRACE still choose what gRPC emits; `hale run --log-level debug` shows it.
void log_from_grpc(gpr_log_func_args* args) {
  const char* severity = args->severity == GPR_LOG_SEVERITY_ERROR  ? "error"
                         : args->severity == GPR_LOG_SEVERITY_INFO ? "info"
                                                                   : "debug";
  log_event(LogLevel::kDebug, "grpc_log",
            {{"severity", severity},
             {"file", args->file ? args->file : ""},
             {"line", args->line},
             {"message", args->message ? args->message : ""}});
}

// gRPC's log lines may come from its threads until the very end of the process; hale's logger is
// a static that exit() destroys. Back to a function that drops them before that happens (atexit
// handlers run before the destructors of statics made earlier).
void drop_grpc_log(gpr_log_func_args*) {}

void init_grpc_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Logging once first also makes sure hale's logger exists before the atexit registration.
    log_event(LogLevel::kDebug, "grpc_init", {{"message", "gRPC log lines routed to hale's log"}});
    gpr_set_log_function(&log_from_grpc);
    std::atexit([] { gpr_set_log_function(&drop_grpc_log); });
  });
}

// One Check RPC, shared by the probe and the completion queue's tag.
struct Call {
  grpc::ClientContext context;
  grpc::ByteBuffer request;
  grpc::ByteBuffer response;
  grpc::Status status;  // written by gRPC, read once the tag is back
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> reader;

  std::mutex mu;
  asio::io_context* io = nullptr;  // where the result goes; null once abandoned (guarded by mu)
  // Keeps the loop's run() from returning while the call is out on gRPC's threads (the loop has
  // no other work of this probe to wait on). Handed to the posted result (and released on the
  // loop with it), or released on the loop when the call is abandoned: never touched by the
  // completion thread once the io_context may be gone.
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;

  // Loop only:
  Probe::Done done;       // empty once reported or abandoned
  bool finished = false;  // the RPC ended and its result was judged
  bool keep_channel = false;
};

// The verdict for an ended RPC (on the loop).
ProbeResult judge(Call& call) {
  const grpc::Status& status = call.status;
  if (!status.ok()) return grpc_health::rpc_failure(status.error_code(), status.error_message());
  if (!call.response.Valid()) return grpc_health::missing_response();
  grpc::Slice slice;
  if (!call.response.DumpToSingleSlice(&slice).ok()) return grpc_health::malformed_response();
  const std::string_view bytes(reinterpret_cast<const char*>(slice.begin()), slice.size());
  const auto serving = grpc_health::decode_response(bytes);
  if (!serving) return grpc_health::malformed_response();
  return grpc_health::judge_status(*serving);
}

// On the completion thread: hands the ended call to the loop, unless it was abandoned. An
// abandoned call is destroyed here (its ClientContext, and the channel if it was the last user).
void on_call_done(std::shared_ptr<Call> call) {
  std::lock_guard lock(call->mu);
  if (call->io == nullptr) return;  // cancel() or the probe's destructor came first
  // The work guard goes along and is released on the loop with the handler: released here after
  // the post, it could touch an io_context that the handler's `done` has already let be destroyed.
  asio::post(*call->io, [call, work = std::move(*call->work)] {
    if (!call->done) return;  // cancelled after the post
    ProbeResult r = judge(*call);
    call->finished = true;
    call->keep_channel = grpc_health::keeps_channel(call->status.error_code());
    Probe::Done done = std::move(call->done);
    call->done = nullptr;
    done(std::move(r));
  });
  call->work.reset();  // moved from: touches nothing
}

// The completion queue of every grpc probe and the thread that waits on it. Made by the first
// grpc probe and never destroyed: the thread is detached and waits until the process ends (a
// queue shut down at exit would have to wait for calls that nobody needs any more). Each tag is
// a heap-held shared_ptr<Call>: a call's Finish tag always comes back, so none leaks.
class CompletionThread {
 public:
  static CompletionThread& instance() {
    static CompletionThread* thread = new CompletionThread();
    return *thread;
  }
  grpc::CompletionQueue& queue() { return queue_; }

 private:
  CompletionThread() {
    std::thread([this] {
      void* tag = nullptr;
      bool ok = false;
      while (queue_.Next(&tag, &ok)) {
        std::unique_ptr<std::shared_ptr<Call>> call(static_cast<std::shared_ptr<Call>*>(tag));
        on_call_done(std::move(*call));
      }
    }).detach();
  }
  grpc::CompletionQueue queue_;
};

std::string read_file(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) error = "cannot read ca_file " + path;
  if (text.str().empty()) error = "cannot read ca_file " + path;
  return text.str();
}

class GrpcProbe final : public Probe {
 public:
  GrpcProbe(const CheckSpec& spec, ProbeContext& ctx)
      : io_(ctx.io),
        target_(spec.target),
        tls_(spec.grpc_tls),
        ca_file_(spec.ca_file),
        server_name_(spec.server_name),
        request_(grpc_health::encode_request(spec.grpc_service)) {
    init_grpc_once();
  }

  ~GrpcProbe() override { retire_call(); }

  void start(Duration timeout, Done done) override {
    retire_call();  // a new attempt replaces one still in flight
    std::string error;
    if (!channel_) channel_ = make_channel(error);
    if (!channel_) {
      asio::post(io_, [done = std::move(done), error] { done(probe_failure(error, "tls")); });
      return;
    }
    auto call = std::make_shared<Call>();
    call->io = &io_;
    call->work.emplace(io_.get_executor());
    call->done = std::move(done);
    // A relative deadline: gRPC adds it to its monotonic clock when the call starts.
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count();
    call->context.set_deadline(gpr_time_from_millis(std::max<std::int64_t>(ms, 1), GPR_TIMESPAN));
    grpc::Slice slice(request_);
    call->request = grpc::ByteBuffer(&slice, 1);
    call_ = call;
    grpc::GenericStub stub(channel_);
    call->reader = stub.PrepareUnaryCall(&call->context, std::string(grpc_health::kCheckMethod), call->request,
                                         &CompletionThread::instance().queue());
    call->reader->StartCall();
    // From here on the call may end on the completion thread at any time.
    call->reader->Finish(&call->response, &call->status, new std::shared_ptr<Call>(call));
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
    if (!call->finished) {
      {
        std::lock_guard lock(call->mu);
        call->io = nullptr;
        call->work.reset();
      }
      call->done = nullptr;
      call->context.TryCancel();  // not under mu: gRPC may run the callback from inside it
    }
    if (!keep) channel_.reset();
  }

  std::shared_ptr<grpc::Channel> make_channel(std::string& error) {
    grpc::ChannelArguments args;
    args.SetUserAgentPrefix("hale/" + version());
    // A subchannel of our own: a new channel must not inherit a shared subchannel's backoff.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    std::shared_ptr<grpc::ChannelCredentials> credentials;
    if (tls_) {
      grpc::SslCredentialsOptions options;
      // Empty: gRPC's default roots (the system store first). gRPC takes one bundle, so a
      // ca_file replaces them rather than adding to them.
      if (!ca_file_.empty()) {
        options.pem_root_certs = read_file(ca_file_, error);
        if (!error.empty()) return nullptr;
      }
      credentials = grpc::SslCredentials(options);
      if (!server_name_.empty()) args.SetSslTargetNameOverride(server_name_);
    } else {
      credentials = grpc::InsecureChannelCredentials();  // h2c, as Kubernetes' grpc probe
    }
    return grpc::CreateCustomChannel(target_, credentials, args);
  }

  asio::io_context& io_;
  std::string target_;
  bool tls_;
  std::string ca_file_;
  std::string server_name_;
  std::string request_;  // the encoded HealthCheckRequest, the same for every attempt
  std::shared_ptr<grpc::Channel> channel_;
  std::shared_ptr<Call> call_;
};

}  // namespace

std::unique_ptr<Probe> make_grpc_probe(const CheckSpec& spec, ProbeContext& ctx) {
  return std::make_unique<GrpcProbe>(spec, ctx);
}

}  // namespace hale
