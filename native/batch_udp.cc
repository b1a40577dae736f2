// A UDP socket that receives and sends datagrams in batches: recvmmsg(2) fills up to kBatch
// query slots per system call, JavaScript answers the whole batch in one call, and sendmmsg(2)
// sends every reply written into the reply slots in one more. node:dgram spends one recvmsg,
// one sendmsg and one JavaScript entry per query; on loopback the system calls are most of the
// cost of answering a query (docs/performance.md), so batching them is the point of this file.
//
// The JavaScript side (src/server/batch-udp-socket.ts) owns the four buffers and reads and
// writes them directly; this file only moves bytes between them and the kernel. Layout of the
// shared buffers, slot i of kBatch:
//   queries   [i * kSlot, +kSlot)      datagram bytes as received
//   meta      int32 [i * 9, +9)        length, port, family (4|6), truncated (0|1), address (16
//                                      bytes), IPv6 scope id
//   replies   [i * kSlot, +kSlot)      reply bytes written by JavaScript
//   replyLen  int32 [i]                reply length; 0 sends nothing for that slot
// A reply that does not fit a slot, or one that comes later (an answer that waited for an
// upstream), is sent with sendTo.
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <cstdint>
#include <string>

namespace {

constexpr int kBatch = 64;
constexpr int kSlot = 4096;
constexpr int kMetaInts = 9;
// Batches taken per readable event before the event loop gets a turn (timers, TCP, the API
// watch): up to kBatch * kRoundsPerWakeup datagrams.
constexpr int kRoundsPerWakeup = 8;

struct Endpoint {
  napi_env env = nullptr;
  uv_poll_t poll;
  int fd = -1;
  int family = AF_INET;
  bool polling = false;     // uv_poll started and its close callback not yet run
  bool closed = false;      // close() was called: every entry point refuses it from then on
  bool finalized = false;   // the JavaScript handle is gone: free once libuv lets go too
  bool dispatching = false; // inside the batch callback: close() leaves the references to it
  napi_ref callback = nullptr;
  napi_ref buffers[4] = {nullptr, nullptr, nullptr, nullptr};
  napi_async_context async = nullptr;
  uint8_t* queries = nullptr;
  int32_t* meta = nullptr;
  uint8_t* replies = nullptr;
  int32_t* replyLen = nullptr;
  mmsghdr recvHeaders[kBatch];
  iovec recvVectors[kBatch];
  sockaddr_storage peers[kBatch];
  mmsghdr sendHeaders[kBatch];
  iovec sendVectors[kBatch];
};

napi_value Throw(napi_env env, int err, const char* syscall) {
  napi_value code, message, error, syscallValue, errnoValue;
  napi_create_string_utf8(env, uv_err_name(-err), NAPI_AUTO_LENGTH, &code);
  std::string text = std::string(syscall) + " " + uv_err_name(-err) + " (" + strerror(err) + ")";
  napi_create_string_utf8(env, text.c_str(), NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, code, message, &error);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &syscallValue);
  napi_set_named_property(env, error, "syscall", syscallValue);
  napi_create_int32(env, -err, &errnoValue);
  napi_set_named_property(env, error, "errno", errnoValue);
  napi_throw(env, error);
  return nullptr;
}

napi_value ThrowType(napi_env env, const char* message) {
  napi_throw_type_error(env, nullptr, message);
  return nullptr;
}

Endpoint* EndpointOf(napi_env env, napi_value value) {
  void* data = nullptr;
  if (napi_get_value_external(env, value, &data) != napi_ok) return nullptr;
  return static_cast<Endpoint*>(data);
}

// Reads a call's `count` arguments, the first of which is an endpoint: the endpoint, or null
// when there are fewer arguments or the first is not one.
Endpoint* EndpointCall(napi_env env, napi_callback_info info, size_t count, napi_value* argv) {
  size_t argc = count;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  return argc == count ? EndpointOf(env, argv[0]) : nullptr;
}

std::string StringOf(napi_env env, napi_value value) {
  char buffer[128];
  size_t length = 0;
  if (napi_get_value_string_utf8(env, value, buffer, sizeof buffer, &length) != napi_ok) return "";
  return std::string(buffer, length);
}

// Fills `address` from an IP literal (IPv6 with an optional %zone) and port; false when it is
// not one. On an IPv6 socket an IPv4 literal becomes its mapped address, as a dual-stack socket
// reaches IPv4 peers.
bool SocketAddress(const std::string& ip, int port, int family, sockaddr_storage* address,
                   socklen_t* length) {
  memset(address, 0, sizeof *address);
  in_addr v4;
  if (inet_pton(AF_INET, ip.c_str(), &v4) == 1) {
    if (family == AF_INET6) {
      auto* a6 = reinterpret_cast<sockaddr_in6*>(address);
      a6->sin6_family = AF_INET6;
      a6->sin6_port = htons(port);
      a6->sin6_addr.s6_addr[10] = 0xff;
      a6->sin6_addr.s6_addr[11] = 0xff;
      memcpy(&a6->sin6_addr.s6_addr[12], &v4, 4);
      *length = sizeof(sockaddr_in6);
      return true;
    }
    auto* a4 = reinterpret_cast<sockaddr_in*>(address);
    a4->sin_family = AF_INET;
    a4->sin_port = htons(port);
    a4->sin_addr = v4;
    *length = sizeof(sockaddr_in);
    return true;
  }
  if (family != AF_INET6) return false;
  // A zone (fe80::1%eth0, or %2) becomes the scope id, read as libuv reads it for node:dgram.
  size_t percent = ip.find('%');
  std::string bare = ip.substr(0, percent);
  auto* a6 = reinterpret_cast<sockaddr_in6*>(address);
  if (inet_pton(AF_INET6, bare.c_str(), &a6->sin6_addr) != 1) return false;
  if (percent != std::string::npos) {
    std::string zone = ip.substr(percent + 1);
    unsigned index = if_nametoindex(zone.c_str());
    if (index == 0) index = static_cast<unsigned>(strtoul(zone.c_str(), nullptr, 10));
    a6->sin6_scope_id = index;
  }
  a6->sin6_family = AF_INET6;
  a6->sin6_port = htons(port);
  *length = sizeof(sockaddr_in6);
  return true;
}

// An address as text, with its zone when it has one (fe80::1%eth0), as node:dgram reports it.
void AddressText(const sockaddr_storage& address, char* text, size_t size) {
  socklen_t length = address.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&address), length, text, size, nullptr, 0,
                  NI_NUMERICHOST) != 0) {
    snprintf(text, size, "?");
  }
}

void DeleteRefs(Endpoint* endpoint) {
  napi_env env = endpoint->env;
  if (endpoint->callback != nullptr) napi_delete_reference(env, endpoint->callback);
  endpoint->callback = nullptr;
  for (napi_ref& ref : endpoint->buffers) {
    if (ref != nullptr) napi_delete_reference(env, ref);
    ref = nullptr;
  }
  if (endpoint->async != nullptr) napi_async_destroy(env, endpoint->async);
  endpoint->async = nullptr;
}

// Sends the replies JavaScript wrote for the first `count` slots, to the peers they came from.
void SendReplies(Endpoint* endpoint, int count) {
  int pending = 0;
  for (int i = 0; i < count; i++) {
    int32_t length = endpoint->replyLen[i];
    if (length <= 0 || length > kSlot) continue;
    endpoint->replyLen[i] = 0;
    endpoint->sendVectors[pending].iov_base = endpoint->replies + i * kSlot;
    endpoint->sendVectors[pending].iov_len = length;
    msghdr& header = endpoint->sendHeaders[pending].msg_hdr;
    header.msg_name = &endpoint->peers[i];
    header.msg_namelen = endpoint->recvHeaders[i].msg_hdr.msg_namelen;
    header.msg_iov = &endpoint->sendVectors[pending];
    header.msg_iovlen = 1;
    header.msg_control = nullptr;
    header.msg_controllen = 0;
    header.msg_flags = 0;
    pending++;
  }
  int sent = 0;
  while (sent < pending) {
    int n = sendmmsg(endpoint->fd, endpoint->sendHeaders + sent, pending - sent, MSG_DONTWAIT);
    if (n > 0) {
      sent += n;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    // A full send buffer or an unreachable peer: that reply is lost, as a datagram may be; the
    // client retries. Skip it and send the rest.
    sent++;
  }
}

void OnReadable(uv_poll_t* poll, int status, int /*events*/) {
  auto* endpoint = static_cast<Endpoint*>(poll->data);
  if (status < 0 || endpoint->closed) return;
  napi_env env = endpoint->env;
  for (int round = 0; round < kRoundsPerWakeup && !endpoint->closed; round++) {
    for (int i = 0; i < kBatch; i++) {
      endpoint->recvHeaders[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
      endpoint->recvHeaders[i].msg_hdr.msg_flags = 0;
    }
    int count = recvmmsg(endpoint->fd, endpoint->recvHeaders, kBatch, MSG_DONTWAIT, nullptr);
    if (count <= 0) return;  // EAGAIN: drained; other errors are per-datagram and transient.
    for (int i = 0; i < count; i++) {
      int32_t* meta = endpoint->meta + i * kMetaInts;
      const msghdr& header = endpoint->recvHeaders[i].msg_hdr;
      meta[0] = static_cast<int32_t>(endpoint->recvHeaders[i].msg_len);
      meta[3] = (header.msg_flags & MSG_TRUNC) != 0 ? 1 : 0;
      uint8_t* address = reinterpret_cast<uint8_t*>(meta + 4);
      const sockaddr_storage& peer = endpoint->peers[i];
      if (peer.ss_family == AF_INET6) {
        const auto* a6 = reinterpret_cast<const sockaddr_in6*>(&peer);
        meta[1] = ntohs(a6->sin6_port);
        meta[2] = 6;
        memcpy(address, &a6->sin6_addr, 16);
        meta[8] = static_cast<int32_t>(a6->sin6_scope_id);
      } else {
        const auto* a4 = reinterpret_cast<const sockaddr_in*>(&peer);
        meta[1] = ntohs(a4->sin_port);
        meta[2] = 4;
        memcpy(address, &a4->sin_addr, 4);
        meta[8] = 0;
      }
    }
    napi_handle_scope scope;
    napi_open_handle_scope(env, &scope);
    napi_value callback, receiver, argument, result;
    napi_get_reference_value(env, endpoint->callback, &callback);
    napi_get_global(env, &receiver);
    napi_create_int32(env, count, &argument);
    // make_callback runs the microtasks queued by the batch (replies to asynchronous answers).
    endpoint->dispatching = true;
    napi_status called =
        napi_make_callback(env, endpoint->async, receiver, callback, 1, &argument, &result);
    endpoint->dispatching = false;
    if (called == napi_pending_exception) {
      napi_value error;
      napi_get_and_clear_last_exception(env, &error);
      napi_fatal_exception(env, error);
    }
    napi_close_handle_scope(env, scope);
    if (endpoint->closed) {
      DeleteRefs(endpoint);  // close() was called from the batch callback and left them.
      return;
    }
    SendReplies(endpoint, count);
    if (count < kBatch) return;
  }
}

void OnPollClosed(uv_handle_t* handle) {
  auto* endpoint = static_cast<Endpoint*>(handle->data);
  if (endpoint->fd >= 0) close(endpoint->fd);
  endpoint->fd = -1;
  endpoint->polling = false;
  if (endpoint->finalized) delete endpoint;
}

// The JavaScript handle was collected. While polling, the callback reference keeps the handle
// alive, so this runs only after close() (the poll may still be closing) or without start().
void Finalize(napi_env /*env*/, void* data, void* /*hint*/) {
  auto* endpoint = static_cast<Endpoint*>(data);
  endpoint->finalized = true;
  if (endpoint->polling) return;  // OnPollClosed frees it.
  if (endpoint->fd >= 0) close(endpoint->fd);
  delete endpoint;
}

// open(address: string, port: number, reusePort: boolean) -> external
napi_value Open(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 3) return ThrowType(env, "open(address, port, reusePort)");
  std::string ip = StringOf(env, argv[0]);
  int32_t port = 0;
  bool reusePort = false;
  napi_get_value_int32(env, argv[1], &port);
  napi_get_value_bool(env, argv[2], &reusePort);
  int family = ip.find(':') != std::string::npos ? AF_INET6 : AF_INET;
  sockaddr_storage address;
  socklen_t length = 0;
  if (!SocketAddress(ip, port, family, &address, &length)) return ThrowType(env, "not an IP address");
  int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Throw(env, errno, "socket");
  int on = 1, off = 0;
  // Like node:dgram: "::" serves IPv4 clients too.
  if (family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
  if (reusePort && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0) {
    int err = errno;
    close(fd);
    return Throw(env, err, "setsockopt");
  }
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0) {
    int err = errno;
    close(fd);
    return Throw(env, err, "bind");
  }
  auto* endpoint = new Endpoint();
  endpoint->env = env;
  endpoint->fd = fd;
  endpoint->family = family;
  napi_value external;
  napi_create_external(env, endpoint, Finalize, nullptr, &external);
  return external;
}

// start(endpoint, queries, meta, replies, replyLen, onBatch(count))
napi_value Start(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  Endpoint* endpoint = EndpointCall(env, info, 6, argv);
  if (endpoint == nullptr || endpoint->closed || endpoint->polling) {
    return ThrowType(env, "start(endpoint, queries, meta, replies, replyLen, onBatch)");
  }
  void* data[4];
  const size_t sizes[4] = {kBatch * kSlot, kBatch * kMetaInts * 4, kBatch * kSlot, kBatch * 4};
  for (int i = 0; i < 4; i++) {
    napi_typedarray_type type;
    size_t length = 0, offset = 0;
    napi_value arrayBuffer;
    if (napi_get_typedarray_info(env, argv[i + 1], &type, &length, &data[i], &arrayBuffer,
                                 &offset) != napi_ok) {
      return ThrowType(env, "buffers must be typed arrays");
    }
    size_t elementSize = type == napi_int32_array ? 4 : 1;
    if (length * elementSize != sizes[i]) return ThrowType(env, "buffer of the wrong size");
  }
  for (int i = 0; i < 4; i++) napi_create_reference(env, argv[i + 1], 1, &endpoint->buffers[i]);
  napi_create_reference(env, argv[5], 1, &endpoint->callback);
  napi_value resourceName;
  napi_create_string_utf8(env, "ClusterDnsBatchUdp", NAPI_AUTO_LENGTH, &resourceName);
  napi_async_init(env, nullptr, resourceName, &endpoint->async);
  endpoint->queries = static_cast<uint8_t*>(data[0]);
  endpoint->meta = static_cast<int32_t*>(data[1]);
  endpoint->replies = static_cast<uint8_t*>(data[2]);
  endpoint->replyLen = static_cast<int32_t*>(data[3]);
  for (int i = 0; i < kBatch; i++) {
    endpoint->recvVectors[i].iov_base = endpoint->queries + i * kSlot;
    endpoint->recvVectors[i].iov_len = kSlot;
    msghdr& header = endpoint->recvHeaders[i].msg_hdr;
    memset(&header, 0, sizeof header);
    header.msg_name = &endpoint->peers[i];
    header.msg_namelen = sizeof(sockaddr_storage);
    header.msg_iov = &endpoint->recvVectors[i];
    header.msg_iovlen = 1;
  }
  uv_loop_t* loop = nullptr;
  napi_get_uv_event_loop(env, &loop);
  int err = uv_poll_init(loop, &endpoint->poll, endpoint->fd);
  if (err != 0) return Throw(env, -err, "uv_poll_init");
  endpoint->poll.data = endpoint;
  endpoint->polling = true;
  err = uv_poll_start(&endpoint->poll, UV_READABLE, OnReadable);
  if (err != 0) return Throw(env, -err, "uv_poll_start");
  return nullptr;
}

// sendTo(endpoint, bytes, address, port) -> 0 or a negative errno. For replies that are not
// sent with their batch: too large for a slot, or answered after an await.
napi_value SendTo(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  Endpoint* endpoint = EndpointCall(env, info, 4, argv);
  if (endpoint == nullptr) return ThrowType(env, "sendTo(endpoint, bytes, address, port)");
  napi_value result;
  if (endpoint->closed) {
    napi_create_int32(env, -EBADF, &result);
    return result;
  }
  napi_typedarray_type type;
  size_t length = 0, offset = 0;
  void* data = nullptr;
  napi_value arrayBuffer;
  if (napi_get_typedarray_info(env, argv[1], &type, &length, &data, &arrayBuffer, &offset) !=
      napi_ok) {
    return ThrowType(env, "bytes must be a Uint8Array");
  }
  int32_t port = 0;
  napi_get_value_int32(env, argv[3], &port);
  sockaddr_storage address;
  socklen_t addressLength = 0;
  if (!SocketAddress(StringOf(env, argv[2]), port, endpoint->family, &address, &addressLength)) {
    return ThrowType(env, "not an IP address");
  }
  ssize_t sent = sendto(endpoint->fd, data, length, MSG_DONTWAIT,
                        reinterpret_cast<sockaddr*>(&address), addressLength);
  napi_create_int32(env, sent < 0 ? -errno : 0, &result);
  return result;
}

// formatAddress(endpoint, slot) -> the peer address of a slot as text, as node:dgram gives it
// ("::ffff:127.0.0.1" for an IPv4 peer of a dual-stack socket).
napi_value FormatAddress(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  Endpoint* endpoint = EndpointCall(env, info, 2, argv);
  int32_t slot = -1;
  if (endpoint != nullptr) napi_get_value_int32(env, argv[1], &slot);
  if (endpoint == nullptr || slot < 0 || slot >= kBatch) {
    return ThrowType(env, "formatAddress(endpoint, slot)");
  }
  char text[NI_MAXHOST];
  AddressText(endpoint->peers[slot], text, sizeof text);
  napi_value result;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &result);
  return result;
}

// localAddress(endpoint) -> [address, port]
napi_value LocalAddress(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  Endpoint* endpoint = EndpointCall(env, info, 1, argv);
  if (endpoint == nullptr || endpoint->closed) return ThrowType(env, "localAddress(endpoint)");
  sockaddr_storage local;
  socklen_t length = sizeof local;
  if (getsockname(endpoint->fd, reinterpret_cast<sockaddr*>(&local), &length) != 0) {
    return Throw(env, errno, "getsockname");
  }
  char text[NI_MAXHOST];
  AddressText(local, text, sizeof text);
  int port = local.ss_family == AF_INET6
                 ? ntohs(reinterpret_cast<const sockaddr_in6*>(&local)->sin6_port)
                 : ntohs(reinterpret_cast<const sockaddr_in*>(&local)->sin_port);
  napi_value result, address, portValue;
  napi_create_array_with_length(env, 2, &result);
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &address);
  napi_create_int32(env, port, &portValue);
  napi_set_element(env, result, 0, address);
  napi_set_element(env, result, 1, portValue);
  return result;
}

// close(endpoint): stops receiving and closes the socket once libuv lets go of it.
napi_value Close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  Endpoint* endpoint = EndpointCall(env, info, 1, argv);
  if (endpoint == nullptr) return ThrowType(env, "close(endpoint)");
  if (endpoint->closed) return nullptr;
  endpoint->closed = true;
  // From inside the batch callback the callback and its async context are still in use:
  // OnReadable releases them when the callback returns.
  if (!endpoint->dispatching) DeleteRefs(endpoint);
  if (endpoint->polling) {
    uv_poll_stop(&endpoint->poll);
    uv_close(reinterpret_cast<uv_handle_t*>(&endpoint->poll), OnPollClosed);
  } else {
    close(endpoint->fd);
    endpoint->fd = -1;
  }
  return nullptr;
}

napi_value Constant(napi_env env, int value) {
  napi_value result;
  napi_create_int32(env, value, &result);
  return result;
}

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor properties[] = {
      {"open", nullptr, Open, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"start", nullptr, Start, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sendTo", nullptr, SendTo, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"formatAddress", nullptr, FormatAddress, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"localAddress", nullptr, LocalAddress, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"close", nullptr, Close, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batch", nullptr, nullptr, nullptr, nullptr, Constant(env, kBatch), napi_default, nullptr},
      {"slot", nullptr, nullptr, nullptr, nullptr, Constant(env, kSlot), napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
