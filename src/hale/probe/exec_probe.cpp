// ExecProbe: runs an exec check's command (argv, never a shell) and judges it by Nagios
// plugin rules. The child's output pipe and its pidfd are watched on the loop; no SIGCHLD
// handler, no blocking wait. Whatever happens, the child is reaped and its group killed.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>

#include "hale/probe/nagios_output.h"
#include "hale/probe/probe.h"
#include "hale/probe/process_spawn.h"

namespace hale {

namespace {

namespace asio = boost::asio;
using boost::system::error_code;

// Output kept for the reason; the rest is read and dropped so the child never blocks.
constexpr std::size_t kMaxOutput = 64 * 1024;
// After the exit, how long to wait for EOF on the pipe: a process that left the group (setsid)
// may hold it open forever.
constexpr auto kDrainAfterExit = std::chrono::milliseconds(200);

// One run of the command. Shared with its handlers: after cancel() or the probe's
// destruction it lives on until the child is reaped, so no zombie is left behind.
class ExecRun : public std::enable_shared_from_this<ExecRun> {
 public:
  ExecRun(asio::io_context& io, const SpawnedProcess& p, Probe::Done done)
      : pid_(p.pid),
        output_(io, p.output_fd),
        exit_watch_(io, p.pidfd),
        deadline_(io),
        drain_(io),
        done_(std::move(done)) {}

  // Last resort when the loop drops our handlers (io_context destroyed) before the exit was
  // seen: kill and reap synchronously; after SIGKILL that is quick.
  ~ExecRun() {
    if (!reaped_) {
      kill_group();
      ::waitpid(pid_, nullptr, 0);
    }
  }

  void run(Duration timeout) {
    deadline_.expires_after(timeout);
    deadline_.async_wait([self = shared_from_this()](const error_code& ec) {
      if (!ec) self->on_timeout();
    });
    do_read();
    do_wait_exit();
  }

  // Running -> Cancelled: the result is dropped, but the exit watch stays armed to reap.
  void cancel() {
    done_ = nullptr;
    if (!reaped_) kill_group();
    stop_watching_output();
  }

 private:
  void do_read() {
    output_.async_read_some(asio::buffer(buffer_),
                            [self = shared_from_this()](const error_code& ec, std::size_t n) {
                              self->on_read(ec, n);
                            });
  }

  void on_read(const error_code& ec, std::size_t n) {
    if (n > 0 && captured_.size() < kMaxOutput) {
      captured_.append(buffer_.data(), std::min(n, kMaxOutput - captured_.size()));
    }
    if (ec) {  // EOF: every writer (the child and whatever inherited the pipe) is gone
      eof_ = true;
      maybe_finish();
      return;
    }
    do_read();
  }

  void do_wait_exit() {
    exit_watch_.async_wait(asio::posix::stream_descriptor::wait_read,
                           [self = shared_from_this()](const error_code& ec) {
                             self->on_exit_ready(ec);
                           });
  }

  void on_exit_ready(const error_code& ec) {
    if (ec == asio::error::operation_aborted) return;
    if (ec) {
      // The pidfd cannot be waited on (should not happen): do not spin on it; kill and reap
      // synchronously, which SIGKILL makes quick.
      kill_group();
      int status = 0;
      pid_t r = ::waitpid(pid_, &status, 0);
      on_reaped(r, status);
      return;
    }
    // Look without reaping first (WNOWAIT): a spurious wake-up must not kill a live child.
    siginfo_t info{};
    int rc = ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT);
    if (rc == 0 && info.si_pid == 0) {
      do_wait_exit();
      return;
    }
    if (rc != 0) {  // ECHILD: reaped elsewhere; its pid may be reused, so signal nothing
      on_reaped(-1, 0);
      return;
    }
    // The child is a zombie now, so its pid (our pgid) cannot be reused yet: this is the last
    // safe moment to kill what it left running in its group. A check leaves nothing behind.
    kill_group();
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, 0);  // exited already: does not block
    on_reaped(r, status);
  }

  void on_reaped(pid_t r, int status) {
    reaped_ = true;
    // r < 0 means someone else reaped it (a waitpid(-1) elsewhere): report it as unknown.
    wait_status_ = r == pid_ ? status : (3 << 8);
    error_code ignored;
    exit_watch_.close(ignored);
    deadline_.cancel();
    if (!done_) {  // cancelled: reaping was all that was left to do
      stop_watching_output();
      return;
    }
    if (eof_) {
      maybe_finish();
      return;
    }
    drain_.expires_after(kDrainAfterExit);
    drain_.async_wait([self = shared_from_this()](const error_code& ec) {
      if (ec) return;
      self->eof_ = true;
      self->maybe_finish();
    });
  }

  void on_timeout() {
    if (reaped_ || !done_) return;
    timed_out_ = true;
    kill_group();  // the exit watch reaps it and then reports the timeout
  }

  // Running -> Finished, once both the exit and the end of output have been seen.
  void maybe_finish() {
    if (!reaped_ || !eof_ || !done_) return;
    Probe::Done done = std::move(done_);
    done_ = nullptr;
    stop_watching_output();
    if (timed_out_) {
      done(probe_failure("timeout", "timeout"));
    } else {
      done(nagios_result(wait_status_, captured_));
    }
  }

  void kill_group() {
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);  // in case the child moved itself to another group
  }

  void stop_watching_output() {
    error_code ignored;
    output_.close(ignored);
    drain_.cancel();
    deadline_.cancel();
  }

  pid_t pid_;
  asio::posix::stream_descriptor output_;
  asio::posix::stream_descriptor exit_watch_;  // the pidfd
  asio::steady_timer deadline_;
  asio::steady_timer drain_;
  Probe::Done done_;  // empty once finished or cancelled
  std::array<char, 4096> buffer_{};
  std::string captured_;
  bool eof_ = false;
  bool reaped_ = false;
  bool timed_out_ = false;
  int wait_status_ = 0;
};

class ExecProbe final : public Probe {
 public:
  ExecProbe(const CheckSpec& spec, ProbeContext& ctx) : io_(ctx.io), command_(spec.command) {}
  ~ExecProbe() override { cancel(); }

  void start(Duration timeout, Done done) override {
    cancel();  // a new attempt replaces one still in flight
    auto spawned = spawn_in_group(command_);
    if (!spawned) {
      // Reported from the loop, never inside start(); cancel() drops it via the token.
      auto token = std::make_shared<Done>(std::move(done));
      pending_error_ = token;
      asio::post(io_, [token, message = spawned.status().message()] {
        if (!*token) return;
        Done d = std::move(*token);
        *token = nullptr;
        d(probe_failure(message, "spawn"));
      });
      return;
    }
    run_ = std::make_shared<ExecRun>(io_, *spawned, std::move(done));
    run_->run(timeout);
  }

  void cancel() override {
    if (run_) run_->cancel();
    run_.reset();
    if (auto token = pending_error_.lock()) *token = nullptr;
    pending_error_.reset();
  }

 private:
  asio::io_context& io_;
  std::vector<std::string> command_;
  std::shared_ptr<ExecRun> run_;
  std::weak_ptr<Done> pending_error_;
};

}  // namespace

std::unique_ptr<Probe> make_exec_probe(const CheckSpec& spec, ProbeContext& ctx) {
  return std::make_unique<ExecProbe>(spec, ctx);
}

}  // namespace hale
