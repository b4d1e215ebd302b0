/* restart_poll: one round of bench/restart_vs_supervisord.
 *
 *   restart_poll SUPERVISOR_PID [TIMEOUT_MS=5000]
 *
 * Finds the supervisor's child running `sleep 1000` (through /proc/PID/task/TID/children, every
 * thread, and /proc/CHILD/cmdline == "sleep\0" "1000\0"), SIGKILLs it, then polls /proc every
 * 50 us until another child of the supervisor runs `sleep 1000` (exec'd, not merely forked).
 * Prints the kill -> new-child-running time in ms (3 decimals) on stdout and exits 0; prints a
 * reason on stderr and exits 1 when there is no such child to start with or no new one within
 * TIMEOUT_MS. Both supervisors are measured by this same loop.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char kWant[] = "sleep\0" "1000";  /* with its final NUL: 11 bytes */

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int runs_sleep_1000(long pid) {
  char path[64], buf[64];
  snprintf(path, sizeof path, "/proc/%ld/cmdline", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof buf);
  close(fd);
  return n == (ssize_t)sizeof kWant && memcmp(buf, kWant, sizeof kWant) == 0;
}

/* The supervisor's child (other than `not_pid`) running `sleep 1000`, or 0. */
static long find_child(long sup, long not_pid) {
  char path[320], buf[4096];
  snprintf(path, sizeof path, "/proc/%ld/task", sup);
  DIR* d = opendir(path);
  if (!d) return -1; /* the supervisor is gone */
  long found = 0;
  struct dirent* e;
  while (!found && (e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    snprintf(path, sizeof path, "/proc/%ld/task/%s/children", sup, e->d_name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) continue;
    buf[n] = '\0';
    for (char* p = buf; *p && !found;) {
      char* end;
      long pid = strtol(p, &end, 10);
      if (end == p) break;
      if (pid != not_pid && runs_sleep_1000(pid)) found = pid;
      p = end;
    }
  }
  closedir(d);
  return found;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: restart_poll SUPERVISOR_PID [TIMEOUT_MS]\n");
    return 2;
  }
  const long sup = atol(argv[1]);
  const double timeout = argc > 2 ? atof(argv[2]) : 5000;
  const struct timespec tick = {0, 50 * 1000};

  double deadline = now_ms() + timeout;
  long old;
  while ((old = find_child(sup, 0)) == 0 && now_ms() < deadline) nanosleep(&tick, NULL);
  if (old <= 0) {
    fprintf(stderr, "restart_poll: supervisor %ld has no child running `sleep 1000`%s\n", sup,
            old < 0 ? " (the supervisor is gone)" : "");
    return 1;
  }
  if (kill((pid_t)old, SIGKILL) != 0) {
    perror("restart_poll: kill");
    return 1;
  }
  const double t0 = now_ms();
  deadline = t0 + timeout;
  long fresh = 0;
  while ((fresh = find_child(sup, old)) == 0 && now_ms() < deadline) nanosleep(&tick, NULL);
  const double t1 = now_ms();
  if (fresh <= 0) {
    fprintf(stderr, "restart_poll: supervisor %ld did not restart `sleep 1000` within %.0f ms of SIGKILL to %ld\n",
            sup, timeout, old);
    return 1;
  }
  printf("%.3f\n", t1 - t0);
  return 0;
}
