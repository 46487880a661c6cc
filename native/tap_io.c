/*
 * tap_io.c: a TAP's fd, from open to close (Linux only).
 *
 * Contract (the JS side is typed in src/link/TapAddon.ts):
 * - open(name, { requireExisting?, vnetHeader? }) -> handle { fd, name,
 *   vnetHeader }: opens /dev/net/tun (O_RDWR|O_NONBLOCK|O_CLOEXEC) and
 *   attaches it to the TAP `name` with IFF_TAP|IFF_NO_PI (and IFF_VNET_HDR
 *   with vnetHeader), resolved in this process's network namespace. Without
 *   requireExisting a missing interface is created (needs CAP_NET_ADMIN); it
 *   is not persistent, so it goes when the fd is closed.
 * - With vnetHeader every frame, both ways, travels behind a 10-octet
 *   virtio-net header (struct virtio_net_hdr, little-endian: TUNSETVNETLE is
 *   asked for, so a big-endian host reads it the same way). The addon does
 *   not interpret it: src/wire/VirtioNet.ts does. setOffload(handle, flags)
 *   then tells the kernel which offloads it may use towards us
 *   (TUNSETOFFLOAD, the TUN_F_* bits exported as `offloadFlags`); a refusal
 *   is thrown with its errno.
 * - startReading(handle, callback(frames, error?)): a uv_poll watcher
 *   (UV_READABLE) on the loop. Each wake does up to MAX_BATCH non-blocking
 *   read()s into one reused buffer, copies the batch out into fresh
 *   ArrayBuffers (the frames under OWN_BUFFER octets share ONE; each longer
 *   one, a TSO aggregate, has its own) and calls `callback` ONCE with an
 *   array of Uint8Array views into them: JS owns them. With vnetHeader a view
 *   covers the frame only, and its virtio-net header is the 10 octets just
 *   before it in the same ArrayBuffer (a read shorter than a header is
 *   counted in readLost). `error` is present when reading hit a hard error;
 *   reading has then stopped (the fd stays open).
 * - stopReading(handle), close(handle): idempotent; close stops the
 *   watcher, closes the fd and may be called from inside the callback.
 * - writeBatch(handle, frames, headers?) -> number of frames written. Each
 *   frame is a Uint8Array or an array of at most GONET_MAX_PIECES Uint8Arrays
 *   written back to back, and goes out with ONE writev(): the kernel takes a
 *   TAP write as one whole frame. With vnetHeader each frame is preceded by
 *   its header: octets [10 i, 10 i + 10) of `headers` (a Uint8Array of at
 *   least 10 per frame) for frame i, or ten zeros without `headers` (no
 *   offload asked for). Without vnetHeader `headers` must be absent. One N-API call per batch, nothing allocated per
 *   frame; refusals are not thrown but counted by kind (below). Anything else
 *   in `frames` is a TypeError, thrown when reached (earlier frames are out).
 * - counters(handle) -> { readErrors, readLost, writeErrors, writeFull }:
 *   readErrors  hard read errors (reading stops on the first)
 *   readLost    frames read but never handed to JS (no memory for the batch)
 *   writeFull   frames refused with EAGAIN/ENOBUFS/ENOMEM (no room: a drop)
 *   writeErrors frames refused for any other reason (interface down: EIO,
 *               gone: EBADFD, shorter than an Ethernet header: EINVAL,
 *               empty, handle closed, a short write)
 *   They keep counting after close, and are readable as long as the handle.
 *
 * Lifetime: the native state `tap_t` is wrapped into the handle object. It is
 * freed only when BOTH the JS wrapper has been finalized AND libuv has
 * finished closing the poll handle, so neither a GC nor a close() issued from
 * inside the read callback can free memory that is still in use.
 */
#include "gonet_tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/if_tun.h>

#include <uv.h>

/* Frames per wake, and the read buffer. A read is only issued while at least
 * MAX_FRAME octets remain, so the kernel can never truncate a frame: a TAP
 * without IFF_VNET_HDR hands over whole frames of at most 65535 octets (its
 * largest MTU is 65535 - 14 = 65521; measured: 65442-octet frames arrive
 * intact). 256 KiB holds 64 full 1514-octet frames with room left. */
#define MAX_BATCH 64
#define MAX_FRAME (65536 + 64)
#define READ_BUF (256 * 1024)
/* With IFF_VNET_HDR the kernel hands over TCP segments of up to 64 KiB (TSO):
 * 1 MiB holds 15 of them, or 64 small frames. */
#define READ_BUF_VNET (1024 * 1024)
#define VNET_HDR_LEN 10
/* A frame this long or longer is handed over in an ArrayBuffer of its own
 * (deliver): above any MTU-sized frame (9000-octet jumbo frames stay shared),
 * so in practice the kernel's TSO aggregates. */
#define OWN_BUFFER 16384

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
  bool vnet;                    /* IFF_VNET_HDR: a virtio-net header per frame */
  size_t buf_len;               /* READ_BUF, or READ_BUF_VNET with vnet */
  uint8_t *buf;                 /* buf_len octets, allocated on first start */
  uint32_t lens[MAX_BATCH];
  uint32_t offs[MAX_BATCH];
  /* counters(): doubles, so JS reads them exactly up to 2^53 */
  double read_errors;
  double read_lost;
  double write_errors;
  double write_full;
} tap_t;

/* A random 128-bit tag so a handle from elsewhere is never taken for ours. */
static const napi_type_tag TAP_TAG = {0x6f6e6574746170ULL, 0x9b3c51f2a4d8e017ULL};

/* The first `want` arguments into argv (as get_args), the first being a
 * handle: the tap_t behind it, or NULL with an error pending. */
static tap_t *get_tap(napi_env env, napi_callback_info info, size_t want,
                      napi_value *argv, const char *usage) {
  if (!get_args(env, info, want, argv, usage)) return NULL;
  napi_value handle = argv[0];
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

napi_value js_open(napi_env env, napi_callback_info info) {
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
  bool vnet = false;
  if (argc >= 2 && (!get_bool_prop(env, argv[1], "requireExisting", &require_existing) ||
                    !get_bool_prop(env, argv[1], "vnetHeader", &vnet)))
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
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0);
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

  if (vnet) {
    /* The header's size is 10 (struct virtio_net_hdr, no num_buffers) unless
     * set otherwise; say so in case the device was left with another. Its
     * byte order: little-endian, asked for explicitly; a kernel without
     * TUNSETVNETLE (EINVAL) uses the host's, which is little-endian on
     * every host that lacks it in practice. */
    int size = VNET_HDR_LEN, le = 1;
    if (ioctl(fd, TUNSETVNETHDRSZ, &size) < 0 ||
        (ioctl(fd, TUNSETVNETLE, &le) < 0 && errno != EINVAL)) {
      int e = errno;
      close(fd);
      snprintf(msg, sizeof msg, "cannot set up virtio-net headers on TAP %s", name);
      throw_errno(env, e, "ioctl(TUNSETVNETHDRSZ)", msg);
      return NULL;
    }
  }

  tap_t *t = (tap_t *)calloc(1, sizeof *t);
  if (t == NULL) {
    close(fd);
    throw_coded(env, "ENOMEM", ENOMEM, NULL, "gonet_tap: out of memory");
    return NULL;
  }
  t->env = env;
  t->fd = fd;
  t->vnet = vnet;
  t->buf_len = vnet ? READ_BUF_VNET : READ_BUF;
  memcpy(t->name, ifr.ifr_name, IFNAMSIZ);
  t->name[IFNAMSIZ - 1] = '\0';

  napi_value obj, js_fd, js_name, js_vnet;
  napi_status s = napi_create_object(env, &obj);
  if (s == napi_ok) s = napi_create_int32(env, fd, &js_fd);
  if (s == napi_ok) s = napi_create_string_utf8(env, t->name, NAPI_AUTO_LENGTH, &js_name);
  if (s == napi_ok) s = napi_get_boolean(env, vnet, &js_vnet);
  if (s == napi_ok) {
    napi_property_descriptor props[] = {
        {"fd", NULL, NULL, NULL, NULL, js_fd, napi_enumerable, NULL},
        {"name", NULL, NULL, NULL, NULL, js_name, napi_enumerable, NULL},
        {"vnetHeader", NULL, NULL, NULL, NULL, js_vnet, napi_enumerable, NULL},
    };
    s = napi_define_properties(env, obj, 3, props);
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

napi_value js_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  tap_t *t = get_tap(env, info, 1, argv, "close(handle) needs a handle");
  if (t == NULL) return NULL;
  shutdown_tap(env, t);
  return NULL;
}

/* TUNSETOFFLOAD: the offloads the kernel may use in what it hands us. Only
 * meaningful with vnetHeader, except 0: the device's features outlive the fd
 * that set them (a persistent TAP keeps a previous owner's checksum and TSO
 * offloads), so a TAP opened without headers clears them, or the kernel would
 * hand over partial checksums and oversized frames with nothing to say so. */
napi_value js_set_offload(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int64_t flags;
  tap_t *t = get_tap(env, info, 2, argv, "setOffload(handle, flags)");
  if (t == NULL) return NULL;
  if (!get_int(env, argv[1], "flags", 0, 0xff, &flags)) return NULL;
  if (t->fd < 0) {
    throw_coded(env, "EBADF", EBADF, NULL, "the TAP handle is closed");
    return NULL;
  }
  if (!t->vnet && flags != 0) {
    throw_coded(env, "EINVAL", EINVAL, NULL,
                "offloads need a TAP opened with vnetHeader");
    return NULL;
  }
  if (ioctl(t->fd, TUNSETOFFLOAD, (unsigned long)flags) < 0) {
    char msg[GONET_MSG_LEN];
    snprintf(msg, sizeof msg, "TAP %s refused offload flags 0x%llx", t->name,
             (unsigned long long)flags);
    throw_errno(env, errno, "ioctl(TUNSETOFFLOAD)", msg);
    return NULL;
  }
  return NULL;
}

/* --- reading -------------------------------------------------------------- */

/* Call the JS callback with (frames, error?) inside a proper callback scope,
 * so microtasks run afterwards and a throw becomes an uncaughtException. */
static void deliver(tap_t *t, uint32_t count, int err) {
  napi_env env = t->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) {
    t->read_lost += count;
    return;
  }

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
    /* The small frames share one ArrayBuffer; a frame of OWN_BUFFER octets or
     * more (a TSO aggregate, with offloads) gets one of its own. JS owns every
     * buffer and view. A view keeps its whole buffer alive, so this way one
     * aggregate kept (an unread segment, a Node 'data' chunk) holds its own
     * 64 KiB, not up to 1 MiB of other connections' data, and a connection's
     * aggregates are never a small part of a buffer (which the stack would
     * copy out: tcp/Delivery.ts, internal/Coalesce.ts). Each frame's header
     * stays in the 10 octets before its view, in the same buffer. */
    const size_t hdr = t->vnet ? VNET_HDR_LEN : 0;
    size_t shared = 0;
    for (uint32_t i = 0; i < count; i++) {
      if (t->lens[i] < OWN_BUFFER) shared += hdr + t->lens[i];
    }
    size_t at = 0;
    if (shared > 0) ok = napi_create_arraybuffer(env, shared, &data, &ab) == napi_ok;
    for (uint32_t i = 0; ok && i < count; i++) {
      const uint8_t *from = t->buf + t->offs[i] - hdr;
      const size_t whole = hdr + t->lens[i];
      napi_value buffer = ab, view;
      size_t offset;
      if (t->lens[i] < OWN_BUFFER) {
        memcpy((uint8_t *)data + at, from, whole);
        offset = at + hdr;
        at += whole;
      } else {
        void *own = NULL;
        ok = napi_create_arraybuffer(env, whole, &own, &buffer) == napi_ok;
        if (!ok) break;
        memcpy(own, from, whole);
        offset = hdr;
      }
      ok = napi_create_typedarray(env, napi_uint8_array, t->lens[i], buffer, offset,
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
    /* could not build the batch (out of memory): its frames are lost */
    t->read_lost += count;
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
    const size_t hdr = t->vnet ? VNET_HDR_LEN : 0;
    while (count < MAX_BATCH && t->buf_len - off >= MAX_FRAME + hdr) {
      ssize_t n = read(t->fd, t->buf + off, t->buf_len - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) err = errno;
        break;
      }
      if (n == 0) break;
      if ((size_t)n <= hdr) {
        t->read_lost += 1; /* a header and no frame: nothing to hand over */
        continue;
      }
      /* the view starts after the header, which stays just before it */
      t->offs[count] = (uint32_t)(off + hdr);
      t->lens[count] = (uint32_t)((size_t)n - hdr);
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
  deliver(t, count, err);
  /* The callback may have stopped or closed us. `t` itself is still valid:
   * it is freed only from the poll handle's close callback, which libuv runs
   * after this function returns. */
  if (!t->reading) release_js(t->env, t);
}

napi_value js_start_reading(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  napi_valuetype type;
  tap_t *t = get_tap(env, info, 2, argv, "startReading(handle, callback)");
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
    t->buf = (uint8_t *)malloc(t->buf_len);
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

napi_value js_stop_reading(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  tap_t *t = get_tap(env, info, 1, argv, "stopReading(handle) needs a handle");
  if (t == NULL) return NULL;
  stop_reading(env, t);
  return NULL;
}

/* --- writing -------------------------------------------------------------- */

/* Point iov at a Uint8Array (a Buffer is one). False, with nothing thrown,
 * for anything else: napi_get_typedarray_info answers napi_invalid_arg for a
 * value that is not a typed array, so a plain frame costs one N-API call. */
static bool as_bytes(napi_env env, napi_value v, struct iovec *iov) {
  napi_typedarray_type type;
  void *data = NULL;
  size_t len = 0;
  if (napi_get_typedarray_info(env, v, &type, &len, &data, NULL, NULL) != napi_ok ||
      type != napi_uint8_array)
    return false;
  iov->iov_base = data;
  iov->iov_len = len;
  return true;
}

/* The frame `v` as iovecs: one for a Uint8Array, one per piece for an array
 * of them. The count, or -1 with a TypeError pending. */
static int get_frame(napi_env env, napi_value v, struct iovec iov[GONET_MAX_PIECES]) {
  if (as_bytes(env, v, &iov[0])) return 1;
  bool is_array = false;
  uint32_t n = 0;
  if (napi_is_array(env, v, &is_array) != napi_ok || !is_array ||
      napi_get_array_length(env, v, &n) != napi_ok)
    goto bad;
  if (n > GONET_MAX_PIECES) {
    char msg[GONET_MSG_LEN];
    snprintf(msg, sizeof msg, "a gathered frame has at most %d pieces, got %u",
             GONET_MAX_PIECES, n);
    napi_throw_type_error(env, "EINVAL", msg);
    return -1;
  }
  for (uint32_t i = 0; i < n; i++) {
    napi_value piece;
    if (napi_get_element(env, v, i, &piece) != napi_ok || !as_bytes(env, piece, &iov[i]))
      goto bad;
  }
  return (int)n;
bad:
  {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (!pending)
      napi_throw_type_error(env, "EINVAL",
                            "a frame must be a Uint8Array or an array of Uint8Array pieces");
  }
  return -1;
}

/* One frame, one writev(); a refusal is counted by kind. With a virtio-net
 * header, iov[0] is the header and the frame follows it. */
static bool write_frame(tap_t *t, const struct iovec *iov, int pieces) {
  if (t->fd < 0) {
    t->write_errors += 1;
    return false;
  }
  size_t len = 0;
  for (int i = 0; i < pieces; i++) len += iov[i].iov_len;
  if (len == (t->vnet ? VNET_HDR_LEN : 0)) {
    /* The kernel answers an empty write with 0 before the driver sees it: no
     * frame went out, so it must not count as written. */
    t->write_errors += 1;
    return false;
  }
  for (;;) {
    ssize_t n = writev(t->fd, iov, pieces);
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

static const uint8_t ZERO_HDR[VNET_HDR_LEN];

napi_value js_write_batch(napi_env env, napi_callback_info info) {
  napi_value argv[3], result;
  size_t argc = 3;
  bool is_array = false;
  uint32_t n = 0, written = 0;
  /* iov[0] is the virtio-net header with vnet; the frame's pieces follow */
  struct iovec iov[GONET_MAX_PIECES + 1];
  struct iovec headers = {NULL, 0};
  tap_t *t = get_tap(env, info, 2, argv, "writeBatch(handle, frames, headers?)");
  if (t == NULL) return NULL;
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  NAPI_CALL(env, napi_is_array(env, argv[1], &is_array));
  if (!is_array) {
    napi_throw_type_error(env, "EINVAL", "frames must be an array");
    return NULL;
  }
  NAPI_CALL(env, napi_get_array_length(env, argv[1], &n));
  if (argc >= 3) {
    napi_valuetype ht;
    NAPI_CALL(env, napi_typeof(env, argv[2], &ht));
    if (ht != napi_undefined) {
      if (!t->vnet) {
        napi_throw_type_error(env, "EINVAL", "headers need a TAP opened with vnetHeader");
        return NULL;
      }
      if (!as_bytes(env, argv[2], &headers) || headers.iov_len < (size_t)n * VNET_HDR_LEN) {
        napi_throw_type_error(env, "EINVAL",
                              "headers must be a Uint8Array of 10 octets per frame");
        return NULL;
      }
    }
  }
  const int first = t->vnet ? 1 : 0;
  for (uint32_t i = 0; i < n; i++) {
    napi_value el;
    NAPI_CALL(env, napi_get_element(env, argv[1], i, &el));
    int pieces = get_frame(env, el, iov + first);
    if (pieces < 0) return NULL;
    if (t->vnet) {
      iov[0].iov_base = headers.iov_base != NULL
                            ? (uint8_t *)headers.iov_base + (size_t)i * VNET_HDR_LEN
                            : (void *)ZERO_HDR;
      iov[0].iov_len = VNET_HDR_LEN;
    }
    if (write_frame(t, iov, pieces + first)) written++;
  }
  NAPI_CALL(env, napi_create_uint32(env, written, &result));
  return result;
}

napi_value js_counters(napi_env env, napi_callback_info info) {
  napi_value argv[1], obj, v;
  tap_t *t = get_tap(env, info, 1, argv, "counters(handle) needs a handle");
  if (t == NULL) return NULL;
  NAPI_CALL(env, napi_create_object(env, &obj));
  NAPI_CALL(env, napi_create_double(env, t->read_errors, &v));
  NAPI_CALL(env, napi_set_named_property(env, obj, "readErrors", v));
  NAPI_CALL(env, napi_create_double(env, t->read_lost, &v));
  NAPI_CALL(env, napi_set_named_property(env, obj, "readLost", v));
  NAPI_CALL(env, napi_create_double(env, t->write_errors, &v));
  NAPI_CALL(env, napi_set_named_property(env, obj, "writeErrors", v));
  NAPI_CALL(env, napi_create_double(env, t->write_full, &v));
  NAPI_CALL(env, napi_set_named_property(env, obj, "writeFull", v));
  return obj;
}
