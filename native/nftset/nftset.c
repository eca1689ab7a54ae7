/*
 * nft sets for the nftset target, over libnftnl + libmnl: create a table and a typed set
 * (managed targets), add or refresh elements with per-element timeouts, flush. A batch of
 * elements is one nfnetlink transaction sent in one sendto(): all or nothing.
 *
 * ABI (strings are NUL-terminated, buffers are byte arrays, results are >= 0 or -errno):
 *   fs_nftset_ensure(family, table, set, key_type, key_len, size, flush)
 *   fs_nftset_add(family, table, set, keys, key_len, count, timeouts_ms)
 *       keys: count keys of key_len bytes each, already in nft register layout;
 *       timeouts_ms: count host-order u32, 0 = no timeout.
 *   fs_nftset_flush(family, table, set)
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/table.h>
#include <libnftnl/set.h>

#include "../common/abi.h"
#include "../common/nl-roundtrip.h"

#define FS_ELEMS_PER_MSG 256

static struct fs_nl_conn conn;

/* Room for the batch framing plus `msgs` messages carrying `payload` bytes in all. */
static char *batch_alloc(size_t msgs, size_t payload, size_t *cap) {
  *cap = 2 * MNL_NLMSG_HDRLEN + 64 + msgs * 512 + payload;
  return malloc(*cap);
}

/* Collects the first failure's errno: an nft batch fails as a whole, so one reason is enough. */
static int send_batch_status(char *buf, size_t len, uint32_t first, uint32_t last) {
  uint32_t n = last - first + 1;
  int32_t *status = calloc(n, sizeof *status);
  if (!status) return -ENOMEM;
  int r = fs_nl_roundtrip(conn.nl, buf, len, first, last, status, NULL, NULL);
  if (r > 0) {
    r = -EIO;
    for (uint32_t i = 0; i < n; i++)
      if (status[i]) {
        r = -status[i];
        break;
      }
  }
  free(status);
  return r;
}

/* Ends the batch begun with sequence number first - 1 and sends it: 0 or -errno. */
static int finish_batch(struct mnl_nlmsg_batch *b, char *buf, uint32_t first, uint32_t seq) {
  uint32_t last = seq - 1;
  nftnl_batch_end(mnl_nlmsg_batch_current(b), seq);
  mnl_nlmsg_batch_next(b);
  int r = send_batch_status(buf, mnl_nlmsg_batch_size(b), first, last);
  mnl_nlmsg_batch_stop(b);
  return r;
}

static struct nftnl_set *set_ref(uint32_t family, const char *table, const char *name) {
  struct nftnl_set *s = nftnl_set_alloc();
  if (!s) return NULL;
  nftnl_set_set_str(s, NFTNL_SET_TABLE, table);
  nftnl_set_set_str(s, NFTNL_SET_NAME, name);
  nftnl_set_set_u32(s, NFTNL_SET_FAMILY, family);
  return s;
}

FS_EXPORT int fs_nftset_ensure(int family, const char *table, const char *name, int key_type, int key_len, int size,
                               int flush) {
  int r = fs_nl_ensure(&conn);
  if (r < 0) return r;
  size_t cap;
  char *buf = batch_alloc(4, 0, &cap);
  if (!buf) return -ENOMEM;
  struct mnl_nlmsg_batch *b = mnl_nlmsg_batch_start(buf, cap);
  uint32_t first = fs_nl_seq(&conn, 5);
  uint32_t seq = first;
  nftnl_batch_begin(mnl_nlmsg_batch_current(b), seq++);
  mnl_nlmsg_batch_next(b);
  first = seq;

  struct nftnl_table *t = nftnl_table_alloc();
  nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
  nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, family);
  /* NLM_F_CREATE without NLM_F_EXCL: an existing table or set is kept as it is. */
  struct nlmsghdr *h = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(b), NFT_MSG_NEWTABLE, family,
                                             NLM_F_CREATE | NLM_F_ACK, seq++);
  nftnl_table_nlmsg_build_payload(h, t);
  nftnl_table_free(t);
  mnl_nlmsg_batch_next(b);

  struct nftnl_set *s = set_ref(family, table, name);
  nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, key_type);
  nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, key_len);
  nftnl_set_set_u32(s, NFTNL_SET_FLAGS, NFT_SET_TIMEOUT);
  nftnl_set_set_u32(s, NFTNL_SET_ID, 1);
  if (size) nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, size);
  h = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(b), NFT_MSG_NEWSET, family, NLM_F_CREATE | NLM_F_ACK, seq++);
  nftnl_set_nlmsg_build_payload(h, s);
  mnl_nlmsg_batch_next(b);

  if (flush) {
    h = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(b), NFT_MSG_DELSETELEM, family, NLM_F_ACK, seq++);
    nftnl_set_elems_nlmsg_build_payload(h, s);
    mnl_nlmsg_batch_next(b);
  }
  nftnl_set_free(s);
  r = finish_batch(b, buf, first, seq);
  free(buf);
  return r;
}

FS_EXPORT int fs_nftset_add(int family, const char *table, const char *name, const uint8_t *keys, int key_len, int count,
                            const uint8_t *timeouts_ms) {
  if (count <= 0) return 0;
  if (key_len <= 0 || key_len > 64) return -EINVAL;
  int r = fs_nl_ensure(&conn);
  if (r < 0) return r;
  uint32_t msgs = ((uint32_t)count + FS_ELEMS_PER_MSG - 1) / FS_ELEMS_PER_MSG;
  size_t cap;
  char *buf = batch_alloc(msgs, (size_t)count * (key_len + 48), &cap);
  if (!buf) return -ENOMEM;
  struct mnl_nlmsg_batch *b = mnl_nlmsg_batch_start(buf, cap);
  uint32_t seq = fs_nl_seq(&conn, msgs + 2);
  nftnl_batch_begin(mnl_nlmsg_batch_current(b), seq++);
  mnl_nlmsg_batch_next(b);
  uint32_t first = seq;
  for (uint32_t m = 0; m < msgs; m++) {
    struct nftnl_set *s = set_ref(family, table, name);
    if (!s) {
      free(buf);
      return -ENOMEM;
    }
    uint32_t end = (m + 1) * FS_ELEMS_PER_MSG;
    if (end > (uint32_t)count) end = (uint32_t)count;
    for (uint32_t i = m * FS_ELEMS_PER_MSG; i < end; i++) {
      struct nftnl_set_elem *e = nftnl_set_elem_alloc();
      nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, keys + (size_t)i * key_len, key_len);
      uint32_t t;
      memcpy(&t, timeouts_ms + (size_t)i * 4, 4);
      if (t) {
        nftnl_set_elem_set_u64(e, NFTNL_SET_ELEM_TIMEOUT, t);
        /* The kernel keeps an existing element's expiry unless told: restart it. */
        nftnl_set_elem_set_u64(e, NFTNL_SET_ELEM_EXPIRATION, t);
      }
      nftnl_set_elem_add(s, e);
    }
    /* No NLM_F_EXCL: adding an element that exists refreshes its timeout. */
    struct nlmsghdr *h = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(b), NFT_MSG_NEWSETELEM, family,
                                               NLM_F_CREATE | NLM_F_ACK, seq++);
    nftnl_set_elems_nlmsg_build_payload(h, s);
    nftnl_set_free(s);
    mnl_nlmsg_batch_next(b);
  }
  r = finish_batch(b, buf, first, seq);
  free(buf);
  return r < 0 ? r : count;
}

FS_EXPORT int fs_nftset_flush(int family, const char *table, const char *name) {
  int r = fs_nl_ensure(&conn);
  if (r < 0) return r;
  char buf[1024];
  struct mnl_nlmsg_batch *b = mnl_nlmsg_batch_start(buf, sizeof buf);
  uint32_t seq = fs_nl_seq(&conn, 3);
  nftnl_batch_begin(mnl_nlmsg_batch_current(b), seq++);
  mnl_nlmsg_batch_next(b);
  uint32_t first = seq;
  struct nftnl_set *s = set_ref(family, table, name);
  struct nlmsghdr *h = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(b), NFT_MSG_DELSETELEM, family, NLM_F_ACK, seq++);
  nftnl_set_elems_nlmsg_build_payload(h, s);
  nftnl_set_free(s);
  mnl_nlmsg_batch_next(b);
  return finish_batch(b, buf, first, seq);
}
