/*
 * UDP packet generator for `npm run bench:live` (built into a temporary directory by
 * scripts/bench-live.ts). A raw socket writes IPv4/UDP packets with a 64-byte payload,
 * cycling the source port over [sport, sport + nsrc) and the destination port over
 * [dport, dport + ndst): every (src, dst) pair is one flow.
 *
 *   udp-flood SRC_IP DST_IP SPORT NSRC DPORT NDST COUNT PPS
 *
 * COUNT packets in all (0: until killed); PPS limits the rate (0: as fast as possible).
 * Prints the packets sent and the seconds it took.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define PAYLOAD 64

static volatile sig_atomic_t stop;
static void on_signal(int s) { (void)s; stop = 1; }

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static unsigned short csum(const void *p, int len)
{
	const unsigned short *w = p;
	unsigned long sum = 0;
	for (; len > 1; len -= 2)
		sum += *w++;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (unsigned short)~sum;
}

int main(int argc, char **argv)
{
	if (argc != 9) {
		fprintf(stderr, "usage: udp-flood SRC_IP DST_IP SPORT NSRC DPORT NDST COUNT PPS\n");
		return 2;
	}
	struct in_addr src, dst;
	inet_pton(AF_INET, argv[1], &src);
	inet_pton(AF_INET, argv[2], &dst);
	unsigned sport = (unsigned)atoi(argv[3]), nsrc = (unsigned)atoi(argv[4]);
	unsigned dport = (unsigned)atoi(argv[5]), ndst = (unsigned)atoi(argv[6]);
	unsigned long count = strtoul(argv[7], NULL, 10);
	double pps = atof(argv[8]);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);

	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	int sndbuf = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));

	static unsigned char pkts[BATCH][sizeof(struct iphdr) + sizeof(struct udphdr) + PAYLOAD];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr = dst };
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < BATCH; i++) {
		struct iphdr *ip = (struct iphdr *)pkts[i];
		ip->version = 4;
		ip->ihl = 5;
		ip->ttl = 64;
		ip->protocol = IPPROTO_UDP;
		ip->saddr = src.s_addr;
		ip->daddr = dst.s_addr;
		ip->tot_len = htons(sizeof(pkts[i]));
		struct udphdr *u = (struct udphdr *)(ip + 1);
		u->len = htons(sizeof(struct udphdr) + PAYLOAD);
		memset(u + 1, 'f', PAYLOAD);
		iov[i].iov_base = pkts[i];
		iov[i].iov_len = sizeof(pkts[i]);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &to;
		msgs[i].msg_hdr.msg_namelen = sizeof(to);
	}

	unsigned long sent = 0, seq = 0;
	double start = now();
	while (!stop && (count == 0 || sent < count)) {
		int n = BATCH;
		if (count && count - sent < (unsigned long)n)
			n = (int)(count - sent);
		for (int i = 0; i < n; i++, seq++) {
			struct iphdr *ip = (struct iphdr *)pkts[i];
			struct udphdr *u = (struct udphdr *)(ip + 1);
			u->source = htons((unsigned short)(sport + seq % nsrc));
			u->dest = htons((unsigned short)(dport + (seq / nsrc) % ndst));
			ip->id = htons((unsigned short)seq);
			ip->check = 0;
			ip->check = csum(ip, sizeof(*ip));
		}
		int r = sendmmsg(fd, msgs, (unsigned)n, 0);
		if (r > 0)
			sent += (unsigned long)r;
		if (pps > 0) {
			double ahead = (double)sent / pps - (now() - start);
			if (ahead > 0)
				usleep((useconds_t)(ahead * 1e6));
		}
	}
	printf("%lu %.3f\n", sent, now() - start);
	return 0;
}
