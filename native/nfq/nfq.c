/*
 * NFQUEUE for flowsieve: the batch-shaped C ABI declared in src/runtime/native-abi.ts.
 *
 * One netlink socket carries every queue of the range. A drain reads all waiting
 * messages with recvmmsg and writes them as a compact record array (see fsq_drain); one
 * send carries the verdicts of a whole batch. JavaScript calls about two functions per
 * batch. On txiki.js the socket is created in JS (tjs:posix-socket, so its event loop can
 * poll it) and only its fd comes here; under Node the blocking wait runs in fsq_drain on
 * a koffi worker thread.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#include "../common/abi.h"
#include "../common/netlink.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* Record header written by fsq_drain; the packet (from its IP header) follows, padded to 4. */
enum {
	REC_ID = 0,        /* u32 packet id */
	REC_QUEUE = 4,     /* u16 queue number */
	REC_PROTO = 6,     /* u16 hw protocol (0x0800 / 0x86dd), host order */
	REC_MARK = 8,      /* u32 packet mark */
	REC_INDEV = 12,    /* u32 ifindex in, 0 when none */
	REC_OUTDEV = 16,   /* u32 ifindex out, 0 when none */
	REC_CTID = 20,     /* u32 conntrack id, 0 when the kernel gave none */
	REC_LEN = 24,      /* u32 packet length on the wire */
	REC_CAPLEN = 28,   /* u16 bytes copied */
	REC_CTINFO = 30,   /* u8 conntrack info, 0xff when none */
	REC_HOOK = 31,     /* u8 netfilter hook */
	REC_HEADER = 32,
};

#define VLEN 64
/* Netlink and nfqueue attribute overhead around the copied packet bytes. */
#define MSG_OVERHEAD 512

struct drain_bufs {
	size_t slot;
	uint8_t *mem;
	struct mmsghdr msgs[VLEN];
	struct iovec iov[VLEN];
};

/* Receive buffers for one fd. A socket is drained by one thread at a time. */
#define MAX_SOCKETS 16
static struct { int fd; struct drain_bufs *b; } sockets[MAX_SOCKETS];

static struct drain_bufs *bufs_for(int fd, size_t slot)
{
	int free_at = -1;
	for (int i = 0; i < MAX_SOCKETS; i++) {
		if (sockets[i].b && sockets[i].fd == fd) {
			if (sockets[i].b->slot >= slot)
				return sockets[i].b;
			free(sockets[i].b->mem);
			free(sockets[i].b);
			sockets[i].b = NULL;
			free_at = i;
			break;
		}
		if (!sockets[i].b && free_at < 0)
			free_at = i;
	}
	if (free_at < 0)
		return NULL;
	struct drain_bufs *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->slot = slot;
	b->mem = malloc(slot * VLEN);
	if (!b->mem) {
		free(b);
		return NULL;
	}
	for (int i = 0; i < VLEN; i++) {
		b->iov[i].iov_base = b->mem + (size_t)i * slot;
		b->iov[i].iov_len = slot;
		b->msgs[i].msg_hdr.msg_iov = &b->iov[i];
		b->msgs[i].msg_hdr.msg_iovlen = 1;
	}
	sockets[free_at].fd = fd;
	sockets[free_at].b = b;
	return b;
}

static void bufs_release(int fd)
{
	for (int i = 0; i < MAX_SOCKETS; i++) {
		if (sockets[i].b && sockets[i].fd == fd) {
			free(sockets[i].b->mem);
			free(sockets[i].b);
			sockets[i].b = NULL;
		}
	}
}

FS_EXPORT int fsq_socket(void)
{
	return fs_netfilter_socket();
}

/* Send one config message and wait for its ACK (the socket may be non-blocking). */
static int config_request(int fd, struct nlmsghdr *nlh)
{
	static uint32_t seq;
	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = ++seq;
	if (send(fd, nlh, nlh->nlmsg_len, 0) < 0)
		return -errno;
	uint8_t buf[8192];
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, 2000);
		if (r == 0)
			return -ETIMEDOUT;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		ssize_t got = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (got < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -errno;
		}
		int n = (int)got;
		for (struct nlmsghdr *m = (struct nlmsghdr *)buf; mnl_nlmsg_ok(m, n); m = mnl_nlmsg_next(m, &n)) {
			if (m->nlmsg_type == NLMSG_ERROR && m->nlmsg_seq == nlh->nlmsg_seq) {
				const struct nlmsgerr *err = mnl_nlmsg_get_payload(m);
				return err->error;
			}
			/* Anything else here is a queued packet that raced the setup: the kernel
			 * re-sends nothing, but FAIL_OPEN/bypass cover a packet lost this early. */
		}
	}
}

/*
 * Bind `queue` on `fd`: copy up to `copy_range` bytes of each packet, at most `max_len`
 * packets waiting, `flags` (NFQA_CFG_F_*) each tried on its own, since the kernel rejects
 * a message whole when one flag is refused (CONNTRACK on kernels without
 * NETFILTER_NETLINK_GLUE_CT). `rcvbuf` sizes the socket buffer when > 0.
 * Returns the flags the kernel accepted (>= 0) or -errno.
 */
FS_EXPORT int fsq_setup(int fd, int queue, int copy_range, int max_len, int flags, int rcvbuf)
{
	char buf[8192];
	int one = 1;
	if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	/* Without it an overflowing socket reports ENOBUFS instead of just dropping. */
	setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof(one));

	struct nlmsghdr *nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, (uint32_t)queue);
	nfq_nlmsg_cfg_put_cmd(nlh, AF_UNSPEC, NFQNL_CFG_CMD_BIND);
	int r = config_request(fd, nlh);
	if (r < 0)
		return r;

	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, (uint32_t)queue);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, copy_range);
	if ((r = config_request(fd, nlh)) < 0)
		return r;

	if (max_len > 0) {
		nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, (uint32_t)queue);
		nfq_nlmsg_cfg_put_qmaxlen(nlh, (uint32_t)max_len);
		if ((r = config_request(fd, nlh)) < 0)
			return r;
	}

	int accepted = 0;
	for (int bit = 1; bit <= NFQA_CFG_F_MAX; bit <<= 1) {
		if (!(flags & bit))
			continue;
		nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, (uint32_t)queue);
		mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl((uint32_t)bit));
		mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl((uint32_t)bit));
		if (config_request(fd, nlh) == 0)
			accepted |= bit;
	}
	/* The drain buffers fit the largest message this queue can send. */
	if (!bufs_for(fd, (size_t)copy_range + MSG_OVERHEAD))
		return -ENOMEM;
	return accepted;
}

static uint32_t attr_u32(struct nlattr **a, int type)
{
	return a[type] ? ntohl(mnl_attr_get_u32(a[type])) : 0;
}

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

/* One packet message → one record at `out`; returns the bytes written, 0 to skip. */
static size_t write_record(const struct nlmsghdr *nlh, uint8_t *out, size_t room)
{
	struct nlattr *a[NFQA_MAX + 1] = { 0 };
	if (NFNL_MSG_TYPE(nlh->nlmsg_type) != NFQNL_MSG_PACKET || nfq_nlmsg_parse(nlh, a) < 0 || !a[NFQA_PACKET_HDR])
		return 0;
	const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);
	const struct nfqnl_msg_packet_hdr *ph = mnl_attr_get_payload(a[NFQA_PACKET_HDR]);
	uint16_t caplen = a[NFQA_PAYLOAD] ? (uint16_t)mnl_attr_get_payload_len(a[NFQA_PAYLOAD]) : 0;
	size_t need = REC_HEADER + ((caplen + 3u) & ~3u);
	if (need > room)
		return 0;
	memset(out, 0, REC_HEADER);
	put32(out + REC_ID, ntohl(ph->packet_id));
	put16(out + REC_QUEUE, ntohs(g->res_id));
	put16(out + REC_PROTO, ntohs(ph->hw_protocol));
	put32(out + REC_MARK, attr_u32(a, NFQA_MARK));
	put32(out + REC_INDEV, attr_u32(a, NFQA_IFINDEX_INDEV));
	put32(out + REC_OUTDEV, attr_u32(a, NFQA_IFINDEX_OUTDEV));
	put32(out + REC_LEN, a[NFQA_CAP_LEN] ? attr_u32(a, NFQA_CAP_LEN) : caplen);
	put16(out + REC_CAPLEN, caplen);
	out[REC_CTINFO] = a[NFQA_CT_INFO] ? (uint8_t)attr_u32(a, NFQA_CT_INFO) : 0xff;
	out[REC_HOOK] = ph->hook;
	if (a[NFQA_CT]) {
		/* Only with the CONNTRACK flag, which this kernel may refuse. */
		struct nlattr *c;
		mnl_attr_for_each_nested(c, a[NFQA_CT]) {
			if (mnl_attr_get_type(c) == CTA_ID && mnl_attr_get_payload_len(c) >= 4)
				put32(out + REC_CTID, ntohl(mnl_attr_get_u32(c)));
		}
	}
	if (caplen)
		memcpy(out + REC_HEADER, mnl_attr_get_payload(a[NFQA_PAYLOAD]), caplen);
	return need;
}

/*
 * Read every waiting message into `out` as records (layout above). With `wait_ms` != 0,
 * first wait that long for the socket to become readable (-1: no limit). Stops when the
 * socket is empty or `out` could not take another full-size message.
 * Returns the number of records (0 on timeout) or -errno.
 */
FS_EXPORT int fsq_drain(int fd, int wait_ms, uint8_t *out, int out_len)
{
	struct drain_bufs *b = bufs_for(fd, 0);
	if (!b)
		return -EBADF;
	if (wait_ms != 0) {
		int r = fs_wait_readable(fd, wait_ms);
		if (r <= 0)
			return r;
	}
	size_t used = 0, room = (size_t)out_len;
	int records = 0;
	for (;;) {
		size_t fits = (room - used) / (b->slot + REC_HEADER);
		if (fits == 0)
			break;
		unsigned vlen = fits < VLEN ? (unsigned)fits : VLEN;
		int n = recvmmsg(fd, b->msgs, vlen, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
				break;
			return records ? records : -errno;
		}
		for (int i = 0; i < n; i++) {
			int len = (int)b->msgs[i].msg_len;
			const struct nlmsghdr *m = (const struct nlmsghdr *)b->iov[i].iov_base;
			for (; mnl_nlmsg_ok(m, len); m = mnl_nlmsg_next(m, &len)) {
				size_t w = write_record(m, out + used, room - used);
				if (w) {
					used += w;
					records++;
				}
			}
		}
		if ((unsigned)n < vlen)
			break;
	}
	return records;
}

/* Verdict entries as fsq_verdict reads them. */
enum { V_ID = 0, V_QUEUE = 4, V_VERDICT = 6, V_FLAGS = 7, V_MARK = 8, V_SIZE = 12 };
#define V_FLAG_MARK 1

/*
 * Send the verdicts of one batch in one datagram, in queue order: a run of plain accepts
 * goes as one NFQNL_MSG_VERDICT_BATCH for its highest id, and an entry with a mark or a
 * verdict other than accept gets a message of its own after the run before it has been
 * sent. The kernel reinjects packets in the order the verdicts arrive, so a marked packet
 * never overtakes earlier packets of its flow (the batch before it takes them first).
 * Every packet of the queue up to an id in `entries` must be in `entries`, in id order.
 * Returns 0 or -errno.
 */
static size_t put_batch(char *at, uint16_t queue, uint32_t top)
{
	struct nlmsghdr *nlh = nfq_nlmsg_put(at, NFQNL_MSG_VERDICT_BATCH, queue);
	nfq_nlmsg_verdict_put(nlh, (int)top, NF_ACCEPT);
	return NLMSG_ALIGN(nlh->nlmsg_len);
}

FS_EXPORT int fsq_verdict(int fd, const uint8_t *entries, int count)
{
	enum { MAX_QUEUES = 16 };
	/* Per queue: the highest id of the plain accepts not sent yet (pending[q] when any). */
	uint16_t queues[MAX_QUEUES];
	uint32_t top[MAX_QUEUES];
	int pending[MAX_QUEUES];
	int nq = 0;
	/* At most one batch message per entry plus one individual message per entry. */
	size_t cap = (size_t)count * 128 + (size_t)MAX_QUEUES * 64 + 64;
	char *buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	size_t used = 0;
	for (int i = 0; i < count; i++) {
		const uint8_t *e = entries + (size_t)i * V_SIZE;
		uint32_t id, mark;
		uint16_t queue;
		memcpy(&id, e + V_ID, 4);
		memcpy(&queue, e + V_QUEUE, 2);
		memcpy(&mark, e + V_MARK, 4);
		uint8_t verdict = e[V_VERDICT], flags = e[V_FLAGS];
		int q = 0;
		while (q < nq && queues[q] != queue)
			q++;
		if (q == nq && nq < MAX_QUEUES) {
			queues[nq] = queue;
			pending[nq++] = 0;
		}
		int tracked = q < nq;
		if (verdict == NF_ACCEPT && !(flags & V_FLAG_MARK) && tracked) {
			if (!pending[q] || id > top[q])
				top[q] = id;
			pending[q] = 1;
			continue;
		}
		if (tracked && pending[q]) {
			used += put_batch(buf + used, queue, top[q]);
			pending[q] = 0;
		}
		struct nlmsghdr *nlh = nfq_nlmsg_put(buf + used, NFQNL_MSG_VERDICT, queue);
		nfq_nlmsg_verdict_put(nlh, (int)id, verdict);
		if (flags & V_FLAG_MARK)
			nfq_nlmsg_verdict_put_mark(nlh, mark);
		used += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	for (int q = 0; q < nq; q++)
		if (pending[q])
			used += put_batch(buf + used, queues[q], top[q]);
	int r = 0;
	if (used > 0) {
		for (;;) {
			if (send(fd, buf, used, 0) >= 0)
				break;
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				struct pollfd p = { .fd = fd, .events = POLLOUT };
				poll(&p, 1, 100);
				continue;
			}
			r = -errno;
			break;
		}
	}
	free(buf);
	return r;
}

/* Forget the drain buffers of `fd` and, with `close_fd`, close it (the kernel unbinds its queues). */
FS_EXPORT int fsq_close(int fd, int close_fd)
{
	bufs_release(fd);
	if (close_fd && close(fd) < 0)
		return -errno;
	return 0;
}
