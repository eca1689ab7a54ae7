/*
 * Conntrack destroy events for flowsieve (ctnetlink, libmnl): once the daemon has let a
 * flow bypass the queue it sees none of its packets, so the kernel says when the flow is
 * over. The ABI is declared in src/runtime/native-abi.ts (CTEV_ABI); like nfq, the socket
 * is made in JS on txiki.js (its event loop polls it) and in C under Node.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "../common/abi.h"
#include "../common/netlink.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* Record written by fsct_drain, 80 bytes: */
enum {
	R_FAMILY = 0,  /* u8: 2 (IPv4) or 10 (IPv6) */
	R_PROTO = 1,   /* u8: IP protocol */
	R_SPORT = 2,   /* u16 original source port (host order; 0 without ports) */
	R_DPORT = 4,   /* u16 original destination port */
	R_FLAGS = 6,   /* u16: bit 0 counters present, bit 1 NAT (reply tuple is not the mirror) */
	R_ID = 8,      /* u32 conntrack id */
	R_SRC = 12,    /* 16 bytes original source address (IPv4 in the first 4) */
	R_DST = 28,    /* 16 bytes original destination address */
	R_COUNTERS = 44, /* 4 x u64 as (lo, hi) u32 pairs: orig packets, orig bytes, reply packets, reply bytes */
	R_SIZE = 80,
};

struct tuple {
	uint8_t family, proto;
	uint16_t sport, dport;
	uint8_t src[16], dst[16];
};

FS_EXPORT int fsct_socket(void)
{
	return fs_netfilter_socket();
}

/* Join the destroy-event group on `fd`; `rcvbuf` sizes the socket buffer when > 0. */
FS_EXPORT int fsct_subscribe(int fd, int rcvbuf)
{
	int one = 1, group = NFNLGRP_CONNTRACK_DESTROY;
	if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	/* Events lost to a full buffer end those flows by idle expiry instead. */
	setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof(one));
	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0)
		return -errno;
	return 0;
}

static void read_tuple(const struct nlattr *nest, struct tuple *t)
{
	const struct nlattr *a, *b;
	mnl_attr_for_each_nested(a, nest) {
		switch (mnl_attr_get_type(a)) {
		case CTA_TUPLE_IP:
			mnl_attr_for_each_nested(b, a) {
				size_t len = mnl_attr_get_payload_len(b);
				switch (mnl_attr_get_type(b)) {
				case CTA_IP_V4_SRC:
				case CTA_IP_V4_DST:
					t->family = AF_INET;
					if (len >= 4)
						memcpy(mnl_attr_get_type(b) == CTA_IP_V4_SRC ? t->src : t->dst, mnl_attr_get_payload(b), 4);
					break;
				case CTA_IP_V6_SRC:
				case CTA_IP_V6_DST:
					t->family = AF_INET6;
					if (len >= 16)
						memcpy(mnl_attr_get_type(b) == CTA_IP_V6_SRC ? t->src : t->dst, mnl_attr_get_payload(b), 16);
					break;
				}
			}
			break;
		case CTA_TUPLE_PROTO:
			mnl_attr_for_each_nested(b, a) {
				switch (mnl_attr_get_type(b)) {
				case CTA_PROTO_NUM:
					t->proto = mnl_attr_get_u8(b);
					break;
				case CTA_PROTO_SRC_PORT:
					t->sport = ntohs(mnl_attr_get_u16(b));
					break;
				case CTA_PROTO_DST_PORT:
					t->dport = ntohs(mnl_attr_get_u16(b));
					break;
				}
			}
			break;
		}
	}
}

static void read_counters(const struct nlattr *nest, uint64_t *packets, uint64_t *bytes)
{
	const struct nlattr *a;
	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) == CTA_COUNTERS_PACKETS)
			*packets = be64toh(mnl_attr_get_u64(a));
		else if (mnl_attr_get_type(a) == CTA_COUNTERS_BYTES)
			*bytes = be64toh(mnl_attr_get_u64(a));
	}
}

static void put64(uint8_t *p, uint64_t v)
{
	uint32_t lo = (uint32_t)v, hi = (uint32_t)(v >> 32);
	memcpy(p, &lo, 4);
	memcpy(p + 4, &hi, 4);
}

static int write_record(const struct nlmsghdr *nlh, uint8_t *out)
{
	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_CTNETLINK)
		return 0;
	struct tuple orig = { 0 }, reply = { 0 };
	uint64_t c[4] = { 0 };
	int counters = 0;
	uint32_t id = 0;
	const struct nlattr *a;
	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		switch (mnl_attr_get_type(a)) {
		case CTA_TUPLE_ORIG:
			read_tuple(a, &orig);
			break;
		case CTA_TUPLE_REPLY:
			read_tuple(a, &reply);
			break;
		case CTA_COUNTERS_ORIG:
			read_counters(a, &c[0], &c[1]);
			counters = 1;
			break;
		case CTA_COUNTERS_REPLY:
			read_counters(a, &c[2], &c[3]);
			counters = 1;
			break;
		case CTA_ID:
			id = ntohl(mnl_attr_get_u32(a));
			break;
		}
	}
	if (!orig.family)
		return 0;
	int nat = memcmp(orig.src, reply.dst, 16) || memcmp(orig.dst, reply.src, 16) || orig.sport != reply.dport || orig.dport != reply.sport;
	memset(out, 0, R_SIZE);
	out[R_FAMILY] = orig.family;
	out[R_PROTO] = orig.proto;
	memcpy(out + R_SPORT, &orig.sport, 2);
	memcpy(out + R_DPORT, &orig.dport, 2);
	uint16_t flags = (uint16_t)((counters ? 1 : 0) | (nat ? 2 : 0));
	memcpy(out + R_FLAGS, &flags, 2);
	memcpy(out + R_ID, &id, 4);
	memcpy(out + R_SRC, orig.src, 16);
	memcpy(out + R_DST, orig.dst, 16);
	for (int i = 0; i < 4; i++)
		put64(out + R_COUNTERS + 8 * i, c[i]);
	return 1;
}

/*
 * Read every waiting event into `out` (R_SIZE bytes each). With `wait_ms` != 0, first wait
 * that long for one (-1: no limit). Returns the number of records or -errno.
 */
FS_EXPORT int fsct_drain(int fd, int wait_ms, uint8_t *out, int out_len)
{
	if (wait_ms != 0) {
		int r = fs_wait_readable(fd, wait_ms);
		if (r <= 0)
			return r;
	}
	static __thread uint8_t buf[65536];
	int records = 0, room = out_len / R_SIZE;
	while (records < room) {
		ssize_t got = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
				break;
			return records ? records : -errno;
		}
		int len = (int)got;
		/* A datagram holds whole messages; more than `room` records here are dropped, and
		 * those flows end by idle expiry. */
		for (const struct nlmsghdr *m = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(m, len) && records < room; m = mnl_nlmsg_next(m, &len))
			records += write_record(m, out + (size_t)records * R_SIZE);
	}
	return records;
}

FS_EXPORT int fsct_close(int fd, int close_fd)
{
	if (close_fd && close(fd) < 0)
		return -errno;
	return 0;
}
