// Runs hale exec's command: posix_spawnp, two output pipes relayed with poll(), signals passed
// on through a self-pipe (see job_runner.h).
//
// posix_spawnp rather than fork + execvp: glibc reports the exec's errno itself (it does the
// close-on-exec error pipe for us, as spawn_service does by hand), and nothing runs between
// the fork and the exec that could be unsafe after a fork (libcurl may have left a resolver
// thread behind from the /start ping).
#include "hale/cli/job_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <optional>

#include "hale/heartbeat/job_exit.h"
#include "hale/heartbeat/output_tail.h"
#include "hale/proc/spawn_setup.h"

extern char** environ;

namespace hale::cli {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::array<int, 4> kForwarded = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
constexpr std::size_t kReadChunk = 64 * 1024;

// What the handler writes to the self-pipe: 8 bytes, so one write() is atomic (< PIPE_BUF).
struct SignalNote {
  int signo;
  int code;  // si_code: SI_KERNEL for the terminal's keyboard, SI_USER for kill()
};

int g_signal_pipe_write = -1;  // the only state the handler touches

extern "C" void on_forwarded_signal(int signo, siginfo_t* info, void*) {
  const int saved = errno;
  const SignalNote note{signo, info ? info->si_code : SI_USER};
  // Non-blocking: with the pipe full (thousands of signals unread) a signal is dropped, never
  // a handler stuck.
  [[maybe_unused]] const ssize_t n = ::write(g_signal_pipe_write, &note, sizeof note);
  errno = saved;
}

// A SIGINT or SIGQUIT the kernel sent (the terminal's Ctrl-C / Ctrl-\) went to the whole
// foreground process group, the job included: passing it on would deliver it twice.
bool should_forward(const SignalNote& note) {
  return !(note.code == SI_KERNEL && (note.signo == SIGINT || note.signo == SIGQUIT));
}

// Installs the handlers for as long as the job runs, and SIGPIPE ignored so that a closed
// stdout (`hale exec ... | head -1`) does not kill hale exec before it reports. The destructor
// puts every disposition back: once the job is gone, a signal acts on hale exec as usual.
class SignalRelay {
 public:
  SignalRelay() {
    if (::pipe2(fds_, O_CLOEXEC | O_NONBLOCK) != 0) {
      fds_[0] = fds_[1] = -1;
      return;  // no relay: the signals keep their default action (they kill hale exec)
    }
    g_signal_pipe_write = fds_[1];
    for (int signo : kForwarded) {
      Saved s{signo, {}, false};
      ::sigaction(signo, nullptr, &s.old);
      // Ignored when we started (nohup, a background job of a non-interactive shell): the job
      // inherits SIG_IGN through exec, as it would without hale exec.
      if (s.old.sa_handler != SIG_IGN) {
        struct sigaction sa {};
        sa.sa_sigaction = on_forwarded_signal;
        sa.sa_flags = SA_SIGINFO | SA_RESTART;
        sigemptyset(&sa.sa_mask);
        s.installed = ::sigaction(signo, &sa, nullptr) == 0;
      }
      saved_.push_back(s);
    }
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    ::sigaction(SIGPIPE, &ignore, &old_pipe_);
    // A parent that left SIGCHLD at SIG_IGN would have the kernel reap the job, and its exit
    // code with it.
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    ::sigaction(SIGCHLD, &dfl, &old_chld_);
  }

  ~SignalRelay() {
    ::sigaction(SIGCHLD, &old_chld_, nullptr);
    ::sigaction(SIGPIPE, &old_pipe_, nullptr);
    for (const auto& s : saved_) {
      if (s.installed) ::sigaction(s.signo, &s.old, nullptr);
    }
    g_signal_pipe_write = -1;
    if (fds_[0] >= 0) ::close(fds_[0]);
    if (fds_[1] >= 0) ::close(fds_[1]);
  }

  SignalRelay(const SignalRelay&) = delete;
  SignalRelay& operator=(const SignalRelay&) = delete;

  int read_fd() const { return fds_[0]; }

  std::vector<SignalNote> take() {
    std::vector<SignalNote> notes;
    SignalNote note;
    while (fds_[0] >= 0 && ::read(fds_[0], &note, sizeof note) == static_cast<ssize_t>(sizeof note)) {
      notes.push_back(note);
    }
    return notes;
  }

  // The signals the job must start with at SIG_DFL: those we catch (exec would reset them
  // anyway) and SIGPIPE, unless SIGPIPE was already ignored when we started.
  sigset_t reset_in_job() const {
    sigset_t set;
    sigemptyset(&set);
    for (const auto& s : saved_) {
      if (s.installed) sigaddset(&set, s.signo);
    }
    if (old_pipe_.sa_handler != SIG_IGN) sigaddset(&set, SIGPIPE);
    return set;
  }

 private:
  struct Saved {
    int signo;
    struct sigaction old;
    bool installed;
  };
  int fds_[2] = {-1, -1};
  std::vector<Saved> saved_;
  struct sigaction old_pipe_ {};
  struct sigaction old_chld_ {};
};

// Where one of the job's streams goes: the pipe we read, the descriptor we copy it to.
struct Stream {
  int from = -1;  // read end, non-blocking; -1 once at EOF
  int to = -1;    // 1 or 2
  bool sink_broken = false;  // our stdout/stderr is gone: keep reading (and recording), stop writing
};

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Writes all of `data` to the stream's sink; a sink that fails (EPIPE: the reader of
// `hale exec … | head` left) is marked broken and skipped from then on.
void write_all(Stream& s, const char* data, std::size_t size) {
  while (size > 0 && !s.sink_broken) {
    const ssize_t n = ::write(s.to, data, size);
    if (n > 0) {
      data += n;
      size -= static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{s.to, POLLOUT, 0};  // an inherited non-blocking stdout: wait until it drains
      ::poll(&p, 1, -1);
    } else {
      s.sink_broken = true;
    }
  }
}

// Reads one chunk of a stream: copies it to the sink and the tail. Closes it at EOF or error.
void relay_chunk(Stream& s, OutputTail& tail, char* buffer) {
  const ssize_t n = ::read(s.from, buffer, kReadChunk);
  if (n > 0) {
    tail.append(std::string_view(buffer, static_cast<std::size_t>(n)));
    write_all(s, buffer, static_cast<std::size_t>(n));
  } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
    close_fd(s.from);
  }
}

// A descriptor 0-2 that is closed would be handed out by pipe2() below and then clobbered by
// the dup2()s: give it /dev/null first (hale exec started by something that closed them).
void ensure_standard_descriptors() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) == -1 && errno == EBADF) {
      const int null_fd = ::open("/dev/null", O_RDWR);  // the lowest free descriptor: fd
      if (null_fd > 2) ::close(null_fd);
    }
  }
}

int open_pidfd(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

JobOutcome not_started(const std::string& program, int err) {
  JobOutcome o;
  o.started = false;
  o.exit_code = exec_error_exit_code(err);
  o.error = "cannot run " + program + ": " + std::strerror(err);
  return o;
}

}  // namespace

JobOutcome run_job(const std::vector<std::string>& argv) {
  if (argv.empty()) return not_started("", ENOENT);
  ensure_standard_descriptors();

  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return not_started(argv[0], errno);
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    const int err = errno;
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return not_started(argv[0], err);
  }
  Stream streams[2] = {{out_pipe[0], STDOUT_FILENO}, {err_pipe[0], STDERR_FILENO}};
  for (const auto& s : streams) ::fcntl(s.from, F_SETFL, ::fcntl(s.from, F_GETFL) | O_NONBLOCK);

  // Handlers before the spawn, so that a signal sent as the job starts is not lost.
  SignalRelay relay;

  SpawnSetup setup;
  // The job keeps our process group (a terminal's foreground group: it may read the terminal)
  // and our signal mask; only the dispositions we changed go back to the default.
  const sigset_t reset = relay.reset_in_job();
  posix_spawnattr_setsigdefault(&setup.attr, &reset);
  posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETSIGDEF);
  posix_spawn_file_actions_adddup2(&setup.actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&setup.actions, err_pipe[1], STDERR_FILENO);
  // No closefrom: descriptors the caller passed down (a lock, systemd's sockets) are the job's
  // as with any wrapper (nice, timeout); hale exec's own are all close-on-exec.

  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  pid_t pid = -1;
  const int spawn_error = ::posix_spawnp(&pid, args[0], &setup.actions, &setup.attr, args.data(), environ);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (spawn_error != 0) {
    for (auto& s : streams) close_fd(s.from);
    return not_started(argv[0], spawn_error);
  }

  // Without a pidfd (a kernel before 5.3) the exit is polled every 100 ms instead.
  int pidfd = open_pidfd(pid);
  OutputTail tail;
  std::optional<int> wait_status;
  Clock::time_point drain_deadline;
  std::vector<char> buffer(kReadChunk);

  while (true) {
    const bool streams_open = streams[0].from >= 0 || streams[1].from >= 0;
    if (wait_status && !streams_open) break;
    int timeout_ms = -1;
    if (wait_status) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(drain_deadline - Clock::now());
      if (left.count() <= 0) break;  // a process the job left behind holds its output open
      timeout_ms = static_cast<int>(left.count());
    } else if (pidfd < 0) {
      timeout_ms = 100;
    }

    std::array<pollfd, 4> fds{};
    std::size_t n = 0;
    const auto watch = [&](int fd) -> pollfd* {
      if (fd < 0) return nullptr;
      fds[n] = pollfd{fd, POLLIN, 0};
      return &fds[n++];
    };
    pollfd* sig = wait_status ? nullptr : watch(relay.read_fd());
    pollfd* exited = wait_status ? nullptr : watch(pidfd);
    pollfd* out = watch(streams[0].from);
    pollfd* err = watch(streams[1].from);
    if (::poll(fds.data(), n, timeout_ms) < 0) {
      if (errno == EINTR) continue;  // a signal: its note is in the self-pipe
      break;                         // cannot happen with valid descriptors; reap below
    }

    if (sig && sig->revents) {
      for (const SignalNote& note : relay.take()) {
        if (!wait_status && should_forward(note)) ::kill(pid, note.signo);
      }
    }
    if (out && out->revents) relay_chunk(streams[0], tail, buffer.data());
    if (err && err->revents) relay_chunk(streams[1], tail, buffer.data());

    const bool maybe_exited = exited ? exited->revents != 0 : (pidfd < 0 && !wait_status);
    if (maybe_exited) {
      int status = 0;
      const pid_t r = ::waitpid(pid, &status, exited ? 0 : WNOHANG);
      if (r == pid || (r < 0 && errno == ECHILD)) {
        // ECHILD: someone else reaped it (cannot happen with SIGCHLD at SIG_DFL, see
        // SignalRelay); its code is lost, so report a failure rather than spin on the pidfd.
        wait_status = r == pid ? status : W_EXITCODE(1, 0);
        drain_deadline = Clock::now() + kDrainAfterExit;
      }
    }
  }

  // Closed before a blocking wait: a job writing into a pipe nobody reads would never exit.
  for (auto& s : streams) close_fd(s.from);
  if (!wait_status) {
    int status = W_EXITCODE(1, 0);
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    wait_status = status;
  }
  close_fd(pidfd);

  JobOutcome o;
  o.started = true;
  o.exit_code = job_exit_code(*wait_status);
  o.output = tail.str();
  return o;
}

}  // namespace hale::cli
