/*
 * if_config.c: the kernel side of an interface, configured with ioctls
 * (Linux only), so the stack needs no `ip` command.
 *
 * Contract: each function acts on the interface `ifname` as resolved in the
 * network namespace of this process, through a throw-away AF_INET datagram
 * socket, and either does all it says or throws "<what> <ifname>:
 * <strerror>" with the errno name as `code` and "ioctl(<request>)" as
 * `syscall`.
 *   setUp(ifname, up)                        set or clear IFF_UP
 *   setAddress(ifname, address, prefixLength) the primary IPv4 address, a
 *                                            uint32 in host order, and prefix
 *   setMtu(ifname, mtu)                      68..65535
 *   setTxQueueLength(ifname, length)         txqueuelen, 1..2^20
 */
#include "gonet_tap.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

/* ioctl on a throw-away AF_INET datagram socket; throws and returns false on
 * failure with "<what> <ifname>: <strerror>". */
static bool if_ioctl(napi_env env, unsigned long req, const char *reqname,
                     struct ifreq *ifr, const char *what) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) {
    throw_errno(env, errno, "socket", "cannot create a configuration socket");
    return false;
  }
  int r = ioctl(s, req, ifr);
  int e = errno;
  close(s);
  if (r < 0) {
    char msg[GONET_MSG_LEN];
    char sc[64];
    snprintf(msg, sizeof msg, "%s %.*s", what, IFNAMSIZ, ifr->ifr_name);
    snprintf(sc, sizeof sc, "ioctl(%s)", reqname);
    throw_errno(env, e, sc, msg);
    return false;
  }
  return true;
}

#define IF_IOCTL(env, req, ifr, what) if_ioctl((env), (req), #req, (ifr), (what))

/* The first `want` arguments into argv (as get_args), the first being an
 * interface name: a zeroed ifr carrying it, or false with an error pending. */
static bool get_ifreq(napi_env env, napi_callback_info info, size_t want,
                      napi_value *argv, const char *usage, struct ifreq *ifr) {
  if (!get_args(env, info, want, argv, usage)) return false;
  memset(ifr, 0, sizeof *ifr);
  return get_ifname(env, argv[0], ifr->ifr_name);
}

napi_value js_set_up(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  struct ifreq ifr;
  bool up = false;
  if (!get_ifreq(env, info, 2, argv, "setUp(ifname, up)", &ifr)) return NULL;
  if (napi_get_value_bool(env, argv[1], &up) != napi_ok) {
    napi_throw_type_error(env, "EINVAL", "up must be a boolean");
    return NULL;
  }
  if (!IF_IOCTL(env, SIOCGIFFLAGS, &ifr, "cannot read the flags of")) return NULL;
  short flags = ifr.ifr_flags;
  short want = up ? (short)(flags | IFF_UP) : (short)(flags & ~IFF_UP);
  if (want != flags) {
    ifr.ifr_flags = want;
    if (!IF_IOCTL(env, SIOCSIFFLAGS, &ifr, up ? "cannot bring up" : "cannot bring down"))
      return NULL;
  }
  return NULL;
}

napi_value js_set_address(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  struct ifreq ifr;
  int64_t address, prefix;
  if (!get_ifreq(env, info, 3, argv, "setAddress(ifname, address, prefixLength)", &ifr)) return NULL;
  if (!get_int(env, argv[1], "address", 0, 0xffffffffLL, &address)) return NULL;
  if (!get_int(env, argv[2], "prefixLength", 0, 32, &prefix)) return NULL;

  struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
  sin->sin_family = AF_INET;
  sin->sin_addr.s_addr = htonl((uint32_t)address);
  /* SIOCSIFADDR installs the address with its classful mask (replacing the
   * primary address, if any); SIOCSIFNETMASK then sets the real prefix and
   * recomputes the broadcast address. */
  if (!IF_IOCTL(env, SIOCSIFADDR, &ifr, "cannot set the IPv4 address of")) return NULL;
  uint32_t mask = prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
  sin = (struct sockaddr_in *)&ifr.ifr_netmask;
  sin->sin_family = AF_INET;
  sin->sin_addr.s_addr = htonl(mask);
  if (!IF_IOCTL(env, SIOCSIFNETMASK, &ifr, "cannot set the netmask of")) return NULL;
  return NULL;
}

napi_value js_set_mtu(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  struct ifreq ifr;
  int64_t mtu;
  if (!get_ifreq(env, info, 2, argv, "setMtu(ifname, mtu)", &ifr)) return NULL;
  if (!get_int(env, argv[1], "mtu", 68, 65535, &mtu)) return NULL;
  ifr.ifr_mtu = (int)mtu;
  if (!IF_IOCTL(env, SIOCSIFMTU, &ifr, "cannot set the MTU of")) return NULL;
  return NULL;
}

/* The kernel side of a TAP queues frames for the reader in a ring of
 * tx_queue_len entries and drops (tx_dropped) when it is full; changing the
 * length resizes the ring of an attached queue (tun_queue_resize). A
 * user-space stack wants it deeper than the default, as a NIC driver wants a
 * large RX ring: bursts then wait instead of vanishing. */
napi_value js_set_tx_queue_len(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  struct ifreq ifr;
  int64_t len;
  if (!get_ifreq(env, info, 2, argv, "setTxQueueLength(ifname, length)", &ifr)) return NULL;
  if (!get_int(env, argv[1], "length", 1, 1 << 20, &len)) return NULL;
  ifr.ifr_qlen = (int)len;
  if (!IF_IOCTL(env, SIOCSIFTXQLEN, &ifr, "cannot set the queue length of")) return NULL;
  return NULL;
}
