/*
 * intracluster's kernel datapath for Node: a small N-API addon over libbpf (1.1 or later).
 *
 * Why an addon and not a tool per call: the control plane changes maps on every membership event
 * and the test harness runs one BPF_PROG_TEST_RUN per frame. `bpftool batch` manages about 15,000
 * map updates per second (100,000 members took 13 s); bpf(2) through libbpf does each in a syscall.
 *
 * Objects and programs
 *   open(path[, pinRoot])        -> handle   bpf_object__open_file + bpf_object__load
 *   close(handle)                             bpf_object__close (fds of its maps and programs close)
 *   programFd(handle, name)      -> fd        a program of the object, by function name
 *   mapFd(handle, name)          -> fd        a map of the object, by name
 *   programNames(handle), mapNames(handle) -> string[]
 * Maps (keys and values are Uint8Arrays of the map's sizes; batches are concatenated records)
 *   mapCreate(type, keySize, valueSize, maxEntries[, flags[, innerFd[, name]]]) -> fd
 *   mapUpdate(fd, key, value[, flags])         BPF_ANY / BPF_NOEXIST / BPF_EXIST
 *   mapLookup(fd, key, valueOut)  -> bool      false: no such key
 *   mapDelete(fd, key)            -> bool      false: no such key
 *   mapNextKey(fd, key|null, next) -> bool     false: no key after `key`
 *   mapUpdateBatch(fd, keys, values, count[, flags]) -> count updated
 *   mapLookupBatch(fd, keys, values, max)      -> count read (the whole map, from the start)
 *   mapDeleteBatch(fd, keys, count) -> count deleted
 *   mapInfo(fd) -> { id, type, keySize, valueSize, maxEntries, flags, name }
 *   progInfo(fd) -> { id, type, name, tag }
 *   closeFd(fd)
 * Test runs (BPF_PROG_TEST_RUN)
 *   testRun(progFd, data, dataLen, dataOut, ctxIn|null, ctxOut|null, repeat, result) -> retval
 *       result (Uint32Array of 4): retval, data bytes out, ctx bytes out, ns per run (kernel's count)
 *   testRunBatch(records, count, out) -> bytes written to out (format below)
 * tc clsact (attachPoint: 1 ingress, 2 egress, 3 both)
 *   tcHookCreate(ifindex, attachPoint) -> bool    false: the clsact qdisc was already there
 *   tcHookDestroy(ifindex, attachPoint)           removes the clsact qdisc (every filter on it)
 *   tcAttach(ifindex, attachPoint, progFd, handle, priority, replace) -> { handle, priority, progId }
 *   tcDetach(ifindex, attachPoint, handle, priority)
 *   tcQuery(ifindex, attachPoint, handle, priority) -> progId (0: none)
 * Pins and interfaces
 *   pin(fd, path), unpin(path), objGet(path) -> fd
 *   mapFdById(id) -> fd            bpf_map_get_fd_by_id (an inner map, from its outer map's entry)
 *   ifIndex(name) -> ifindex (0: no such interface)
 *   addMulticast(ifname, mac6), delMulticast(ifname, mac6)   SIOCADDMULTI / SIOCDELMULTI
 *   lastLog() -> string            what libbpf printed last (the verifier's log after a failed load)
 *
 * Every failure throws one Error whose message names the call, the object and the errno text, with
 * err.code the errno name (EPERM, ENOENT, ...) and err.errno the negative errno.
 *
 * testRunBatch record (all little-endian u32, each part padded to 8 bytes):
 *   in:  progFd, dataLen, ctxLen, repeat, data[dataLen], ctx[ctxLen]
 *   out: retval, dataLenOut, ctxLenOut, durationNs, data[dataLenOut], ctx[ctxLenOut]
 *   dataLenOut is at most TEST_RUN_MAX_DATA; a failed run gives retval 0xffffffff, dataLenOut 0,
 *   ctxLenOut 0 and durationNs = errno.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <linux/if_ether.h>
#include <node_api.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define TEST_RUN_MAX_DATA 4096
#define MAX_OBJECTS 256

#define CHECK(call)                                                    \
  do {                                                                 \
    if ((call) != napi_ok) {                                           \
      napi_throw_error(env, NULL, "intracluster bpf: " #call " failed"); \
      return NULL;                                                     \
    }                                                                  \
  } while (0)

static struct bpf_object *objects[MAX_OBJECTS];
static char last_log[65536];
static size_t last_log_len;

/* Keeps the tail of what libbpf prints (the end of a verifier log says why a load failed). */
static int on_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap) {
  if (level == LIBBPF_DEBUG) return 0;
  char *line = NULL;
  int n = vasprintf(&line, fmt, ap);
  if (n <= 0) {
    free(line);
    return 0;
  }
  size_t len = (size_t)n;
  if (len >= sizeof last_log / 2) {
    /* a verifier log: its end says why */
    memmove(line, line + len - (sizeof last_log / 2 - 1), sizeof last_log / 2 - 1);
    len = sizeof last_log / 2 - 1;
  }
  if (last_log_len + len >= sizeof last_log) {
    size_t drop = last_log_len + len - sizeof last_log / 2;
    if (drop > last_log_len) drop = last_log_len;
    memmove(last_log, last_log + drop, last_log_len - drop);
    last_log_len -= drop;
  }
  memcpy(last_log + last_log_len, line, len);
  last_log_len += len;
  last_log[last_log_len] = 0;
  free(line);
  return 0;
}

static napi_value throw_errno(napi_env env, int err, const char *call, const char *fmt, ...) {
  char what[256], msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  if (err < 0) err = -err;
  const char *name = strerrorname_np(err);
  if (!name) name = "EIO";
  snprintf(msg, sizeof msg, "%s %s: %s (%s)", call, what, strerror(err), name);
  napi_value code, message, error, errnum;
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, code, message, &error);
  napi_create_int32(env, -err, &errnum);
  napi_set_named_property(env, error, "errno", errnum);
  napi_throw(env, error);
  return NULL;
}

static napi_value throw_type(napi_env env, const char *msg) {
  napi_throw_type_error(env, NULL, msg);
  return NULL;
}

static int arg_int(napi_env env, napi_value v, int32_t *out) {
  return napi_get_value_int32(env, v, out) == napi_ok;
}
static int arg_u32(napi_env env, napi_value v, uint32_t *out) {
  return napi_get_value_uint32(env, v, out) == napi_ok;
}
static int is_nullish(napi_env env, napi_value v) {
  napi_valuetype t;
  return napi_typeof(env, v, &t) != napi_ok || t == napi_null || t == napi_undefined;
}

/* A typed array argument of element type `want` as pointer + length (in elements). */
static int arg_typed(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *len) {
  bool is;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  napi_typedarray_type type;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, v, &type, len, data, &ab, &off) != napi_ok) return 0;
  return type == want;
}

/* A Uint8Array (or Buffer) argument as pointer + length. */
static int arg_bytes(napi_env env, napi_value v, uint8_t **data, size_t *len) {
  return arg_typed(env, v, napi_uint8_array, (void **)data, len);
}

static int arg_u32s(napi_env env, napi_value v, uint32_t **data, size_t *len) {
  return arg_typed(env, v, napi_uint32_array, (void **)data, len);
}

/* (fd, keys, values) of a map call: a map fd and two Uint8Arrays. */
static int arg_map_kv(napi_env env, napi_value *argv, int32_t *fd, uint8_t **k, size_t *kl, uint8_t **v, size_t *vl) {
  return arg_int(env, argv[0], fd) && arg_bytes(env, argv[1], k, kl) && arg_bytes(env, argv[2], v, vl);
}

static int arg_string(napi_env env, napi_value v, char *buf, size_t size) {
  size_t n;
  if (napi_get_value_string_utf8(env, v, buf, size, &n) != napi_ok) return 0;
  return n < size - 1;
}

static napi_value make_int(napi_env env, int64_t v) {
  napi_value r;
  napi_create_int64(env, v, &r);
  return r;
}
static napi_value make_bool(napi_env env, bool v) {
  napi_value r;
  napi_get_boolean(env, v, &r);
  return r;
}
static napi_value make_undefined(napi_env env) {
  napi_value r;
  napi_get_undefined(env, &r);
  return r;
}
static void set_int(napi_env env, napi_value o, const char *k, int64_t v) {
  napi_set_named_property(env, o, k, make_int(env, v));
}
static void set_str(napi_env env, napi_value o, const char *k, const char *v) {
  napi_value s;
  napi_create_string_utf8(env, v, NAPI_AUTO_LENGTH, &s);
  napi_set_named_property(env, o, k, s);
}

#define ARGS(n)                                                  \
  size_t argc = (n);                                             \
  napi_value argv[(n) > 0 ? (n) : 1];                            \
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));   \
  for (size_t i_ = argc; i_ < (n); i_++) napi_get_undefined(env, &argv[i_]);

static struct bpf_object *arg_object(napi_env env, napi_value v) {
  int32_t h;
  if (!arg_int(env, v, &h) || h < 0 || h >= MAX_OBJECTS || !objects[h]) return NULL;
  return objects[h];
}

/* ---- objects ---- */

static napi_value b_open(napi_env env, napi_callback_info info) {
  ARGS(2);
  char path[4096], pin_root[4096];
  if (!arg_string(env, argv[0], path, sizeof path)) return throw_type(env, "open(path[, pinRoot]): path must be a string");
  bool have_pin = !is_nullish(env, argv[1]);
  if (have_pin && !arg_string(env, argv[1], pin_root, sizeof pin_root)) return throw_type(env, "open: pinRoot must be a string");
  int slot = -1;
  for (int i = 0; i < MAX_OBJECTS; i++)
    if (!objects[i]) {
      slot = i;
      break;
    }
  if (slot < 0) return throw_errno(env, EMFILE, "bpf_object__open_file", "%s (%d objects open)", path, MAX_OBJECTS);
  LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = have_pin ? pin_root : NULL);
  last_log_len = 0;
  last_log[0] = 0;
  struct bpf_object *obj = bpf_object__open_file(path, &opts);
  long err = libbpf_get_error(obj);
  if (err) return throw_errno(env, (int)err, "bpf_object__open_file", "%s", path);
  err = bpf_object__load(obj);
  if (err) {
    bpf_object__close(obj);
    return throw_errno(env, (int)err, "bpf_object__load", "%s (the verifier's log: lastLog())", path);
  }
  objects[slot] = obj;
  return make_int(env, slot);
}

static napi_value b_close(napi_env env, napi_callback_info info) {
  ARGS(1);
  int32_t h;
  if (!arg_int(env, argv[0], &h) || h < 0 || h >= MAX_OBJECTS) return throw_type(env, "close(handle): not an object handle");
  if (objects[h]) bpf_object__close(objects[h]);
  objects[h] = NULL;
  return make_undefined(env);
}

static napi_value b_program_fd(napi_env env, napi_callback_info info) {
  ARGS(2);
  struct bpf_object *obj = arg_object(env, argv[0]);
  char name[256];
  if (!obj) return throw_type(env, "programFd(handle, name): not an open object");
  if (!arg_string(env, argv[1], name, sizeof name)) return throw_type(env, "programFd: name must be a string");
  struct bpf_program *p = bpf_object__find_program_by_name(obj, name);
  if (!p) return throw_errno(env, ENOENT, "bpf_object__find_program_by_name", "\"%s\"", name);
  int fd = bpf_program__fd(p);
  if (fd < 0) return throw_errno(env, fd, "bpf_program__fd", "\"%s\"", name);
  return make_int(env, fd);
}

static napi_value b_map_fd(napi_env env, napi_callback_info info) {
  ARGS(2);
  struct bpf_object *obj = arg_object(env, argv[0]);
  char name[256];
  if (!obj) return throw_type(env, "mapFd(handle, name): not an open object");
  if (!arg_string(env, argv[1], name, sizeof name)) return throw_type(env, "mapFd: name must be a string");
  int fd = bpf_object__find_map_fd_by_name(obj, name);
  if (fd < 0) return throw_errno(env, fd, "bpf_object__find_map_fd_by_name", "\"%s\"", name);
  return make_int(env, fd);
}

static napi_value b_names(napi_env env, napi_callback_info info, bool maps) {
  ARGS(1);
  struct bpf_object *obj = arg_object(env, argv[0]);
  if (!obj) return throw_type(env, "programNames/mapNames(handle): not an open object");
  napi_value arr;
  CHECK(napi_create_array(env, &arr));
  uint32_t i = 0;
  if (maps) {
    struct bpf_map *m;
    bpf_object__for_each_map(m, obj) {
      napi_value s;
      napi_create_string_utf8(env, bpf_map__name(m), NAPI_AUTO_LENGTH, &s);
      napi_set_element(env, arr, i++, s);
    }
  } else {
    struct bpf_program *p;
    bpf_object__for_each_program(p, obj) {
      napi_value s;
      napi_create_string_utf8(env, bpf_program__name(p), NAPI_AUTO_LENGTH, &s);
      napi_set_element(env, arr, i++, s);
    }
  }
  return arr;
}
static napi_value b_program_names(napi_env env, napi_callback_info info) { return b_names(env, info, false); }
static napi_value b_map_names(napi_env env, napi_callback_info info) { return b_names(env, info, true); }

/* ---- maps ---- */

/* The answer of a map call that may find nothing (rc from the call, errno as it left it): true,
 * false for ENOENT, else the errno thrown. */
static napi_value map_found(napi_env env, int rc, const char *call, int32_t fd) {
  if (rc == 0) return make_bool(env, true);
  if (errno == ENOENT) return make_bool(env, false);
  return throw_errno(env, errno, call, "(map fd %d)", fd);
}

static napi_value b_map_create(napi_env env, napi_callback_info info) {
  ARGS(7);
  uint32_t type, ks, vs, max, flags = 0;
  int32_t inner = -1;
  char name[BPF_OBJ_NAME_LEN] = "";
  if (!arg_u32(env, argv[0], &type) || !arg_u32(env, argv[1], &ks) || !arg_u32(env, argv[2], &vs) || !arg_u32(env, argv[3], &max))
    return throw_type(env, "mapCreate(type, keySize, valueSize, maxEntries[, flags[, innerFd[, name]]]): numbers expected");
  if (!is_nullish(env, argv[4]) && !arg_u32(env, argv[4], &flags)) return throw_type(env, "mapCreate: flags must be a number");
  if (!is_nullish(env, argv[5]) && !arg_int(env, argv[5], &inner)) return throw_type(env, "mapCreate: innerFd must be a number");
  if (!is_nullish(env, argv[6]) && !arg_string(env, argv[6], name, sizeof name)) return throw_type(env, "mapCreate: name must be a string of at most 15 bytes");
  LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = flags, .inner_map_fd = inner >= 0 ? (uint32_t)inner : 0);
  int fd = bpf_map_create((enum bpf_map_type)type, name[0] ? name : NULL, ks, vs, max, &opts);
  if (fd < 0) return throw_errno(env, errno, "bpf_map_create", "type %u key %u value %u entries %u", type, ks, vs, max);
  return make_int(env, fd);
}

static napi_value b_map_update(napi_env env, napi_callback_info info) {
  ARGS(4);
  int32_t fd;
  uint32_t flags = 0;
  uint8_t *k, *v;
  size_t kl, vl;
  if (!arg_map_kv(env, argv, &fd, &k, &kl, &v, &vl))
    return throw_type(env, "mapUpdate(fd, key, value[, flags]): key and value must be Uint8Arrays");
  if (!is_nullish(env, argv[3]) && !arg_u32(env, argv[3], &flags)) return throw_type(env, "mapUpdate: flags must be a number");
  if (bpf_map_update_elem(fd, k, v, flags)) return throw_errno(env, errno, "bpf_map_update_elem", "(map fd %d)", fd);
  return make_undefined(env);
}

static napi_value b_map_lookup(napi_env env, napi_callback_info info) {
  ARGS(3);
  int32_t fd;
  uint8_t *k, *v;
  size_t kl, vl;
  if (!arg_map_kv(env, argv, &fd, &k, &kl, &v, &vl))
    return throw_type(env, "mapLookup(fd, key, valueOut): key and valueOut must be Uint8Arrays");
  return map_found(env, bpf_map_lookup_elem(fd, k, v), "bpf_map_lookup_elem", fd);
}

static napi_value b_map_delete(napi_env env, napi_callback_info info) {
  ARGS(2);
  int32_t fd;
  uint8_t *k;
  size_t kl;
  if (!arg_int(env, argv[0], &fd) || !arg_bytes(env, argv[1], &k, &kl)) return throw_type(env, "mapDelete(fd, key): key must be a Uint8Array");
  return map_found(env, bpf_map_delete_elem(fd, k), "bpf_map_delete_elem", fd);
}

static napi_value b_map_next_key(napi_env env, napi_callback_info info) {
  ARGS(3);
  int32_t fd;
  uint8_t *k = NULL, *n;
  size_t kl, nl;
  if (!arg_int(env, argv[0], &fd) || (!is_nullish(env, argv[1]) && !arg_bytes(env, argv[1], &k, &kl)) || !arg_bytes(env, argv[2], &n, &nl))
    return throw_type(env, "mapNextKey(fd, key|null, next): key and next must be Uint8Arrays");
  return map_found(env, bpf_map_get_next_key(fd, k, n), "bpf_map_get_next_key", fd);
}

static napi_value b_map_update_batch(napi_env env, napi_callback_info info) {
  ARGS(5);
  int32_t fd;
  uint32_t count, flags = 0;
  uint8_t *k, *v;
  size_t kl, vl;
  if (!arg_map_kv(env, argv, &fd, &k, &kl, &v, &vl) || !arg_u32(env, argv[3], &count))
    return throw_type(env, "mapUpdateBatch(fd, keys, values, count[, flags]): keys and values must be Uint8Arrays");
  if (!is_nullish(env, argv[4]) && !arg_u32(env, argv[4], &flags)) return throw_type(env, "mapUpdateBatch: flags must be a number");
  if (count == 0) return make_int(env, 0);
  LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = flags);
  uint32_t n = count;
  if (bpf_map_update_batch(fd, k, v, &n, &opts)) return throw_errno(env, errno, "bpf_map_update_batch", "(map fd %d, %u of %u done)", fd, n, count);
  return make_int(env, n);
}

static napi_value b_map_lookup_batch(napi_env env, napi_callback_info info) {
  ARGS(4);
  int32_t fd;
  uint32_t max;
  uint8_t *k, *v;
  size_t kl, vl;
  if (!arg_map_kv(env, argv, &fd, &k, &kl, &v, &vl) || !arg_u32(env, argv[3], &max))
    return throw_type(env, "mapLookupBatch(fd, keys, values, max): keys and values must be Uint8Arrays");
  struct bpf_map_info mi;
  uint32_t mil = sizeof mi;
  memset(&mi, 0, sizeof mi);
  if (bpf_obj_get_info_by_fd(fd, &mi, &mil)) return throw_errno(env, errno, "bpf_obj_get_info_by_fd", "(map fd %d)", fd);
  if ((size_t)max * mi.key_size > kl || (size_t)max * mi.value_size > vl) return throw_type(env, "mapLookupBatch: keys/values too small for max records");
  /* in/out batch tokens: 8 bytes is enough for every map type (hash maps use a bucket number) */
  uint64_t in_batch = 0, out_batch = 0;
  uint32_t total = 0;
  bool first = true;
  while (total < max) {
    uint32_t n = max - total;
    LIBBPF_OPTS(bpf_map_batch_opts, opts);
    int r = bpf_map_lookup_batch(fd, first ? NULL : &in_batch, &out_batch, k + (size_t)total * mi.key_size, v + (size_t)total * mi.value_size, &n, &opts);
    int e = errno;
    total += n;
    if (r) {
      if (e == ENOENT) break;
      return throw_errno(env, e, "bpf_map_lookup_batch", "(map fd %d)", fd);
    }
    first = false;
    in_batch = out_batch;
  }
  return make_int(env, total);
}

static napi_value b_map_delete_batch(napi_env env, napi_callback_info info) {
  ARGS(3);
  int32_t fd;
  uint32_t count;
  uint8_t *k;
  size_t kl;
  if (!arg_int(env, argv[0], &fd) || !arg_bytes(env, argv[1], &k, &kl) || !arg_u32(env, argv[2], &count))
    return throw_type(env, "mapDeleteBatch(fd, keys, count): keys must be a Uint8Array");
  if (count == 0) return make_int(env, 0);
  LIBBPF_OPTS(bpf_map_batch_opts, opts);
  uint32_t n = count;
  if (bpf_map_delete_batch(fd, k, &n, &opts)) return throw_errno(env, errno, "bpf_map_delete_batch", "(map fd %d, %u of %u done)", fd, n, count);
  return make_int(env, n);
}

static napi_value b_map_info(napi_env env, napi_callback_info info) {
  ARGS(1);
  int32_t fd;
  if (!arg_int(env, argv[0], &fd)) return throw_type(env, "mapInfo(fd): fd must be a number");
  struct bpf_map_info mi;
  uint32_t len = sizeof mi;
  memset(&mi, 0, sizeof mi);
  if (bpf_obj_get_info_by_fd(fd, &mi, &len)) return throw_errno(env, errno, "bpf_obj_get_info_by_fd", "(map fd %d)", fd);
  napi_value o;
  CHECK(napi_create_object(env, &o));
  set_int(env, o, "id", mi.id);
  set_int(env, o, "type", mi.type);
  set_int(env, o, "keySize", mi.key_size);
  set_int(env, o, "valueSize", mi.value_size);
  set_int(env, o, "maxEntries", mi.max_entries);
  set_int(env, o, "flags", mi.map_flags);
  set_str(env, o, "name", mi.name);
  return o;
}

static napi_value b_prog_info(napi_env env, napi_callback_info info) {
  ARGS(1);
  int32_t fd;
  if (!arg_int(env, argv[0], &fd)) return throw_type(env, "progInfo(fd): fd must be a number");
  struct bpf_prog_info pi;
  uint32_t len = sizeof pi;
  memset(&pi, 0, sizeof pi);
  if (bpf_obj_get_info_by_fd(fd, &pi, &len)) return throw_errno(env, errno, "bpf_obj_get_info_by_fd", "(program fd %d)", fd);
  char tag[2 * BPF_TAG_SIZE + 1];
  for (int i = 0; i < BPF_TAG_SIZE; i++) snprintf(tag + 2 * i, 3, "%02x", pi.tag[i]);
  napi_value o;
  CHECK(napi_create_object(env, &o));
  set_int(env, o, "id", pi.id);
  set_int(env, o, "type", pi.type);
  set_str(env, o, "name", pi.name);
  set_str(env, o, "tag", tag);
  return o;
}

static napi_value b_close_fd(napi_env env, napi_callback_info info) {
  ARGS(1);
  int32_t fd;
  if (!arg_int(env, argv[0], &fd) || fd < 0) return throw_type(env, "closeFd(fd): fd must be a number >= 0");
  if (close(fd)) return throw_errno(env, errno, "close", "(fd %d)", fd);
  return make_undefined(env);
}

/* ---- test runs ---- */

static napi_value b_test_run(napi_env env, napi_callback_info info) {
  ARGS(8);
  int32_t fd, repeat = 1;
  uint32_t len;
  uint8_t *data, *out, *ctx_in = NULL, *ctx_out = NULL;
  size_t dl, ol, cil = 0, col = 0, rl;
  uint32_t *result;
  if (!arg_int(env, argv[0], &fd) || !arg_bytes(env, argv[1], &data, &dl) || !arg_u32(env, argv[2], &len) || !arg_bytes(env, argv[3], &out, &ol))
    return throw_type(env, "testRun(progFd, data, dataLen, dataOut, ctxIn|null, ctxOut|null, repeat, result)");
  if (!is_nullish(env, argv[4]) && !arg_bytes(env, argv[4], &ctx_in, &cil)) return throw_type(env, "testRun: ctxIn must be a Uint8Array or null");
  if (!is_nullish(env, argv[5]) && !arg_bytes(env, argv[5], &ctx_out, &col)) return throw_type(env, "testRun: ctxOut must be a Uint8Array or null");
  if (!is_nullish(env, argv[6]) && !arg_int(env, argv[6], &repeat)) return throw_type(env, "testRun: repeat must be a number");
  if (!arg_u32s(env, argv[7], &result, &rl) || rl < 4) return throw_type(env, "testRun: result must be a Uint32Array of 4");
  if (len > dl) return throw_type(env, "testRun: dataLen exceeds data");
  LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = data, .data_size_in = len, .data_out = out, .data_size_out = (uint32_t)ol,
              .ctx_in = ctx_in, .ctx_size_in = (uint32_t)cil, .ctx_out = ctx_out, .ctx_size_out = (uint32_t)col, .repeat = repeat);
  if (bpf_prog_test_run_opts(fd, &opts)) return throw_errno(env, errno, "bpf_prog_test_run_opts", "(program fd %d, %u bytes)", fd, len);
  result[0] = opts.retval;
  result[1] = opts.data_size_out;
  result[2] = opts.ctx_size_out;
  result[3] = opts.duration;
  return make_int(env, (int32_t)opts.retval);
}

static inline uint32_t rd32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}
static inline void wr32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
#define PAD8(n) (((n) + 7u) & ~7u)

static napi_value b_test_run_batch(napi_env env, napi_callback_info info) {
  ARGS(3);
  uint8_t *in, *out;
  size_t il, ol;
  uint32_t count;
  if (!arg_bytes(env, argv[0], &in, &il) || !arg_u32(env, argv[1], &count) || !arg_bytes(env, argv[2], &out, &ol))
    return throw_type(env, "testRunBatch(records, count, out): records and out must be Uint8Arrays");
  size_t ip = 0, op = 0;
  for (uint32_t i = 0; i < count; i++) {
    if (ip + 16 > il) return throw_type(env, "testRunBatch: records end inside a record header");
    uint32_t fd = rd32(in + ip), dlen = rd32(in + ip + 4), clen = rd32(in + ip + 8), repeat = rd32(in + ip + 12);
    const uint8_t *data = in + ip + 16;
    const uint8_t *ctx = data + PAD8(dlen);
    ip += 16 + PAD8(dlen) + PAD8(clen);
    if (ip > il) return throw_type(env, "testRunBatch: records end inside a record");
    if (op + 16 + PAD8(TEST_RUN_MAX_DATA) + PAD8(clen) > ol) return throw_type(env, "testRunBatch: out is too small");
    uint8_t *hdr = out + op;
    uint8_t *dout = hdr + 16;
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = data, .data_size_in = dlen, .data_out = dout, .data_size_out = TEST_RUN_MAX_DATA,
                .ctx_in = clen ? ctx : NULL, .ctx_size_in = clen, .repeat = (int)repeat);
    uint8_t ctx_out[256];
    if (clen) {
      if (clen > sizeof ctx_out) return throw_type(env, "testRunBatch: ctx longer than 256 bytes");
      opts.ctx_out = ctx_out;
      opts.ctx_size_out = clen;
    }
    if (bpf_prog_test_run_opts((int)fd, &opts)) {
      wr32(hdr, 0xffffffffu);
      wr32(hdr + 4, 0);
      wr32(hdr + 8, 0);
      wr32(hdr + 12, (uint32_t)errno);
      op += 16;
      continue;
    }
    uint32_t dout_len = opts.data_size_out > TEST_RUN_MAX_DATA ? TEST_RUN_MAX_DATA : opts.data_size_out;
    wr32(hdr, opts.retval);
    wr32(hdr + 4, dout_len);
    wr32(hdr + 8, clen ? opts.ctx_size_out : 0);
    wr32(hdr + 12, opts.duration);
    op += 16 + PAD8(dout_len);
    if (clen) {
      memcpy(out + op, ctx_out, opts.ctx_size_out);
      op += PAD8(opts.ctx_size_out);
    }
  }
  return make_int(env, (int64_t)op);
}

/* ---- tc clsact ---- */

static int arg_attach_point(napi_env env, napi_value v, enum bpf_tc_attach_point *p) {
  uint32_t a;
  if (!arg_u32(env, v, &a) || a < 1 || a > 3) return 0;
  *p = a == 1 ? BPF_TC_INGRESS : a == 2 ? BPF_TC_EGRESS : (enum bpf_tc_attach_point)(BPF_TC_INGRESS | BPF_TC_EGRESS);
  return 1;
}
/* (ifindex, attachPoint 1|2) of a filter call: one direction, not both. */
static int arg_filter_point(napi_env env, napi_value *argv, int32_t *ifindex, enum bpf_tc_attach_point *p) {
  return arg_int(env, argv[0], ifindex) && arg_attach_point(env, argv[1], p) && *p != (BPF_TC_INGRESS | BPF_TC_EGRESS);
}
/* (ifindex, attachPoint 1|2, handle, priority) of tcDetach and tcQuery. */
static int arg_filter(napi_env env, napi_value *argv, int32_t *ifindex, enum bpf_tc_attach_point *p, uint32_t *handle, uint32_t *prio) {
  return arg_filter_point(env, argv, ifindex, p) && arg_u32(env, argv[2], handle) && arg_u32(env, argv[3], prio);
}
static const char *point_name(enum bpf_tc_attach_point p) {
  return p == BPF_TC_INGRESS ? "ingress" : p == BPF_TC_EGRESS ? "egress" : "ingress and egress";
}

static napi_value b_tc_hook_create(napi_env env, napi_callback_info info) {
  ARGS(2);
  int32_t ifindex;
  enum bpf_tc_attach_point p;
  if (!arg_int(env, argv[0], &ifindex) || !arg_attach_point(env, argv[1], &p)) return throw_type(env, "tcHookCreate(ifindex, attachPoint 1|2|3)");
  LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = p);
  int r = bpf_tc_hook_create(&hook);
  if (r == -EEXIST) return make_bool(env, false);
  if (r) return throw_errno(env, r, "bpf_tc_hook_create", "(clsact on ifindex %d)", ifindex);
  return make_bool(env, true);
}

static napi_value b_tc_hook_destroy(napi_env env, napi_callback_info info) {
  ARGS(2);
  int32_t ifindex;
  enum bpf_tc_attach_point p;
  if (!arg_int(env, argv[0], &ifindex) || !arg_attach_point(env, argv[1], &p)) return throw_type(env, "tcHookDestroy(ifindex, attachPoint 1|2|3)");
  LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = p);
  int r = bpf_tc_hook_destroy(&hook);
  if (r && r != -ENOENT) return throw_errno(env, r, "bpf_tc_hook_destroy", "(clsact %s on ifindex %d)", point_name(p), ifindex);
  return make_undefined(env);
}

static napi_value b_tc_attach(napi_env env, napi_callback_info info) {
  ARGS(6);
  int32_t ifindex, fd;
  uint32_t handle, prio;
  bool replace = false;
  enum bpf_tc_attach_point p;
  if (!arg_filter_point(env, argv, &ifindex, &p) || !arg_int(env, argv[2], &fd) || !arg_u32(env, argv[3], &handle) ||
      !arg_u32(env, argv[4], &prio))
    return throw_type(env, "tcAttach(ifindex, attachPoint 1|2, progFd, handle, priority, replace)");
  if (!is_nullish(env, argv[5])) napi_get_value_bool(env, argv[5], &replace);
  LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = p);
  LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = fd, .handle = handle, .priority = prio, .flags = replace ? BPF_TC_F_REPLACE : 0);
  int r = bpf_tc_attach(&hook, &opts);
  if (r) return throw_errno(env, r, "bpf_tc_attach", "(%s of ifindex %d, handle %u, priority %u)", point_name(p), ifindex, handle, prio);
  napi_value o;
  CHECK(napi_create_object(env, &o));
  set_int(env, o, "handle", opts.handle);
  set_int(env, o, "priority", opts.priority);
  set_int(env, o, "progId", opts.prog_id);
  return o;
}

static napi_value b_tc_detach(napi_env env, napi_callback_info info) {
  ARGS(4);
  int32_t ifindex;
  uint32_t handle, prio;
  enum bpf_tc_attach_point p;
  if (!arg_filter(env, argv, &ifindex, &p, &handle, &prio))
    return throw_type(env, "tcDetach(ifindex, attachPoint 1|2, handle, priority)");
  LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = p);
  LIBBPF_OPTS(bpf_tc_opts, opts, .handle = handle, .priority = prio);
  int r = bpf_tc_detach(&hook, &opts);
  if (r) return throw_errno(env, r, "bpf_tc_detach", "(%s of ifindex %d, handle %u, priority %u)", point_name(p), ifindex, handle, prio);
  return make_undefined(env);
}

static napi_value b_tc_query(napi_env env, napi_callback_info info) {
  ARGS(4);
  int32_t ifindex;
  uint32_t handle, prio;
  enum bpf_tc_attach_point p;
  if (!arg_filter(env, argv, &ifindex, &p, &handle, &prio))
    return throw_type(env, "tcQuery(ifindex, attachPoint 1|2, handle, priority)");
  LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = p);
  LIBBPF_OPTS(bpf_tc_opts, opts, .handle = handle, .priority = prio);
  int r = bpf_tc_query(&hook, &opts);
  if (r == -ENOENT || r == -EINVAL) return make_int(env, 0); /* no clsact qdisc, or no such filter */
  if (r) return throw_errno(env, r, "bpf_tc_query", "(%s of ifindex %d, handle %u, priority %u)", point_name(p), ifindex, handle, prio);
  return make_int(env, opts.prog_id);
}

/* ---- pins ---- */

static napi_value b_pin(napi_env env, napi_callback_info info) {
  ARGS(2);
  int32_t fd;
  char path[4096];
  if (!arg_int(env, argv[0], &fd) || !arg_string(env, argv[1], path, sizeof path)) return throw_type(env, "pin(fd, path)");
  if (bpf_obj_pin(fd, path)) return throw_errno(env, errno, "bpf_obj_pin", "%s (fd %d)", path, fd);
  return make_undefined(env);
}

static napi_value b_unpin(napi_env env, napi_callback_info info) {
  ARGS(1);
  char path[4096];
  if (!arg_string(env, argv[0], path, sizeof path)) return throw_type(env, "unpin(path)");
  if (unlink(path) && errno != ENOENT) return throw_errno(env, errno, "unlink", "%s", path);
  return make_undefined(env);
}

static napi_value b_obj_get(napi_env env, napi_callback_info info) {
  ARGS(1);
  char path[4096];
  if (!arg_string(env, argv[0], path, sizeof path)) return throw_type(env, "objGet(path)");
  int fd = bpf_obj_get(path);
  if (fd < 0) return throw_errno(env, errno, "bpf_obj_get", "%s", path);
  return make_int(env, fd);
}

static napi_value b_map_fd_by_id(napi_env env, napi_callback_info info) {
  ARGS(1);
  uint32_t id;
  if (!arg_u32(env, argv[0], &id) || id == 0) return throw_type(env, "mapFdById(id): a map id");
  int fd = bpf_map_get_fd_by_id(id);
  if (fd < 0) return throw_errno(env, errno, "bpf_map_get_fd_by_id", "(map id %u)", id);
  return make_int(env, fd);
}

/* ---- interfaces ---- */

static napi_value b_if_index(napi_env env, napi_callback_info info) {
  ARGS(1);
  char name[IF_NAMESIZE + 1];
  if (!arg_string(env, argv[0], name, sizeof name)) return throw_type(env, "ifIndex(name): an interface name of at most 15 bytes");
  return make_int(env, if_nametoindex(name));
}

static napi_value b_multi(napi_env env, napi_callback_info info, bool add) {
  ARGS(2);
  char name[IF_NAMESIZE + 1];
  uint8_t *mac;
  size_t ml;
  if (!arg_string(env, argv[0], name, sizeof name) || !arg_bytes(env, argv[1], &mac, &ml) || ml != 6)
    return throw_type(env, add ? "addMulticast(ifname, mac): mac must be a Uint8Array of 6" : "delMulticast(ifname, mac): mac must be a Uint8Array of 6");
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return throw_errno(env, errno, "socket", "(AF_INET, for %s)", add ? "SIOCADDMULTI" : "SIOCDELMULTI");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  memcpy(ifr.ifr_name, name, strnlen(name, IF_NAMESIZE - 1));
  ifr.ifr_hwaddr.sa_family = AF_UNSPEC;
  memcpy(ifr.ifr_hwaddr.sa_data, mac, 6);
  int r = ioctl(s, add ? SIOCADDMULTI : SIOCDELMULTI, &ifr);
  int e = errno;
  close(s);
  if (r)
    return throw_errno(env, e, add ? "ioctl SIOCADDMULTI" : "ioctl SIOCDELMULTI", "%02x-%02x-%02x-%02x-%02x-%02x on %s", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], name);
  return make_undefined(env);
}
static napi_value b_add_multicast(napi_env env, napi_callback_info info) { return b_multi(env, info, true); }
static napi_value b_del_multicast(napi_env env, napi_callback_info info) { return b_multi(env, info, false); }

static napi_value b_last_log(napi_env env, napi_callback_info info) {
  napi_value s;
  napi_create_string_utf8(env, last_log, last_log_len, &s);
  return s;
}

static napi_value init(napi_env env, napi_value exports) {
  libbpf_set_print(on_libbpf_print);
  libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
  struct {
    const char *name;
    napi_callback fn;
  } fns[] = {
      {"open", b_open},
      {"close", b_close},
      {"programFd", b_program_fd},
      {"mapFd", b_map_fd},
      {"programNames", b_program_names},
      {"mapNames", b_map_names},
      {"mapCreate", b_map_create},
      {"mapUpdate", b_map_update},
      {"mapLookup", b_map_lookup},
      {"mapDelete", b_map_delete},
      {"mapNextKey", b_map_next_key},
      {"mapUpdateBatch", b_map_update_batch},
      {"mapLookupBatch", b_map_lookup_batch},
      {"mapDeleteBatch", b_map_delete_batch},
      {"mapInfo", b_map_info},
      {"progInfo", b_prog_info},
      {"closeFd", b_close_fd},
      {"testRun", b_test_run},
      {"testRunBatch", b_test_run_batch},
      {"tcHookCreate", b_tc_hook_create},
      {"tcHookDestroy", b_tc_hook_destroy},
      {"tcAttach", b_tc_attach},
      {"tcDetach", b_tc_detach},
      {"tcQuery", b_tc_query},
      {"pin", b_pin},
      {"unpin", b_unpin},
      {"objGet", b_obj_get},
      {"mapFdById", b_map_fd_by_id},
      {"ifIndex", b_if_index},
      {"addMulticast", b_add_multicast},
      {"delMulticast", b_del_multicast},
      {"lastLog", b_last_log},
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    CHECK(napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f));
    CHECK(napi_set_named_property(env, exports, fns[i].name, f));
  }
  napi_value v;
  char ver[32];
  snprintf(ver, sizeof ver, "%u.%u", libbpf_major_version(), libbpf_minor_version());
  napi_create_string_utf8(env, ver, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, exports, "libbpfVersion", v);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
