/*
 * Prints byte vectors made by libubox's own blobmsg writer, one JSON object per line:
 * {"case": name, "hex": bytes of the blob_buf head's payload}. test/ubus-codec.test.ts
 * checks that src/ubus/ encodes the same values to the same bytes and decodes them back.
 * Built and run by scripts/ubus/record-fixtures.sh against libubox built under /tmp.
 */
#include <stdio.h>
#include <string.h>
#include <libubox/blobmsg.h>

static struct blob_buf b;

static void emit(const char *name)
{
	const unsigned char *p = blob_data(b.head);
	size_t i, n = blob_len(b.head);

	printf("{\"case\":\"%s\",\"hex\":\"", name);
	for (i = 0; i < n; i++)
		printf("%02x", p[i]);
	printf("\"}\n");
}

int main(void)
{
	void *t, *a, *t2;

	blob_buf_init(&b, 0); blobmsg_add_string(&b, "s", "hello"); emit("string");
	blob_buf_init(&b, 0); blobmsg_add_string(&b, "empty", ""); emit("string-empty");
	blob_buf_init(&b, 0); blobmsg_add_string(&b, "utf8", "h\xc3\xa9llo \xe2\x82\xac"); emit("string-utf8");
	blob_buf_init(&b, 0); blobmsg_add_u8(&b, "yes", 1); blobmsg_add_u8(&b, "no", 0); emit("bool");
	blob_buf_init(&b, 0); blobmsg_add_u8(&b, "i8", 0xfe); emit("int8");
	blob_buf_init(&b, 0); blobmsg_add_u16(&b, "i16", 0x1234); blobmsg_add_u16(&b, "neg", (uint16_t)-2); emit("int16");
	blob_buf_init(&b, 0); blobmsg_add_u32(&b, "i32", 0x12345678); blobmsg_add_u32(&b, "neg", (uint32_t)-1); emit("int32");
	blob_buf_init(&b, 0); blobmsg_add_u64(&b, "i64", 0x123456789abcdef0ULL); blobmsg_add_u64(&b, "neg", (uint64_t)-5); emit("int64");
	blob_buf_init(&b, 0); blobmsg_add_double(&b, "d", 3.25); blobmsg_add_double(&b, "pi", 3.141592653589793); emit("double");
	blob_buf_init(&b, 0); blobmsg_add_field(&b, BLOBMSG_TYPE_UNSPEC, "null", NULL, 0); emit("unspec");
	/* name lengths 0..4 walk the header through every padding case */
	blob_buf_init(&b, 0);
	blobmsg_add_u32(&b, "a", 1); blobmsg_add_u32(&b, "ab", 2); blobmsg_add_u32(&b, "abc", 3); blobmsg_add_u32(&b, "abcd", 4); blobmsg_add_u32(&b, "abcde", 5);
	emit("name-padding");
	/* string lengths 0..4 walk the value through every padding case */
	blob_buf_init(&b, 0);
	blobmsg_add_string(&b, "v", "x"); blobmsg_add_string(&b, "v", "xy"); blobmsg_add_string(&b, "v", "xyz"); blobmsg_add_string(&b, "v", "wxyz");
	emit("value-padding");
	blob_buf_init(&b, 0);
	a = blobmsg_open_array(&b, "list");
	blobmsg_add_u32(&b, NULL, 1); blobmsg_add_string(&b, NULL, "two"); blobmsg_add_u8(&b, NULL, 1);
	blobmsg_close_array(&b, a);
	emit("array");
	blob_buf_init(&b, 0);
	a = blobmsg_open_array(&b, "empty"); blobmsg_close_array(&b, a);
	t = blobmsg_open_table(&b, "none"); blobmsg_close_table(&b, t);
	emit("empty-containers");
	blob_buf_init(&b, 0);
	t = blobmsg_open_table(&b, "outer");
	blobmsg_add_string(&b, "name", "flowsieve");
	a = blobmsg_open_array(&b, "queues");
	t2 = blobmsg_open_table(&b, NULL);
	blobmsg_add_u32(&b, "id", 0); blobmsg_add_u64(&b, "packets", 5000000000ULL); blobmsg_add_double(&b, "load", 0.5);
	blobmsg_close_table(&b, t2);
	t2 = blobmsg_open_table(&b, NULL);
	blobmsg_add_u32(&b, "id", 1); blobmsg_add_field(&b, BLOBMSG_TYPE_UNSPEC, "x", NULL, 0); blobmsg_add_u16(&b, "s", 7);
	blobmsg_close_table(&b, t2);
	blobmsg_close_array(&b, a);
	blobmsg_close_table(&b, t);
	blobmsg_add_u8(&b, "ok", 1);
	emit("nested");
	return 0;
}
