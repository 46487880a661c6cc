/*
 * gonet_tap.h: what the files of the project's TAP addon share (DESIGN.md §4).
 *
 * The addon is plain C on node_api.h (N-API 8), split by concern:
 *
 *   util.c      throwing JS errors, checking arguments      (every build)
 *   tap_io.c    a TAP's fd: open, close, reading on the event loop,
 *               gather writes, and the per-handle error counters
 *   if_config.c host-side configuration of an interface (ioctls)
 *   sched.c     the process's scheduling policy
 *   module.c    the export table, which is the JS API; off Linux, stubs
 *               that report ENOTSUP                          (every build)
 *
 * binding.gyp builds tap_io.c, if_config.c and sched.c on Linux only, and
 * defines GONET_TAP_UNSUPPORTED everywhere else.
 *
 * Conventions shared by every file:
 * - Everything runs on the Node main thread: no native threads, no locks.
 * - A js_* function that fails throws one JS Error and returns NULL; a helper
 *   that fails throws and returns false (or NULL, or -1, as it says). Nothing
 *   throws twice: throw_coded does nothing while an exception is pending.
 * - Thrown errors carry `code` (an errno name, "EINVAL" for bad arguments,
 *   "ENAPI" for a failed N-API call), `errno` and `syscall` where they apply;
 *   the message states the fact, src/link/TapAddon.ts adds the hint.
 *
 * Every .c file includes this header first (it sets _GNU_SOURCE, which
 * must come before any system header).
 */
#ifndef GONET_TAP_H
#define GONET_TAP_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <node_api.h>

/* Message buffers: a fact, and a fact followed by ": <strerror>". */
#define GONET_MSG_LEN 256
#define GONET_OUT_LEN (GONET_MSG_LEN + 160)

/* The most pieces one gathered frame may have (writeBatch). A transport
 * sends headers and a payload, or a payload that wraps around its ring
 * buffer; eight leaves room and keeps the iovec array on the stack. Exported
 * to JS as `maxPieces`, so LinkTap flattens anything longer. */
#define GONET_MAX_PIECES 8

/* --- util.c: every build --------------------------------------------------- */

/* Throw an Error with code / errno (omitted when 0) / syscall (omitted when
 * NULL). Does nothing while an exception is pending. */
void throw_coded(napi_env env, const char *code, int errnum, const char *syscall,
                 const char *message);

/* Throw for a failed napi_* call `what` ("ENAPI"). */
void throw_napi(napi_env env, napi_status status, const char *what);

/* Evaluate an N-API call; on failure throw and return NULL from the caller. */
#define NAPI_CALL(env, call)                                                 \
  do {                                                                       \
    napi_status status_ = (call);                                            \
    if (status_ != napi_ok) {                                                \
      throw_napi((env), status_, #call);                                     \
      return NULL;                                                           \
    }                                                                        \
  } while (0)

/* exports[name] = a function calling `cb`; false with an error pending. */
bool export_fn(napi_env env, napi_value exports, const char *name, napi_callback cb);

/* exports[name] = a uint32; false with an error pending. */
bool export_uint32(napi_env env, napi_value exports, const char *name, uint32_t value);

#ifndef GONET_TAP_UNSUPPORTED
/* --- util.c: Linux --------------------------------------------------------- */

#include <net/if.h> /* IFNAMSIZ */

/* The errno's symbolic name ("EPERM"), "EUNKNOWN" for one not listed. */
const char *errno_name(int e);

/* Throw for errno `e`: message "<what>: <strerror>". */
void throw_errno(napi_env env, int e, const char *syscall, const char *what);

/* The same Error as throw_errno, returned instead of thrown (for passing to a
 * callback); NULL when it cannot be built. */
napi_value make_errno_error(napi_env env, int e, const char *what);

/* The first `want` arguments into argv; a TypeError with `usage` when fewer
 * were passed. */
bool get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv,
              const char *usage);

/* An interface name the kernel accepts (dev_valid_name), NUL-padded into out;
 * EINVAL with the reason otherwise. */
bool get_ifname(napi_env env, napi_value v, char out[IFNAMSIZ]);

/* options[key] as a boolean: absent, undefined or options itself
 * undefined/null give false; a wrong type is EINVAL. */
bool get_bool_prop(napi_env env, napi_value obj, const char *key, bool *out);

/* A number that is an integer in lo..hi; EINVAL naming `what` otherwise. */
bool get_int(napi_env env, napi_value v, const char *what, int64_t lo, int64_t hi,
             int64_t *out);

/* --- tap_io.c -------------------------------------------------------------- */

napi_value js_open(napi_env env, napi_callback_info info);
napi_value js_close(napi_env env, napi_callback_info info);
napi_value js_start_reading(napi_env env, napi_callback_info info);
napi_value js_stop_reading(napi_env env, napi_callback_info info);
napi_value js_write_batch(napi_env env, napi_callback_info info);
napi_value js_set_offload(napi_env env, napi_callback_info info);
napi_value js_counters(napi_env env, napi_callback_info info);

/* --- if_config.c ----------------------------------------------------------- */

napi_value js_set_up(napi_env env, napi_callback_info info);
napi_value js_set_address(napi_env env, napi_callback_info info);
napi_value js_set_mtu(napi_env env, napi_callback_info info);
napi_value js_set_tx_queue_len(napi_env env, napi_callback_info info);

/* --- sched.c --------------------------------------------------------------- */

napi_value js_set_realtime(napi_env env, napi_callback_info info);
napi_value js_get_scheduler(napi_env env, napi_callback_info info);

#endif /* GONET_TAP_UNSUPPORTED */
#endif /* GONET_TAP_H */
