/*
 * udpflood: send small UDP datagrams (or ICMP echo requests) as fast as
 * possible (or at a given rate) with sendmmsg, for bench/flood.mjs, and in the
 * echo modes count the replies that come back.
 *
 *   udpflood DST_IP PORT PAYLOAD MAX_PACKETS MAX_SECONDS [BATCH] [PPS] [MODE]
 *
 * MODE:
 *   send       (default) UDP datagrams to DST_IP:PORT; nothing is read back
 *   udp-echo   the same, and a second thread reads the echoes (datagrams from
 *              DST_IP:PORT with PAYLOAD octets) off the same socket
 *   icmp-echo  ICMP echo requests with PAYLOAD octets of data on an ICMP
 *              datagram socket (needs the caller's gid in
 *              net.ipv4.ping_group_range; PORT is ignored), and a second thread
 *              reads the echo replies (the kernel hands this socket only the
 *              replies carrying its identifier)
 *
 * Bounded twice: stops sending after MAX_PACKETS datagrams were accepted by
 * the kernel or after MAX_SECONDS, whichever comes first; in the echo modes
 * the reader stops 1 s after the last reply once sending ended, and at most
 * 5 s after it. Refuses any destination outside 198.18.0.0/15 (RFC 2544
 * benchmarking range). PPS > 0 paces the batches to that many datagrams per
 * second (busy-free: nanosleep between batches).
 *
 * The socket is unconnected (sendto-style msg_name per message) so ICMP port
 * unreachable replies never turn into ECONNREFUSED on the next send.
 *
 * Prints one JSON line: {"sent":N,"errors":E,"elapsed":S,"pps":R,...}; the
 * echo modes add "replies" (well-formed echoes counted), "badReplies",
 * "firstReply"/"lastReply" (s after the first send), "replyPps" (replies over
 * the first..last reply window) and "rcvbuf" (the receive buffer granted).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
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

enum mode { MODE_SEND, MODE_UDP_ECHO, MODE_ICMP_ECHO };

/* The reply reader (echo modes): shared with main through these, under `lock`. */
static struct {
  int fd;
  enum mode mode;
  struct sockaddr_in dst;
  int payload;
  double t0;
  pthread_mutex_t lock;
  int sending_done;
  double send_end;
  long long replies, bad;
  double first, last;
} rx = {.lock = PTHREAD_MUTEX_INITIALIZER, .first = -1, .last = -1};

#define RX_BATCH 256
#define RX_SLOT 2048

static void *reader(void *arg) {
  (void)arg;
  static char bufs[RX_BATCH][RX_SLOT];
  static struct mmsghdr msgs[RX_BATCH];
  static struct iovec iov[RX_BATCH];
  static struct sockaddr_in from[RX_BATCH];
  for (;;) {
    for (int i = 0; i < RX_BATCH; i++) {
      iov[i].iov_base = bufs[i];
      iov[i].iov_len = RX_SLOT;
      memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
      msgs[i].msg_hdr.msg_name = &from[i];
      msgs[i].msg_hdr.msg_namelen = sizeof from[i];
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    /* SO_RCVTIMEO (100 ms) bounds each wait, so the stop rule below is checked. */
    int r = recvmmsg(rx.fd, msgs, RX_BATCH, MSG_WAITFORONE, NULL);
    double t = now();
    long long good = 0, bad = 0;
    for (int i = 0; i < r; i++) {
      unsigned len = msgs[i].msg_len;
      const unsigned char *b = (const unsigned char *)bufs[i];
      int from_dst = from[i].sin_addr.s_addr == rx.dst.sin_addr.s_addr;
      int ok = rx.mode == MODE_UDP_ECHO
                   ? from_dst && from[i].sin_port == rx.dst.sin_port && len == (unsigned)rx.payload
                   : from_dst && len == 8u + (unsigned)rx.payload && b[0] == 0 && b[1] == 0; /* echo reply */
      if (ok) good++;
      else bad++;
    }
    pthread_mutex_lock(&rx.lock);
    if (good > 0) {
      if (rx.first < 0) rx.first = t - rx.t0;
      rx.last = t - rx.t0;
    }
    rx.replies += good;
    rx.bad += bad;
    /* after the last send: stop once 1 s passed with no reply (counted from the later of
     * the last reply and the last send), and at most 5 s after the last send */
    double quiet_since = rx.last > 0 && rx.t0 + rx.last > rx.send_end ? rx.t0 + rx.last : rx.send_end;
    int stop = rx.sending_done && (t - rx.send_end > 5.0 || t - quiet_since > 1.0);
    pthread_mutex_unlock(&rx.lock);
    if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      perror("recvmmsg");
      return NULL;
    }
    if (stop) return NULL;
  }
}

int main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: %s DST_IP PORT PAYLOAD MAX_PACKETS MAX_SECONDS [BATCH] [PPS] [send|udp-echo|icmp-echo]\n",
            argv[0]);
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
  const char *mode_name = argc > 8 ? argv[8] : "send";
  enum mode mode;
  if (strcmp(mode_name, "send") == 0) mode = MODE_SEND;
  else if (strcmp(mode_name, "udp-echo") == 0) mode = MODE_UDP_ECHO;
  else if (strcmp(mode_name, "icmp-echo") == 0) mode = MODE_ICMP_ECHO;
  else {
    fprintf(stderr, "MODE: send, udp-echo or icmp-echo, got %s\n", mode_name);
    return 2;
  }
  if (mode == MODE_ICMP_ECHO) port = 1; /* unused */
  if (port < 1 || port > 65535 || payload < 0 || payload > 1472 || max_packets < 1 || max_packets > 100000000LL ||
      !(max_seconds > 0 && max_seconds <= 60) || batch < 1 || batch > MAX_BATCH || pps < 0) {
    fprintf(stderr, "argument out of range (port 1..65535, payload 0..1472, packets 1..1e8, seconds (0,60], batch 1..%d)\n",
            MAX_BATCH);
    return 2;
  }
  dst.sin_port = htons((uint16_t)port);

  int fd = mode == MODE_ICMP_ECHO ? socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP) : socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) {
    perror(mode == MODE_ICMP_ECHO ? "socket (ICMP datagram: is the gid in net.ipv4.ping_group_range?)" : "socket");
    return 1;
  }
  int sndbuf = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  int rcvbuf = 0;
  if (mode != MODE_SEND) {
    int want = 32 << 20;
    /* SO_RCVBUFFORCE (root) passes rmem_max; otherwise take what SO_RCVBUF gives */
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof want) < 0)
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof want);
    socklen_t l = sizeof rcvbuf;
    getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &l);
    struct timeval tv = {0, 100000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }

  /* UDP: one payload for every message. ICMP: an 8-octet echo header (the
   * kernel fills in the identifier and the checksum) before the payload, one
   * buffer per slot so that each request carries its own sequence number. */
  static char data[1472];
  for (int i = 0; i < payload; i++) data[i] = (char)('a' + i % 26);
  static unsigned char icmp[MAX_BATCH][8];
  static struct mmsghdr msgs[MAX_BATCH];
  static struct iovec iov[MAX_BATCH][2];
  for (int i = 0; i < batch; i++) {
    int n = 0;
    if (mode == MODE_ICMP_ECHO) {
      icmp[i][0] = 8; /* echo request, code 0 */
      iov[i][n].iov_base = icmp[i];
      iov[i][n++].iov_len = 8;
    }
    iov[i][n].iov_base = data;
    iov[i][n++].iov_len = (size_t)payload;
    msgs[i].msg_hdr.msg_name = &dst;
    msgs[i].msg_hdr.msg_namelen = sizeof dst;
    msgs[i].msg_hdr.msg_iov = iov[i];
    msgs[i].msg_hdr.msg_iovlen = (size_t)n;
  }

  long long sent = 0, errors = 0, calls = 0;
  int last_errno = 0;
  double t0 = now(), t = t0, deadline = t0 + max_seconds;
  pthread_t reader_thread;
  if (mode != MODE_SEND) {
    rx.fd = fd;
    rx.mode = mode;
    rx.dst = dst;
    rx.payload = payload;
    rx.t0 = t0;
    if (pthread_create(&reader_thread, NULL, reader, NULL) != 0) {
      fprintf(stderr, "pthread_create failed\n");
      return 1;
    }
  }
  while (sent < max_packets && t < deadline) {
    long long want = max_packets - sent;
    int n = want < batch ? (int)want : batch;
    if (mode == MODE_ICMP_ECHO)
      for (int i = 0; i < n; i++) {
        uint16_t seq = (uint16_t)(sent + i);
        icmp[i][6] = (unsigned char)(seq >> 8);
        icmp[i][7] = (unsigned char)seq;
      }
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
  if (mode == MODE_SEND) {
    printf("{\"sent\":%lld,\"errors\":%lld,\"calls\":%lld,\"lastErrno\":%d,\"elapsed\":%.6f,\"pps\":%.1f,"
           "\"payload\":%d,\"batch\":%d,\"targetPps\":%.0f}\n",
           sent, errors, calls, last_errno, elapsed, sent / elapsed, payload, batch, pps);
  } else {
    pthread_mutex_lock(&rx.lock);
    rx.sending_done = 1;
    rx.send_end = t0 + elapsed;
    pthread_mutex_unlock(&rx.lock);
    pthread_join(reader_thread, NULL);
    double window = rx.last - rx.first;
    printf("{\"mode\":\"%s\",\"sent\":%lld,\"errors\":%lld,\"calls\":%lld,\"lastErrno\":%d,\"elapsed\":%.6f,"
           "\"pps\":%.1f,\"payload\":%d,\"batch\":%d,\"targetPps\":%.0f,\"rcvbuf\":%d,\"replies\":%lld,"
           "\"badReplies\":%lld,\"firstReply\":%.6f,\"lastReply\":%.6f,\"replyPps\":%.1f}\n",
           mode_name, sent, errors, calls, last_errno, elapsed, sent / elapsed, payload, batch, pps, rcvbuf, rx.replies,
           rx.bad, rx.first, rx.last, window > 0 ? (double)rx.replies / window : 0.0);
  }
  close(fd);
  return 0;
}
