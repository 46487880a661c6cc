// The kernel side of the TCP benchmarks (bench/bulk.mjs, bench/rr.mjs): plain
// blocking sockets, one connection, bounded in bytes (or round trips) and in
// time. Clients connect to the stack (or, for the kernel-to-kernel baseline,
// to this program's own server modes over a veth pair).
//
//   tcpbench send  DST PORT BYTES SECONDS          send BYTES (pattern), shut down our side,
//                                                  wait for the peer's FIN; time = connect .. peer FIN
//   tcpbench recv  DST PORT BYTES SECONDS          read until the peer's FIN (at most BYTES + 1 MiB),
//                                                  checking the pattern; time = connect .. FIN
//   tcpbench rr    DST PORT COUNT SECONDS WARMUP [spin]
//                                                  1-octet ping-pong (TCP_NODELAY): WARMUP round trips,
//                                                  then COUNT timed ones; per-round-trip latencies
//                                                  ("spin": poll for each answer instead of sleeping in recv)
//   tcpbench serve-discard BIND PORT SECONDS       accept one connection, read to FIN (pattern checked), close
//   tcpbench serve-source  BIND PORT BYTES SECONDS accept one connection, send BYTES (pattern), close
//   tcpbench serve-echo    BIND PORT SECONDS       accept one connection, echo to FIN, close
//
// With a last argument CONNS > 1 (at most 64), send, recv, serve-discard and serve-source run CONNS
// connections at once (bench/bulk.mjs --conns): non-blocking sockets in one poll loop, each
// connection BYTES of the pattern (or read to its FIN, its own pattern checked); the clients
// connect all CONNS at once. seconds = the first connection established .. the last FIN;
// bytes = the sum over the connections; perConn: each one's octets and seconds.
//   tcpbench send  DST PORT BYTES SECONDS CONNS     tcpbench recv DST PORT BYTES SECONDS CONNS
//   tcpbench serve-discard BIND PORT SECONDS CONNS  tcpbench serve-source BIND PORT BYTES SECONDS CONNS
//
// The pattern: octet at stream offset o is o % 251 (a 64256-octet block, 256 x 251, repeats it).
// Servers print "ready" once listening. Every mode prints one JSON line at the end
// and stops at SECONDS (alarm; capped at 120) whatever happens ("timedOut": true).
// Network safety: DST, BIND and every accepted peer must lie in 198.18.0.0/15.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BLOCK (256 * 251)
static unsigned char block[BLOCK];
static volatile sig_atomic_t expired = 0;

static void on_alarm(int sig) {
  (void)sig;
  expired = 1;
}

/* CPU seconds (user + system) this process has used: with the wall time, whether the kernel side
 * of a transfer was the one that ran out of CPU. */
static double cpu_seconds(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what) {
  fprintf(stderr, "tcpbench: %s: %s\n", what, strerror(errno));
  exit(1);
}

/** 198.18.0.0/15 only (DESIGN.md section 6). */
static void check_address(struct in_addr a, const char *what) {
  if ((ntohl(a.s_addr) & 0xfffe0000u) != 0xc6120000u) {
    fprintf(stderr, "tcpbench: network-safety rule: %s %s is outside 198.18.0.0/15\n", what, inet_ntoa(a));
    exit(2);
  }
}

static struct sockaddr_in address(const char *ip, const char *port) {
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)atoi(port));
  if (inet_pton(AF_INET, ip, &sa.sin_addr) != 1) {
    fprintf(stderr, "tcpbench: bad address %s\n", ip);
    exit(2);
  }
  check_address(sa.sin_addr, "address");
  return sa;
}

static int connect_to(struct sockaddr_in sa) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) die("connect");
  return fd;
}

static int accept_one(struct sockaddr_in sa) {
  int lfd = socket(AF_INET, SOCK_STREAM, 0);
  if (lfd < 0) die("socket");
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0) die("bind");
  if (listen(lfd, 4) < 0) die("listen");
  printf("ready\n");
  fflush(stdout);
  struct sockaddr_in peer;
  socklen_t len = sizeof peer;
  int fd = accept(lfd, (struct sockaddr *)&peer, &len);
  if (fd < 0) {
    if (expired) {
      printf("{\"timedOut\":true,\"accepted\":0}\n");
      exit(1);
    }
    die("accept");
  }
  check_address(peer.sin_addr, "peer");
  close(lfd);
  return fd;
}

/** Send `bytes` of the pattern; returns what was sent. */
static uint64_t send_pattern(int fd, uint64_t bytes) {
  uint64_t sent = 0;
  while (sent < bytes && !expired) {
    size_t off = sent % BLOCK;
    size_t n = BLOCK - off;
    if (n > bytes - sent) n = bytes - sent;
    ssize_t w = send(fd, block + off, n, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      fprintf(stderr, "tcpbench: send: %s\n", strerror(errno));
      break;
    }
    sent += (uint64_t)w;
  }
  return sent;
}

/** Read to the peer's FIN (or `limit`), checking the pattern; *bad counts wrong octets. */
static uint64_t read_pattern(int fd, uint64_t limit, uint64_t *bad, int check) {
  static unsigned char buf[1 << 18];
  uint64_t got = 0;
  while (got < limit && !expired) {
    ssize_t r = recv(fd, buf, sizeof buf, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      fprintf(stderr, "tcpbench: recv: %s\n", strerror(errno));
      break;
    }
    if (r == 0) break;
    if (check) {
      uint32_t p = (uint32_t)(got % 251);
      for (ssize_t i = 0; i < r; i++) {
        if (buf[i] != p) (*bad)++;
        if (++p == 251) p = 0;
      }
    }
    got += (uint64_t)r;
  }
  return got;
}

/* ---- CONNS > 1: one poll loop over non-blocking sockets ---- */
#define MAXCONNS 64
enum { C_CONNECTING, C_SENDING, C_DRAIN, C_RECEIVING, C_DONE };
struct conn {
  int fd, state, err;
  uint64_t sent, got, back, bad;
  double t_est, t_end;
};

static void nonblocking(int fd) {
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) die("fcntl");
}

static void finish(struct conn *c, int err) {
  c->t_end = now();
  c->err = err;
  close(c->fd);
  c->fd = -1;
  c->state = C_DONE;
}

/* established: the sender starts sending, the receiver reading */
static void established(struct conn *c, int sender) {
  c->t_est = now();
  c->state = sender ? C_SENDING : C_RECEIVING;
}

/* Send what the socket takes (a bounded number of calls per wake-up, for fairness). */
static void step_send(struct conn *c, uint64_t bytes) {
  for (int k = 0; k < 16 && c->sent < bytes; k++) {
    size_t off = c->sent % BLOCK;
    size_t n = BLOCK - off;
    if (n > bytes - c->sent) n = bytes - c->sent;
    ssize_t w = send(c->fd, block + off, n, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      finish(c, errno);
      return;
    }
    c->sent += (uint64_t)w;
  }
  if (c->sent == bytes) {
    shutdown(c->fd, SHUT_WR);
    c->state = C_DRAIN;
  }
}

/* Read what has arrived (bounded per wake-up); the receiver checks its pattern; FIN ends it. */
static void step_recv(struct conn *c, uint64_t limit) {
  static unsigned char buf[1 << 18];
  for (int k = 0; k < 16; k++) {
    ssize_t r = recv(c->fd, buf, sizeof buf, 0);
    if (r < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      finish(c, errno);
      return;
    }
    if (r == 0) {
      finish(c, 0);
      return;
    }
    if (c->state == C_DRAIN) {
      c->back += (uint64_t)r;
      if (c->back > (1u << 20)) finish(c, EPROTO);
      continue;
    }
    uint32_t p = (uint32_t)(c->got % 251);
    for (ssize_t i = 0; i < r; i++) {
      if (buf[i] != p) c->bad++;
      if (++p == 251) p = 0;
    }
    c->got += (uint64_t)r;
    if (c->got >= limit) {
      finish(c, EFBIG);
      return;
    }
  }
}

/* client: connect n at once; server: accept n (peers checked). sender: BYTES each, then wait for FIN. */
static int run_multi(const char *mode, int client, int sender, struct sockaddr_in sa, int n, uint64_t bytes) {
  static struct conn cs[MAXCONNS];
  struct pollfd pfd[MAXCONNS + 1];
  int idx[MAXCONNS + 1];
  uint64_t limit = sender ? 0 : (client ? bytes + (1 << 20) : (64ull << 30));
  int lfd = -1, opened = 0, done = 0;
  double t0 = now();
  if (client) {
    for (int i = 0; i < n; i++) {
      cs[i] = (struct conn){ .fd = socket(AF_INET, SOCK_STREAM, 0), .state = C_CONNECTING };
      if (cs[i].fd < 0) die("socket");
      nonblocking(cs[i].fd);
      if (connect(cs[i].fd, (struct sockaddr *)&sa, sizeof sa) == 0) established(&cs[i], sender);
      else if (errno != EINPROGRESS) die("connect");
    }
    opened = n;
  } else {
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0) die("socket");
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0) die("bind");
    if (listen(lfd, MAXCONNS) < 0) die("listen");
    nonblocking(lfd);
    printf("ready\n");
    fflush(stdout);
  }
  while (!expired && done < n) {
    int k = 0;
    if (!client && opened < n) pfd[k] = (struct pollfd){ .fd = lfd, .events = POLLIN }, idx[k++] = -1;
    for (int i = 0; i < opened; i++) {
      if (cs[i].state == C_DONE) continue;
      short ev = cs[i].state == C_CONNECTING || cs[i].state == C_SENDING ? POLLOUT : POLLIN;
      pfd[k] = (struct pollfd){ .fd = cs[i].fd, .events = ev }, idx[k++] = i;
    }
    int r = poll(pfd, (nfds_t)k, 200);
    if (r < 0) {
      if (errno == EINTR) continue;
      die("poll");
    }
    for (int j = 0; j < k; j++) {
      if (pfd[j].revents == 0) continue;
      if (idx[j] < 0) {
        for (; opened < n;) {
          struct sockaddr_in peer;
          socklen_t len = sizeof peer;
          int fd = accept(lfd, (struct sockaddr *)&peer, &len);
          if (fd < 0) break;
          check_address(peer.sin_addr, "peer");
          nonblocking(fd);
          cs[opened] = (struct conn){ .fd = fd };
          established(&cs[opened++], sender);
        }
        continue;
      }
      struct conn *c = &cs[idx[j]];
      if (c->state == C_CONNECTING) {
        int e = 0;
        socklen_t el = sizeof e;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &el);
        if (e != 0) {
          finish(c, e);
          done++;
          continue;
        }
        established(c, sender);
      }
      if (c->state == C_SENDING) step_send(c, bytes);
      else step_recv(c, limit);
      if (c->state == C_DONE) done++;
    }
  }
  // what is still open at the alarm ends now
  for (int i = 0; i < opened; i++) if (cs[i].state != C_DONE) finish(&cs[i], ETIMEDOUT);
  if (lfd >= 0) close(lfd);
  double first = 0, last = 0, slow = 0;
  uint64_t total = 0, back = 0, bad = 0;
  int errors = 0, established_n = 0;
  for (int i = 0; i < opened; i++) {
    struct conn *c = &cs[i];
    if (c->t_est > 0) {
      if (established_n++ == 0 || c->t_est < first) first = c->t_est;
      if (c->t_est - t0 > slow) slow = c->t_est - t0;
    }
    if (c->t_end > last) last = c->t_end;
    total += sender ? c->sent : c->got;
    back += c->back;
    bad += c->bad;
    if (c->err != 0) errors++;
  }
  printf("{\"mode\":\"%s\",\"conns\":%d,\"opened\":%d,\"established\":%d,\"bytes\":%llu,\"seconds\":%.6f,\"connectSeconds\":%.6f,"
         "\"mismatches\":%llu,\"bytesBack\":%llu,\"errors\":%d,\"cpuSeconds\":%.3f,\"timedOut\":%s,\"perConn\":[",
         mode, n, opened, established_n, (unsigned long long)total, established_n ? last - first : 0, slow, (unsigned long long)bad,
         (unsigned long long)back, errors, cpu_seconds(), expired ? "true" : "false");
  for (int i = 0; i < opened; i++) {
    struct conn *c = &cs[i];
    printf("%s{\"bytes\":%llu,\"seconds\":%.6f%s%s%s}", i ? "," : "", (unsigned long long)(sender ? c->sent : c->got),
           c->t_est > 0 ? c->t_end - c->t_est : 0, c->err ? ",\"error\":\"" : "", c->err ? strerror(c->err) : "", c->err ? "\"" : "");
  }
  printf("]}\n");
  return expired || errors || opened < n || (sender && total != (uint64_t)n * bytes) ? 1 : 0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: tcpbench send|recv DST PORT BYTES SECONDS | rr DST PORT COUNT SECONDS WARMUP |\n"
                    "       serve-discard|serve-echo BIND PORT SECONDS | serve-source BIND PORT BYTES SECONDS\n");
    return 2;
  }
  for (int i = 0; i < BLOCK; i++) block[i] = (unsigned char)(i % 251);
  const char *mode = argv[1];
  struct sockaddr_in sa = address(argv[2], argv[3]);
  int is_serve_plain = !strcmp(mode, "serve-discard") || !strcmp(mode, "serve-echo");
  if (!is_serve_plain && argc < 6) {
    fprintf(stderr, "tcpbench: %s needs 5 arguments\n", mode);
    return 2;
  }
  int seconds = atoi(argv[is_serve_plain ? 4 : 5]);
  if (seconds < 1 || seconds > 120) {
    fprintf(stderr, "tcpbench: SECONDS 1..120 (bounded load)\n");
    return 2;
  }
  struct sigaction act;
  memset(&act, 0, sizeof act);
  act.sa_handler = on_alarm; // no SA_RESTART: a blocked call returns EINTR
  sigaction(SIGALRM, &act, NULL);
  alarm((unsigned)seconds);

  // CONNS > 1: the poll loop (the argument after SECONDS)
  int is_stream = !strcmp(mode, "send") || !strcmp(mode, "recv") || !strcmp(mode, "serve-discard") || !strcmp(mode, "serve-source");
  int conns_at = is_serve_plain ? 5 : 6;
  int conns = is_stream && argc > conns_at ? atoi(argv[conns_at]) : 1;
  if (conns < 1 || conns > MAXCONNS) {
    fprintf(stderr, "tcpbench: CONNS 1..%d\n", MAXCONNS);
    return 2;
  }
  if (conns > 1) {
    int client = !strcmp(mode, "send") || !strcmp(mode, "recv");
    int sender = !strcmp(mode, "send") || !strcmp(mode, "serve-source");
    uint64_t bytes = !strcmp(mode, "serve-discard") ? 0 : strtoull(argv[4], NULL, 10);
    if (strcmp(mode, "serve-discard") && (bytes == 0 || bytes > (64ull << 30))) {
      fprintf(stderr, "tcpbench: BYTES 1..64 GiB\n");
      return 2;
    }
    return run_multi(mode, client, sender, sa, conns, bytes);
  }

  if (!strcmp(mode, "send") || !strcmp(mode, "serve-source")) {
    uint64_t bytes = strtoull(argv[4], NULL, 10);
    if (bytes == 0 || bytes > (64ull << 30)) {
      fprintf(stderr, "tcpbench: BYTES 1..64 GiB\n");
      return 2;
    }
    double t0 = now();
    int fd = !strcmp(mode, "send") ? connect_to(sa) : accept_one(sa);
    double t1 = now();
    uint64_t sent = send_pattern(fd, bytes);
    double t2 = now();
    shutdown(fd, SHUT_WR);
    uint64_t bad = 0;
    uint64_t back = read_pattern(fd, 1 << 20, &bad, 0); // the peer's FIN: everything arrived
    double t3 = now();
    close(fd);
    printf("{\"mode\":\"%s\",\"bytes\":%llu,\"seconds\":%.6f,\"connectSeconds\":%.6f,\"sendSeconds\":%.6f,\"bytesBack\":%llu,\"cpuSeconds\":%.3f,\"timedOut\":%s}\n",
           mode, (unsigned long long)sent, t3 - t1, t1 - t0, t2 - t1, (unsigned long long)back, cpu_seconds(), expired ? "true" : "false");
    return sent == bytes && !expired ? 0 : 1;
  }
  if (!strcmp(mode, "recv") || !strcmp(mode, "serve-discard")) {
    uint64_t limit = !strcmp(mode, "recv") ? strtoull(argv[4], NULL, 10) + (1 << 20) : (64ull << 30);
    double t0 = now();
    int fd = !strcmp(mode, "recv") ? connect_to(sa) : accept_one(sa);
    double t1 = now();
    uint64_t bad = 0;
    uint64_t got = read_pattern(fd, limit, &bad, 1);
    double t2 = now();
    close(fd);
    printf("{\"mode\":\"%s\",\"bytes\":%llu,\"seconds\":%.6f,\"connectSeconds\":%.6f,\"mismatches\":%llu,\"cpuSeconds\":%.3f,\"timedOut\":%s}\n",
           mode, (unsigned long long)got, t2 - t1, t1 - t0, (unsigned long long)bad, cpu_seconds(), expired ? "true" : "false");
    return expired ? 1 : 0;
  }
  if (!strcmp(mode, "serve-echo")) {
    int fd = accept_one(sa);
    static unsigned char buf[1 << 16];
    uint64_t echoed = 0;
    while (!expired) {
      ssize_t r = recv(fd, buf, sizeof buf, 0);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;
      for (ssize_t o = 0; o < r && !expired;) {
        ssize_t w = send(fd, buf + o, (size_t)(r - o), MSG_NOSIGNAL);
        if (w < 0) {
          if (errno == EINTR) continue;
          goto done;
        }
        o += w;
      }
      echoed += (uint64_t)r;
    }
  done:
    close(fd);
    printf("{\"mode\":\"serve-echo\",\"bytes\":%llu,\"timedOut\":%s}\n", (unsigned long long)echoed, expired ? "true" : "false");
    return 0;
  }
  if (!strcmp(mode, "rr")) {
    if (argc < 7) {
      fprintf(stderr, "tcpbench: rr DST PORT COUNT SECONDS WARMUP\n");
      return 2;
    }
    long count = atol(argv[4]);
    long warmup = atol(argv[6]);
    /* "spin": wait for each answer by polling (MSG_DONTWAIT), so the client's CPU never sleeps between
       a request and its answer and the answer's latency has no wake-up of the client in it */
    int spin = argc > 7 && !strcmp(argv[7], "spin");
    if (count < 1 || count > 10000000 || warmup < 0 || warmup > 1000000) {
      fprintf(stderr, "tcpbench: COUNT 1..1e7, WARMUP 0..1e6\n");
      return 2;
    }
    double *lat = malloc(sizeof(double) * (size_t)count);
    if (lat == NULL) die("malloc");
    int fd = connect_to(sa);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    long done_n = 0, bad = 0;
    double t0 = 0;
    for (long i = 0; i < warmup + count && !expired; i++) {
      unsigned char c = (unsigned char)i, r = 0;
      if (i == warmup) t0 = now();
      double s = now();
      ssize_t w = send(fd, &c, 1, MSG_NOSIGNAL);
      if (w < 0 && errno == EINTR) break;
      if (w != 1) die("send");
      ssize_t n;
      do n = recv(fd, &r, 1, spin ? MSG_DONTWAIT : 0);
      while (spin && n < 0 && errno == EAGAIN && !expired);
      if (n < 0 && errno == EINTR) break;
      if (n != 1) {
        fprintf(stderr, "tcpbench: rr: recv returned %zd (%s)\n", n, n < 0 ? strerror(errno) : "peer closed");
        break;
      }
      if (r != c) bad++;
      if (i >= warmup) lat[done_n++] = now() - s;
    }
    double t1 = now();
    shutdown(fd, SHUT_WR);
    uint64_t ignored = 0;
    read_pattern(fd, 1 << 20, &ignored, 0);
    close(fd);
    double sum = 0;
    for (long i = 0; i < done_n; i++) sum += lat[i];
    qsort(lat, (size_t)done_n, sizeof(double), cmp_double);
#define PCT(p) (done_n ? lat[(long)((p) / 100.0 * (done_n - 1))] * 1e6 : 0)
    printf("{\"mode\":\"rr\",\"roundTrips\":%ld,\"seconds\":%.6f,\"perSecond\":%.1f,\"meanUs\":%.2f,\"p50Us\":%.2f,\"p90Us\":%.2f,"
           "\"p99Us\":%.2f,\"maxUs\":%.2f,\"minUs\":%.2f,\"mismatches\":%ld,\"timedOut\":%s}\n",
           done_n, done_n ? t1 - t0 : 0, done_n ? done_n / (t1 - t0) : 0, done_n ? sum / done_n * 1e6 : 0, PCT(50), PCT(90),
           PCT(99), PCT(100), PCT(0), bad, expired ? "true" : "false");
    free(lat);
    return done_n == count ? 0 : 1;
  }
  fprintf(stderr, "tcpbench: unknown mode %s\n", mode);
  return 2;
}
