// CommandRun: one run of a command on the loop (see command_run.h). The child's output pipe and
// its pidfd are watched on the loop; no SIGCHLD handler, no blocking wait. Whatever happens,
// the child is reaped and its group killed.
#include "hale/proc/command_run.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>

#include "hale/proc/process_spawn.h"
#include "hale/proc/child_registry.h"

namespace hale {

namespace {

namespace asio = boost::asio;
using boost::system::error_code;

// After the exit, how long to wait for EOF on the pipe: a process that left the group (setsid)
// may hold it open forever.
constexpr auto kDrainAfterExit = std::chrono::milliseconds(200);

// One run of the command. Shared with its handlers: after cancel() or the probe's
// destruction it lives on until the child is reaped, so no zombie is left behind.
class RunningCommand : public std::enable_shared_from_this<RunningCommand> {
 public:
  RunningCommand(asio::io_context& io, const SpawnedProcess& p, CommandRun::Done done)
      : pid_(p.pid),
        output_(io, p.output_fd),
        exit_watch_(io, p.pidfd),
        deadline_(io),
        drain_(io),
        done_(std::move(done)) {}

  // Last resort when the loop drops our handlers (io_context destroyed) before the exit was
  // seen: kill and reap synchronously; after SIGKILL that is quick.
  ~RunningCommand() {
    if (!reaped_) {
      kill_group();
      ::waitpid(pid_, nullptr, 0);
      forget_own_child(pid_);
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
    if (n > 0 && captured_.size() < kMaxCommandOutput) {
      captured_.append(buffer_.data(), std::min(n, kMaxCommandOutput - captured_.size()));
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
    // safe moment to kill what it left running in its group. A run leaves nothing behind.
    kill_group();
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, 0);  // exited already: does not block
    on_reaped(r, status);
  }

  void on_reaped(pid_t r, int status) {
    reaped_ = true;
    forget_own_child(pid_);
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
    CommandRun::Done done = std::move(done_);
    done_ = nullptr;
    stop_watching_output();
    CommandResult r;
    r.wait_status = wait_status_;
    r.timed_out = timed_out_;
    r.output = std::move(captured_);
    done(std::move(r));
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
  CommandRun::Done done_;  // empty once finished or cancelled
  std::array<char, 4096> buffer_{};
  std::string captured_;
  bool eof_ = false;
  bool reaped_ = false;
  bool timed_out_ = false;
  int wait_status_ = 0;
};

}  // namespace

struct CommandRun::Handle {
  std::shared_ptr<RunningCommand> run;
};

StatusOr<CommandRun> CommandRun::start(asio::io_context& io, const std::vector<std::string>& argv,
                                       std::string_view input, Duration timeout, Done done) {
  auto spawned = spawn_in_group(argv, input);
  if (!spawned) return spawned.status();
  CommandRun r;
  r.handle_ = std::make_shared<Handle>();
  r.handle_->run = std::make_shared<RunningCommand>(io, *spawned, std::move(done));
  r.handle_->run->run(timeout);
  return r;
}

void CommandRun::cancel() {
  if (!handle_) return;
  if (handle_->run) handle_->run->cancel();
  handle_.reset();
}

}  // namespace hale
