/*
 * Conntrack labels and marks for the ctlabel and ctmark targets, over
 * libnetfilter_conntrack: change existing connections, found by tuple (either direction;
 * the kernel ignores a conntrack id on updates, checked on 6.18, so none is sent). A
 * batch is one sendto() of one update message per connection; each connection's result
 * comes back in `status`.
 *
 * ABI (results are >= 0 or -errno):
 *   fs_ct_update(records, count, mark, mark_mask, flags, status)
 *       records: count × 64-byte records (layout below); flags: FS_CT_* bits;
 *       status: count × int32 filled with 0 or a positive errno (ENOENT: connection gone,
 *       ENOSPC: no label space because no loaded rule uses `ct label`);
 *       returns the number of connections that failed.
 *
 * Record: [0] family (2 or 10), [1] ip protocol, [2..3] source port, [4..5] destination
 * port (network order), [8..23] source ip, [24..39] destination ip, [48..63] label bits
 * (bit n = byte n/8, bit n%8).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

#include "../common/abi.h"
#include "../common/nl-roundtrip.h"

#define FS_CT_MARK 1u
#define FS_CT_LABELS_SET 2u
#define FS_CT_LABELS_CLEAR 4u
#define FS_CT_RECORD 64
#define FS_CT_LABEL_BITS 128

static struct fs_nl_conn conn;

static void set_tuple(struct nf_conntrack *ct, const uint8_t *rec) {
  uint8_t family = rec[0], proto = rec[1];
  nfct_set_attr_u8(ct, ATTR_L3PROTO, family);
  if (family == 10) {
    nfct_set_attr(ct, ATTR_IPV6_SRC, rec + 8);
    nfct_set_attr(ct, ATTR_IPV6_DST, rec + 24);
  } else {
    uint32_t a;
    memcpy(&a, rec + 8, 4);
    nfct_set_attr_u32(ct, ATTR_IPV4_SRC, a);
    memcpy(&a, rec + 24, 4);
    nfct_set_attr_u32(ct, ATTR_IPV4_DST, a);
  }
  nfct_set_attr_u8(ct, ATTR_L4PROTO, proto);
  uint16_t port;
  memcpy(&port, rec + 2, 2);
  nfct_set_attr_u16(ct, ATTR_PORT_SRC, port);
  memcpy(&port, rec + 4, 2);
  nfct_set_attr_u16(ct, ATTR_PORT_DST, port);
}

static void set_labels(struct nf_conntrack *ct, const uint8_t *bits, int clear) {
  struct nfct_bitmask *value = nfct_bitmask_new(FS_CT_LABEL_BITS - 1);
  struct nfct_bitmask *mask = nfct_bitmask_new(FS_CT_LABEL_BITS - 1);
  if (!value || !mask) {
    nfct_bitmask_destroy(value);
    nfct_bitmask_destroy(mask);
    return;
  }
  for (unsigned b = 0; b < FS_CT_LABEL_BITS; b++) {
    if (!(bits[b / 8] & (1u << (b % 8)))) continue;
    nfct_bitmask_set_bit(mask, b);
    if (!clear) nfct_bitmask_set_bit(value, b);
  }
  /* The conntrack object owns the bitmasks from here on. */
  nfct_set_attr(ct, ATTR_CONNLABELS, value);
  nfct_set_attr(ct, ATTR_CONNLABELS_MASK, mask);
}

FS_EXPORT int fs_ct_update(const uint8_t *records, int count, int mark_in, int mark_mask_in, int flags,
                           uint8_t *status_out) {
  if (count <= 0) return 0;
  uint32_t mark = (uint32_t)mark_in, mark_mask = (uint32_t)mark_mask_in;
  int r = fs_nl_ensure(&conn);
  if (r < 0) return r;
  size_t per = 512;
  char *buf = malloc(per * count);
  if (!buf) return -ENOMEM;
  uint32_t first = fs_nl_seq(&conn, count);
  size_t len = 0;
  for (uint32_t i = 0; i < (uint32_t)count; i++) {
    const uint8_t *rec = records + (size_t)i * FS_CT_RECORD;
    struct nf_conntrack *ct = nfct_new();
    if (!ct) {
      free(buf);
      return -ENOMEM;
    }
    set_tuple(ct, rec);
    if (flags & FS_CT_MARK) nfct_set_attr_u32(ct, ATTR_MARK, mark & mark_mask);
    if (flags & (FS_CT_LABELS_SET | FS_CT_LABELS_CLEAR)) set_labels(ct, rec + 48, (flags & FS_CT_LABELS_CLEAR) != 0);
    struct nlmsghdr *h = mnl_nlmsg_put_header(buf + len);
    h->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
    /* No NLM_F_CREATE: only an existing connection is changed. */
    h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    h->nlmsg_seq = first + i;
    struct nfgenmsg *g = mnl_nlmsg_put_extra_header(h, sizeof *g);
    g->nfgen_family = rec[0];
    g->version = NFNETLINK_V0;
    g->res_id = 0;
    nfct_nlmsg_build(h, ct);
    /* The kernel keeps the bits outside the mask: (old & ~mask) | mark. */
    if ((flags & FS_CT_MARK) && mark_mask != 0xffffffffu) mnl_attr_put_u32(h, CTA_MARK_MASK, htonl(mark_mask));
    nfct_destroy(ct);
    len += h->nlmsg_len;
  }
  r = fs_nl_roundtrip_each(&conn, buf, len, first, (uint32_t)count, status_out);
  free(buf);
  return r;
}
