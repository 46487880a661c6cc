/*
 * gonet_tap: the project's Linux TAP addon (DESIGN.md §4).
 *
 * Plain C on node_api.h (N-API 8). Everything here runs on the Node main
 * thread; there are no native threads and no locks.
 *
 * JS API (typed in src/link/TapAddon.ts):
 *
 *   open(name, { requireExisting? }) -> handle { fd, name }
 *       Opens /dev/net/tun (O_RDWR|O_NONBLOCK|O_CLOEXEC) and attaches it to
 *       the TAP `name` with IFF_TAP|IFF_NO_PI. Without requireExisting a
 *       missing interface is created (needs CAP_NET_ADMIN); it is not
 *       persistent, so it disappears when the fd is closed. `name` is resolved
 *       in the network namespace of this process.
 *   startReading(handle, callback(frames, error?))
 *       A uv_poll watcher (UV_READABLE) on the loop. Each wake does up to
 *       MAX_BATCH non-blocking read()s into one reused buffer, copies the batch
 *       into ONE fresh ArrayBuffer and calls `callback` ONCE with an array of
 *       Uint8Array views into it: JS owns them. `error` is present when reading
 *       hit a hard error; reading has then stopped (the fd stays open).
 *   stopReading(handle), close(handle)      both idempotent; close stops the
 *       watcher, closes the fd and may be called from inside the callback.
 *   write(handle, frame) -> boolean         one synchronous write()
 *   writeBatch(handle, frames) -> number    frames written
 *   counters(handle) -> { readErrors, writeErrors, writeFull }
 *   setUp(ifname, up), setAddress(ifname, ipv4 string | uint32, prefixLength),
 *   setMtu(ifname, mtu), setTxQueueLength(ifname, n), getMtu(ifname), getMac(ifname), ifIndex(ifname)
 *       host-side configuration via ioctl on an AF_INET datagram socket in the
 *       current network namespace.
 *   setRealtime(priority 0..99)
 *       every current thread of the process to SCHED_FIFO (with
 *       SCHED_RESET_ON_FORK) at 1..99, back to SCHED_OTHER at 0.
 *   getScheduler() -> { policy, priority }   the calling thread's
 *
 * Errors are JS Error objects with `code` (errno name, e.g. "EPERM"; "ENOENT"
 * when /dev/net/tun or its driver is missing), `errno` (number) and
 * `syscall`; the message states the fact, src/link/TapAddon.ts adds the hint.
 *
 * Lifetime: the native state `tap_t` is wrapped into the handle object. It is
 * freed only when BOTH the JS wrapper has been finalized AND libuv has
 * finished closing the poll handle, so neither a GC nor a close() issued from
 * inside the read callback can free memory that is still in use.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <node_api.h>

#define GONET_CODE_LEN 32
#define GONET_MSG_LEN 256
#define GONET_OUT_LEN (GONET_MSG_LEN + 160) /* "<what>: <strerror>" */

/* ------------------------------------------------------------------------- */
/* N-API plumbing shared by both builds                                        */

/* Throw a JS Error carrying code / errno / syscall. Never throws twice. */
static void throw_coded(napi_env env, const char *code, int errnum,
                        const char *syscall, const char *message) {
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) return;
  napi_value js_code, js_msg, err, num, sc;
  if (napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &js_code) != napi_ok ||
      napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &js_msg) != napi_ok ||
      napi_create_error(env, js_code, js_msg, &err) != napi_ok) {
    napi_throw_error(env, code, message);
    return;
  }
  if (errnum != 0 && napi_create_int32(env, errnum, &num) == napi_ok)
    napi_set_named_property(env, err, "errno", num);
  if (syscall != NULL &&
      napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sc) == napi_ok)
    napi_set_named_property(env, err, "syscall", sc);
  napi_throw(env, err);
}

/* Report a failed napi_* call as a JS error (unless one is pending). */
static void throw_napi(napi_env env, napi_status status, const char *what) {
  const napi_extended_error_info *info = NULL;
  char msg[GONET_MSG_LEN];
  const char *detail = "unknown N-API failure";
  if (napi_get_last_error_info(env, &info) == napi_ok && info != NULL &&
      info->error_message != NULL)
    detail = info->error_message;
  snprintf(msg, sizeof msg, "gonet_tap: %s failed: %s (status %d)", what,
           detail, (int)status);
  throw_coded(env, "ENAPI", 0, NULL, msg);
}

#define NAPI_CALL(env, call)                                                 \
  do {                                                                       \
    napi_status status_ = (call);                                            \
    if (status_ != napi_ok) {                                                \
      throw_napi((env), status_, #call);                                     \
      return NULL;                                                           \
    }                                                                        \
  } while (0)

static napi_value export_fn(napi_env env, napi_value exports, const char *name,
                            napi_callback cb) {
  napi_value fn;
  NAPI_CALL(env, napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, NULL, &fn));
  NAPI_CALL(env, napi_set_named_property(env, exports, name, fn));
  return fn;
}

#ifndef GONET_TAP_UNSUPPORTED
/* ========================================================================= */
/* Linux                                                                      */

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <linux/if_tun.h>
#include <dirent.h>
#include <sched.h>
#include <sys/syscall.h>

#include <uv.h>

/* Frames per wake, and the read buffer. A read is only issued while at least
 * MAX_FRAME octets remain, so the kernel can never truncate a frame: a TAP
 * without IFF_VNET_HDR hands over whole frames of at most 65535 octets (its
 * largest MTU is 65535 - 14 = 65521; measured: 65442-octet frames arrive
 * intact). 256 KiB holds 64 full 1514-octet frames with room left. */
#define MAX_BATCH 64
#define MAX_FRAME (65536 + 64)
#define READ_BUF (256 * 1024)

typedef struct tap_s {
  napi_env env;
  int fd;                       /* -1 once closed */
  char name[IFNAMSIZ];          /* actual interface name */
  uv_poll_t poll;
  bool poll_init;               /* uv_poll_init done, uv_close not yet called */
  bool poll_live;               /* libuv owns `poll` (until its close_cb ran) */
  bool reading;                 /* watcher started */
  bool wrapper_live;            /* JS handle object not yet finalized */
  bool in_callback;             /* inside the JS read callback */
  napi_ref callback;            /* strong ref while reading */
  napi_async_context async_ctx; /* for napi_make_callback, while reading */
  napi_async_context active_ctx;  /* the one the running callback uses */
  napi_async_context retired_ctx; /* released during the call: destroy after */
  uint8_t *buf;                 /* READ_BUF octets, allocated on first start */
  uint32_t lens[MAX_BATCH];
  uint32_t offs[MAX_BATCH];
  double read_errors;           /* hard read errors */
  double write_errors;          /* writes refused for reasons other than full */
  double write_full;            /* writes refused with EAGAIN/ENOBUFS/ENOMEM */
} tap_t;

/* A random 128-bit tag so a handle from elsewhere is never taken for ours. */
static const napi_type_tag TAP_TAG = {0x6f6e6574746170ULL, 0x9b3c51f2a4d8e017ULL};

/* --- errno helpers -------------------------------------------------------- */

static const char *errno_name(int e) {
  switch (e) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EINTR: return "EINTR";
    case EIO: return "EIO";
    case ENXIO: return "ENXIO";
    case EBADF: return "EBADF";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case ENODEV: return "ENODEV";
    case EINVAL: return "EINVAL";
    case ENFILE: return "ENFILE";
    case EMFILE: return "EMFILE";
    case ENOTTY: return "ENOTTY";
    case ENOSPC: return "ENOSPC";
    case ERANGE: return "ERANGE";
    case ENOSYS: return "ENOSYS";
    case ENOBUFS: return "ENOBUFS";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case ENETDOWN: return "ENETDOWN";
    case EBADFD: return "EBADFD";
    case EMSGSIZE: return "EMSGSIZE";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    default: return "EUNKNOWN";
  }
}

/* Throw for errno `e`, message "<what>: <strerror>". */
static void throw_errno(napi_env env, int e, const char *syscall,
                        const char *what) {
  char msg[GONET_OUT_LEN];
  char sys[128];
  /* GNU strerror_r may return a static string instead of filling `sys`. */
  const char *text = strerror_r(e, sys, sizeof sys);
  snprintf(msg, sizeof msg, "%s: %s", what, text);
  throw_coded(env, errno_name(e), e, syscall, msg);
}

/* --- argument helpers ----------------------------------------------------- */

/* The first `want` arguments of a call into argv, or false with a TypeError
 * ("EINVAL", `usage`) pending when fewer were passed. */
static bool get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv,
                     const char *usage) {
  size_t argc = want;
  napi_status s = napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (s != napi_ok) {
    throw_napi(env, s, "napi_get_cb_info");
    return false;
  }
  if (argc < want) {
    napi_throw_type_error(env, "EINVAL", usage);
    return false;
  }
  return true;
}

/* Kernel rules (dev_valid_name): 1..IFNAMSIZ-1 octets, not "." or "..", no
 * '/', ':' or whitespace. Throws EINVAL with an explanation. */
static bool get_ifname(napi_env env, napi_value v, char out[IFNAMSIZ]) {
  napi_valuetype t;
  size_t len = 0;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_string) {
    throw_coded(env, "EINVAL", EINVAL, NULL, "interface name must be a string");
    return false;
  }
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) {
    throw_napi(env, napi_generic_failure, "napi_get_value_string_utf8");
    return false;
  }
  if (len == 0 || len >= IFNAMSIZ) {
    char msg[GONET_MSG_LEN];
    snprintf(msg, sizeof msg,
             "invalid interface name: it must be 1 to %d octets long, got %zu",
             IFNAMSIZ - 1, len);
    throw_coded(env, "EINVAL", EINVAL, NULL, msg);
    return false;
  }
  memset(out, 0, IFNAMSIZ);
  if (napi_get_value_string_utf8(env, v, out, IFNAMSIZ, &len) != napi_ok) {
    throw_napi(env, napi_generic_failure, "napi_get_value_string_utf8");
    return false;
  }
  bool bad = strcmp(out, ".") == 0 || strcmp(out, "..") == 0;
  for (size_t i = 0; i < len && !bad; i++) {
    unsigned char c = (unsigned char)out[i];
    if (c == '/' || c == ':' || c <= ' ' || c == 0x7f) bad = true;
  }
  if (bad) {
    char msg[GONET_MSG_LEN];
    snprintf(msg, sizeof msg,
             "invalid interface name \"%s\": no '/', ':', whitespace or control "
             "characters, and not \".\" or \"..\"",
             out);
    throw_coded(env, "EINVAL", EINVAL, NULL, msg);
    return false;
  }
  return true;
}

/* options[key] as a boolean; absent or undefined is false. Throws on a
 * wrong type and on N-API failure. */
static bool get_bool_prop(napi_env env, napi_value obj, const char *key,
                          bool *out) {
  napi_valuetype t;
  bool has = false;
  napi_value v;
  napi_status s;
  *out = false;
  if ((s = napi_typeof(env, obj, &t)) != napi_ok) goto napi_fail;
  if (t == napi_undefined || t == napi_null) return true;
  if (t != napi_object) {
    throw_coded(env, "EINVAL", EINVAL, NULL, "options must be an object");
    return false;
  }
  if ((s = napi_has_named_property(env, obj, key, &has)) != napi_ok) goto napi_fail;
  if (!has) return true;
  if ((s = napi_get_named_property(env, obj, key, &v)) != napi_ok) goto napi_fail;
  if ((s = napi_typeof(env, v, &t)) != napi_ok) goto napi_fail;
  if (t == napi_undefined) return true;
  if (t != napi_boolean) {
    char msg[GONET_MSG_LEN];
    snprintf(msg, sizeof msg, "option %s must be a boolean", key);
    throw_coded(env, "EINVAL", EINVAL, NULL, msg);
    return false;
  }
  if ((s = napi_get_value_bool(env, v, out)) != napi_ok) goto napi_fail;
  return true;
napi_fail:
  throw_napi(env, s, "reading an option");
  return false;
}

static bool get_int(napi_env env, napi_value v, const char *what, int64_t lo,
                    int64_t hi, int64_t *out) {
  napi_valuetype t;
  double d;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_number ||
      napi_get_value_double(env, v, &d) != napi_ok || d != d ||
      d < (double)lo || d > (double)hi || d != (double)(int64_t)d) {
    char msg[GONET_MSG_LEN];
    snprintf(msg, sizeof msg, "%s must be an integer in %lld..%lld", what,
             (long long)lo, (long long)hi);
    throw_coded(env, "EINVAL", EINVAL, NULL, msg);
    return false;
  }
  *out = (int64_t)d;
  return true;
}

/* The tap_t behind a handle, or NULL with a TypeError pending. */
static tap_t *get_tap(napi_env env, napi_value handle) {
  napi_valuetype t;
  bool tagged = false;
  void *p = NULL;
  if (napi_typeof(env, handle, &t) != napi_ok || t != napi_object ||
      napi_check_object_type_tag(env, handle, &TAP_TAG, &tagged) != napi_ok ||
      !tagged || napi_unwrap(env, handle, &p) != napi_ok || p == NULL) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (!pending) napi_throw_type_error(env, "EINVAL", "not a gonet_tap handle");
    return NULL;
  }
  return (tap_t *)p;
}

/* Data and length of a Uint8Array (Buffer included), or false with a
 * TypeError pending. */
static bool get_bytes(napi_env env, napi_value v, uint8_t **data, size_t *len) {
  napi_typedarray_type type;
  void *p = NULL;
  size_t length = 0;
  /* napi_invalid_arg for anything that is not a typed array: one call per
   * frame on the write path, not two. */
  if (napi_get_typedarray_info(env, v, &type, &length, &p, NULL, NULL) != napi_ok ||
      type != napi_uint8_array) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (!pending) napi_throw_type_error(env, "EINVAL", "frame must be a Uint8Array");
    return false;
  }
  *data = (uint8_t *)p;
  *len = length;
  return true;
}

/* --- lifetime ------------------------------------------------------------- */

static void maybe_free(tap_t *t) {
  if (t->wrapper_live || t->poll_live) return;
  free(t->buf);
  free(t);
}

static void on_poll_closed(uv_handle_t *h) {
  tap_t *t = (tap_t *)h->data;
  t->poll_live = false;
  maybe_free(t);
}

/* Drop the callback reference and the async context. The reference can go at
 * once, even from inside the callback (the running call holds the function in
 * a local handle); the async context the running call was made with is kept
 * until napi_make_callback has returned. */
static void release_js(napi_env env, tap_t *t) {
  if (t->callback != NULL) {
    napi_delete_reference(env, t->callback);
    t->callback = NULL;
  }
  if (t->async_ctx != NULL) {
    if (t->in_callback && t->async_ctx == t->active_ctx)
      t->retired_ctx = t->async_ctx;
    else
      napi_async_destroy(env, t->async_ctx);
    t->async_ctx = NULL;
  }
}

static void stop_reading(napi_env env, tap_t *t) {
  if (t->reading) {
    uv_poll_stop(&t->poll); /* also removes the fd from epoll */
    t->reading = false;
  }
  release_js(env, t);
}

/* Stop, close the poll handle and the fd. Idempotent. */
static void shutdown_tap(napi_env env, tap_t *t) {
  stop_reading(env, t);
  if (t->poll_init) {
    t->poll_init = false;
    uv_close((uv_handle_t *)&t->poll, on_poll_closed);
  }
  if (t->fd >= 0) {
    /* After uv_poll_stop the fd is out of epoll, so closing it now cannot
     * confuse libuv. close() on Linux releases the fd even on EINTR. */
    close(t->fd);
    t->fd = -1;
  }
}

static void finalize_tap(napi_env env, void *data, void *hint) {
  tap_t *t = (tap_t *)data;
  shutdown_tap(env, t);
  t->wrapper_live = false;
  maybe_free(t);
}

/* --- open / close --------------------------------------------------------- */

static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  char name[IFNAMSIZ];
  char msg[GONET_MSG_LEN];
  bool require_existing = false;

  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) {
    throw_coded(env, "EINVAL", EINVAL, NULL, "open(name, options) needs a name");
    return NULL;
  }
  if (!get_ifname(env, argv[0], name)) return NULL;
  if (argc >= 2 && !get_bool_prop(env, argv[1], "requireExisting", &require_existing))
    return NULL;

  /* if_nametoindex resolves in this process's network namespace, as
   * TUNSETIFF does. A name with a %d template never "exists". */
  bool exists = if_nametoindex(name) != 0;
  if (require_existing && !exists) {
    snprintf(msg, sizeof msg,
             "no network interface named %s in this network namespace", name);
    throw_coded(env, "ENODEV", ENODEV, "if_nametoindex", msg);
    return NULL;
  }

  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    if (e == ENOENT || e == ENXIO || e == ENODEV) {
      /* no device node (ENOENT) or no tun driver behind it (ENXIO/ENODEV) */
      snprintf(msg, sizeof msg, "cannot open /dev/net/tun: %s",
               e == ENOENT ? "no such file" : "no TUN/TAP driver in this kernel");
      throw_coded(env, "ENOENT", e, "open", msg);
    } else if (e == EPERM || e == EACCES) {
      throw_coded(env, errno_name(e), e, "open", "cannot open /dev/net/tun: not permitted");
    } else {
      throw_errno(env, e, "open", "cannot open /dev/net/tun");
    }
    return NULL;
  }

  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  memcpy(ifr.ifr_name, name, IFNAMSIZ);
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    int e = errno;
    close(fd);
    switch (e) {
      case EPERM:
      case EACCES:
        snprintf(msg, sizeof msg,
                 exists ? "cannot attach to TAP %s: not permitted"
                        : "cannot create TAP %s: not permitted",
                 name);
        throw_coded(env, errno_name(e), e, "ioctl(TUNSETIFF)", msg);
        break;
      case EBUSY:
        snprintf(msg, sizeof msg, "TAP %s is busy: another process has it open", name);
        throw_coded(env, "EBUSY", e, "ioctl(TUNSETIFF)", msg);
        break;
      case EINVAL:
        if (exists)
          snprintf(msg, sizeof msg,
                   "interface %s exists and is not a TAP device (or not one "
                   "usable as IFF_TAP|IFF_NO_PI)",
                   name);
        else
          snprintf(msg, sizeof msg, "invalid TAP name %s", name);
        throw_coded(env, "EINVAL", e, "ioctl(TUNSETIFF)", msg);
        break;
      default:
        snprintf(msg, sizeof msg, "cannot open TAP %s", name);
        throw_errno(env, e, "ioctl(TUNSETIFF)", msg);
    }
    return NULL;
  }

  tap_t *t = (tap_t *)calloc(1, sizeof *t);
  if (t == NULL) {
    close(fd);
    throw_coded(env, "ENOMEM", ENOMEM, NULL, "gonet_tap: out of memory");
    return NULL;
  }
  t->env = env;
  t->fd = fd;
  memcpy(t->name, ifr.ifr_name, IFNAMSIZ);
  t->name[IFNAMSIZ - 1] = '\0';

  napi_value obj, js_fd, js_name;
  napi_status s = napi_create_object(env, &obj);
  if (s == napi_ok) s = napi_create_int32(env, fd, &js_fd);
  if (s == napi_ok) s = napi_create_string_utf8(env, t->name, NAPI_AUTO_LENGTH, &js_name);
  if (s == napi_ok) {
    napi_property_descriptor props[] = {
        {"fd", NULL, NULL, NULL, NULL, js_fd, napi_enumerable, NULL},
        {"name", NULL, NULL, NULL, NULL, js_name, napi_enumerable, NULL},
    };
    s = napi_define_properties(env, obj, 2, props);
  }
  if (s == napi_ok) s = napi_type_tag_object(env, obj, &TAP_TAG);
  if (s == napi_ok) {
    t->wrapper_live = true;
    s = napi_wrap(env, obj, t, finalize_tap, NULL, NULL);
    if (s != napi_ok) t->wrapper_live = false;
  }
  if (s != napi_ok) {
    close(fd);
    free(t);
    throw_napi(env, s, "creating the TAP handle");
    return NULL;
  }
  return obj;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv, "close(handle) needs a handle")) return NULL;
  tap_t *t = get_tap(env, argv[0]);
  if (t == NULL) return NULL;
  shutdown_tap(env, t);
  return NULL;
}

/* --- reading -------------------------------------------------------------- */

static napi_value make_errno_error(napi_env env, int e, const char *what) {
  char msg[GONET_OUT_LEN];
  char sys[128];
  napi_value code, text, err, num;
  snprintf(msg, sizeof msg, "%s: %s", what, strerror_r(e, sys, sizeof sys));
  if (napi_create_string_utf8(env, errno_name(e), NAPI_AUTO_LENGTH, &code) != napi_ok ||
      napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &text) != napi_ok ||
      napi_create_error(env, code, text, &err) != napi_ok)
    return NULL;
  if (napi_create_int32(env, e, &num) == napi_ok)
    napi_set_named_property(env, err, "errno", num);
  return err;
}

/* Call the JS callback with (frames, error?) inside a proper callback scope,
 * so microtasks run afterwards and a throw becomes an uncaughtException. */
static void deliver(tap_t *t, size_t total, uint32_t count, int err) {
  napi_env env = t->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;

  napi_value fn, recv, arr, args[2];
  size_t argc = 1;
  void *data = NULL;
  napi_value ab;
  bool ok = t->callback != NULL &&
            napi_get_reference_value(env, t->callback, &fn) == napi_ok && fn != NULL &&
            /* napi_make_callback insists on an object receiver */
            napi_get_global(env, &recv) == napi_ok &&
            napi_create_array_with_length(env, count, &arr) == napi_ok;
  if (ok && count > 0) {
    /* One allocation per batch: JS owns the ArrayBuffer and every view. */
    ok = napi_create_arraybuffer(env, total, &data, &ab) == napi_ok;
    if (ok) memcpy(data, t->buf, total);
    for (uint32_t i = 0; ok && i < count; i++) {
      napi_value view;
      ok = napi_create_typedarray(env, napi_uint8_array, t->lens[i], ab, t->offs[i],
                                  &view) == napi_ok &&
           napi_set_element(env, arr, i, view) == napi_ok;
    }
  }
  if (ok) {
    args[0] = arr;
    if (err != 0) {
      char what[GONET_MSG_LEN];
      if (err == EBADFD)
        snprintf(what, sizeof what,
                 "TAP %s is gone (deleted, or its network namespace was removed)",
                 t->name);
      else
        snprintf(what, sizeof what, "reading from TAP %s failed", t->name);
      args[1] = make_errno_error(env, err, what);
      if (args[1] != NULL) argc = 2;
    }
    napi_value result;
    t->in_callback = true;
    t->active_ctx = t->async_ctx;
    napi_status s = napi_make_callback(env, t->active_ctx, recv, fn, argc, args, &result);
    t->in_callback = false;
    t->active_ctx = NULL;
    if (t->retired_ctx != NULL) {
      napi_async_destroy(env, t->retired_ctx);
      t->retired_ctx = NULL;
    }
    if (s == napi_pending_exception) {
      napi_value exc;
      if (napi_get_and_clear_last_exception(env, &exc) == napi_ok)
        napi_fatal_exception(env, exc);
    }
  } else {
    /* could not build the batch (out of memory): count it as lost */
    t->read_errors += 1;
  }
  napi_close_handle_scope(env, scope);
}

static void on_poll(uv_poll_t *h, int status, int events) {
  tap_t *t = (tap_t *)h->data;
  if (t->fd < 0 || !t->reading) return;

  int err = 0;
  size_t off = 0;
  uint32_t count = 0;
  if (status < 0) {
    /* libuv already stopped the watcher (e.g. POLLERR once the device went
     * away); the fd itself stays open until close(). */
    t->reading = false;
    err = status == UV_EBADF ? EBADFD : -status;
  } else {
    while (count < MAX_BATCH && READ_BUF - off >= MAX_FRAME) {
      ssize_t n = read(t->fd, t->buf + off, READ_BUF - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) err = errno;
        break;
      }
      if (n == 0) break;
      t->offs[count] = (uint32_t)off;
      t->lens[count] = (uint32_t)n;
      off += (size_t)n;
      count++;
    }
    if (err != 0) {
      /* A hard error would repeat on every wake (level-triggered): stop. */
      uv_poll_stop(&t->poll);
      t->reading = false;
    }
  }
  if (err != 0) t->read_errors += 1;
  if (count == 0 && err == 0) return;
  deliver(t, off, count, err);
  /* The callback may have stopped or closed us. `t` itself is still valid:
   * it is freed only from the poll handle's close callback, which libuv runs
   * after this function returns. */
  if (!t->reading) release_js(t->env, t);
}

static napi_value js_start_reading(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  napi_valuetype type;
  if (!get_args(env, info, 2, argv, "startReading(handle, callback)")) return NULL;
  tap_t *t = get_tap(env, argv[0]);
  if (t == NULL) return NULL;
  NAPI_CALL(env, napi_typeof(env, argv[1], &type));
  if (type != napi_function) {
    napi_throw_type_error(env, "EINVAL", "callback must be a function");
    return NULL;
  }
  if (t->fd < 0) {
    throw_coded(env, "EBADF", EBADF, NULL, "the TAP handle is closed");
    return NULL;
  }
  stop_reading(env, t); /* restart = replace the callback */

  if (t->buf == NULL) {
    t->buf = (uint8_t *)malloc(READ_BUF);
    if (t->buf == NULL) {
      throw_coded(env, "ENOMEM", ENOMEM, NULL, "gonet_tap: out of memory");
      return NULL;
    }
  }
  uv_loop_t *loop = NULL;
  NAPI_CALL(env, napi_get_uv_event_loop(env, &loop));
  if (!t->poll_init) {
    int r = uv_poll_init(loop, &t->poll, t->fd);
    if (r < 0) {
      throw_errno(env, -r, "uv_poll_init", "cannot watch the TAP fd");
      return NULL;
    }
    t->poll.data = t;
    t->poll_init = true;
    t->poll_live = true;
  }

  napi_value resource, resource_name;
  NAPI_CALL(env, napi_create_object(env, &resource));
  NAPI_CALL(env, napi_create_string_utf8(env, "GonetTapRead", NAPI_AUTO_LENGTH,
                                         &resource_name));
  NAPI_CALL(env, napi_async_init(env, resource, resource_name, &t->async_ctx));
  napi_status s = napi_create_reference(env, argv[1], 1, &t->callback);
  if (s != napi_ok) {
    release_js(env, t);
    throw_napi(env, s, "napi_create_reference");
    return NULL;
  }
  int r = uv_poll_start(&t->poll, UV_READABLE, on_poll);
  if (r < 0) {
    release_js(env, t);
    throw_errno(env, -r, "uv_poll_start", "cannot watch the TAP fd");
    return NULL;
  }
  t->reading = true;
  return NULL;
}

static napi_value js_stop_reading(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv, "stopReading(handle) needs a handle")) return NULL;
  tap_t *t = get_tap(env, argv[0]);
  if (t == NULL) return NULL;
  stop_reading(env, t);
  return NULL;
}

/* --- writing -------------------------------------------------------------- */

/* One frame, one write(). */
static bool write_frame(tap_t *t, const uint8_t *data, size_t len) {
  if (t->fd < 0) return false;
  for (;;) {
    ssize_t n = write(t->fd, data, len);
    if (n >= 0) {
      if ((size_t)n == len) return true;
      t->write_errors += 1; /* a TAP write is all or nothing; be safe */
      return false;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS || errno == ENOMEM)
      t->write_full += 1;
    else
      t->write_errors += 1;
    return false;
  }
}

static napi_value js_write(napi_env env, napi_callback_info info) {
  napi_value argv[2], result;
  uint8_t *data;
  size_t len;
  if (!get_args(env, info, 2, argv, "write(handle, frame)")) return NULL;
  tap_t *t = get_tap(env, argv[0]);
  if (t == NULL || !get_bytes(env, argv[1], &data, &len)) return NULL;
  NAPI_CALL(env, napi_get_boolean(env, write_frame(t, data, len), &result));
  return result;
}

static napi_value js_write_batch(napi_env env, napi_callback_info info) {
  napi_value argv[2], result;
  bool is_array = false;
  uint32_t n = 0, written = 0;
  if (!get_args(env, info, 2, argv, "writeBatch(handle, frames)")) return NULL;
  tap_t *t = get_tap(env, argv[0]);
  if (t == NULL) return NULL;
  NAPI_CALL(env, napi_is_array(env, argv[1], &is_array));
  if (!is_array) {
    napi_throw_type_error(env, "EINVAL", "frames must be an array of Uint8Array");
    return NULL;
  }
  NAPI_CALL(env, napi_get_array_length(env, argv[1], &n));
  for (uint32_t i = 0; i < n; i++) {
    napi_value el;
    uint8_t *data;
    size_t len;
    NAPI_CALL(env, napi_get_element(env, argv[1], i, &el));
    if (!get_bytes(env, el, &data, &len)) return NULL;
    if (write_frame(t, data, len)) written++;
  }
  NAPI_CALL(env, napi_create_uint32(env, written, &result));
  return result;
}

static napi_value js_counters(napi_env env, napi_callback_info info) {
  napi_value argv[1], obj, v;
  if (!get_args(env, info, 1, argv, "counters(handle) needs a handle")) return NULL;
  tap_t *t = get_tap(env, argv[0]);
  if (t == NULL) return NULL;
  NAPI_CALL(env, napi_create_object(env, &obj));
  NAPI_CALL(env, napi_create_double(env, t->read_errors, &v));
  NAPI_CALL(env, napi_set_named_property(env, obj, "readErrors", v));
  NAPI_CALL(env, napi_create_double(env, t->write_errors, &v));
  NAPI_CALL(env, napi_set_named_property(env, obj, "writeErrors", v));
  NAPI_CALL(env, napi_create_double(env, t->write_full, &v));
  NAPI_CALL(env, napi_set_named_property(env, obj, "writeFull", v));
  return obj;
}

/* --- host-side configuration ---------------------------------------------- */

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

static bool prep_ifr(napi_env env, napi_value name, struct ifreq *ifr) {
  memset(ifr, 0, sizeof *ifr);
  return get_ifname(env, name, ifr->ifr_name);
}

static napi_value js_set_up(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  struct ifreq ifr;
  bool up = false;
  if (!get_args(env, info, 2, argv, "setUp(ifname, up)")) return NULL;
  if (!prep_ifr(env, argv[0], &ifr)) return NULL;
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

static napi_value js_set_address(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  struct ifreq ifr;
  struct in_addr addr;
  napi_valuetype t;
  int64_t prefix;
  if (!get_args(env, info, 3, argv, "setAddress(ifname, address, prefixLength)")) return NULL;
  if (!prep_ifr(env, argv[0], &ifr)) return NULL;
  NAPI_CALL(env, napi_typeof(env, argv[1], &t));
  if (t == napi_string) {
    char text[INET_ADDRSTRLEN];
    size_t len = 0;
    NAPI_CALL(env, napi_get_value_string_utf8(env, argv[1], text, sizeof text, &len));
    if (len >= sizeof text - 1 || inet_pton(AF_INET, text, &addr) != 1) {
      throw_coded(env, "EINVAL", EINVAL, NULL,
                  "address must be a dotted-quad IPv4 address");
      return NULL;
    }
  } else {
    int64_t v;
    if (!get_int(env, argv[1], "address", 0, 0xffffffffLL, &v)) return NULL;
    addr.s_addr = htonl((uint32_t)v);
  }
  if (!get_int(env, argv[2], "prefixLength", 0, 32, &prefix)) return NULL;

  struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
  sin->sin_family = AF_INET;
  sin->sin_addr = addr;
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

static napi_value js_set_mtu(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  struct ifreq ifr;
  int64_t mtu;
  if (!get_args(env, info, 2, argv, "setMtu(ifname, mtu)")) return NULL;
  if (!prep_ifr(env, argv[0], &ifr)) return NULL;
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
static napi_value js_set_tx_queue_len(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  struct ifreq ifr;
  int64_t len;
  if (!get_args(env, info, 2, argv, "setTxQueueLength(ifname, length)")) return NULL;
  if (!prep_ifr(env, argv[0], &ifr)) return NULL;
  if (!get_int(env, argv[1], "length", 1, 1 << 20, &len)) return NULL;
  ifr.ifr_qlen = (int)len;
  if (!IF_IOCTL(env, SIOCSIFTXQLEN, &ifr, "cannot set the queue length of")) return NULL;
  return NULL;
}

static napi_value js_get_mtu(napi_env env, napi_callback_info info) {
  napi_value argv[1], result;
  struct ifreq ifr;
  if (!get_args(env, info, 1, argv, "getMtu(ifname)")) return NULL;
  if (!prep_ifr(env, argv[0], &ifr)) return NULL;
  if (!IF_IOCTL(env, SIOCGIFMTU, &ifr, "cannot read the MTU of")) return NULL;
  NAPI_CALL(env, napi_create_int32(env, ifr.ifr_mtu, &result));
  return result;
}

static napi_value js_get_mac(napi_env env, napi_callback_info info) {
  napi_value argv[1], ab, result;
  struct ifreq ifr;
  void *data;
  if (!get_args(env, info, 1, argv, "getMac(ifname)")) return NULL;
  if (!prep_ifr(env, argv[0], &ifr)) return NULL;
  if (!IF_IOCTL(env, SIOCGIFHWADDR, &ifr, "cannot read the hardware address of"))
    return NULL;
  if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
    char msg[GONET_MSG_LEN];
    snprintf(msg, sizeof msg, "interface %.*s is not an Ethernet device", IFNAMSIZ,
             ifr.ifr_name);
    throw_coded(env, "EINVAL", EINVAL, "ioctl(SIOCGIFHWADDR)", msg);
    return NULL;
  }
  NAPI_CALL(env, napi_create_arraybuffer(env, 6, &data, &ab));
  memcpy(data, ifr.ifr_hwaddr.sa_data, 6);
  NAPI_CALL(env, napi_create_typedarray(env, napi_uint8_array, 6, ab, 0, &result));
  return result;
}

static napi_value js_if_index(napi_env env, napi_callback_info info) {
  napi_value argv[1], result;
  char name[IFNAMSIZ];
  if (!get_args(env, info, 1, argv, "ifIndex(ifname)")) return NULL;
  if (!get_ifname(env, argv[0], name)) return NULL;
  NAPI_CALL(env, napi_create_uint32(env, if_nametoindex(name), &result));
  return result;
}

/* --- scheduling ------------------------------------------------------------ */

/* setRealtime(priority): every thread of this process to SCHED_FIFO at
 * `priority` 1..99, or back to SCHED_OTHER with 0. All threads, not only the
 * main thread that runs the fibers: the main thread waits for V8's helper
 * threads (parallel scavenges), and a helper left at the normal policy behind
 * busy processes turns into a priority inversion (measured: p99 RTT 409 ms
 * with 1000 pings when only the main thread was raised, 1 ms with all).
 * SCHED_RESET_ON_FORK keeps threads and processes created later (the libuv
 * pool, children) at the normal policy. The kernel's RT throttling
 * (sched_rt_runtime_us) still leaves the rest of the machine its share if a
 * thread ever spins. The calling thread goes first, so a refusal leaves the
 * process as it was. */
static int set_policy(pid_t tid, int priority) {
  struct sched_param param;
  memset(&param, 0, sizeof param);
  param.sched_priority = priority;
  int policy = priority == 0 ? SCHED_OTHER : (SCHED_FIFO | SCHED_RESET_ON_FORK);
  return sched_setscheduler(tid, policy, &param) < 0 ? errno : 0;
}

static napi_value js_set_realtime(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int64_t priority;
  if (!get_args(env, info, 1, argv, "setRealtime(priority)") ||
      !get_int(env, argv[0], "priority", 0, 99, &priority))
    return NULL;
  int e = set_policy(0, (int)priority);
  if (e == 0) {
    pid_t self = (pid_t)syscall(SYS_gettid);
    DIR *dir = opendir("/proc/self/task");
    if (dir == NULL) {
      e = errno;
    } else {
      struct dirent *d;
      while (e == 0 && (d = readdir(dir)) != NULL) {
        char *end;
        long tid = strtol(d->d_name, &end, 10);
        if (*end != '\0' || tid <= 0 || tid == self) continue;
        int r = set_policy((pid_t)tid, priority);
        if (r != ESRCH) e = r; /* ESRCH: the thread has just ended */
      }
      closedir(dir);
    }
  }
  if (e != 0) {
    if (e == EPERM || e == EACCES)
      throw_coded(env, errno_name(e), e, "sched_setscheduler",
                  priority == 0 ? "cannot leave SCHED_FIFO: not permitted"
                                : "cannot set SCHED_FIFO: not permitted");
    else
      throw_errno(env, e, "sched_setscheduler", "cannot set the scheduling policy");
    return NULL;
  }
  return NULL;
}

/* getScheduler() -> { policy: "other" | "fifo" | "rr" | ..., priority } of the
 * calling thread. */
static napi_value js_get_scheduler(napi_env env, napi_callback_info info) {
  (void)info;
  int policy = sched_getscheduler(0);
  struct sched_param param;
  if (policy < 0 || sched_getparam(0, &param) < 0) {
    throw_errno(env, errno, "sched_getscheduler", "cannot read the scheduling policy");
    return NULL;
  }
  const char *name;
  switch (policy & ~SCHED_RESET_ON_FORK) {
    case SCHED_OTHER: name = "other"; break;
    case SCHED_FIFO: name = "fifo"; break;
    case SCHED_RR: name = "rr"; break;
    case SCHED_BATCH: name = "batch"; break;
    case SCHED_IDLE: name = "idle"; break;
    default: name = "unknown"; break;
  }
  napi_value result, v;
  NAPI_CALL(env, napi_create_object(env, &result));
  NAPI_CALL(env, napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &v));
  NAPI_CALL(env, napi_set_named_property(env, result, "policy", v));
  NAPI_CALL(env, napi_create_int32(env, param.sched_priority, &v));
  NAPI_CALL(env, napi_set_named_property(env, result, "priority", v));
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  static const struct {
    const char *name;
    napi_callback cb;
  } fns[] = {
      {"open", js_open},
      {"close", js_close},
      {"startReading", js_start_reading},
      {"stopReading", js_stop_reading},
      {"write", js_write},
      {"writeBatch", js_write_batch},
      {"counters", js_counters},
      {"setUp", js_set_up},
      {"setAddress", js_set_address},
      {"setMtu", js_set_mtu},
      {"setTxQueueLength", js_set_tx_queue_len},
      {"getMtu", js_get_mtu},
      {"getMac", js_get_mac},
      {"ifIndex", js_if_index},
      {"setRealtime", js_set_realtime},
      {"getScheduler", js_get_scheduler},
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
    if (export_fn(env, exports, fns[i].name, fns[i].cb) == NULL) return NULL;
  napi_value v;
  NAPI_CALL(env, napi_create_uint32(env, MAX_BATCH, &v));
  NAPI_CALL(env, napi_set_named_property(env, exports, "maxBatch", v));
  NAPI_CALL(env, napi_create_uint32(env, MAX_FRAME, &v));
  NAPI_CALL(env, napi_set_named_property(env, exports, "maxFrame", v));
  return exports;
}

#else /* GONET_TAP_UNSUPPORTED */
/* ========================================================================= */
/* Not Linux: the module loads, and every call reports ENOTSUP.               */

static napi_value js_unsupported(napi_env env, napi_callback_info info) {
  throw_coded(env, "ENOTSUP", 0, NULL, "TAP devices are only supported on Linux");
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  static const char *const names[] = {
      "open", "close", "startReading", "stopReading", "write", "writeBatch",
      "counters", "setUp", "setAddress", "setMtu", "setTxQueueLength", "getMtu", "getMac", "ifIndex",
      "setRealtime", "getScheduler"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (export_fn(env, exports, names[i], js_unsupported) == NULL) return NULL;
  return exports;
}
#endif

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
