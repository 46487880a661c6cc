/*
 * sched.c: the process's scheduling policy (Linux only; src/Scheduling.ts
 * is the JS side and says when to use it).
 *
 * Contract:
 *   setRealtime(priority 0..99)  every current thread of the process to
 *       SCHED_FIFO (with SCHED_RESET_ON_FORK) at 1..99, back to SCHED_OTHER
 *       at 0. The calling thread goes first, so a refusal (EPERM without
 *       CAP_SYS_NICE) leaves the process as it was.
 *   getScheduler() -> { policy: "other" | "fifo" | "rr" | "batch" | "idle" |
 *       "unknown", priority }   the calling thread's.
 */
#include "gonet_tap.h"

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* All threads, not only the main thread that runs the fibers: the main
 * thread waits for V8's helper threads (parallel scavenges), and a helper
 * left at the normal policy behind busy processes turns into a priority
 * inversion (measured: p99 RTT 409 ms with 1000 pings when only the main
 * thread was raised, 1 ms with all). SCHED_RESET_ON_FORK keeps threads and
 * processes created later (the libuv pool, children) at the normal policy.
 * The kernel's RT throttling (sched_rt_runtime_us) still leaves the rest of
 * the machine its share if a thread ever spins. */
static int set_policy(pid_t tid, int priority) {
  struct sched_param param;
  memset(&param, 0, sizeof param);
  param.sched_priority = priority;
  int policy = priority == 0 ? SCHED_OTHER : (SCHED_FIFO | SCHED_RESET_ON_FORK);
  return sched_setscheduler(tid, policy, &param) < 0 ? errno : 0;
}

napi_value js_set_realtime(napi_env env, napi_callback_info info) {
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
        int r = set_policy((pid_t)tid, (int)priority);
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

napi_value js_get_scheduler(napi_env env, napi_callback_info info) {
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
