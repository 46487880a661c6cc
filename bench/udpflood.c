/*
 * udpflood: send small UDP datagrams as fast as possible (or at a given rate)
 * with sendmmsg, for bench/flood.mjs.
 *
 *   udpflood DST_IP PORT PAYLOAD MAX_PACKETS MAX_SECONDS [BATCH] [PPS]
 *
 * Bounded twice: stops after MAX_PACKETS datagrams were accepted by the kernel
 * or after MAX_SECONDS, whichever comes first. Refuses any destination outside
 * 198.18.0.0/15 (RFC 2544 benchmarking range). PPS > 0 paces the batches to
 * that many datagrams per second (busy-free: nanosleep between batches).
 *
 * The socket is unconnected (sendto-style msg_name per message) so ICMP port
 * unreachable replies never turn into ECONNREFUSED on the next send.
 *
 * Prints one JSON line: {"sent":N,"errors":E,"elapsed":S,"pps":R,...}
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_BATCH 1024

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: %s DST_IP PORT PAYLOAD MAX_PACKETS MAX_SECONDS [BATCH] [PPS]\n", argv[0]);
    return 2;
  }
  struct sockaddr_in dst;
  memset(&dst, 0, sizeof dst);
  dst.sin_family = AF_INET;
  if (inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1) {
    fprintf(stderr, "bad address %s\n", argv[1]);
    return 2;
  }
  uint32_t a = ntohl(dst.sin_addr.s_addr);
  if ((a & 0xfffe0000u) != 0xc6120000u) {
    fprintf(stderr, "network-safety rule: 198.18.0.0/15 only, got %s\n", argv[1]);
    return 2;
  }
  int port = atoi(argv[2]);
  int payload = atoi(argv[3]);
  long long max_packets = atoll(argv[4]);
  double max_seconds = atof(argv[5]);
  int batch = argc > 6 ? atoi(argv[6]) : 64;
  double pps = argc > 7 ? atof(argv[7]) : 0;
  if (port < 1 || port > 65535 || payload < 0 || payload > 1472 || max_packets < 1 || max_packets > 100000000LL ||
      !(max_seconds > 0 && max_seconds <= 60) || batch < 1 || batch > MAX_BATCH || pps < 0) {
    fprintf(stderr, "argument out of range (port 1..65535, payload 0..1472, packets 1..1e8, seconds (0,60], batch 1..%d)\n",
            MAX_BATCH);
    return 2;
  }
  dst.sin_port = htons((uint16_t)port);

  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) {
    perror("socket");
    return 1;
  }
  int sndbuf = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);

  static char data[1472];
  for (int i = 0; i < payload; i++) data[i] = (char)('a' + i % 26);
  static struct mmsghdr msgs[MAX_BATCH];
  static struct iovec iov[MAX_BATCH];
  for (int i = 0; i < batch; i++) {
    iov[i].iov_base = data;
    iov[i].iov_len = (size_t)payload;
    msgs[i].msg_hdr.msg_name = &dst;
    msgs[i].msg_hdr.msg_namelen = sizeof dst;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }

  long long sent = 0, errors = 0, calls = 0;
  int last_errno = 0;
  double t0 = now(), t = t0, deadline = t0 + max_seconds;
  while (sent < max_packets && t < deadline) {
    long long want = max_packets - sent;
    int n = want < batch ? (int)want : batch;
    int r = sendmmsg(fd, msgs, (unsigned)n, 0);
    calls++;
    if (r > 0) {
      sent += r;
    } else if (r < 0) {
      errors++;
      last_errno = errno;
      if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR && errno != ECONNREFUSED) {
        perror("sendmmsg");
        break;
      }
    }
    t = now();
    if (pps > 0) {
      double due = t0 + (double)sent / pps;
      if (due > t) {
        double d = due - t;
        struct timespec ts = {(time_t)d, (long)((d - (double)(time_t)d) * 1e9)};
        nanosleep(&ts, NULL);
        t = now();
      }
    }
  }
  double elapsed = now() - t0;
  printf("{\"sent\":%lld,\"errors\":%lld,\"calls\":%lld,\"lastErrno\":%d,\"elapsed\":%.6f,\"pps\":%.1f,"
         "\"payload\":%d,\"batch\":%d,\"targetPps\":%.0f}\n",
         sent, errors, calls, last_errno, elapsed, sent / elapsed, payload, batch, pps);
  close(fd);
  return 0;
}
