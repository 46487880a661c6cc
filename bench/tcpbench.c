// The kernel side of the TCP benchmarks (bench/bulk.mjs, bench/rr.mjs): plain
// blocking sockets, one connection, bounded in bytes (or round trips) and in
// time. Clients connect to the stack (or, for the kernel-to-kernel baseline,
// to this program's own server modes over a veth pair).
//
//   tcpbench send  DST PORT BYTES SECONDS          send BYTES (pattern), shut down our side,
//                                                  wait for the peer's FIN; time = connect .. peer FIN
//   tcpbench recv  DST PORT BYTES SECONDS          read until the peer's FIN (at most BYTES + 1 MiB),
//                                                  checking the pattern; time = connect .. FIN
//   tcpbench rr    DST PORT COUNT SECONDS WARMUP   1-octet ping-pong (TCP_NODELAY): WARMUP round trips,
//                                                  then COUNT timed ones; per-round-trip latencies
//   tcpbench serve-discard BIND PORT SECONDS       accept one connection, read to FIN (pattern checked), close
//   tcpbench serve-source  BIND PORT BYTES SECONDS accept one connection, send BYTES (pattern), close
//   tcpbench serve-echo    BIND PORT SECONDS       accept one connection, echo to FIN, close
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
      ssize_t n = recv(fd, &r, 1, 0);
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
    printf("{\"mode\":\"rr\",\"roundTrips\":%ld,\"seconds\":%.6f,\"perSecond\":%.1f,\"meanUs\":%.2f,\"p50Us\":%.2f,\"p99Us\":%.2f,"
           "\"maxUs\":%.2f,\"minUs\":%.2f,\"mismatches\":%ld,\"timedOut\":%s}\n",
           done_n, done_n ? t1 - t0 : 0, done_n ? done_n / (t1 - t0) : 0, done_n ? sum / done_n * 1e6 : 0, PCT(50), PCT(99),
           PCT(100), PCT(0), bad, expired ? "true" : "false");
    free(lat);
    return done_n == count ? 0 : 1;
  }
  fprintf(stderr, "tcpbench: unknown mode %s\n", mode);
  return 2;
}
