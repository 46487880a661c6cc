// The kernel side of the connection-scale benchmark (bench/conns.mjs, issue 8 §2) and of
// test/kernel/Conns.test.ts: N TCP connections from the kernel to the stack's echo service, held
// open with a trickle of traffic on each, then closed.
//
//   connsbench DST PORT N SECONDS TRICKLE_SECONDS INFLIGHT SYNC
//
//   1. connect: N non-blocking connects to DST:PORT, at most INFLIGHT of them outstanding at a
//      time (epoll); the phase ends when every connect has succeeded or failed, or after
//      CONNECT_LIMIT_S (then the ones still pending count as failed). connectSeconds runs from the
//      first connect() to the last connection established; acceptRate = connected / that.
//   2. trickle: for TRICKLE_SECONDS rounds of 1 s, every connection sends 1 octet per round (the
//      sends of a round spread evenly over its second, a tick every 2 ms) and reads the echo
//      back; then up to DRAIN_S (60 s) for the last echoes. Octet k of connection i is (i + k) % 256,
//      checked when it comes back. echoesMissing = sent - received after the drain.
//   3. close: shutdown(SHUT_WR) on every connection (at most INFLIGHT closing at a time), then
//      wait for the stack's FIN (recv returns 0) and close(); closeSeconds runs from the first
//      shutdown to the last FIN; the phase ends after CLOSE_LIMIT_S at the latest.
//
// With SYNC 1 the program prints a JSON line {"event":"connected",...} after phase 1 and
// {"event":"trickled",...} after phase 2, and waits for a line on stdin before going on (the
// harness samples the stack's memory meanwhile). The last line is the result, one JSON object.
// RLIMIT_NOFILE is raised to N + 64 if needed.
//
// Bounded: N <= 100000, TRICKLE_SECONDS <= 300, and an alarm at SECONDS (at most 900) stops every
// phase ("timedOut": true); the result is printed all the same.
// Network safety: DST must lie in 198.18.0.0/15 (DESIGN.md section 6), or the program refuses to
// start; every connection goes to DST only.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CONNECT_LIMIT_S 120.0
#define CLOSE_LIMIT_S 120.0
#define DRAIN_S 60.0
#define ROUND_S 1.0
#define TICK_MS 2

enum { IDLE, CONNECTING, ESTABLISHED, FAILED, CLOSING, CLOSED, LOST };

static volatile sig_atomic_t expired = 0;
static void on_alarm(int sig) {
  (void)sig;
  expired = 1;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_seconds(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void die(const char *what) {
  fprintf(stderr, "connsbench: %s: %s\n", what, strerror(errno));
  exit(1);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

// per connection
static int *fds;
static unsigned char *state;
static uint32_t *sent, *recvd;
static double *sentAt;
// errno counts: connect failures, errors in the trickle and the close
static long connectErrno[256], lostErrno[256];

static int ep;

static void count_errno(long *table, int e) { table[e > 0 && e < 256 ? e : 0]++; }

static void print_errnos(const char *name, const long *table) {
  printf(",\"%s\":{", name);
  int first = 1;
  for (int e = 0; e < 256; e++) {
    if (table[e] == 0) continue;
    printf("%s\"%s\":%ld", first ? "" : ",", e == 0 ? "other" : strerror(e), table[e]);
    first = 0;
  }
  printf("}");
}

/** The connection is gone (error or reset): out of epoll, closed, counted. */
static void lose(int i, int e) {
  epoll_ctl(ep, EPOLL_CTL_DEL, fds[i], NULL);
  close(fds[i]);
  fds[i] = -1;
  state[i] = LOST;
  count_errno(lostErrno, e);
}

static int wait_for_line(void) {
  char line[64];
  fflush(stdout);
  return fgets(line, sizeof line, stdin) != NULL;
}

int main(int argc, char **argv) {
  if (argc < 8) {
    fprintf(stderr, "usage: connsbench DST PORT N SECONDS TRICKLE_SECONDS INFLIGHT SYNC\n");
    return 2;
  }
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)atoi(argv[2]));
  if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
    fprintf(stderr, "connsbench: bad address %s\n", argv[1]);
    return 2;
  }
  // network-safety rule: 198.18.0.0/15 only
  if ((ntohl(sa.sin_addr.s_addr) & 0xfffe0000u) != 0xc6120000u) {
    fprintf(stderr, "connsbench: network-safety rule: %s is outside 198.18.0.0/15\n", argv[1]);
    return 2;
  }
  long n = atol(argv[3]);
  int seconds = atoi(argv[4]);
  int trickle = atoi(argv[5]);
  long inflight = atol(argv[6]);
  int sync = atoi(argv[7]);
  if (n < 1 || n > 100000 || seconds < 1 || seconds > 900 || trickle < 0 || trickle > 300 || inflight < 1 || ntohs(sa.sin_port) == 0) {
    fprintf(stderr, "connsbench: N 1..100000, SECONDS 1..900, TRICKLE_SECONDS 0..300, INFLIGHT >= 1, PORT 1..65535\n");
    return 2;
  }
  if (inflight > n) inflight = n;

  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) < 0) die("getrlimit");
  rlim_t need = (rlim_t)n + 64;
  if (rl.rlim_cur < need) {
    rl.rlim_cur = need;
    if (rl.rlim_max < need) rl.rlim_max = need;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0) die("setrlimit RLIMIT_NOFILE");
  }

  struct sigaction act;
  memset(&act, 0, sizeof act);
  act.sa_handler = on_alarm; // no SA_RESTART: blocked calls return EINTR
  sigaction(SIGALRM, &act, NULL);
  alarm((unsigned)seconds);

  fds = malloc(sizeof(int) * (size_t)n);
  state = calloc((size_t)n, 1);
  sent = calloc((size_t)n, sizeof(uint32_t));
  recvd = calloc((size_t)n, sizeof(uint32_t));
  sentAt = calloc((size_t)n, sizeof(double));
  long *est = malloc(sizeof(long) * (size_t)n);
  if (!fds || !state || !sent || !recvd || !sentAt || !est) die("malloc");
  for (long i = 0; i < n; i++) fds[i] = -1;
  ep = epoll_create1(0);
  if (ep < 0) die("epoll_create1");
  struct epoll_event evs[1024];

  // --- 1. connect ------------------------------------------------------------------------
  long next = 0, pending = 0, connected = 0, failed = 0, peakPending = 0;
  double t0 = now(), lastEstablished = t0;
  while (connected + failed < n && !expired && now() - t0 < CONNECT_LIMIT_S) {
    while (pending < inflight && next < n) {
      long i = next++;
      int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      if (fd < 0) {
        count_errno(connectErrno, errno);
        state[i] = FAILED;
        failed++;
        continue;
      }
      fds[i] = fd;
      struct epoll_event ev = { .events = EPOLLOUT, .data.u64 = (uint64_t)i };
      if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
        state[i] = ESTABLISHED;
        est[connected++] = i;
        lastEstablished = now();
        ev.events = EPOLLIN;
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
      } else if (errno == EINPROGRESS) {
        state[i] = CONNECTING;
        pending++;
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
      } else {
        count_errno(connectErrno, errno);
        close(fd);
        fds[i] = -1;
        state[i] = FAILED;
        failed++;
      }
    }
    if (pending > peakPending) peakPending = pending;
    int k = epoll_wait(ep, evs, 1024, 100);
    if (k < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (int e = 0; e < k; e++) {
      long i = (long)evs[e].data.u64;
      if (state[i] != CONNECTING) continue;
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(fds[i], SOL_SOCKET, SO_ERROR, &err, &len);
      pending--;
      if (err == 0 && (evs[e].events & EPOLLOUT)) {
        state[i] = ESTABLISHED;
        est[connected++] = i;
        lastEstablished = now();
        struct epoll_event ev = { .events = EPOLLIN, .data.u64 = (uint64_t)i };
        epoll_ctl(ep, EPOLL_CTL_MOD, fds[i], &ev);
      } else {
        count_errno(connectErrno, err != 0 ? err : EIO);
        epoll_ctl(ep, EPOLL_CTL_DEL, fds[i], NULL);
        close(fds[i]);
        fds[i] = -1;
        state[i] = FAILED;
        failed++;
      }
    }
  }
  // still pending at the phase's bound: failed
  for (long i = 0; i < n; i++) {
    if (state[i] == CONNECTING || state[i] == IDLE) {
      if (fds[i] >= 0) {
        epoll_ctl(ep, EPOLL_CTL_DEL, fds[i], NULL);
        close(fds[i]);
        fds[i] = -1;
      }
      state[i] = FAILED;
      failed++;
      count_errno(connectErrno, ETIMEDOUT);
    }
  }
  double connectSeconds = lastEstablished - t0;
  if (sync) {
    printf("{\"event\":\"connected\",\"connected\":%ld,\"failed\":%ld,\"connectSeconds\":%.6f}\n", connected, failed, connectSeconds);
    if (!wait_for_line()) expired = 1;
  }

  // --- 2. trickle ------------------------------------------------------------------------
  long m = connected;
  long total = m * (long)trickle, done = 0;
  long echoesReceived = 0, mismatches = 0, sendErrors = 0, closedEarly = 0;
  double *lat = malloc(sizeof(double) * (size_t)(total > 0 ? total : 1));
  long nlat = 0;
  unsigned char buf[4096];
  double t1 = now(), lastSend = t1;
  while (total > 0 && !expired) {
    double el = now() - t1;
    long due = (long)(el / ROUND_S * (double)m);
    if (due > total) due = total;
    for (; done < due; done++) {
      long i = est[done % m];
      if (state[i] != ESTABLISHED) continue;
      unsigned char c = (unsigned char)((i + sent[i]) & 0xff);
      ssize_t w = send(fds[i], &c, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w == 1) {
        sent[i]++;
        sentAt[i] = lastSend = now();
      } else {
        sendErrors++;
        if (w < 0 && errno != EAGAIN && errno != EINTR) lose(i, errno);
      }
    }
    if (done == total && (echoesReceived >= done || now() - lastSend > DRAIN_S)) break;
    int k = epoll_wait(ep, evs, 1024, TICK_MS);
    if (k < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (int e = 0; e < k; e++) {
      long i = (long)evs[e].data.u64;
      if (state[i] != ESTABLISHED) continue;
      ssize_t r = recv(fds[i], buf, sizeof buf, MSG_DONTWAIT);
      if (r > 0) {
        for (ssize_t j = 0; j < r; j++) {
          if (buf[j] != (unsigned char)((i + recvd[i]) & 0xff)) mismatches++;
          recvd[i]++;
          echoesReceived++;
        }
        if (recvd[i] == sent[i]) lat[nlat++] = now() - sentAt[i];
      } else if (r == 0) {
        closedEarly++;
        lose(i, 0);
      } else if (errno != EAGAIN && errno != EINTR) {
        lose(i, errno);
      }
    }
  }
  long echoesSent = 0;
  for (long j = 0; j < m; j++) echoesSent += sent[est[j]];
  long echoesMissing = echoesSent - echoesReceived;
  double trickleSeconds = now() - t1;
  qsort(lat, (size_t)nlat, sizeof(double), cmp_double);
#define PCT(p) (nlat ? lat[(long)((p) / 100.0 * (nlat - 1))] * 1e6 : 0)
  if (sync) {
    printf("{\"event\":\"trickled\",\"echoesSent\":%ld,\"echoesReceived\":%ld}\n", echoesSent, echoesReceived);
    if (!wait_for_line()) expired = 1;
  }

  // --- 3. close --------------------------------------------------------------------------
  long open = 0;
  for (long j = 0; j < m; j++) open += state[est[j]] == ESTABLISHED;
  long closing = 0, finsReceived = 0, closeErrors = 0, lateEchoes = 0, nextClose = 0, peakClosing = 0;
  double t2 = now(), lastFin = t2;
  while (finsReceived + closeErrors < open && !expired && now() - t2 < CLOSE_LIMIT_S) {
    while (closing < inflight && nextClose < m) {
      long i = est[nextClose++];
      if (state[i] != ESTABLISHED) continue;
      if (shutdown(fds[i], SHUT_WR) < 0) {
        closeErrors++;
        lose(i, errno);
        continue;
      }
      state[i] = CLOSING;
      closing++;
    }
    if (closing > peakClosing) peakClosing = closing;
    int k = epoll_wait(ep, evs, 1024, 100);
    if (k < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (int e = 0; e < k; e++) {
      long i = (long)evs[e].data.u64;
      if (state[i] != CLOSING) continue;
      for (;;) {
        ssize_t r = recv(fds[i], buf, sizeof buf, MSG_DONTWAIT);
        if (r > 0) {
          lateEchoes += r;
          continue;
        }
        if (r == 0) {
          finsReceived++;
          lastFin = now();
          epoll_ctl(ep, EPOLL_CTL_DEL, fds[i], NULL);
          close(fds[i]);
          fds[i] = -1;
          state[i] = CLOSED;
          closing--;
        } else if (errno != EAGAIN && errno != EINTR) {
          closeErrors++;
          closing--;
          lose(i, errno);
        }
        break;
      }
    }
  }
  double closeSeconds = lastFin - t2;
  long unclosed = 0;
  for (long i = 0; i < n; i++) {
    if (fds[i] >= 0) {
      unclosed += state[i] == CLOSING || state[i] == ESTABLISHED;
      close(fds[i]);
    }
  }

  printf("{\"mode\":\"conns\",\"n\":%ld,\"inflight\":%ld,\"connected\":%ld,\"failed\":%ld,\"connectSeconds\":%.6f,\"acceptRate\":%.1f,"
         "\"peakPending\":%ld",
         n, inflight, connected, failed, connectSeconds, connectSeconds > 0 ? connected / connectSeconds : 0, peakPending);
  print_errnos("connectErrors", connectErrno);
  printf(",\"trickleRounds\":%d,\"trickleSeconds\":%.3f,\"echoesSent\":%ld,\"echoesReceived\":%ld,\"echoesMissing\":%ld,"
         "\"mismatches\":%ld,\"sendErrors\":%ld,\"closedEarly\":%ld,\"echoLatencyUs\":{\"n\":%ld,\"p50\":%.1f,\"p99\":%.1f,\"max\":%.1f}",
         trickle, trickleSeconds, echoesSent, echoesReceived, echoesMissing, mismatches, sendErrors, closedEarly, nlat, PCT(50), PCT(99),
         PCT(100));
  printf(",\"closing\":%ld,\"finsReceived\":%ld,\"closeErrors\":%ld,\"unclosed\":%ld,\"lateEchoes\":%ld,\"closeSeconds\":%.6f,\"peakClosing\":%ld",
         open, finsReceived, closeErrors, unclosed, lateEchoes, closeSeconds, peakClosing);
  print_errnos("lostErrors", lostErrno);
  printf(",\"cpuSeconds\":%.3f,\"timedOut\":%s}\n", cpu_seconds(), expired ? "true" : "false");
  fflush(stdout);
  return connected == n && echoesMissing == 0 && mismatches == 0 && finsReceived == open && !expired ? 0 : 1;
}
