/* Netlink helpers shared by the modules (header-only: each module is its own library). */
#ifndef FLOWSIEVE_NETLINK_H
#define FLOWSIEVE_NETLINK_H
#include <errno.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

/* A NETLINK_NETFILTER socket bound to a kernel-assigned port: fd or -errno. */
static inline int fs_netfilter_socket(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	if (fd < 0)
		return -errno;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

/* Wait up to `wait_ms` (-1: no limit) for `fd` to be readable: 1 readable, 0 not (timeout
 * or a signal), -errno on error. */
static inline int fs_wait_readable(int fd, int wait_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r = poll(&p, 1, wait_ms);
	if (r < 0)
		return errno == EINTR ? 0 : -errno;
	return r > 0;
}
#endif
