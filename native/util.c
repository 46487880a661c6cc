/*
 * util.c: how the addon reports failures and checks its arguments.
 *
 * Contract: every helper either succeeds or leaves exactly one JS exception
 * pending (and returns false); none of them throws over a pending one. The
 * first part builds everywhere (module.c's ENOTSUP stubs use it); the rest
 * only on Linux, the one system with TAP devices.
 */
#include "gonet_tap.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The Error throw_coded throws, or NULL when it cannot be built. */
static napi_value make_coded_error(napi_env env, const char *code, int errnum,
                                   const char *syscall, const char *message) {
  napi_value js_code, js_msg, err, num, sc;
  if (napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &js_code) != napi_ok ||
      napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &js_msg) != napi_ok ||
      napi_create_error(env, js_code, js_msg, &err) != napi_ok)
    return NULL;
  if (errnum != 0 && napi_create_int32(env, errnum, &num) == napi_ok)
    napi_set_named_property(env, err, "errno", num);
  if (syscall != NULL &&
      napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sc) == napi_ok)
    napi_set_named_property(env, err, "syscall", sc);
  return err;
}

void throw_coded(napi_env env, const char *code, int errnum, const char *syscall,
                 const char *message) {
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) return;
  napi_value err = make_coded_error(env, code, errnum, syscall, message);
  if (err != NULL)
    napi_throw(env, err);
  else
    napi_throw_error(env, code, message);
}

void throw_napi(napi_env env, napi_status status, const char *what) {
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

bool export_fn(napi_env env, napi_value exports, const char *name, napi_callback cb) {
  napi_value fn;
  napi_status s = napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, NULL, &fn);
  if (s == napi_ok) s = napi_set_named_property(env, exports, name, fn);
  if (s != napi_ok) throw_napi(env, s, "exporting a function");
  return s == napi_ok;
}

bool export_uint32(napi_env env, napi_value exports, const char *name, uint32_t value) {
  napi_value v;
  napi_status s = napi_create_uint32(env, value, &v);
  if (s == napi_ok) s = napi_set_named_property(env, exports, name, v);
  if (s != napi_ok) throw_napi(env, s, "exporting a constant");
  return s == napi_ok;
}

#ifndef GONET_TAP_UNSUPPORTED

const char *errno_name(int e) {
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

/* "<what>: <strerror>" into msg. GNU strerror_r may return a static string
 * instead of filling `sys`, hence its result is what gets printed. */
static void errno_message(int e, const char *what, char msg[GONET_OUT_LEN]) {
  char sys[128];
  snprintf(msg, GONET_OUT_LEN, "%s: %s", what, strerror_r(e, sys, sizeof sys));
}

void throw_errno(napi_env env, int e, const char *syscall, const char *what) {
  char msg[GONET_OUT_LEN];
  errno_message(e, what, msg);
  throw_coded(env, errno_name(e), e, syscall, msg);
}

napi_value make_errno_error(napi_env env, int e, const char *what) {
  char msg[GONET_OUT_LEN];
  errno_message(e, what, msg);
  return make_coded_error(env, errno_name(e), e, NULL, msg);
}

bool get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv,
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

bool get_ifname(napi_env env, napi_value v, char out[IFNAMSIZ]) {
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

bool get_bool_prop(napi_env env, napi_value obj, const char *key, bool *out) {
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

bool get_int(napi_env env, napi_value v, const char *what, int64_t lo, int64_t hi,
             int64_t *out) {
  napi_valuetype t;
  double d;
  /* d != d: NaN; the cast round trip rejects fractions (1.5 is not 1) */
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

#endif /* GONET_TAP_UNSUPPORTED */
