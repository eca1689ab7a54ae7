/*
 * One netlink round trip for a batch of requests: the caller packs every message into one
 * buffer, this sends it in a single sendto() and collects the kernel's answers by sequence
 * number. Shared (header-only) by the nft set, ipset and conntrack modules so each stays one
 * shared library with no dependency on another.
 */
#ifndef FS_NL_ROUNDTRIP_H
#define FS_NL_ROUNDTRIP_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/netlink.h>
#include <libmnl/libmnl.h>

#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

/* Socket buffers large enough for a 1024-element batch and its acks in one go. */
#define FS_NL_SOCKBUF (4 * 1024 * 1024)

static inline struct mnl_socket *fs_nl_open(int bus) {
  struct mnl_socket *nl = mnl_socket_open(bus);
  if (!nl) return NULL;
  if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
    mnl_socket_close(nl);
    return NULL;
  }
  int fd = mnl_socket_get_fd(nl);
  int size = FS_NL_SOCKBUF, on = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) < 0)
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  /* Acks without a copy of the request: a 1024-message batch answers in ~40 KB. */
  mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &on, sizeof on);
  /* Never hang the caller: a kernel that does not answer in 2 s is an error. */
  struct timeval tv = {2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return nl;
}

/*
 * Sends `len` bytes and reads answers until every sequence number in [first, last] has
 * been acknowledged. status[seq - first] gets 0 or a positive errno per message (status
 * may be NULL). `on_data` sees non-ack messages (answers to queries) and may be NULL.
 * Returns the number of failed messages, or -errno when the exchange itself failed.
 */
static inline int fs_nl_roundtrip(struct mnl_socket *nl, const void *buf, size_t len, uint32_t first, uint32_t last,
                                  int32_t *status, mnl_cb_t on_data, void *data) {
  if (mnl_socket_sendto(nl, buf, len) < 0) return -errno;
  uint32_t pending = last - first + 1, failed = 0;
  char rx[MNL_SOCKET_BUFFER_SIZE * 4];
  while (pending > 0) {
    ssize_t n = mnl_socket_recvfrom(nl, rx, sizeof rx);
    if (n < 0) return errno == EAGAIN ? -ETIMEDOUT : -errno;
    const struct nlmsghdr *h = (const struct nlmsghdr *)rx;
    int left = (int)n;
    for (; mnl_nlmsg_ok(h, left); h = mnl_nlmsg_next(h, &left)) {
      /* The batch header (first - 1) only answers when the whole batch is refused. */
      if (h->nlmsg_seq == first - 1 && h->nlmsg_type == NLMSG_ERROR) {
        const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
        if (e->error) return e->error < 0 ? e->error : -e->error;
      }
      if (h->nlmsg_seq < first || h->nlmsg_seq > last) continue; /* a stale answer */
      if (h->nlmsg_type == NLMSG_ERROR) {
        const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
        int err = e->error < 0 ? -e->error : e->error;
        if (status) status[h->nlmsg_seq - first] = err;
        if (err) failed++;
        pending--;
      } else if (h->nlmsg_type == NLMSG_DONE) {
        pending--;
      } else if (on_data) {
        on_data(h, data);
      }
    }
  }
  return (int)failed;
}

/* A module's socket, opened on first use, and its sequence counter. */
struct fs_nl_conn {
  struct mnl_socket *nl;
  uint32_t seq;
};

static inline int fs_nl_ensure(struct fs_nl_conn *c) {
  if (c->nl) return 0;
  c->nl = fs_nl_open(NETLINK_NETFILTER);
  return c->nl ? 0 : -errno;
}

/* Sequence numbers for n messages, never 0 (the kernel's own notifications). */
static inline uint32_t fs_nl_seq(struct fs_nl_conn *c, uint32_t n) {
  if (c->seq == 0 || c->seq > 0x7fffffff) c->seq = 1;
  uint32_t s = c->seq;
  c->seq += n;
  return s;
}

/*
 * A batch of `count` messages numbered from `first`, one result each: status_out gets
 * count int32 (0 or a positive errno). Returns the number that failed, or -errno.
 */
static inline int fs_nl_roundtrip_each(struct fs_nl_conn *c, const void *buf, size_t len, uint32_t first, uint32_t count,
                                       uint8_t *status_out) {
  int32_t *status = calloc(count, sizeof *status);
  if (!status) return -ENOMEM;
  int r = fs_nl_roundtrip(c->nl, buf, len, first, first + count - 1, status, NULL, NULL);
  if (status_out) memcpy(status_out, status, (size_t)count * sizeof *status);
  free(status);
  return r;
}

#endif
