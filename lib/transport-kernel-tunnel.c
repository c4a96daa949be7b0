// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The tunnel: one OCXL command as ND_IOCTL_CALL with struct nd_cmd_pkg on
 * the DIMM's /dev/nmemN, the way libndctl's ndctl_cmd_submit() prepares and
 * submits its commands (open read-write, check the node, one buffer of
 * header, input and output), for the family libndctl does not know.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/ndctl.h>

#include "private.h"
#include "transport-kernel.h"

_Static_assert(sizeof(struct nd_cmd_pkg) == OCXLPMEM_ND_CMD_PKG_HDR_SIZE,
	       "nd_cmd_pkg header size");
_Static_assert(ND_IOCTL_CALL == OCXLPMEM_ND_IOCTL_CALL, "ND_IOCTL_CALL");

/* The kernel's cap on one ioctl buffer, header included (ND_IOCTL_MAX_BUFLEN). */
#define TUNNEL_MAX_BUFLEN (4u << 20)
/* Every output starts with the reply header. */
#define REPLY_HDR_SIZE 8

static bool open_denied(int err)
{
	return err == EACCES || err == EPERM || err == EROFS;
}

int kernel_tunnel_open(const char *devname, unsigned int major, unsigned int minor,
		       int *ret_fd, char *reason, size_t cap)
{
	char path[64];
	struct stat st;
	int fd, r;

	snprintf(path, sizeof(path), "/dev/%s", devname);
	/* ND_CMD_CALL counts as a write command: the kernel fails it with
	 * EPERM on a descriptor opened read-only, so read-only is no use. */
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		if (open_denied(-r)) {
			int ro = open(path, O_RDONLY | O_CLOEXEC);

			if (ro >= 0) {
				close(ro);
				snprintf(reason, cap,
					 "%s opens only read-only (%s), and ND_CMD_CALL needs a read-write descriptor",
					 path, strerror(-r));
				return -EROFS;
			}
		}
		snprintf(reason, cap, "cannot open %s: %s", path, strerror(-r));
		return r;
	}
	/* A node that is not the DIMM's (a stale or forged /dev entry) must
	 * never receive its commands. */
	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) != major ||
	    minor(st.st_rdev) != minor) {
		snprintf(reason, cap, "%s is not the DIMM's character device %u:%u", path, major,
			 minor);
		close(fd);
		return -ENXIO;
	}
	*ret_fd = fd;
	return 0;
}

int kernel_tunnel_call(int fd, unsigned int function, const void *in, size_t in_len,
		       void *out, size_t out_cap, size_t *ret_fw_size)
{
	struct nd_cmd_pkg *pkg;
	size_t total;
	int r = 0;

	if (out_cap < REPLY_HDR_SIZE || (in_len && !in))
		return -EINVAL;
	/* Our own check, before the kernel's: the sizes are u32 and the
	 * whole buffer is capped. */
	if (in_len > TUNNEL_MAX_BUFLEN || out_cap > TUNNEL_MAX_BUFLEN ||
	    sizeof(*pkg) + in_len + out_cap > TUNNEL_MAX_BUFLEN)
		return -EMSGSIZE;
	total = sizeof(*pkg) + in_len + out_cap;
	pkg = calloc(1, total);
	if (!pkg)
		return -ENOMEM;
	pkg->nd_family = NVDIMM_FAMILY_OCXL;
	pkg->nd_command = function;
	pkg->nd_size_in = (__u32)in_len;
	pkg->nd_size_out = (__u32)out_cap;
	if (in_len)
		memcpy(pkg->nd_payload, in, in_len);

	if (ioctl(fd, ND_IOCTL_CALL, pkg) < 0) {
		r = -errno;
		goto out_free;
	}
	/*
	 * The driver fills nd_fw_size with what the function produced.  Less
	 * than a reply header, or header fields that changed, is a driver
	 * that does not speak this family: nothing in the output is usable.
	 */
	if (pkg->nd_fw_size < REPLY_HDR_SIZE || pkg->nd_size_out != out_cap ||
	    pkg->nd_size_in != in_len || pkg->nd_family != NVDIMM_FAMILY_OCXL) {
		r = -EBADMSG;
		goto out_free;
	}
	/* A truncated output (nd_fw_size > nd_size_out) is copied as far as
	 * it goes; the caller sees the truncation in *ret_fw_size. */
	memcpy(out, pkg->nd_payload + in_len, MIN((size_t)pkg->nd_fw_size, out_cap));
	*ret_fw_size = pkg->nd_fw_size;
out_free:
	free(pkg);
	return r;
}

const char *kernel_tunnel_strerror(int err)
{
	switch (err < 0 ? -err : err) {
	case EPERM:
		return "the descriptor is read-only; ND_CMD_CALL needs /dev/nmemN opened read-write";
	case ENXIO:
		return "the DIMM is gone (removed, or its bus taken down after a fatal error)";
	case ENOTTY:
		return "the driver does not accept the OCXL command family (NVDIMM_FAMILY_OCXL)";
	case EINVAL:
		return "the driver rejected the command: family or function unknown, or sizes refused";
	case EBUSY:
		return "the DIMM is busy with another operation";
	case EAGAIN:
		return "the driver asks to try again later";
	case ETIMEDOUT:
		return "the card did not answer within the command's timeout";
	case EBADMSG:
		return "the driver returned a malformed command package";
	case EMSGSIZE:
		return "the command does not fit in one ioctl buffer";
	default:
		return strerror(err < 0 ? -err : err);
	}
}

bool kernel_tunnel_refused(unsigned int function, int err)
{
	if (err < 0)
		err = -err;
	if (err == EPERM)
		return true;
	/*
	 * A single function may be missing from a driver (ENOTTY/EINVAL for
	 * that function only), but CAPABILITIES is in every version-1 driver
	 * and absent from v4's: refusing it means refusing the family.
	 */
	return function == OCXLPMEM_FN_CAPABILITIES && (err == ENOTTY || err == EINVAL);
}
