// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * shared/cleanup.h: each helper releases what its variable holds when the
 * scope ends, whatever way it ends, and nothing once TAKE_PTR()/TAKE_FD()
 * took it; closing keeps errno.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "shared/cleanup-json.h"

static bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* Opens /dev/null into a _cleanup_close_ variable; returns early or not. */
static int scoped_fd(bool early, int *ret_seen)
{
	_cleanup_close_ int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	*ret_seen = fd;
	if (early)
		return -EIO;
	return 0;
}

static void test_close(void **state)
{
	int fd;

	assert_int_equal(scoped_fd(false, &fd), 0);
	assert_false(fd_open(fd));
	assert_int_equal(scoped_fd(true, &fd), -EIO);
	assert_false(fd_open(fd));
	{
		_cleanup_close_ int none = -1;
		(void)none;
	}
	/* errno survives the close at the end of the scope. */
	{
		_cleanup_close_ int fd2 = open("/dev/null", O_RDONLY | O_CLOEXEC);

		assert_true(fd2 >= 0);
		errno = ENOSPC;
	}
	assert_int_equal(errno, ENOSPC);
}

static int take_fd(void)
{
	_cleanup_close_ int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	return TAKE_FD(fd);
}

static void test_take_fd(void **state)
{
	int fd = take_fd();

	assert_true(fd >= 0);
	assert_true(fd_open(fd));
	close(fd);
}

/* A leak or a double free here shows in the sanitizer build (ASan). */
static char *take_ptr(bool keep)
{
	_cleanup_free_ char *p = strdup("kept");

	assert_non_null(p);
	if (!keep)
		return NULL;
	return TAKE_PTR(p);
}

static void test_freep(void **state)
{
	char *p = take_ptr(true);
	char *s = NULL;

	assert_string_equal(p, "kept");
	free(p);
	assert_null(take_ptr(false));
	{
		_cleanup_free_ char *t = strdup("x");

		s = t;
		assert_ptr_equal(TAKE_PTR(t), s);
		assert_null(t);
	}
	free(s);
}

static void test_fclose(void **state)
{
	int fd;

	{
		_cleanup_fclose_ FILE *f = fopen("/dev/null", "re");

		assert_non_null(f);
		fd = fileno(f);
		assert_true(fd_open(fd));
	}
	assert_false(fd_open(fd));
	{
		_cleanup_fclose_ FILE *none = NULL;
		(void)none;
	}
}

static void test_json(void **state)
{
	struct json_object *kept = json_object_new_object(), *inner;

	{
		_cleanup_json_ struct json_object *o = json_object_new_object();

		json_object_object_add(o, "a", json_object_get(kept));
		/* Two owners now: o and us. */
	}
	/* o dropped its reference: ours is the last one. */
	inner = json_object_get(kept);
	assert_int_equal(json_object_put(inner), 0);
	assert_int_equal(json_object_put(kept), 1);
	{
		_cleanup_json_ struct json_object *none = NULL;
		(void)none;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_close),
		cmocka_unit_test(test_take_fd),
		cmocka_unit_test(test_freep),
		cmocka_unit_test(test_fclose),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
