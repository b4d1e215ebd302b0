// hale_test_child: a configurable service for the supervisor's tests. It is linked against
// Debian's libsystemd and uses the real sd_notify()/sd_watchdog_enabled(), so a test that passes
// proves a child written for systemd works unchanged under hale's NOTIFY_SOCKET.
//
// Usage: hale_test_child [FLAGS...]   (every flag takes its value as the next argument)
//   --pid-file PATH             write getpid() to PATH at start (written atomically: tmp + rename)
//   --exit-after MS             exit MS ms after start, with --exit-code (default 0)
//   --exit-code N               the exit code of --exit-after; given alone, exit at once (after the
//                               start-up actions below) with N
//   --abort-after MS            raise(SIGABRT) MS ms after start
//   --notify-ready-after MS     sd_notify(0, "READY=1") MS ms after start (0: at start)
//   --status TEXT               sd_notify(0, "STATUS=TEXT") at start
//   --watchdog-every MS         sd_notify(0, "WATCHDOG=1") every MS ms (first one MS ms after start);
//                               without it, when sd_watchdog_enabled() reports WATCHDOG_USEC, every
//                               half of that interval
//   --watchdog-count N          stop sending WATCHDOG=1 after N sends (then stay alive, silent)
//   --ignore-sigterm            SIG_IGN for SIGTERM (the grandchild inherits it)
//   --grandchild-pid-file PATH  fork a grandchild that stays in our process group, sleeps until
//                               killed (SIGTERM kills it unless --ignore-sigterm), pid written to PATH
//   --escape setsid|double-fork with --grandchild-pid-file: the grandchild leaves our group and
//                               session (setsid); double-fork: as a daemon does, through a child
//                               that calls setsid, forks it and exits at once (it is re-parented)
//   --print-line TEXT           print TEXT and a newline on stdout at start
//   --print-bytes N             print exactly N bytes of newline-terminated text lines on stdout
//                               at start (after --print-line), then fflush
//   --http-port PORT            serve HTTP/1.0 on 127.0.0.1:PORT: 200 "ok" to every request
//   --health-file PATH          with --http-port: 200 "ok" when PATH holds "ok" (surrounding
//                               whitespace ignored), else 500 "fail"; re-read on every request
//   --env-out PATH              write the environment to PATH, one VAR=value per line
//   --cwd-out PATH              write getcwd() to PATH
// Start-up order: pid file, env/cwd files, SIGTERM disposition, grandchild, prints, STATUS=.
// By default it runs until killed; SIGTERM exits 0 (unless ignored). One thread, one poll() loop,
// no shell. Bad usage exits 64.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

extern char** environ;

namespace {

struct Options {
  std::string pid_file, grandchild_pid_file, health_file, env_out, cwd_out, status, escape;
  std::vector<std::string> print_lines;
  std::optional<long long> exit_after_ms, abort_after_ms, notify_ready_after_ms, watchdog_every_ms;
  std::optional<long long> watchdog_count, print_bytes, http_port;
  std::optional<int> exit_code;
  bool ignore_sigterm = false;
};

[[noreturn]] void usage(const std::string& msg) {
  std::fprintf(stderr, "hale_test_child: %s\n", msg.c_str());
  std::exit(64);
}

long long number(const std::string& flag, const char* text) {
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || v < 0) usage(flag + ": not a non-negative number: " + text);
  return v;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--ignore-sigterm") {
      o.ignore_sigterm = true;
      continue;
    }
    if (i + 1 >= argc) usage("missing value for " + flag);
    const char* v = argv[++i];
    if (flag == "--pid-file") o.pid_file = v;
    else if (flag == "--exit-after") o.exit_after_ms = number(flag, v);
    else if (flag == "--exit-code") o.exit_code = static_cast<int>(number(flag, v));
    else if (flag == "--abort-after") o.abort_after_ms = number(flag, v);
    else if (flag == "--notify-ready-after") o.notify_ready_after_ms = number(flag, v);
    else if (flag == "--status") o.status = v;
    else if (flag == "--watchdog-every") o.watchdog_every_ms = number(flag, v);
    else if (flag == "--watchdog-count") o.watchdog_count = number(flag, v);
    else if (flag == "--grandchild-pid-file") o.grandchild_pid_file = v;
    else if (flag == "--escape") o.escape = v;
    else if (flag == "--print-bytes") o.print_bytes = number(flag, v);
    else if (flag == "--print-line") o.print_lines.emplace_back(v);
    else if (flag == "--http-port") o.http_port = number(flag, v);
    else if (flag == "--health-file") o.health_file = v;
    else if (flag == "--env-out") o.env_out = v;
    else if (flag == "--cwd-out") o.cwd_out = v;
    else usage("unknown flag " + flag);
  }
  if (o.http_port && *o.http_port > 65535) usage("--http-port out of range");
  if (!o.escape.empty() && o.escape != "setsid" && o.escape != "double-fork") usage("--escape setsid|double-fork");
  return o;
}

long long now_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

// Writes `content` to `path` through a temp file and rename(), so a test polling for the file
// never reads half of it.
void write_file(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "w");
  if (!f) usage("cannot write " + tmp + ": " + std::strerror(errno));
  std::fwrite(content.data(), 1, content.size(), f);
  std::fclose(f);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) usage("cannot rename to " + path);
}

std::string read_small_file(const std::string& path) {
  std::string out;
  FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return out;
  char buf[256];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0 && out.size() < 4096) out.append(buf, n);
  std::fclose(f);
  return out;
}

std::string trim(std::string s) {
  const char* ws = " \t\r\n";
  s.erase(0, s.find_first_not_of(ws));
  s.erase(s.find_last_not_of(ws) + 1);
  return s;
}

int sigterm_pipe[2] = {-1, -1};
void on_sigterm(int) {
  const int saved = errno;
  [[maybe_unused]] ssize_t r = write(sigterm_pipe[1], "t", 1);
  errno = saved;
}

void set_nonblocking_cloexec(int fd) {
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  fcntl(fd, F_SETFD, FD_CLOEXEC);
}

int listen_on(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 64) != 0) {
    std::fprintf(stderr, "hale_test_child: cannot listen on 127.0.0.1:%d: %s\n", port, std::strerror(errno));
    std::exit(1);
  }
  return fd;
}

struct Conn {
  int fd;
  std::string in;
};

// Answers one request once its header is complete (or the client stopped sending).
void answer(const Conn& c, const Options& o) {
  bool ok = true;
  if (!o.health_file.empty()) ok = trim(read_small_file(o.health_file)) == "ok";
  const std::string body = ok ? "ok" : "fail";
  std::string resp = std::string("HTTP/1.0 ") + (ok ? "200 OK" : "500 Internal Server Error") +
                     "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
                     "\r\nConnection: close\r\n\r\n" + body;
  // A small answer into a fresh socket's send buffer: one write() is enough in practice; retry
  // briefly on EAGAIN rather than add write-readiness bookkeeping.
  size_t off = 0;
  for (int tries = 0; off < resp.size() && tries < 1000; ++tries) {
    ssize_t n = write(c.fd, resp.data() + off, resp.size() - off);
    if (n > 0) off += static_cast<size_t>(n);
    else if (n < 0 && errno != EAGAIN && errno != EINTR) break;
    else poll(nullptr, 0, 1);
  }
}

void print_bytes(long long n) {
  long long line_no = 0;
  while (n > 0) {
    const long long len = std::min<long long>(64, n);
    std::string line;
    if (len > 1) {
      line = "line " + std::to_string(++line_no) + " ";
      line.resize(static_cast<size_t>(len - 1), 'x');
    }
    line.push_back('\n');
    std::fwrite(line.data(), 1, line.size(), stdout);
    n -= len;
  }
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  const long long start = now_ms();

  if (!o.env_out.empty()) {
    std::string env;
    for (char** e = environ; e && *e; ++e) env += std::string(*e) + "\n";
    write_file(o.env_out, env);
  }
  if (!o.cwd_out.empty()) {
    char buf[PATH_MAX];
    write_file(o.cwd_out, std::string(getcwd(buf, sizeof buf) ? buf : "") + "\n");
  }

  if (pipe(sigterm_pipe) != 0) return 1;
  set_nonblocking_cloexec(sigterm_pipe[0]);
  set_nonblocking_cloexec(sigterm_pipe[1]);
  if (o.ignore_sigterm) {
    signal(SIGTERM, SIG_IGN);
  }

  if (!o.grandchild_pid_file.empty() && o.escape == "double-fork") {
    pid_t middle = fork();
    if (middle < 0) return 1;
    if (middle == 0) {
      setsid();
      pid_t gc = fork();
      if (gc < 0) _exit(1);
      if (gc == 0) {
        for (;;) pause();
      }
      write_file(o.grandchild_pid_file, std::to_string(gc) + "\n");
      _exit(0);  // the grandchild is an orphan now
    }
    waitpid(middle, nullptr, 0);
  } else if (!o.grandchild_pid_file.empty()) {
    pid_t gc = fork();
    if (gc < 0) return 1;
    if (gc == 0) {
      // Same process group (or, with --escape setsid, a session of its own); SIGTERM at its
      // default (kills it) unless ignored above.
      if (o.escape == "setsid") setsid();
      for (;;) pause();
    }
    write_file(o.grandchild_pid_file, std::to_string(gc) + "\n");
  }
  if (!o.ignore_sigterm) {
    struct sigaction sa{};
    sa.sa_handler = on_sigterm;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, nullptr);
  }
  // Written once the signals are set up: a test that waits for the file may signal at once.
  if (!o.pid_file.empty()) write_file(o.pid_file, std::to_string(getpid()) + "\n");

  for (const auto& line : o.print_lines) std::printf("%s\n", line.c_str());
  if (o.print_bytes) print_bytes(*o.print_bytes);
  std::fflush(stdout);

  if (!o.status.empty()) sd_notify(0, ("STATUS=" + o.status).c_str());

  // Timers, as absolute CLOCK_MONOTONIC milliseconds.
  std::optional<long long> exit_at, abort_at, ready_at, watchdog_at;
  if (o.exit_after_ms) exit_at = start + *o.exit_after_ms;
  else if (o.exit_code) exit_at = start;
  if (o.abort_after_ms) abort_at = start + *o.abort_after_ms;
  if (o.notify_ready_after_ms) ready_at = start + *o.notify_ready_after_ms;
  long long watchdog_every = 0;
  if (o.watchdog_every_ms) {
    watchdog_every = std::max<long long>(1, *o.watchdog_every_ms);
  } else {
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0)
      watchdog_every = std::max<long long>(1, static_cast<long long>(usec / 2000));
  }
  long long watchdog_left = o.watchdog_count.value_or(-1);  // -1: unlimited
  if (watchdog_every > 0 && watchdog_left != 0) watchdog_at = start + watchdog_every;

  int listen_fd = o.http_port ? listen_on(static_cast<int>(*o.http_port)) : -1;
  std::vector<Conn> conns;

  for (;;) {
    const long long now = now_ms();
    if (exit_at && now >= *exit_at) {
      std::fflush(stdout);
      return o.exit_code.value_or(0);
    }
    if (abort_at && now >= *abort_at) {
      std::fflush(stdout);
      signal(SIGABRT, SIG_DFL);
      raise(SIGABRT);
      return 134;  // not reached
    }
    if (ready_at && now >= *ready_at) {
      sd_notify(0, "READY=1");
      ready_at.reset();
    }
    if (watchdog_at && now >= *watchdog_at) {
      sd_notify(0, "WATCHDOG=1");
      if (watchdog_left > 0) --watchdog_left;
      if (watchdog_left == 0) watchdog_at.reset();
      else *watchdog_at += watchdog_every;
    }

    long long wait = -1;
    for (const auto& t : {exit_at, abort_at, ready_at, watchdog_at}) {
      if (t) wait = wait < 0 ? std::max(0LL, *t - now) : std::min(wait, std::max(0LL, *t - now));
    }
    std::vector<pollfd> fds;
    fds.push_back({sigterm_pipe[0], POLLIN, 0});
    if (listen_fd >= 0) fds.push_back({listen_fd, POLLIN, 0});
    for (const auto& c : conns) fds.push_back({c.fd, POLLIN, 0});
    const int n = poll(fds.data(), fds.size(), wait < 0 ? -1 : static_cast<int>(std::min<long long>(wait, INT_MAX)));
    if (n < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    if (fds[0].revents) {
      std::fflush(stdout);
      return 0;  // SIGTERM
    }
    size_t idx = 1;
    if (listen_fd >= 0) {
      if (fds[idx].revents & POLLIN) {
        for (;;) {
          int c = accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (c < 0) break;
          conns.push_back({c, {}});
        }
      }
      ++idx;
    }
    // Connections: read until the end of the header (or EOF), answer, close.
    std::vector<Conn> keep;
    for (size_t i = 0; i + idx < fds.size(); ++i) {
      Conn& c = conns[i];
      bool done = false;
      if (fds[i + idx].revents) {
        char buf[4096];
        ssize_t r = read(c.fd, buf, sizeof buf);
        if (r > 0) c.in.append(buf, static_cast<size_t>(r));
        if (r == 0 || c.in.find("\r\n\r\n") != std::string::npos || c.in.find("\n\n") != std::string::npos ||
            c.in.size() > 65536) {
          if (!c.in.empty()) answer(c, o);
          done = true;
        } else if (r < 0 && errno != EAGAIN && errno != EINTR) {
          done = true;
        }
      }
      if (done) close(c.fd);
      else keep.push_back(std::move(c));
    }
    // Connections accepted in this round were not in `fds`: keep them too.
    for (size_t i = fds.size() - idx; i < conns.size(); ++i) keep.push_back(std::move(conns[i]));
    conns = std::move(keep);
  }
}
