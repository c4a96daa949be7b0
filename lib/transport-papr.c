// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A papr_scm DIMM served behind the kernel backend's card ops: its
 * identity from the device tree, and the family's SMART and
 * CONTROLLER_HEALTH made from one PDSM HEALTH call (transport-papr.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/ndctl.h>

#include "private.h"
#include "transport-kernel.h"
#include "transport-papr.h"

int papr_read_serial(const char *dimm_path, uint64_t *ret_serial, char *reason, size_t cap)
{
	char attr[192], text[64];
	ssize_t n;

	/* nmemN's parent is its ndbusN, whose of_node is the papr_scm
	 * device's node: one DIMM per bus. */
	snprintf(attr, sizeof(attr), "%s/../of_node/ibm,unit-guid", dimm_path);
	n = kernel_sysfs_read(attr, text, sizeof(text));
	if (n < 0) {
		snprintf(reason, cap, "papr_scm DIMM without a readable ibm,unit-guid (%s)",
			 strerror((int)-n));
		return (int)n;
	}
	if (papr_parse_unit_guid(text, (size_t)n, ret_serial) < 0) {
		snprintf(reason, cap, "the papr_scm DIMM's ibm,unit-guid is not a GUID");
		return -EBADMSG;
	}
	return 0;
}

/* PDSM HEALTH: 0 with *ret, or -errno. */
static int pdsm_health(int fd, struct papr_health *ret)
{
	const size_t out_len = PAPR_PDSM_HDR_SIZE + PAPR_PDSM_PAYLOAD_MAX;
	struct nd_cmd_pkg *pkg = calloc(1, sizeof(*pkg) + out_len);
	int r;

	if (!pkg)
		return -ENOMEM;
	pkg->nd_family = PAPR_FAMILY;
	pkg->nd_command = PAPR_PDSM_HEALTH;
	pkg->nd_size_in = 0;
	pkg->nd_size_out = (__u32)out_len;
	if (ioctl(fd, ND_IOCTL_CALL, pkg) < 0)
		r = -errno;
	else if (pkg->nd_fw_size > out_len || pkg->nd_family != PAPR_FAMILY)
		r = -EBADMSG;
	else
		r = papr_pdsm_health_decode(pkg->nd_payload, pkg->nd_fw_size, ret);
	free(pkg);
	return r;
}

int papr_call(int nmem_fd, uint64_t serial, unsigned int function, void *out, size_t out_cap,
	      size_t *ret_fw_size)
{
	struct papr_health h;
	ssize_t n;
	int r;

	if (function >= 32 || !(PAPR_FUNCTIONS & (1u << function)))
		return -ENOTTY;
	if (function == OCXLPMEM_FN_CAPABILITIES) {
		n = papr_capabilities_reply(serial, out, out_cap);
	} else {
		r = pdsm_health(nmem_fd, &h);
		if (r < 0)
			return r;
		if (function == OCXLPMEM_FN_SMART)
			n = papr_smart_reply(&h, out, out_cap);
		else
			n = papr_controller_health_reply(&h, out, out_cap);
	}
	if (n < 0)
		return (int)n;
	*ret_fw_size = (size_t)n;
	return 0;
}
