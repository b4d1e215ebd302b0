// libhale_grpc.so: the half of grpc checks that needs gRPC's C++ library, behind the C ABI of
// hale/probe/grpc_module_api.h. libhale loads it with dlopen at the first grpc probe, so a hale
// without grpc checks never maps gRPC (docs/architecture.md). This is the only translation unit
// of hale's build, tests aside, that includes gRPC's headers, and it uses nothing of hale's: it is
// linked with -Wl,--no-undefined and exports one symbol, hale_grpc_module_get().
//
// Threads: calls are started (from hale's loop) on one grpc::CompletionQueue shared by every
// channel; one thread of the module's waits on it and, for each call that ends, runs the call's
// callback (which posts the result to hale's loop). Starting a call and cancelling one return at
// once. (gRPC's callback API was the first choice; Debian's 1.51 runs its callbacks on a shared
// "nexting" thread pool that aborts when the last channel is destroyed from one of its own
// callbacks, which is exactly what an abandoned call does. Our own queue has no such rule.)
//
// Lifetimes: a call is held by the caller's handle and by the queue's tag (a reference count of
// two). release_call() clears the callback under the call's mutex, then asks gRPC to cancel; a
// completion that arrives afterwards sees no callback and only drops its reference, so a callback
// never runs after release_call() has returned, and a caller may free its user data then. The
// callback runs under that mutex, so a release_call() that comes during it waits for it.
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

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "hale/probe/grpc_module_api.h"

struct hale_grpc_channel {
  std::shared_ptr<grpc::Channel> channel;
};

struct hale_grpc_call {
  grpc::ClientContext context;
  grpc::ByteBuffer request;
  grpc::ByteBuffer response;
  grpc::Status status;  // written by gRPC, read once the tag is back
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> reader;

  std::mutex mu;
  hale_grpc_done_fn done = nullptr;  // null once called or released (guarded by mu)
  void* user = nullptr;
  bool ended = false;  // the tag came back (guarded by mu)

  std::atomic<int> refs{2};  // the caller's handle and the queue's tag
};

namespace {

void unref(hale_grpc_call* call) {
  if (call->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete call;
}

// On the completion thread: hands the ended call to its callback, unless it was released.
void finish(hale_grpc_call* call) {
  std::lock_guard lock(call->mu);
  call->ended = true;
  if (call->done == nullptr) return;  // released first
  hale_grpc_result result{};
  result.status_code = static_cast<int>(call->status.error_code());
  const std::string message = call->status.error_message();
  result.message = message.c_str();
  result.response_state = HALE_GRPC_RESPONSE_NONE;
  grpc::Slice slice;
  if (call->status.ok() && call->response.Valid()) {
    if (call->response.DumpToSingleSlice(&slice).ok()) {
      result.response_state = HALE_GRPC_RESPONSE_BYTES;
      result.response = slice.size() ? slice.begin() : nullptr;
      result.response_len = slice.size();
    } else {
      result.response_state = HALE_GRPC_RESPONSE_UNREADABLE;
    }
  }
  hale_grpc_done_fn done = call->done;
  void* user = call->user;
  call->done = nullptr;
  call->user = nullptr;
  done(user, &result);
}

// The completion queue of every call and the thread that waits on it. Made by the first call and
// never destroyed: the thread is detached and waits until the process ends (a queue shut down at
// exit would have to wait for calls that nobody needs any more). Each tag is a call's queue
// reference: a call's Finish tag always comes back, so none leaks.
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
        auto* call = static_cast<hale_grpc_call*>(tag);
        finish(call);
        unref(call);
      }
    }).detach();
  }
  grpc::CompletionQueue queue_;
};

void copy_error(const char* text, char* error, std::size_t error_size) {
  if (error == nullptr || error_size == 0) return;
  std::snprintf(error, error_size, "%s", text);
}

hale_grpc_channel* create_channel(const hale_grpc_channel_options* options, char* error,
                                  std::size_t error_size) noexcept {
  try {
    if (options == nullptr || options->target == nullptr) {
      copy_error("no target", error, error_size);
      return nullptr;
    }
    grpc::ChannelArguments args;
    if (options->user_agent_prefix) args.SetUserAgentPrefix(options->user_agent_prefix);
    // A subchannel of our own: a new channel must not inherit a shared subchannel's backoff.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    std::shared_ptr<grpc::ChannelCredentials> credentials;
    if (options->tls) {
      grpc::SslCredentialsOptions ssl;
      // Empty: gRPC's default roots (the system store first). gRPC takes one bundle, so a
      // ca_pem replaces them rather than adding to them.
      if (options->ca_pem) ssl.pem_root_certs = options->ca_pem;
      credentials = grpc::SslCredentials(ssl);
      if (options->server_name && *options->server_name) args.SetSslTargetNameOverride(options->server_name);
    } else {
      credentials = grpc::InsecureChannelCredentials();  // h2c, as Kubernetes' grpc probe
    }
    auto channel = grpc::CreateCustomChannel(options->target, credentials, args);
    if (!channel) {
      copy_error("gRPC made no channel", error, error_size);
      return nullptr;
    }
    return new hale_grpc_channel{std::move(channel)};
  } catch (const std::exception& e) {
    copy_error(e.what(), error, error_size);
    return nullptr;
  }
}

void destroy_channel(hale_grpc_channel* channel) noexcept { delete channel; }

hale_grpc_call* start_call(hale_grpc_channel* channel, const char* method, const std::uint8_t* request,
                           std::size_t request_len, std::int64_t deadline_ms, hale_grpc_done_fn done,
                           void* user) noexcept {
  auto* call = new hale_grpc_call;
  call->done = done;
  call->user = user;
  // A relative deadline: gRPC adds it to its monotonic clock when the call starts.
  call->context.set_deadline(gpr_time_from_millis(std::max<std::int64_t>(deadline_ms, 1), GPR_TIMESPAN));
  grpc::Slice slice(request, request_len);  // a copy
  call->request = grpc::ByteBuffer(&slice, 1);
  grpc::GenericStub stub(channel->channel);
  call->reader = stub.PrepareUnaryCall(&call->context, std::string(method), call->request,
                                       &CompletionThread::instance().queue());
  call->reader->StartCall();
  // From here on the call may end on the completion thread at any time.
  call->reader->Finish(&call->response, &call->status, call);
  return call;
}

void release_call(hale_grpc_call* call) noexcept {
  if (call == nullptr) return;
  bool ended;
  {
    std::lock_guard lock(call->mu);  // waits for a callback that is running
    call->done = nullptr;
    call->user = nullptr;
    ended = call->ended;
  }
  if (!ended) call->context.TryCancel();  // not under mu; our reference keeps the context alive
  unref(call);
}

// gRPC's own log lines (gpr_log: what GRPC_VERBOSITY lets through, ERROR by default) go to the
// function hale sets, or nowhere once it has set none (at exit).
std::atomic<hale_grpc_log_fn> g_log{nullptr};
std::atomic<void*> g_log_user{nullptr};

void log_to_caller(gpr_log_func_args* args) {
  hale_grpc_log_fn log = g_log.load(std::memory_order_acquire);
  if (log == nullptr) return;
  const int severity = args->severity == GPR_LOG_SEVERITY_ERROR  ? HALE_GRPC_LOG_ERROR
                       : args->severity == GPR_LOG_SEVERITY_INFO ? HALE_GRPC_LOG_INFO
                                                                 : HALE_GRPC_LOG_DEBUG;
  log(g_log_user.load(std::memory_order_acquire), severity, args->file ? args->file : "", args->line,
      args->message ? args->message : "");
}

void set_log_function(hale_grpc_log_fn log, void* user) noexcept {
  static std::once_flag once;
  g_log_user.store(user, std::memory_order_release);
  g_log.store(log, std::memory_order_release);
  std::call_once(once, [] { gpr_set_log_function(&log_to_caller); });
}

constexpr hale_grpc_module kModule = {
    HALE_GRPC_MODULE_API_VERSION,
    sizeof(hale_grpc_module),
    &create_channel,
    &destroy_channel,
    &start_call,
    &release_call,
    &set_log_function,
};

}  // namespace

extern "C" __attribute__((visibility("default"))) const hale_grpc_module* hale_grpc_module_get(void) {
  return &kModule;
}
