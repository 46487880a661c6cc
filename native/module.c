/*
 * module.c: gonet_tap, the project's Linux TAP addon (DESIGN.md §4). This
 * file is its export table, so the JS API is here; each entry's contract is
 * in the file named beside it, and src/link/TapAddon.ts types it.
 *
 *   open(name, { requireExisting? }) -> { fd, name }        tap_io.c
 *   close(handle)                                           tap_io.c
 *   startReading(handle, callback(frames, error?))          tap_io.c
 *   stopReading(handle)                                     tap_io.c
 *   writeBatch(handle, frames) -> frames written            tap_io.c
 *       a frame: Uint8Array, or an array of up to maxPieces Uint8Arrays
 *   counters(handle) -> { readErrors, readLost, writeErrors, writeFull }
 *                                                           tap_io.c
 *   setUp(ifname, up)                                       if_config.c
 *   setAddress(ifname, address uint32, prefixLength)        if_config.c
 *   setMtu(ifname, mtu)                                     if_config.c
 *   setTxQueueLength(ifname, length)                        if_config.c
 *   setRealtime(priority)                                   sched.c
 *   getScheduler() -> { policy, priority }                  sched.c
 *   maxPieces                                               gonet_tap.h
 *
 * Off Linux the module still loads (so `npm install` succeeds everywhere)
 * and every function throws ENOTSUP.
 */
#include "gonet_tap.h"

typedef struct {
  const char *name;
  napi_callback cb;
} export_t;

#ifndef GONET_TAP_UNSUPPORTED

static const export_t EXPORTS[] = {
    {"open", js_open},
    {"close", js_close},
    {"startReading", js_start_reading},
    {"stopReading", js_stop_reading},
    {"writeBatch", js_write_batch},
    {"counters", js_counters},
    {"setUp", js_set_up},
    {"setAddress", js_set_address},
    {"setMtu", js_set_mtu},
    {"setTxQueueLength", js_set_tx_queue_len},
    {"setRealtime", js_set_realtime},
    {"getScheduler", js_get_scheduler},
};

#else /* GONET_TAP_UNSUPPORTED */

static napi_value js_unsupported(napi_env env, napi_callback_info info) {
  (void)info;
  throw_coded(env, "ENOTSUP", 0, NULL, "TAP devices are only supported on Linux");
  return NULL;
}

/* The same names as on Linux, so a caller fails with ENOTSUP rather than
 * "not a function". */
static const export_t EXPORTS[] = {
    {"open", js_unsupported},
    {"close", js_unsupported},
    {"startReading", js_unsupported},
    {"stopReading", js_unsupported},
    {"writeBatch", js_unsupported},
    {"counters", js_unsupported},
    {"setUp", js_unsupported},
    {"setAddress", js_unsupported},
    {"setMtu", js_unsupported},
    {"setTxQueueLength", js_unsupported},
    {"setRealtime", js_unsupported},
    {"getScheduler", js_unsupported},
};

#endif

static napi_value init(napi_env env, napi_value exports) {
  for (size_t i = 0; i < sizeof EXPORTS / sizeof EXPORTS[0]; i++)
    if (!export_fn(env, exports, EXPORTS[i].name, EXPORTS[i].cb)) return NULL;
  if (!export_uint32(env, exports, "maxPieces", GONET_MAX_PIECES)) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
