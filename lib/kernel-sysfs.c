// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The DIMM's identity attributes (ocxlpmem-abi(7), SYSFS): strict parsers,
 * one per attribute, and a whole-attribute read.  Not strtoull(): it takes
 * signs and blanks, and overflows quietly.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "private.h"
#include "transport-kernel.h"

/* The text without its one optional trailing newline. */
static size_t strip_newline(const char *text, size_t len)
{
	return len && text[len - 1] == '\n' ? len - 1 : len;
}

int kernel_sysfs_parse_serial(const char *text, size_t len, uint64_t *ret)
{
	uint64_t v = 0;

	if ((!text && len) || !ret)
		return -EINVAL;
	len = strip_newline(text, len);
	if (len == 0 || len > 20)
		return -EBADMSG;
	for (size_t i = 0; i < len; i++) {
		unsigned int d;

		if (text[i] < '0' || text[i] > '9')
			return -EBADMSG;
		d = (unsigned int)(text[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -EBADMSG;
		v = v * 10 + d;
	}
	*ret = v;
	return 0;
}

int kernel_sysfs_parse_fw_version(const char *text, size_t len,
				  char ret[OCXLPMEM_FW_VERSION_LEN + 1])
{
	if ((!text && len) || !ret)
		return -EINVAL;
	len = strip_newline(text, len);
	if (len == 0 || len > OCXLPMEM_FW_VERSION_LEN)
		return -EBADMSG;
	for (size_t i = 0; i < len; i++)
		if (text[i] <= ' ' || text[i] > '~')
			return -EBADMSG;
	memcpy(ret, text, len);
	ret[len] = '\0';
	return 0;
}

ssize_t kernel_sysfs_read(const char *path, char *buf, size_t cap)
{
	ssize_t n;
	int fd, r;

	if (!cap)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* One read: a sysfs attribute is produced whole, and at most a page. */
	n = read(fd, buf, cap);
	r = n < 0 ? -errno : 0;
	close(fd);
	if (r < 0)
		return r;
	if ((size_t)n == cap)
		return -EFBIG;
	buf[n] = '\0';
	return n;
}
