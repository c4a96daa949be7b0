/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * papr_scm NVDIMMs (POWER LPAR persistent memory) as cards of a second
 * provider behind the kernel backend's ops table.  Such a DIMM has no
 * OCXL command family; its health comes from the PAPR PDSM HEALTH method
 * (ND_CMD_CALL, NVDIMM_FAMILY_PAPR), which is turned into the family's
 * SMART and CONTROLLER_HEALTH replies so that the daemon applies the same
 * health rules and alerts to it.  Everything else is not supported.
 *
 *   papr-wire.c        PDSM payload and identity decoding, and the
 *                      synthesised replies (pure: table-tested, fuzzed)
 *   transport-papr.c   the PDSM ioctl and the functions served from it
 *
 * The PDSM layout is the kernel's uapi asm/papr_pdsm.h: a little-endian
 * host's structs (POWER LPARs run ppc64le).  Not installed.
 */
#ifndef OCXLPMEM_TRANSPORT_PAPR_H
#define OCXLPMEM_TRANSPORT_PAPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <ocxlpmem/abi.h>
#include <ocxlpmem/codec.h>

/* What libndctl checks a papr_scm bus by (of_node/compatible). */
#define PAPR_COMPATIBLE "ibm,pmemory"
#define PAPR_FAMILY 5           /* NVDIMM_FAMILY_PAPR */
#define PAPR_PDSM_HEALTH 1
#define PAPR_PDSM_HDR_SIZE 8    /* s32 cmd_status, u16 reserved[2] */
#define PAPR_PDSM_PAYLOAD_MAX 184

/* extension_flags */
#define PAPR_HEALTH_FUEL_GAUGE_VALID 1u
#define PAPR_HEALTH_DSC_VALID 2u

enum papr_dimm_health {
	PAPR_DIMM_HEALTHY = 0,
	PAPR_DIMM_UNHEALTHY = 1,
	PAPR_DIMM_CRITICAL = 2,
	PAPR_DIMM_FATAL = 3,
};

/* The state flags, as one mask (SMART attribute PAPR_SMART_FLAGS raw). */
enum papr_flag {
	PAPR_FLAG_UNARMED = 1u << 0,
	PAPR_FLAG_BAD_SHUTDOWN = 1u << 1,
	PAPR_FLAG_BAD_RESTORE = 1u << 2,
	PAPR_FLAG_SCRUBBED = 1u << 3,
	PAPR_FLAG_LOCKED = 1u << 4,
	PAPR_FLAG_ENCRYPTED = 1u << 5,
};

struct papr_health {
	uint32_t flags;           /* enum papr_flag */
	uint16_t health;          /* enum papr_dimm_health */
	bool has_life;
	uint8_t life_remaining;   /* the fuel gauge: percent, 0-100 */
	bool has_dsc;
	uint64_t dirty_shutdowns; /* dirty-shutdown count */
};

/*
 * Vendor SMART attributes of a papr DIMM (ocxlpmem-abi(7), PAPR_SCM):
 *  - PAPR_SMART_HEALTH: current 3 - dimm_health, threshold 2, so that the
 *    daemon's "at or below its threshold" rule warns from UNHEALTHY on;
 *    raw: dimm_health;
 *  - PAPR_SMART_SHUTDOWNS: raw: the dirty-shutdown count (when given);
 *  - PAPR_SMART_FLAGS: raw: enum papr_flag.
 * Life remaining is the family's OCXLPMEM_SMART_LIFE_REMAINING.
 */
#define PAPR_SMART_HEALTH 0xF0
#define PAPR_SMART_SHUTDOWNS 0xF1
#define PAPR_SMART_FLAGS 0xF2
#define PAPR_SMART_HEALTH_THRESHOLD 2

/* The functions a papr DIMM is served: all from one PDSM. */
#define PAPR_FUNCTIONS                                                        \
	((1u << OCXLPMEM_FN_SMART) | (1u << OCXLPMEM_FN_CAPABILITIES) |      \
	 (1u << OCXLPMEM_FN_CONTROLLER_HEALTH))

/* ---- papr-wire.c ------------------------------------------------------- */

/*
 * A PDSM package as the kernel returned it (len: nd_fw_size, header and
 * payload).  0; the PDSM's own error (cmd_status, a -errno) when it
 * failed; -EBADMSG for a package no papr_scm makes: shorter than the
 * fields it says are valid, a flag byte other than 0 or 1, a health
 * beyond FATAL, a fuel gauge over 100.  Unknown extension flags are
 * fields of later kernels, ignored.
 */
int papr_pdsm_health_decode(const void *buf, size_t len, struct papr_health *ret);

/*
 * ibm,unit-guid of the bus's device-tree node: 36 characters
 * xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx (hex), then at most a NUL and a
 * '\n'.  The serial is its last 64 bits (the 4th and 5th groups); all
 * zeros is no serial.  0 or -EBADMSG (-EINVAL for bad arguments).
 */
int papr_parse_unit_guid(const char *text, size_t len, uint64_t *ret_serial);

/* Whole replies (header and data) into out: their length, or -ENOBUFS. */
ssize_t papr_capabilities_reply(uint64_t serial, void *out, size_t cap);
ssize_t papr_smart_reply(const struct papr_health *h, void *out, size_t cap);
/* READY unless FATAL; MEMORY_AVAILABLE unless CRITICAL or FATAL. */
ssize_t papr_controller_health_reply(const struct papr_health *h, void *out, size_t cap);

/* ---- transport-papr.c ---------------------------------------------------- */

/* The serial of the papr DIMM at dimm_path (/sys/bus/nd/devices/nmemN);
 * reason says why not. */
int papr_read_serial(const char *dimm_path, uint64_t *ret_serial, char *reason, size_t cap);
/*
 * One function of the family for a papr DIMM, as kernel_tunnel_call()
 * would return it.  Functions outside PAPR_FUNCTIONS: -ENOTTY.
 */
int papr_call(int nmem_fd, uint64_t serial, unsigned int function, void *out, size_t out_cap,
	      size_t *ret_fw_size);

#endif /* OCXLPMEM_TRANSPORT_PAPR_H */
