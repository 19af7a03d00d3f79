/*
 * intracluster TAP access for Node (N-API, no dependencies).
 *
 *   open(name[, offload[, netns[, create]]]) -> { fd, name, offload }   /dev/net/tun, IFF_TAP | IFF_NO_PI,
 *                            non-blocking, close-on-exec; offload: IFF_VNET_HDR and TSO/checksum offloads
 *                            (below); netns: path of a network namespace (/run/netns/NAME) to open the
 *                            device in ("" or absent: the caller's); create false: fail with ENODEV
 *                            instead of creating a device that does not exist (default true)
 *   read(fd, buf)         -> bytes read, or -errno (-EAGAIN when no frame is waiting)
 *   write(fd, buf, len)   -> bytes written, or -errno
 *   readv(fd, hdr, buf)   -> frame bytes read into buf, its virtio-net header into hdr, or -errno
 *   writev(fd, hdr, buf, len) -> frame bytes written (header hdr, frame buf[0..len)), or -errno
 *   watch(fd, cb)         -> handle; cb(status) on the event loop each time fd is readable (status < 0: error)
 *   unwatch(handle)       stops and frees the watcher (fd stays open)
 *   close(fd)             -> 0 or -errno
 *   sendRaw(ifname, frame) -> bytes sent; throws (errno text): one Ethernet frame out of interface
 *                            ifname of the caller's network namespace (AF_PACKET, SOCK_RAW), for tests
 *   openPacket(ifname, ethertype) -> fd; throws (errno text): a non-blocking, close-on-exec AF_PACKET
 *                            socket bound to ifname that receives only frames of that EtherType (after
 *                            tc ingress) and sends past the qdisc and tc egress; read/write/watch/close
 *                            as for a TAP (the kernel datapath's heartbeats, src/attach)
 *   floodRaw(ifname, frames, frameLen, seconds, perSecond) -> { sent, errors, seconds }: the frames
 *                            round robin out of ifname, paced, for load tests (blocks for `seconds`)
 *
 * One read() of a TAP returns exactly one Ethernet frame (without FCS); one write() injects one.
 * read/write return -errno instead of throwing: the shim's hot path allocates no exception objects.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h> /* before <linux/if.h>: glibc's and the kernel's definitions then agree (libc-compat.h) */
#include <linux/if.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <node_api.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#define CHECK(call)                                                    \
  do {                                                                 \
    if ((call) != napi_ok) {                                           \
      napi_throw_error(env, NULL, "intracluster tap: " #call " failed"); \
      return NULL;                                                     \
    }                                                                  \
  } while (0)

static napi_value throw_errno(napi_env env, int err, const char *syscall, const char *what) {
  char msg[160];
  snprintf(msg, sizeof msg, "%s %s: %s", syscall, what, strerror(err));
  napi_value code, message, error, sys, errnum;
  /* Node's convention: err.code is the symbolic name (EPERM, ENOENT, ...). */
  const char *name = err == EPERM ? "EPERM" : err == EACCES ? "EACCES" : err == ENOENT ? "ENOENT"
                   : err == EBUSY ? "EBUSY" : err == EINVAL ? "EINVAL" : err == ENODEV ? "ENODEV"
                   : err == ENOMEM ? "ENOMEM" : err == ENETDOWN ? "ENETDOWN" : err == ENXIO ? "ENXIO" : "EIO";
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, code, message, &error);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sys);
  napi_set_named_property(env, error, "syscall", sys);
  napi_create_int32(env, -err, &errnum);
  napi_set_named_property(env, error, "errno", errnum);
  napi_throw(env, error);
  return NULL;
}

static int arg_int(napi_env env, napi_value v, int32_t *out) {
  return napi_get_value_int32(env, v, out) == napi_ok;
}

/* A Uint8Array (or Buffer) argument as pointer + length. */
static int arg_bytes(napi_env env, napi_value v, uint8_t **data, size_t *len) {
  bool is;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  napi_typedarray_type type;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, v, &type, len, (void **)data, &ab, &off) != napi_ok) return 0;
  return type == napi_uint8_array;
}

/* One open of a TAP, run on a helper thread when it must happen in another network namespace:
   setns(2) changes the calling thread only, so Node's own threads never leave their namespace, and
   the helper thread ends right after. A TUN/TAP file belongs to the namespace it is opened in
   (tun_chr_open takes current's net), and the descriptor keeps working wherever the device moves. */
typedef struct {
  char name[IFNAMSIZ];
  char netns[4096];
  int offload, create;
  /* results */
  int fd, err, offloaded;
  const char *syscall;
  char ifname[IFNAMSIZ + 1];
} open_job_t;

static void *open_job_run(void *arg) {
  open_job_t *j = arg;
  j->fd = -1;
  if (j->netns[0]) {
    int nsfd = open(j->netns, O_RDONLY | O_CLOEXEC);
    if (nsfd < 0) { j->err = errno; j->syscall = "open(netns)"; return NULL; }
    int r = setns(nsfd, CLONE_NEWNET);
    int e = errno;
    close(nsfd);
    if (r < 0) { j->err = e; j->syscall = "setns"; return NULL; }
  }
  /* without create: the device must exist already (TUNSETIFF would silently make a new one) */
  if (!j->create && if_nametoindex(j->name) == 0) { j->err = errno == ENXIO ? ENODEV : errno; j->syscall = "if_nametoindex"; return NULL; }
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) { j->err = errno; j->syscall = "open(/dev/net/tun)"; return NULL; }
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  /* IFF_NO_PI: no 4-byte packet-information header, the fd carries bare Ethernet frames.
     Without offload: no IFF_VNET_HDR, the kernel keeps offloads off, so frames are at most MTU + header
     with full checksums. With offload: each frame comes with a 10-byte virtio-net header (readv/writev)
     and may be a TSO/GSO frame of up to 64 KiB with a partial checksum (the header says so); one
     syscall then carries up to 44 MTU-sized frames. */
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (j->offload ? IFF_VNET_HDR : 0);
  memcpy(ifr.ifr_name, j->name, strnlen(j->name, IFNAMSIZ - 1));
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    j->err = errno;
    j->syscall = "ioctl(TUNSETIFF)";
    close(fd);
    return NULL;
  }
  /* A kernel that refuses the offloads still speaks the header: frames are then MTU-sized. */
  j->offloaded = j->offload && ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6) == 0;
  memcpy(j->ifname, ifr.ifr_name, strnlen(ifr.ifr_name, IFNAMSIZ));
  j->fd = fd;
  return NULL;
}

static napi_value tap_open(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  open_job_t *j = calloc(1, sizeof *j);
  if (!j) return throw_errno(env, ENOMEM, "calloc", "tap open");
  bool b = false;
  j->offload = argc >= 2 && napi_get_value_bool(env, argv[1], &b) == napi_ok && b;
  /* create: absent or true keeps the old behaviour (open creates a missing device) */
  b = true;
  j->create = argc < 4 || napi_get_value_bool(env, argv[3], &b) != napi_ok || b;
  size_t n = 0, nl = 0;
  char name[IFNAMSIZ + 1] = {0};
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], name, sizeof name, &n) != napi_ok || n == 0 || n >= IFNAMSIZ) {
    free(j);
    napi_throw_type_error(env, NULL, "tap open: expected an interface name of 1 to 15 characters");
    return NULL;
  }
  memcpy(j->name, name, n);
  napi_valuetype t = napi_undefined;
  if (argc >= 3) napi_typeof(env, argv[2], &t);
  if (t == napi_string && (napi_get_value_string_utf8(env, argv[2], j->netns, sizeof j->netns, &nl) != napi_ok || nl >= sizeof j->netns - 1)) {
    free(j);
    napi_throw_type_error(env, NULL, "tap open: network namespace path too long");
    return NULL;
  }
  if (j->netns[0]) {
    pthread_t th;
    int rc = pthread_create(&th, NULL, open_job_run, j);
    if (rc != 0) { free(j); return throw_errno(env, rc, "pthread_create", "tap open"); }
    pthread_join(th, NULL);
  } else {
    open_job_run(j);
  }
  if (j->fd < 0) {
    int err = j->err;
    const char *sys = j->syscall;
    free(j);
    return throw_errno(env, err, sys, name);
  }
  napi_value result, vfd, vname, voff;
  napi_status st = napi_create_object(env, &result);
  if (st == napi_ok) st = napi_create_int32(env, j->fd, &vfd);
  if (st == napi_ok) st = napi_create_string_utf8(env, j->ifname, NAPI_AUTO_LENGTH, &vname);
  if (st == napi_ok) st = napi_get_boolean(env, j->offloaded, &voff);
  if (st == napi_ok) st = napi_set_named_property(env, result, "fd", vfd);
  if (st == napi_ok) st = napi_set_named_property(env, result, "name", vname);
  if (st == napi_ok) st = napi_set_named_property(env, result, "offload", voff);
  if (st != napi_ok) {
    close(j->fd);
    free(j);
    napi_throw_error(env, NULL, "intracluster tap: building the open result failed");
    return NULL;
  }
  free(j);
  return result;
}

static napi_value tap_read(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], out;
  int32_t fd;
  uint8_t *data;
  size_t len;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2 || !arg_int(env, argv[0], &fd) || !arg_bytes(env, argv[1], &data, &len)) {
    napi_throw_type_error(env, NULL, "tap read: expected (fd, Uint8Array)");
    return NULL;
  }
  ssize_t r;
  do r = read(fd, data, len); while (r < 0 && errno == EINTR);
  CHECK(napi_create_int32(env, r < 0 ? -errno : (int32_t)r, &out));
  return out;
}

static napi_value tap_write(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], out;
  int32_t fd, n;
  uint8_t *data;
  size_t len;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3 || !arg_int(env, argv[0], &fd) || !arg_bytes(env, argv[1], &data, &len) || !arg_int(env, argv[2], &n) || n < 0 || (size_t)n > len) {
    napi_throw_type_error(env, NULL, "tap write: expected (fd, Uint8Array, length within the array)");
    return NULL;
  }
  ssize_t r;
  do r = write(fd, data, (size_t)n); while (r < 0 && errno == EINTR);
  CHECK(napi_create_int32(env, r < 0 ? -errno : (int32_t)r, &out));
  return out;
}

/* Size of struct virtio_net_hdr, the TUNSETVNETHDRSZ default. */
#define VNET_HDR_LEN 10

static napi_value tap_readv(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], out;
  int32_t fd;
  uint8_t *hdr, *data;
  size_t hlen, len;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3 || !arg_int(env, argv[0], &fd) || !arg_bytes(env, argv[1], &hdr, &hlen) || hlen < VNET_HDR_LEN || !arg_bytes(env, argv[2], &data, &len)) {
    napi_throw_type_error(env, NULL, "tap readv: expected (fd, Uint8Array of 10 bytes, Uint8Array)");
    return NULL;
  }
  struct iovec iov[2] = {{hdr, VNET_HDR_LEN}, {data, len}};
  ssize_t r;
  do r = readv(fd, iov, 2); while (r < 0 && errno == EINTR);
  CHECK(napi_create_int32(env, r < 0 ? -errno : r < VNET_HDR_LEN ? -EIO : (int32_t)(r - VNET_HDR_LEN), &out));
  return out;
}

static napi_value tap_writev(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4], out;
  int32_t fd, n;
  uint8_t *hdr, *data;
  size_t hlen, len;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 4 || !arg_int(env, argv[0], &fd) || !arg_bytes(env, argv[1], &hdr, &hlen) || hlen < VNET_HDR_LEN || !arg_bytes(env, argv[2], &data, &len) ||
      !arg_int(env, argv[3], &n) || n < 0 || (size_t)n > len) {
    napi_throw_type_error(env, NULL, "tap writev: expected (fd, Uint8Array of 10 bytes, Uint8Array, length within the array)");
    return NULL;
  }
  struct iovec iov[2] = {{hdr, VNET_HDR_LEN}, {data, (size_t)n}};
  ssize_t r;
  do r = writev(fd, iov, 2); while (r < 0 && errno == EINTR);
  CHECK(napi_create_int32(env, r < 0 ? -errno : r < VNET_HDR_LEN ? -EIO : (int32_t)(r - VNET_HDR_LEN), &out));
  return out;
}

static napi_value tap_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  int32_t fd;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || !arg_int(env, argv[0], &fd)) {
    napi_throw_type_error(env, NULL, "tap close: expected (fd)");
    return NULL;
  }
  CHECK(napi_create_int32(env, close(fd) < 0 ? -errno : 0, &out));
  return out;
}

/* ---- readability watcher: a libuv poll handle on the loop Node runs ---- */

typedef struct {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context async;
  int closed;
} watcher_t;

/* Freed once libuv has closed the handle; the JS side calls unwatch() exactly once per watch(). */
static void on_closed(uv_handle_t *h) {
  free(h->data);
}

static void on_poll(uv_poll_t *h, int status, int events) {
  (void)events;
  watcher_t *w = h->data;
  if (w->closed) return;
  napi_env env = w->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value cb, recv, arg, result;
  if (napi_get_reference_value(env, w->callback, &cb) == napi_ok && cb != NULL &&
      napi_get_global(env, &recv) == napi_ok && napi_create_int32(env, status, &arg) == napi_ok) {
    /* make_callback (not call_function): runs process.nextTick and promise jobs afterwards, as Node's own I/O does. */
    if (napi_make_callback(env, w->async, recv, cb, 1, &arg, &result) == napi_pending_exception) {
      napi_value ex;
      napi_get_and_clear_last_exception(env, &ex);
      napi_fatal_exception(env, ex);
    }
  }
  napi_close_handle_scope(env, scope);
}

static void watcher_release(napi_env env, watcher_t *w) {
  if (w->closed) return;
  w->closed = 1;
  uv_poll_stop(&w->poll);
  napi_delete_reference(env, w->callback);
  napi_async_destroy(env, w->async);
  uv_close((uv_handle_t *)&w->poll, on_closed);
}

static napi_value tap_watch(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], name, handle;
  int32_t fd;
  napi_valuetype t;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2 || !arg_int(env, argv[0], &fd) || napi_typeof(env, argv[1], &t) != napi_ok || t != napi_function) {
    napi_throw_type_error(env, NULL, "tap watch: expected (fd, callback)");
    return NULL;
  }
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  watcher_t *w = calloc(1, sizeof *w);
  if (!w) return throw_errno(env, ENOMEM, "calloc", "watcher");
  w->env = env;
  w->poll.data = w;
  int rc = uv_poll_init(loop, &w->poll, fd);
  if (rc < 0) {
    free(w);
    return throw_errno(env, -rc, "uv_poll_init", "tap fd");
  }
  CHECK(napi_create_reference(env, argv[1], 1, &w->callback));
  CHECK(napi_create_string_utf8(env, "intracluster:tap", NAPI_AUTO_LENGTH, &name));
  napi_value resource;
  CHECK(napi_create_object(env, &resource));
  CHECK(napi_async_init(env, resource, name, &w->async));
  rc = uv_poll_start(&w->poll, UV_READABLE, on_poll);
  if (rc < 0) {
    watcher_release(env, w);
    return throw_errno(env, -rc, "uv_poll_start", "tap fd");
  }
  CHECK(napi_create_external(env, w, NULL, NULL, &handle));
  return handle;
}

static napi_value tap_unwatch(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *p = NULL;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || napi_get_value_external(env, argv[0], &p) != napi_ok || p == NULL) {
    napi_throw_type_error(env, NULL, "tap unwatch: expected a handle from watch()");
    return NULL;
  }
  watcher_release(env, p);
  return NULL;
}

/* ---- raw send: one frame out of a named interface (tests send as a host that is not a member) ---- */

static napi_value tap_send_raw(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], out;
  char name[IFNAMSIZ + 1] = {0};
  size_t n = 0, len;
  uint8_t *data;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2 || napi_get_value_string_utf8(env, argv[0], name, sizeof name, &n) != napi_ok || n == 0 || n >= IFNAMSIZ ||
      !arg_bytes(env, argv[1], &data, &len) || len < 14) {
    napi_throw_type_error(env, NULL, "sendRaw: expected (interface name of 1 to 15 characters, Uint8Array of at least 14 bytes)");
    return NULL;
  }
  unsigned ifindex = if_nametoindex(name);
  if (ifindex == 0) return throw_errno(env, errno, "if_nametoindex", name);
  /* Protocol 0: the socket receives nothing, it only sends. The frame goes out as given (its own
     Ethernet header, no FCS); bound to the interface, so send() needs no address. */
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, errno, "socket(AF_PACKET)", name);
  struct sockaddr_ll sll;
  memset(&sll, 0, sizeof sll);
  sll.sll_family = AF_PACKET;
  sll.sll_ifindex = (int)ifindex;
  if (bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, err, "bind(AF_PACKET)", name);
  }
  ssize_t r;
  do r = send(fd, data, len, 0); while (r < 0 && errno == EINTR);
  int err = errno;
  close(fd);
  if (r < 0) return throw_errno(env, err, "send", name);
  CHECK(napi_create_int32(env, (int32_t)r, &out));
  return out;
}

/* ---- packet socket for one EtherType (the kernel datapath's control plane: heartbeats) ---- */

/* A socket bound to one protocol on one interface sits on the device's ptype list, which the kernel
   runs after tc ingress (__netif_receive_skb_core): it sees what the BPF ingress program passed, and
   no frame of another EtherType is ever copied to it. PACKET_QDISC_BYPASS: frames it sends go to the
   driver directly (packet_direct_xmit), past the qdisc and the tc egress hook, so the datapath's own
   egress program never handles the control plane's frames. */
static napi_value tap_open_packet(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], out;
  char name[IFNAMSIZ + 1] = {0};
  size_t n = 0;
  int32_t ethertype;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2 || napi_get_value_string_utf8(env, argv[0], name, sizeof name, &n) != napi_ok || n == 0 || n >= IFNAMSIZ ||
      !arg_int(env, argv[1], &ethertype) || ethertype < 0x0600 || ethertype > 0xffff) {
    napi_throw_type_error(env, NULL, "openPacket: expected (interface name of 1 to 15 characters, EtherType 0x0600 to 0xffff)");
    return NULL;
  }
  unsigned ifindex = if_nametoindex(name);
  if (ifindex == 0) return throw_errno(env, errno, "if_nametoindex", name);
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons((uint16_t)ethertype));
  if (fd < 0) return throw_errno(env, errno, "socket(AF_PACKET)", name);
  int one = 1;
  /* Best effort: an old kernel without it still works, with the frames it sends passing tc egress. */
  (void)setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);
  struct sockaddr_ll sll;
  memset(&sll, 0, sizeof sll);
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons((uint16_t)ethertype);
  sll.sll_ifindex = (int)ifindex;
  if (bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, err, "bind(AF_PACKET)", name);
  }
  CHECK(napi_create_int32(env, fd, &out));
  return out;
}

/* ---- raw flood: frames out of a named interface at a paced rate, for load tests ---- */

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* floodRaw(ifname, frames, frameLen, seconds, perSecond) -> { sent, errors, seconds }: sends the
   frames of `frames` (back to back, frameLen bytes each) round robin out of ifname of the caller's
   namespace for `seconds`, at most perSecond of them per second (0: as fast as it can). Blocks the
   calling thread for that long: for a load-test child process, never for the shim. */
static napi_value tap_flood_raw(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5], out, v;
  char name[IFNAMSIZ + 1] = {0};
  size_t n = 0, len;
  uint8_t *data;
  int32_t flen;
  double seconds, rate;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 5 || napi_get_value_string_utf8(env, argv[0], name, sizeof name, &n) != napi_ok || n == 0 || n >= IFNAMSIZ ||
      !arg_bytes(env, argv[1], &data, &len) || !arg_int(env, argv[2], &flen) || flen < 14 || (size_t)flen > len ||
      napi_get_value_double(env, argv[3], &seconds) != napi_ok || seconds <= 0 || seconds > 600 ||
      napi_get_value_double(env, argv[4], &rate) != napi_ok || rate < 0) {
    napi_throw_type_error(env, NULL, "floodRaw: expected (interface name, Uint8Array of frames, frame length >= 14, seconds 0..600, frames per second >= 0)");
    return NULL;
  }
  size_t count = len / (size_t)flen;
  unsigned ifindex = if_nametoindex(name);
  if (ifindex == 0) return throw_errno(env, errno, "if_nametoindex", name);
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, errno, "socket(AF_PACKET)", name);
  struct sockaddr_ll sll;
  memset(&sll, 0, sizeof sll);
  sll.sll_family = AF_PACKET;
  sll.sll_ifindex = (int)ifindex;
  if (bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, err, "bind(AF_PACKET)", name);
  }
  double start = now_s(), end = start + seconds, t = start;
  double sent = 0, errors = 0;
  size_t i = 0;
  while (t < end) {
    for (int k = 0; k < 32; k++, i++) {
      ssize_t r = send(fd, data + (i % count) * (size_t)flen, (size_t)flen, 0);
      if (r == flen) sent++; else errors++;
    }
    t = now_s();
    /* pacing: sleep while ahead of the schedule (bounded by the deadline) */
    while (rate > 0 && sent + errors > (t - start) * rate && t < end) {
      struct timespec ts = {0, 100000};
      nanosleep(&ts, NULL);
      t = now_s();
    }
  }
  close(fd);
  CHECK(napi_create_object(env, &out));
  CHECK(napi_create_double(env, sent, &v));
  CHECK(napi_set_named_property(env, out, "sent", v));
  CHECK(napi_create_double(env, errors, &v));
  CHECK(napi_set_named_property(env, out, "errors", v));
  CHECK(napi_create_double(env, now_s() - start, &v));
  CHECK(napi_set_named_property(env, out, "seconds", v));
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, tap_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"read", NULL, tap_read, NULL, NULL, NULL, napi_enumerable, NULL},
      {"write", NULL, tap_write, NULL, NULL, NULL, napi_enumerable, NULL},
      {"readv", NULL, tap_readv, NULL, NULL, NULL, napi_enumerable, NULL},
      {"writev", NULL, tap_writev, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, tap_close, NULL, NULL, NULL, napi_enumerable, NULL},
      {"watch", NULL, tap_watch, NULL, NULL, NULL, napi_enumerable, NULL},
      {"unwatch", NULL, tap_unwatch, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sendRaw", NULL, tap_send_raw, NULL, NULL, NULL, napi_enumerable, NULL},
      {"openPacket", NULL, tap_open_packet, NULL, NULL, NULL, napi_enumerable, NULL},
      {"floodRaw", NULL, tap_flood_raw, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
