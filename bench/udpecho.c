/*
 * udpecho: a minimal UDP echo server (RFC 862) in C, recvmmsg/sendmmsg in
 * batches: the Linux kernel's side of bench/flood.mjs's udp-echo baseline
 * over a veth pair (the kernel has no UDP echo of its own).
 *
 *   udpecho BIND_IP PORT MAX_SECONDS MAX_PACKETS
 *
 * Bounded twice: exits after MAX_SECONDS, or once MAX_PACKETS datagrams were
 * echoed; SIGTERM or SIGINT ends it early (with its counts printed). Binds only to an address in 198.18.0.0/15 and echoes only to
 * senders in 198.18.0.0/15 (others are counted and dropped).
 *
 * Prints "ready" once bound, then at exit one JSON line:
 * {"received":N,"echoed":M,"foreign":F,"sendErrors":E}
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 256
#define SLOT 2048

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static volatile sig_atomic_t stopping;
static void on_signal(int sig) {
  (void)sig;
  stopping = 1;
}

static int bench_range(uint32_t a_net) { return (ntohl(a_net) & 0xfffe0000u) == 0xc6120000u; }

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s BIND_IP PORT MAX_SECONDS MAX_PACKETS\n", argv[0]);
    return 2;
  }
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  if (inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1 || !bench_range(addr.sin_addr.s_addr)) {
    fprintf(stderr, "network-safety rule: 198.18.0.0/15 only, got %s\n", argv[1]);
    return 2;
  }
  int port = atoi(argv[2]);
  double max_seconds = atof(argv[3]);
  long long max_packets = atoll(argv[4]);
  if (port < 1 || port > 65535 || !(max_seconds > 0 && max_seconds <= 300) || max_packets < 1 ||
      max_packets > 100000000LL) {
    fprintf(stderr, "argument out of range (port 1..65535, seconds (0,300], packets 1..1e8)\n");
    return 2;
  }
  addr.sin_port = htons((uint16_t)port);
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    perror("socket/bind");
    return 1;
  }
  int buf = 32 << 20;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof buf) < 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
  struct timeval tv = {0, 100000}; /* bounds each wait, so the deadline is checked */
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal; /* no SA_RESTART: a waiting recvmmsg returns EINTR */
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  printf("ready\n");
  fflush(stdout);

  static char bufs[BATCH][SLOT];
  static struct mmsghdr in[BATCH], out[BATCH];
  static struct iovec iov[BATCH], oiov[BATCH];
  static struct sockaddr_in from[BATCH];
  long long received = 0, echoed = 0, foreign = 0, send_errors = 0;
  double deadline = now() + max_seconds;
  while (!stopping && echoed < max_packets && now() < deadline) {
    for (int i = 0; i < BATCH; i++) {
      iov[i].iov_base = bufs[i];
      iov[i].iov_len = SLOT;
      memset(&in[i].msg_hdr, 0, sizeof in[i].msg_hdr);
      in[i].msg_hdr.msg_name = &from[i];
      in[i].msg_hdr.msg_namelen = sizeof from[i];
      in[i].msg_hdr.msg_iov = &iov[i];
      in[i].msg_hdr.msg_iovlen = 1;
    }
    int r = recvmmsg(fd, in, BATCH, MSG_WAITFORONE, NULL);
    if (r < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
      perror("recvmmsg");
      break;
    }
    received += r;
    int n = 0;
    for (int i = 0; i < r; i++) {
      if (!bench_range(from[i].sin_addr.s_addr)) {
        foreign++;
        continue;
      }
      oiov[n].iov_base = bufs[i];
      oiov[n].iov_len = in[i].msg_len;
      memset(&out[n].msg_hdr, 0, sizeof out[n].msg_hdr);
      out[n].msg_hdr.msg_name = &from[i];
      out[n].msg_hdr.msg_namelen = sizeof from[i];
      out[n].msg_hdr.msg_iov = &oiov[n];
      out[n].msg_hdr.msg_iovlen = 1;
      n++;
    }
    for (int done = 0; done < n;) {
      int s = sendmmsg(fd, out + done, (unsigned)(n - done), 0);
      if (s <= 0) {
        send_errors++;
        break; /* a full queue drops the rest of the batch, as a busy server would */
      }
      done += s;
      echoed += s;
    }
  }
  printf("{\"received\":%lld,\"echoed\":%lld,\"foreign\":%lld,\"sendErrors\":%lld}\n", received, echoed, foreign,
         send_errors);
  close(fd);
  return 0;
}
