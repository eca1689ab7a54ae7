/*
 * The baseline of `npm run bench:live`: the minimal C NFQUEUE consumer, as in the
 * libnetfilter_queue examples — receive a packet, send its ACCEPT verdict, repeat.
 *
 *   nfq-accept QUEUE
 *
 * Runs until SIGTERM, then prints the packets it accepted.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

static volatile sig_atomic_t stop;
static void on_signal(int s) { (void)s; stop = 1; }
static unsigned long accepted;

static int on_packet(const struct nlmsghdr *nlh, void *data)
{
	struct mnl_socket *nl = data;
	struct nlattr *attr[NFQA_MAX + 1] = { 0 };
	if (nfq_nlmsg_parse(nlh, attr) < 0 || !attr[NFQA_PACKET_HDR])
		return MNL_CB_OK;
	struct nfqnl_msg_packet_hdr *ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);
	char buf[256];
	struct nlmsghdr *v = nfq_nlmsg_put(buf, NFQNL_MSG_VERDICT, ntohs(g->res_id));
	nfq_nlmsg_verdict_put(v, (int)ntohl(ph->packet_id), NF_ACCEPT);
	mnl_socket_sendto(nl, v, v->nlmsg_len);
	accepted++;
	return MNL_CB_OK;
}

int main(int argc, char **argv)
{
	unsigned queue = argc > 1 ? (unsigned)atoi(argv[1]) : 0;
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL); /* no SA_RESTART: recv returns EINTR */
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("mnl_socket");
		return 1;
	}
	int one = 1, rcv = 8 << 20;
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv));
	setsockopt(mnl_socket_get_fd(nl), SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof(one));
	char buf[0xffff + (MNL_SOCKET_BUFFER_SIZE / 2)];
	struct nlmsghdr *nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, queue);
	nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_BIND);
	mnl_socket_sendto(nl, nlh, nlh->nlmsg_len);
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, queue);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, 4096);
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(NFQA_CFG_F_FAIL_OPEN));
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(NFQA_CFG_F_FAIL_OPEN));
	mnl_socket_sendto(nl, nlh, nlh->nlmsg_len);
	fprintf(stderr, "bound %u\n", queue);
	while (!stop) {
		int n = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR || errno == ENOBUFS)
				continue;
			perror("recv");
			break;
		}
		mnl_cb_run(buf, (size_t)n, 0, 0, on_packet, nl);
	}
	printf("%lu\n", accepted);
	return 0;
}
