/*
 * A small libubus server for recording wire fixtures: publishes "fx" with one method,
 * "echo" {msg: string, n: int32}, that answers {msg, n, twice: n*2} and then notifies
 * the object's subscribers with "echoed" {msg}. With "-l PATTERN" it listens for events
 * instead and prints them. Built and run by scripts/ubus/record-fixtures.sh.
 */
#include <stdio.h>
#include <string.h>
#include <libubox/blobmsg_json.h>
#include <libubus.h>

static struct ubus_context *ctx;
static struct blob_buf b;

enum { ECHO_MSG, ECHO_N, __ECHO_MAX };
static const struct blobmsg_policy echo_policy[] = {
	[ECHO_MSG] = { .name = "msg", .type = BLOBMSG_TYPE_STRING },
	[ECHO_N] = { .name = "n", .type = BLOBMSG_TYPE_INT32 },
};

static struct ubus_object fx_object;

static int echo(struct ubus_context *c, struct ubus_object *obj, struct ubus_request_data *req,
		const char *method, struct blob_attr *msg)
{
	struct blob_attr *tb[__ECHO_MAX];
	int n;

	blobmsg_parse(echo_policy, __ECHO_MAX, tb, blob_data(msg), blob_len(msg));
	if (!tb[ECHO_MSG])
		return UBUS_STATUS_INVALID_ARGUMENT;
	n = tb[ECHO_N] ? (int)blobmsg_get_u32(tb[ECHO_N]) : 0;

	blob_buf_init(&b, 0);
	blobmsg_add_string(&b, "msg", blobmsg_get_string(tb[ECHO_MSG]));
	blobmsg_add_u32(&b, "n", n);
	blobmsg_add_u32(&b, "twice", n * 2);
	ubus_send_reply(c, req, b.head);

	blob_buf_init(&b, 0);
	blobmsg_add_string(&b, "msg", blobmsg_get_string(tb[ECHO_MSG]));
	ubus_notify(c, &fx_object, "echoed", b.head, -1);
	return 0;
}

static const struct ubus_method fx_methods[] = {
	UBUS_METHOD("echo", echo, echo_policy),
};
static struct ubus_object_type fx_type = UBUS_OBJECT_TYPE("fx", fx_methods);
static struct ubus_object fx_object = {
	.name = "fx",
	.type = &fx_type,
	.methods = fx_methods,
	.n_methods = ARRAY_SIZE(fx_methods),
};

static void on_event(struct ubus_context *c, struct ubus_event_handler *ev, const char *type, struct blob_attr *msg)
{
	char *s = blobmsg_format_json(msg, true);
	printf("event %s %s\n", type, s);
	fflush(stdout);
	free(s);
}

static struct ubus_event_handler listener = { .cb = on_event };

int main(int argc, char **argv)
{
	const char *sock = argv[1];

	uloop_init();
	ctx = ubus_connect(sock);
	if (!ctx)
		return 1;
	ubus_add_uloop(ctx);
	if (argc > 3 && !strcmp(argv[2], "-l")) {
		if (ubus_register_event_handler(ctx, &listener, argv[3]))
			return 2;
	} else if (ubus_add_object(ctx, &fx_object)) {
		return 3;
	}
	printf("ready\n");
	fflush(stdout);
	uloop_run();
	return 0;
}
