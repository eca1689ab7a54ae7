/*
 * ipset for the ipset target, over the kernel's ip_set netlink protocol with libmnl (no
 * libipset): create a hash set (managed targets), add or refresh elements with per-element
 * timeouts and skb info, flush. A batch is one sendto() of one ADD message per element;
 * each element's result comes back in `status`.
 *
 * ABI (results are >= 0 or -errno):
 *   fs_ipset_create(name, type_name, family, timeout_s, maxelem, skbinfo, flush)
 *   fs_ipset_add(name, records, count, fields, skb_mark, skb_mask, skb_prio, skb_queue, skb_flags, status)
 *       records: count × 64-byte element records (layout below); fields: FS_IPSET_* bits;
 *       status: count × int32 filled with 0 or the positive error (errno or IPSET_ERR_*);
 *       returns the number of elements that failed.
 *   fs_ipset_flush(name)
 *
 * Element record: [0] family (2 or 10), [1] ip protocol, [2..3] port (network order),
 * [4..7] timeout seconds (host order, 0 = the set's default), [8..23] ip, [24..39] ip2,
 * [40..45] mac.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/ipset/ip_set.h>
#include <libmnl/libmnl.h>

#include "../common/abi.h"
#include "../common/nl-roundtrip.h"

#define FS_IPSET_IP 1u
#define FS_IPSET_PORT 2u
#define FS_IPSET_IP2 4u
#define FS_IPSET_MAC 8u
#define FS_IPSET_RECORD 64
/* Kernel ipset types this module creates (skb info needs a recent revision). */
#define FS_IPSET_SKB_MARK 1u
#define FS_IPSET_SKB_PRIO 2u
#define FS_IPSET_SKB_QUEUE 4u

static struct fs_nl_conn conn;

static struct nlmsghdr *msg_start(char *buf, uint8_t cmd, uint8_t family, uint16_t flags, uint32_t seq) {
  struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
  h->nlmsg_type = (NFNL_SUBSYS_IPSET << 8) | cmd;
  h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
  h->nlmsg_seq = seq;
  struct nfgenmsg *g = mnl_nlmsg_put_extra_header(h, sizeof *g);
  g->nfgen_family = family;
  g->version = NFNETLINK_V0;
  g->res_id = 0;
  mnl_attr_put_u8(h, IPSET_ATTR_PROTOCOL, IPSET_PROTOCOL);
  return h;
}

static void put_be32(struct nlmsghdr *h, uint16_t type, uint32_t v) {
  mnl_attr_put_u32(h, type | NLA_F_NET_BYTEORDER, htonl(v));
}

static void put_addr(struct nlmsghdr *h, uint16_t type, uint8_t family, const uint8_t *addr) {
  struct nlattr *n = mnl_attr_nest_start(h, type);
  if (family == 10)
    mnl_attr_put(h, IPSET_ATTR_IPADDR_IPV6 | NLA_F_NET_BYTEORDER, 16, addr);
  else
    mnl_attr_put(h, IPSET_ATTR_IPADDR_IPV4 | NLA_F_NET_BYTEORDER, 4, addr);
  mnl_attr_nest_end(h, n);
}

struct revision_answer {
  int revision;
};

static int on_type(const struct nlmsghdr *h, void *data) {
  struct revision_answer *a = data;
  struct nlattr *attr;
  mnl_attr_for_each(attr, h, sizeof(struct nfgenmsg)) {
    if (mnl_attr_get_type(attr) == IPSET_ATTR_REVISION) a->revision = mnl_attr_get_u8(attr);
  }
  return MNL_CB_OK;
}

/* The newest revision of the type the kernel has (skb info and timeouts need recent ones). */
static int type_revision(const char *type_name, uint8_t family) {
  char buf[512];
  uint32_t seq = fs_nl_seq(&conn, 1);
  struct nlmsghdr *h = msg_start(buf, IPSET_CMD_TYPE, family, 0, seq);
  mnl_attr_put_strz(h, IPSET_ATTR_TYPENAME, type_name);
  mnl_attr_put_u8(h, IPSET_ATTR_FAMILY, family);
  struct revision_answer a = {-1};
  int32_t status = 0;
  int r = fs_nl_roundtrip(conn.nl, buf, h->nlmsg_len, seq, seq, &status, on_type, &a);
  if (r < 0) return r;
  if (status) return -status;
  return a.revision < 0 ? -EPROTO : a.revision;
}

FS_EXPORT int fs_ipset_create(const char *name, const char *type_name, int family, int timeout_s, int maxelem, int skbinfo,
                              int flush) {
  int r = fs_nl_ensure(&conn);
  if (r < 0) return r;
  int rev = type_revision(type_name, (uint8_t)family);
  if (rev < 0) return rev;
  char buf[1024];
  uint32_t seq = fs_nl_seq(&conn, 2);
  /* Without NLM_F_EXCL an existing set of the same type and options is accepted. */
  struct nlmsghdr *h = msg_start(buf, IPSET_CMD_CREATE, (uint8_t)family, 0, seq);
  mnl_attr_put_strz(h, IPSET_ATTR_SETNAME, name);
  mnl_attr_put_strz(h, IPSET_ATTR_TYPENAME, type_name);
  mnl_attr_put_u8(h, IPSET_ATTR_REVISION, (uint8_t)rev);
  mnl_attr_put_u8(h, IPSET_ATTR_FAMILY, (uint8_t)family);
  struct nlattr *d = mnl_attr_nest_start(h, IPSET_ATTR_DATA);
  if (timeout_s) put_be32(h, IPSET_ATTR_TIMEOUT, timeout_s);
  if (maxelem) put_be32(h, IPSET_ATTR_MAXELEM, maxelem);
  if (skbinfo) put_be32(h, IPSET_ATTR_CADT_FLAGS, IPSET_FLAG_WITH_SKBINFO);
  mnl_attr_nest_end(h, d);
  size_t len = h->nlmsg_len;
  uint32_t last = seq;
  if (flush) {
    struct nlmsghdr *f = msg_start(buf + len, IPSET_CMD_FLUSH, (uint8_t)family, 0, seq + 1);
    mnl_attr_put_strz(f, IPSET_ATTR_SETNAME, name);
    len += f->nlmsg_len;
    last = seq + 1;
  }
  int32_t status[2] = {0, 0};
  r = fs_nl_roundtrip(conn.nl, buf, len, seq, last, status, NULL, NULL);
  if (r < 0) return r;
  return status[0] ? -status[0] : status[1] ? -status[1] : 0;
}

FS_EXPORT int fs_ipset_add(const char *name, const uint8_t *records, int count, int fields, int skb_mark, int skb_mask,
                           int skb_prio, int skb_queue, int skb_flags, uint8_t *status_out) {
  if (count <= 0) return 0;
  int r = fs_nl_ensure(&conn);
  if (r < 0) return r;
  size_t per = 256 + strlen(name);
  char *buf = malloc(per * count);
  if (!buf) return -ENOMEM;
  uint32_t first = fs_nl_seq(&conn, count);
  size_t len = 0;
  for (uint32_t i = 0; i < (uint32_t)count; i++) {
    const uint8_t *rec = records + (size_t)i * FS_IPSET_RECORD;
    uint8_t family = rec[0];
    struct nlmsghdr *h = msg_start(buf + len, IPSET_CMD_ADD, (fields & FS_IPSET_MAC) ? 0 : family, 0, first + i);
    mnl_attr_put_strz(h, IPSET_ATTR_SETNAME, name);
    struct nlattr *d = mnl_attr_nest_start(h, IPSET_ATTR_DATA);
    if (fields & FS_IPSET_IP) put_addr(h, IPSET_ATTR_IP, family, rec + 8);
    if (fields & FS_IPSET_PORT) {
      uint16_t port;
      memcpy(&port, rec + 2, 2);
      mnl_attr_put_u16(h, IPSET_ATTR_PORT | NLA_F_NET_BYTEORDER, port);
      mnl_attr_put_u8(h, IPSET_ATTR_PROTO, rec[1]);
    }
    if (fields & FS_IPSET_IP2) put_addr(h, IPSET_ATTR_IP2, family, rec + 24);
    if (fields & FS_IPSET_MAC) mnl_attr_put(h, IPSET_ATTR_ETHER, 6, rec + 40);
    uint32_t timeout;
    memcpy(&timeout, rec + 4, 4);
    if (timeout) put_be32(h, IPSET_ATTR_TIMEOUT, timeout);
    if (skb_flags & FS_IPSET_SKB_MARK) {
      uint64_t be = htobe64(((uint64_t)(uint32_t)skb_mark << 32) | (uint32_t)skb_mask);
      mnl_attr_put(h, IPSET_ATTR_SKBMARK | NLA_F_NET_BYTEORDER, 8, &be);
    }
    if (skb_flags & FS_IPSET_SKB_PRIO) put_be32(h, IPSET_ATTR_SKBPRIO, skb_prio);
    if (skb_flags & FS_IPSET_SKB_QUEUE)
      mnl_attr_put_u16(h, IPSET_ATTR_SKBQUEUE | NLA_F_NET_BYTEORDER, htons((uint16_t)skb_queue));
    mnl_attr_nest_end(h, d);
    len += h->nlmsg_len;
  }
  r = fs_nl_roundtrip_each(&conn, buf, len, first, (uint32_t)count, status_out);
  free(buf);
  return r;
}

FS_EXPORT int fs_ipset_flush(const char *name) {
  int r = fs_nl_ensure(&conn);
  if (r < 0) return r;
  char buf[512];
  uint32_t seq = fs_nl_seq(&conn, 1);
  struct nlmsghdr *h = msg_start(buf, IPSET_CMD_FLUSH, 2, 0, seq);
  mnl_attr_put_strz(h, IPSET_ATTR_SETNAME, name);
  int32_t status = 0;
  r = fs_nl_roundtrip(conn.nl, buf, h->nlmsg_len, seq, seq, &status, NULL, NULL);
  if (r < 0) return r;
  return status ? -status : 0;
}
