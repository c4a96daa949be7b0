// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The kernel backend's pure parts, table-driven: the parsers of the DIMM's
 * identity attributes, the tunnel's errno words and its refusal rule, and
 * the tunnel's own size checks (which fail before any ioctl).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "transport-kernel.h"

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *name;
	const char *text;
	int expect;
	uint64_t value;
} serial_cases[] = {
	{ "plain", "1158557760124620800\n", 0, 1158557760124620800ull },
	{ "no newline", "42", 0, 42 },
	{ "zero", "0\n", 0, 0 },
	{ "max", "18446744073709551615\n", 0, UINT64_MAX },
	{ "overflow", "18446744073709551616\n", -EBADMSG, 0 },
	{ "21 digits", "000000000000000000001\n", -EBADMSG, 0 },
	{ "empty", "", -EBADMSG, 0 },
	{ "newline only", "\n", -EBADMSG, 0 },
	{ "two newlines", "12\n\n", -EBADMSG, 0 },
	{ "sign", "+12\n", -EBADMSG, 0 },
	{ "minus", "-1\n", -EBADMSG, 0 },
	{ "blank", " 12\n", -EBADMSG, 0 },
	{ "trailing blank", "12 \n", -EBADMSG, 0 },
	{ "hex", "0x10\n", -EBADMSG, 0 },
};

static void test_serial(void **state)
{
	for (size_t i = 0; i < N_ELEMENTS(serial_cases); i++) {
		uint64_t v = 0xA5A5;
		int r = kernel_sysfs_parse_serial(serial_cases[i].text,
						  strlen(serial_cases[i].text), &v);

		if (r != serial_cases[i].expect)
			fail_msg("serial %s: got %d, want %d", serial_cases[i].name, r,
				 serial_cases[i].expect);
		if (r == 0 && v != serial_cases[i].value)
			fail_msg("serial %s: got %llu", serial_cases[i].name, (unsigned long long)v);
		if (r < 0 && v != 0xA5A5)
			fail_msg("serial %s: output written on failure", serial_cases[i].name);
	}
	assert_int_equal(kernel_sysfs_parse_serial(NULL, 1, &(uint64_t){ 0 }), -EINVAL);
	assert_int_equal(kernel_sysfs_parse_serial("1", 1, NULL), -EINVAL);
	/* Not NUL-terminated: only len counts. */
	{
		uint64_t v;

		assert_int_equal(kernel_sysfs_parse_serial("123x", 3, &v), 0);
		assert_int_equal(v, 123);
	}
}

static const struct {
	const char *name;
	const char *text;
	int expect;
	const char *value;
	size_t len; /* 0: strlen(text) */
} fw_cases[] = {
	{ "eight", "1.0.0000\n", 0, "1.0.0000" },
	{ "short", "v2\n", 0, "v2" },
	{ "no newline", "ABCDEFGH", 0, "ABCDEFGH" },
	{ "nine", "123456789\n", -EBADMSG, NULL },
	{ "empty", "\n", -EBADMSG, NULL },
	{ "blank inside", "1.0 0000\n", -EBADMSG, NULL },
	{ "control", "1.0\t0\n", -EBADMSG, NULL },
	{ "high bit", "1.0\xc3\xa9\n", -EBADMSG, NULL },
	{ "NUL", "1.0\0" "0\n", -EBADMSG, NULL, 6 },
};

static void test_fw_version(void **state)
{
	for (size_t i = 0; i < N_ELEMENTS(fw_cases); i++) {
		char v[OCXLPMEM_FW_VERSION_LEN + 1] = "unset";
		size_t len = fw_cases[i].len ? fw_cases[i].len : strlen(fw_cases[i].text);
		int r = kernel_sysfs_parse_fw_version(fw_cases[i].text, len, v);

		if (r != fw_cases[i].expect)
			fail_msg("fw %s: got %d, want %d", fw_cases[i].name, r, fw_cases[i].expect);
		if (r == 0 && strcmp(v, fw_cases[i].value) != 0)
			fail_msg("fw %s: got '%s'", fw_cases[i].name, v);
		if (r < 0 && strcmp(v, "unset") != 0)
			fail_msg("fw %s: output written on failure", fw_cases[i].name);
	}
}

static void test_read(void **state)
{
	char path[] = "/tmp/test-kernel-sysfs.XXXXXX", buf[8];
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "0x3\n", 4), 4);
	close(fd);
	assert_int_equal(kernel_sysfs_read(path, buf, sizeof(buf)), 4);
	assert_string_equal(buf, "0x3\n");
	/* Exactly cap bytes: no room for the NUL, so too big. */
	assert_int_equal(kernel_sysfs_read(path, buf, 4), -EFBIG);
	unlink(path);
	assert_int_equal(kernel_sysfs_read(path, buf, sizeof(buf)), -ENOENT);
}

static void test_refused(void **state)
{
	static const struct {
		unsigned int function;
		int err;
		bool refused;
	} cases[] = {
		{ OCXLPMEM_FN_SMART, -EPERM, true },
		{ OCXLPMEM_FN_CAPABILITIES, -EPERM, true },
		{ OCXLPMEM_FN_CAPABILITIES, -ENOTTY, true },
		{ OCXLPMEM_FN_CAPABILITIES, -EINVAL, true },
		/* One function missing from a driver is not a refused family. */
		{ OCXLPMEM_FN_FIRMWARE_INFO, -ENOTTY, false },
		{ OCXLPMEM_FN_SMART, -EINVAL, false },
		{ OCXLPMEM_FN_CAPABILITIES, -ETIMEDOUT, false },
		{ OCXLPMEM_FN_CAPABILITIES, -EBUSY, false },
		{ OCXLPMEM_FN_CAPABILITIES, -EAGAIN, false },
		{ OCXLPMEM_FN_CAPABILITIES, -ENXIO, false },
	};

	for (size_t i = 0; i < N_ELEMENTS(cases); i++)
		if (kernel_tunnel_refused(cases[i].function, cases[i].err) != cases[i].refused)
			fail_msg("case %zu: function %u errno %d", i, cases[i].function,
				 cases[i].err);
}

static void test_strerror(void **state)
{
	/* Every errno the ABI lists has its own words, with or without sign. */
	static const int errs[] = { EPERM, ENXIO, ENOTTY, EINVAL, EBUSY, EAGAIN, ETIMEDOUT };

	for (size_t i = 0; i < N_ELEMENTS(errs); i++) {
		const char *s = kernel_tunnel_strerror(errs[i]);

		assert_non_null(s);
		assert_string_equal(s, kernel_tunnel_strerror(-errs[i]));
		assert_string_not_equal(s, strerror(errs[i]));
		for (size_t k = 0; k < i; k++)
			assert_string_not_equal(s, kernel_tunnel_strerror(errs[k]));
	}
	assert_string_equal(kernel_tunnel_strerror(EIO), strerror(EIO));
}

static void test_call_checks(void **state)
{
	uint8_t out[16];
	size_t fw = 0;

	/* Caught before the ioctl: fd -1 would give EBADF otherwise. */
	assert_int_equal(kernel_tunnel_call(-1, OCXLPMEM_FN_SMART, NULL, 0, out, 7, &fw), -EINVAL);
	assert_int_equal(kernel_tunnel_call(-1, OCXLPMEM_FN_SMART, NULL, 4, out, 8, &fw), -EINVAL);
	assert_int_equal(kernel_tunnel_call(-1, OCXLPMEM_FN_DUMP_DATA, out, 8, out, 4u << 20, &fw),
			 -EMSGSIZE);
	assert_int_equal(kernel_tunnel_call(-1, OCXLPMEM_FN_SMART, NULL, 0, out, 8, &fw), -EBADF);
}

static void test_open_missing(void **state)
{
	char reason[256] = "";
	int fd = -1;

	assert_int_equal(kernel_tunnel_open("nmem-does-not-exist", 1, 2, &fd, reason, sizeof(reason)),
			 -ENOENT);
	assert_int_equal(fd, -1);
	assert_non_null(strstr(reason, "/dev/nmem-does-not-exist"));
	/* /dev/null is a character device, but not the DIMM's numbers. */
	assert_int_equal(kernel_tunnel_open("null", 250, 0, &fd, reason, sizeof(reason)), -ENXIO);
	assert_non_null(strstr(reason, "not the DIMM's character device 250:0"));
	assert_int_equal(fd, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serial),
		cmocka_unit_test(test_fw_version),
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_call_checks),
		cmocka_unit_test(test_open_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
