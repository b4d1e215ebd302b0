/* The C ABI between libhale's grpc probe (probe/grpc_probe.cpp) and libhale_grpc.so, the module
 * that alone links gRPC's C++ library (probe/grpc_module.cpp) and that libhale loads with dlopen
 * at the first grpc probe (docs/architecture.md, "grpc checks and gRPC's threads").
 *
 * Only C types cross it: plain structs, function pointers and void* user data, no C++ type and
 * no symbol of hale's, so the module resolves nothing against the process that loads it (it is
 * linked with -Wl,--no-undefined) and the two sides may be built by different compilers' C++
 * runtimes. The module exports one symbol, hale_grpc_module_get(); libhale checks api_version
 * (and struct_size) of the table it returns before calling anything in it. A change to any
 * struct or signature here bumps HALE_GRPC_MODULE_API_VERSION.
 *
 * Threads: create_channel, destroy_channel, start_check and release_call may be called from any
 * thread (hale calls them on its loop). A check's callback runs on the module's completion
 * thread (one thread, shared by every call), at most once per call, never after release_call()
 * of that call has returned, and while it runs release_call() of that call waits for it: the
 * user data may be freed as soon as release_call() returns. */
#ifndef HALE_PROBE_GRPC_MODULE_API_H
#define HALE_PROBE_GRPC_MODULE_API_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HALE_GRPC_MODULE_API_VERSION 1u
#define HALE_GRPC_MODULE_SYMBOL "hale_grpc_module_get"
#define HALE_GRPC_MODULE_FILE "libhale_grpc.so"

typedef struct hale_grpc_channel hale_grpc_channel; /* one gRPC channel (one check's connection) */
typedef struct hale_grpc_call hale_grpc_call;       /* one unary RPC */

typedef struct hale_grpc_channel_options {
  const char* target;            /* "host:port", as gRPC's name resolver takes it */
  int tls;                       /* 0: plaintext HTTP/2 (h2c); 1: TLS, verified */
  const char* ca_pem;            /* with tls: the PEM roots to trust instead of gRPC's default
                                    roots; NULL or "": the default roots */
  const char* server_name;       /* with tls: the name to verify (and SNI); NULL or "": the host of
                                    target */
  const char* user_agent_prefix; /* e.g. "hale/0.1.0"; NULL: none */
} hale_grpc_channel_options;

/* What a call's response message was. */
enum {
  HALE_GRPC_RESPONSE_NONE = 0,       /* no message (every non-OK status; an OK one without it) */
  HALE_GRPC_RESPONSE_BYTES = 1,      /* response/response_len hold the message's bytes */
  HALE_GRPC_RESPONSE_UNREADABLE = 2, /* a message that could not be read out of gRPC's buffer */
};

typedef struct hale_grpc_result {
  int status_code;          /* gRPC's canonical status code (grpc_status_code); 0 = OK */
  const char* message;      /* the status message, NUL-terminated, never NULL */
  int response_state;       /* HALE_GRPC_RESPONSE_* */
  const uint8_t* response;  /* the message's bytes (NULL when empty or none) */
  size_t response_len;
} hale_grpc_result;

/* A call's end, on the module's completion thread. `result` and everything it points to are
 * valid only during the callback: copy what is needed. */
typedef void (*hale_grpc_done_fn)(void* user, const hale_grpc_result* result);

/* gRPC's own log lines (gpr_log), severity one of these. `file` and `message` are never NULL. */
enum {
  HALE_GRPC_LOG_DEBUG = 0,
  HALE_GRPC_LOG_INFO = 1,
  HALE_GRPC_LOG_ERROR = 2,
};
typedef void (*hale_grpc_log_fn)(void* user, int severity, const char* file, int line, const char* message);

typedef struct hale_grpc_module {
  uint32_t api_version; /* HALE_GRPC_MODULE_API_VERSION of the module's build */
  uint32_t struct_size; /* sizeof(hale_grpc_module) of the module's build */

  /* A channel to options->target (connects lazily, at its first call). NULL on error, with a
   * one-line reason in error[0..error_size) (NUL-terminated). */
  hale_grpc_channel* (*create_channel)(const hale_grpc_channel_options* options, char* error,
                                       size_t error_size);
  /* Drops the caller's channel. Calls in flight on it keep what they need and still end. */
  void (*destroy_channel)(hale_grpc_channel* channel);

  /* Starts the unary RPC `method` ("/pkg.Service/Method") with `request` as the request
   * message's bytes and a deadline of deadline_ms from now (on gRPC's monotonic clock). `done`
   * is called once when the RPC ends, unless release_call() comes first. Never NULL. */
  hale_grpc_call* (*start_call)(hale_grpc_channel* channel, const char* method, const uint8_t* request,
                                size_t request_len, int64_t deadline_ms, hale_grpc_done_fn done, void* user);
  /* Gives up the caller's handle. An RPC still in flight is abandoned (its callback will not run;
   * one running now is waited for) and cancelled. Every handle from start_call is released once. */
  void (*release_call)(hale_grpc_call* call);

  /* Where gRPC's log lines go from now on; NULL: dropped. Until the first call, gRPC writes them
   * to stderr itself. */
  void (*set_log_function)(hale_grpc_log_fn log, void* user);
} hale_grpc_module;

/* The module's one export (HALE_GRPC_MODULE_SYMBOL). */
typedef const hale_grpc_module* (*hale_grpc_module_get_fn)(void);
const hale_grpc_module* hale_grpc_module_get(void);

#ifdef __cplusplus
}
#endif

#endif /* HALE_PROBE_GRPC_MODULE_API_H */
