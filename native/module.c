/*
 * module.c: gonet_tap, the project's Linux TAP addon (DESIGN.md §4). This
 * file is its export table, so the JS API is here; each entry's contract is
 * in the file named beside it, and src/link/TapAddon.ts types it.
 *
 *   open(name, { requireExisting?, vnetHeader? })
 *       -> { fd, name, vnetHeader }                         tap_io.c
 *   setOffload(handle, flags)    TUNSETOFFLOAD              tap_io.c
 *   close(handle)                                           tap_io.c
 *   startReading(handle, callback(frames, error?))          tap_io.c
 *   stopReading(handle)                                     tap_io.c
 *   writeBatch(handle, frames, headers?) -> frames written  tap_io.c
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
 *   offloadFlags { csum, tso4, tso6, tsoEcn }               linux/if_tun.h
 *
 * Off Linux the module still loads (so `npm install` succeeds everywhere)
 * and every function throws ENOTSUP.
 */
#include "gonet_tap.h"

typedef struct {
  const char *name;
  napi_callback cb;
} export_t;

/* One table for both builds: off Linux every entry is js_unsupported, under
 * the same name, so a caller fails with ENOTSUP rather than "not a
 * function". */
#ifndef GONET_TAP_UNSUPPORTED
#define LINUX_ONLY(fn) fn
#else
static napi_value js_unsupported(napi_env env, napi_callback_info info) {
  (void)info;
  throw_coded(env, "ENOTSUP", 0, NULL, "TAP devices are only supported on Linux");
  return NULL;
}
#define LINUX_ONLY(fn) js_unsupported
#endif

static const export_t EXPORTS[] = {
    {"open", LINUX_ONLY(js_open)},
    {"close", LINUX_ONLY(js_close)},
    {"startReading", LINUX_ONLY(js_start_reading)},
    {"stopReading", LINUX_ONLY(js_stop_reading)},
    {"writeBatch", LINUX_ONLY(js_write_batch)},
    {"setOffload", LINUX_ONLY(js_set_offload)},
    {"counters", LINUX_ONLY(js_counters)},
    {"setUp", LINUX_ONLY(js_set_up)},
    {"setAddress", LINUX_ONLY(js_set_address)},
    {"setMtu", LINUX_ONLY(js_set_mtu)},
    {"setTxQueueLength", LINUX_ONLY(js_set_tx_queue_len)},
    {"setRealtime", LINUX_ONLY(js_set_realtime)},
    {"getScheduler", LINUX_ONLY(js_get_scheduler)},
};

static napi_value init(napi_env env, napi_value exports) {
  for (size_t i = 0; i < sizeof EXPORTS / sizeof EXPORTS[0]; i++)
    if (!export_fn(env, exports, EXPORTS[i].name, EXPORTS[i].cb)) return NULL;
  if (!export_uint32(env, exports, "maxPieces", GONET_MAX_PIECES)) return NULL;
  /* TUN_F_* (linux/if_tun.h), stable kernel ABI: spelled out so the table
   * builds off Linux too */
  napi_value flags;
  if (napi_create_object(env, &flags) != napi_ok) return NULL;
  if (!export_uint32(env, flags, "csum", 0x01) || !export_uint32(env, flags, "tso4", 0x02) ||
      !export_uint32(env, flags, "tso6", 0x04) || !export_uint32(env, flags, "tsoEcn", 0x08))
    return NULL;
  if (napi_set_named_property(env, exports, "offloadFlags", flags) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
