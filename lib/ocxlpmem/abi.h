/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The OCXL command family: the commands of an OpenCAPI persistent-memory card
 * (IBM, PCI 1014:0625) tunnelled through libnvdimm's ND_CMD_CALL ioctl with
 * struct nd_cmd_pkg, on the card's DIMM device /dev/nmemN.
 *
 * This header is the wire contract.  ocxlpmem-abi(7) is the prose version of
 * it and a test (tests/test-abi-doc.sh) checks that the two agree on every
 * size and offset.
 *
 * Rules that hold for every function:
 *  - nd_pkg.nd_family = NVDIMM_FAMILY_OCXL, nd_pkg.nd_command = the function
 *    number below, nd_reserved2[] zero.
 *  - nd_payload holds nd_size_in bytes of input, then nd_size_out bytes of
 *    output.  A function without input takes nd_size_in = 0.
 *  - Every output starts with struct ocxlpmem_reply_hdr.  The driver sets
 *    nd_fw_size to sizeof(reply_hdr) + data_len; when nd_fw_size is larger
 *    than nd_size_out, the output was truncated.
 *  - Every multi-byte field is little-endian, whatever the host.  The structs
 *    below document layout only: portable code reads them through the codec
 *    (ocxlpmem/codec.h), never by casting a buffer.
 *  - Every field named reserved* must be zero on input and is checked to be
 *    zero on output: a non-zero reserved field is a malformed payload.
 *  - Responses that carry card data buffers (SMART, error log, stats, dump)
 *    begin that data with the card's header word: a two-character id in bits
 *    63:48 ('SM', 'EL', 'CS', 'CD'), zero in bits 47:32, and in bits 31:0 the
 *    number of bytes that follow the header word.
 */
#ifndef OCXLPMEM_ABI_H
#define OCXLPMEM_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version of this document's command set, reported in GetInfo and metrics. */
#define OCXLPMEM_ABI_VERSION 1

/* Command family registered by the ocxlpmem driver (v4 series). */
#ifndef NVDIMM_FAMILY_OCXL
#define NVDIMM_FAMILY_OCXL 6
#endif

/* _IOWR('N', ND_CMD_CALL, struct nd_cmd_pkg) from <linux/ndctl.h>. */
#define OCXLPMEM_ND_IOCTL_CALL 0xC0404E0AU
/* Size of struct nd_cmd_pkg without its payload. */
#define OCXLPMEM_ND_CMD_PKG_HDR_SIZE 64

/* PCI identity of the card. */
#define OCXLPMEM_PCI_VENDOR 0x1014
#define OCXLPMEM_PCI_DEVICE 0x0625
/* libnvdimm bus provider name of an ocxlpmem bus. */
#define OCXLPMEM_PROVIDER "ocxlpmem"

/*
 * Function numbers (nd_cmd_pkg.nd_command).  1 is the SMART function of the
 * posted driver; the rest are this project's roadmap and never change
 * meaning once published: new functions get new numbers.
 */
enum ocxlpmem_function {
	OCXLPMEM_FN_SMART = 1,
	OCXLPMEM_FN_CAPABILITIES = 2,
	OCXLPMEM_FN_CONTROLLER_HEALTH = 3,
	OCXLPMEM_FN_ERROR_LOG_READ = 4,
	OCXLPMEM_FN_ERROR_LOG_ACK = 5,
	OCXLPMEM_FN_REQUEST_HEALTH = 6,
	OCXLPMEM_FN_CONTROLLER_STATS = 7,
	OCXLPMEM_FN_EVENT_CHECK = 8,
	OCXLPMEM_FN_DUMP_START = 9,
	OCXLPMEM_FN_DUMP_DATA = 10,
	OCXLPMEM_FN_DUMP_COMPLETE = 11,
	OCXLPMEM_FN_FW_UPDATE_START = 12,
	OCXLPMEM_FN_FW_UPDATE_BLOCK = 13,
	OCXLPMEM_FN_FW_UPDATE_FINISH = 14,
	OCXLPMEM_FN_FW_UPDATE_ABORT = 15,
	OCXLPMEM_FN_FIRMWARE_INFO = 16,
	OCXLPMEM_FN_SHUTDOWN = 17,
	OCXLPMEM_FN_HEARTBEAT = 18,
};
#define OCXLPMEM_FN_MIN OCXLPMEM_FN_SMART
#define OCXLPMEM_FN_MAX OCXLPMEM_FN_HEARTBEAT
/* CAPABILITIES.functions of a driver with every function above: 0x7fffe. */
#define OCXLPMEM_FN_ALL_MASK \
	((uint32_t)(((1ull << (OCXLPMEM_FN_MAX + 1)) - 1) & ~1ull))

/* Admin opcodes of the card (the driver's side of each function). */
enum ocxlpmem_admin_opcode {
	OCXLPMEM_OP_HEARTBEAT = 0x00,
	OCXLPMEM_OP_SHUTDOWN = 0x01,
	OCXLPMEM_OP_FW_UPDATE = 0x02,
	OCXLPMEM_OP_FW_DEBUG = 0x03,
	OCXLPMEM_OP_ERRLOG = 0x04,
	OCXLPMEM_OP_SMART = 0x05,
	OCXLPMEM_OP_CONTROLLER_STATS = 0x06,
	OCXLPMEM_OP_CONTROLLER_DUMP = 0x07,
	OCXLPMEM_OP_CMD_CAPS = 0x08,
	OCXLPMEM_OP_SECURE_ERASE = 0x20,
};
/* Entries in ocxlpmem_capabilities_out.timeout_ms: opcodes 0x00-0x07. */
#define OCXLPMEM_NR_TIMEOUTS 8

/* Default per-opcode timeouts (ms) of the card, used until CAPABILITIES. */
#define OCXLPMEM_TIMEOUT_HEARTBEAT_MS 100
#define OCXLPMEM_TIMEOUT_SHUTDOWN_MS 1000
#define OCXLPMEM_TIMEOUT_FW_UPDATE_MS 16000
#define OCXLPMEM_TIMEOUT_ERRLOG_MS 2000
#define OCXLPMEM_TIMEOUT_SMART_MS 100
#define OCXLPMEM_TIMEOUT_CONTROLLER_STATS_MS 100
#define OCXLPMEM_TIMEOUT_CONTROLLER_DUMP_MS 1000
/* Functions served from MMIO registers without an admin command. */
#define OCXLPMEM_TIMEOUT_MMIO_MS 100

/*
 * The card's status byte (admin response bits 7:0).  Several codes carry a
 * second meaning for the firmware-update functions, noted alongside.
 */
enum ocxlpmem_card_status {
	OCXLPMEM_STATUS_SUCCESS = 0x00,
	OCXLPMEM_STATUS_MEM_UNAVAILABLE = 0x20,
	OCXLPMEM_STATUS_BLOCKED_BG_TASK = 0x21, /* fw: update blocked */
	OCXLPMEM_STATUS_BAD_OPCODE = 0x50,
	OCXLPMEM_STATUS_BAD_REQUEST_PARM = 0x51, /* fw: argument invalid */
	OCXLPMEM_STATUS_BAD_DATA_PARM = 0x52,    /* fw: image invalid */
	OCXLPMEM_STATUS_DEBUG_BLOCKED = 0x70,
	OCXLPMEM_STATUS_FAIL = 0xFF,
};

/* EVENT_CHECK bits and the sysfs `events` attribute. */
enum ocxlpmem_event {
	OCXLPMEM_EVENT_CONTROLLER_DUMP_AVAILABLE = 1u << 0,
	OCXLPMEM_EVENT_ERROR_LOG_AVAILABLE = 1u << 1,
	OCXLPMEM_EVENT_HARDWARE_FATAL = 1u << 2,
	OCXLPMEM_EVENT_FIRMWARE_FATAL = 1u << 3,
};
#define OCXLPMEM_EVENT_ALL 0xFull

/* CONTROLLER_HEALTH flags (from CHI bits 4, 5, 9, 6). */
enum ocxlpmem_health_flag {
	OCXLPMEM_HEALTH_READY = 1u << 0,
	OCXLPMEM_HEALTH_FIRMWARE_FATAL = 1u << 1,
	OCXLPMEM_HEALTH_HARDWARE_FATAL = 1u << 2,
	OCXLPMEM_HEALTH_MEMORY_AVAILABLE = 1u << 3,
};
#define OCXLPMEM_HEALTH_ALL 0xFu

/* Error-log entry types. */
enum ocxlpmem_error_log_type {
	OCXLPMEM_ERRLOG_GENERAL = 0x00,
	OCXLPMEM_ERRLOG_PREDICTIVE_FAILURE = 0x01,
	OCXLPMEM_ERRLOG_THERMAL_WARNING = 0x02,
	OCXLPMEM_ERRLOG_DATA_LOSS = 0x03,
	OCXLPMEM_ERRLOG_HEALTH_PERFORMANCE = 0x04,
};
#define OCXLPMEM_ERRLOG_TYPE_MAX OCXLPMEM_ERRLOG_HEALTH_PERFORMANCE

/* Error-log action flags (meaningful for GENERAL entries). */
enum ocxlpmem_error_log_action {
	OCXLPMEM_ACTION_RESET = 1u << 0,
	OCXLPMEM_ACTION_CHKFW = 1u << 21,
	OCXLPMEM_ACTION_REPLACE = 1u << 22,
	OCXLPMEM_ACTION_DUMP = 1u << 23,
};
#define OCXLPMEM_ACTION_ALL                                            \
	(OCXLPMEM_ACTION_RESET | OCXLPMEM_ACTION_CHKFW |               \
	 OCXLPMEM_ACTION_REPLACE | OCXLPMEM_ACTION_DUMP)

/* SMART attribute ids with a defined meaning; others are vendor-specific. */
enum ocxlpmem_smart_id {
	OCXLPMEM_SMART_POWER_ON_HOURS = 0x09,  /* raw: hours */
	OCXLPMEM_SMART_TEMPERATURE = 0xC2,     /* raw 15:0: signed degrees C */
	OCXLPMEM_SMART_LIFE_REMAINING = 0xCA,  /* current and raw: percent */
};

/* Two-character data-buffer ids, header word bits 63:48. */
#define OCXLPMEM_DATA_ID(a, b) ((uint16_t)(((uint16_t)(a) << 8) | (uint8_t)(b)))
#define OCXLPMEM_DATA_ID_SMART OCXLPMEM_DATA_ID('S', 'M')
#define OCXLPMEM_DATA_ID_ERROR_LOG OCXLPMEM_DATA_ID('E', 'L')
#define OCXLPMEM_DATA_ID_STATS OCXLPMEM_DATA_ID('C', 'S')
#define OCXLPMEM_DATA_ID_DUMP OCXLPMEM_DATA_ID('C', 'D')
#define OCXLPMEM_DATA_HDR_ID_SHIFT 48
#define OCXLPMEM_DATA_HDR_RESERVED_MASK 0x0000FFFF00000000ull
#define OCXLPMEM_DATA_HDR_LEN_MASK 0x00000000FFFFFFFFull

/* Limits. */
#define OCXLPMEM_SMART_MAX_ATTRS 30
#define OCXLPMEM_ERRLOG_DATA_MAX 4096
#define OCXLPMEM_FW_BLOCK_MAX (32u * 1024u)
#define OCXLPMEM_FW_ALIGN 8
#define OCXLPMEM_DUMP_ALIGN 8
#define OCXLPMEM_FW_VERSION_LEN 8

/* ---- Every function: the output header -------------------------------- */

struct ocxlpmem_reply_hdr {
	uint8_t card_status;  /* enum ocxlpmem_card_status */
	uint8_t reserved0[3];
	uint32_t data_len;    /* bytes of function output after this header */
};

/* ---- 1 SMART: no input ------------------------------------------------- */

/*
 * Attribute word 0: id 63:56, flags 55:40, current 39:32, threshold 31:24,
 * worst 23:16, bits 15:0 reserved.  Word 1: the raw value.
 */
struct ocxlpmem_smart_attr_wire {
	uint64_t word0;
	uint64_t raw;
};

struct ocxlpmem_smart_out {
	uint64_t header; /* 'SM', length = 8 + 16 * count */
	uint8_t count;   /* at most OCXLPMEM_SMART_MAX_ATTRS */
	uint8_t reserved[7];
	struct ocxlpmem_smart_attr_wire attrs[];
};

/* ---- 2 CAPABILITIES: no input ------------------------------------------ */

struct ocxlpmem_capabilities_out {
	char fw_version[8];      /* FWVER, ASCII, NUL-padded */
	uint64_t serial;         /* PCI device serial number (DSN) */
	uint64_t memory_size;    /* bytes of persistent memory */
	uint16_t scm_revision;   /* CCAP0 15:0: major = >> 4, minor = & 0xF */
	uint16_t read_latency_ns;           /* CCAP0 47:32 */
	uint8_t readiness_timeout_s;        /* CCAP0 51:48, 0-15 */
	uint8_t reserved0;
	uint16_t memory_available_timeout_s; /* CCAP0 63:52, 0-4095 */
	uint32_t max_dump_size;  /* CCAP1 31:0 */
	uint32_t admin_buffer_size; /* largest dump chunk, multiple of 8 */
	uint32_t functions;      /* bit n set: function n is supported */
	uint32_t reserved1;
	uint16_t timeout_ms[OCXLPMEM_NR_TIMEOUTS]; /* by admin opcode 0-7 */
};

/* ---- 3 CONTROLLER_HEALTH: no input ------------------------------------- */

struct ocxlpmem_health_out {
	uint32_t flags; /* enum ocxlpmem_health_flag; other bits reserved */
	uint32_t reserved;
};

/* ---- 4 ERROR_LOG_READ: no input ----------------------------------------- */

/*
 * Returns the oldest entry the card holds without removing it; the entry
 * stays until ERROR_LOG_ACK names it.  The driver keeps the entry it fetched
 * from the card until acknowledged, so a reader that dies before it has
 * stored an entry reads the same entry again: nothing is lost.
 * No entry: header 'EL' with length 0 (data_len = 8).
 */
struct ocxlpmem_error_log_out {
	uint64_t header;             /* 'EL', length = 56 + data_size */
	uint32_t log_identifier;
	uint32_t program_reference_code;
	uint32_t action_flags;       /* enum ocxlpmem_error_log_action */
	uint32_t power_on_seconds;
	uint64_t timestamp;          /* ns since the card's current IPL */
	uint64_t wwid[2];            /* NAA WWID */
	char fw_revision[8];         /* ASCII, NUL-padded */
	uint16_t data_size;          /* bytes of data[] in this reply */
	uint16_t data_needed;        /* bytes the entry holds; > data_size: truncated */
	uint8_t error_log_type;      /* enum ocxlpmem_error_log_type */
	uint8_t reserved[3];
	uint8_t data[];
};

/* ---- 5 ERROR_LOG_ACK: no output data ------------------------------------ */

struct ocxlpmem_error_log_ack_in {
	uint32_t log_identifier; /* must name the entry READ returns */
	uint32_t reserved;
};

/* ---- 6 REQUEST_HEALTH: no input, no output data ------------------------ */
/* The card answers with a HEALTH_PERFORMANCE error-log entry later. */

/* ---- 7 CONTROLLER_STATS: no input --------------------------------------- */

struct ocxlpmem_stats_out {
	uint64_t header;                 /* 'CS', length = 104 */
	uint32_t reset_count;
	uint32_t reset_uptime_s;
	uint32_t power_on_uptime_s;
	uint8_t life_remaining_pct;
	uint8_t critical_resource_utilization_pct;
	uint8_t reserved[2];
	uint64_t host_load_count;
	uint64_t host_store_count;
	uint64_t host_load_duration_ns;
	uint64_t host_store_duration_ns;
	uint64_t media_read_count;
	uint64_t media_write_count;
	uint64_t media_read_duration_ns;
	uint64_t media_write_duration_ns;
	uint64_t cache_read_hit_count;
	uint64_t cache_write_hit_count;
	uint64_t fast_write_count;
};

/* ---- 8 EVENT_CHECK: no input -------------------------------------------- */

/*
 * Level-triggered: a bit stays set while its condition holds (entries to
 * read, a dump held, a fatal state).  Reading does not clear anything, so no
 * reader can lose an event for another.
 */
struct ocxlpmem_events_out {
	uint64_t events; /* enum ocxlpmem_event; other bits reserved */
};

/* ---- 9 DUMP_START: no input --------------------------------------------- */

/*
 * Asks the card for a host-initiated dump.  When the card already holds a
 * dump (card- or host-initiated) it returns that one: a held dump must be
 * collected and completed before another is made.
 */
enum ocxlpmem_dump_origin {
	OCXLPMEM_DUMP_NONE = 0,
	OCXLPMEM_DUMP_CARD = 1,
	OCXLPMEM_DUMP_HOST = 2,
};

struct ocxlpmem_dump_info_out {
	uint32_t dump_id;    /* changes with every dump the card makes */
	uint32_t total_size; /* bytes, at most max_dump_size */
	uint8_t origin;      /* enum ocxlpmem_dump_origin */
	uint8_t reserved[7];
};

/* ---- 10 DUMP_DATA --------------------------------------------------------- */

struct ocxlpmem_dump_data_in {
	uint32_t dump_id;  /* the dump being read; another: BAD_REQUEST_PARM */
	uint32_t offset;   /* multiple of 8 */
	uint32_t max_size; /* multiple of 8, at most admin_buffer_size */
	uint32_t reserved;
};

struct ocxlpmem_dump_data_out {
	uint64_t header;     /* 'CD', length = 16 + chunk_size */
	uint32_t dump_id;
	uint32_t total_size;
	uint32_t offset;
	uint32_t chunk_size; /* 0: offset is the end of the dump */
	uint8_t data[];
};

/* ---- 11 DUMP_COMPLETE: no output data ------------------------------------ */

struct ocxlpmem_dump_complete_in {
	uint32_t dump_id;
	uint32_t reserved;
};

/* ---- 12 FW_UPDATE_START: no output data ---------------------------------- */

struct ocxlpmem_fw_start_in {
	uint32_t image_size; /* multiple of 8, at most max_image_size */
	uint32_t reserved;
};

/* ---- 13 FW_UPDATE_BLOCK: no output data ---------------------------------- */

/* As in v2 of the series: (offset << 32 | size), then size bytes of image. */
struct ocxlpmem_fw_block_in {
	uint64_t offset_size;
	uint8_t data[];      /* size bytes, multiple of 8, <= 32 KiB */
};

/* ---- 14 FW_UPDATE_FINISH: no input; output firmware_info_out ------------- */
/* ---- 15 FW_UPDATE_ABORT: no input, no output data ------------------------ */
/* ---- 16 FIRMWARE_INFO: no input ------------------------------------------ */

/*
 * Activation model (decided by this project, see ocxlpmem-abi(7)): FINISH
 * verifies the received image and stages it; the staged image becomes the
 * running one at the next card reset (driver rebind, AFU reset or power
 * cycle).  Staging again replaces the staged image.
 */
enum ocxlpmem_fw_update_state {
	OCXLPMEM_FW_IDLE = 0,
	OCXLPMEM_FW_RECEIVING = 1,
};

struct ocxlpmem_firmware_info_out {
	char running_version[8];
	char staged_version[8];    /* all zero: nothing staged */
	uint8_t update_state;      /* enum ocxlpmem_fw_update_state */
	uint8_t reserved0[3];
	uint32_t bytes_received;   /* of the update in progress */
	uint32_t max_image_size;
	uint32_t reserved1;
};

/* ---- 17 SHUTDOWN, 18 HEARTBEAT: no input, no output data ----------------- */

/*
 * The firmware image container the card model accepts and ocxlpmemd checks
 * when present (an image that starts with the magic).  A real card's image
 * format is opaque to the host; the length rules hold for every image.
 */
#define OCXLPMEM_FW_IMAGE_MAGIC "OCXLPMFW"
#define OCXLPMEM_FW_IMAGE_HDR_VERSION 1
struct ocxlpmem_fw_image_hdr {
	char magic[8];           /* OCXLPMEM_FW_IMAGE_MAGIC, no NUL */
	char version[8];         /* version the image installs */
	uint32_t payload_size;   /* bytes after this header */
	uint32_t payload_crc32;  /* CRC-32 (ISO-HDLC, as zlib) of the payload */
	uint32_t hdr_version;    /* OCXLPMEM_FW_IMAGE_HDR_VERSION */
	uint32_t reserved;
};

/* ---- Layout checks: these are ABI, a change here breaks every reader ----- */
#define OCXLPMEM_ASSERT_LAYOUT(type, field, off)                             \
	_Static_assert(offsetof(struct type, field) == (off),                \
		       #type "." #field " moved")
#define OCXLPMEM_ASSERT_SIZE(type, size)                                     \
	_Static_assert(sizeof(struct type) == (size), #type " changed size")

OCXLPMEM_ASSERT_SIZE(ocxlpmem_reply_hdr, 8);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_reply_hdr, card_status, 0);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_reply_hdr, reserved0, 1);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_reply_hdr, data_len, 4);

OCXLPMEM_ASSERT_SIZE(ocxlpmem_smart_attr_wire, 16);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_smart_attr_wire, word0, 0);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_smart_attr_wire, raw, 8);
OCXLPMEM_ASSERT_SIZE(ocxlpmem_smart_out, 16);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_smart_out, header, 0);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_smart_out, count, 8);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_smart_out, reserved, 9);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_smart_out, attrs, 16);

OCXLPMEM_ASSERT_SIZE(ocxlpmem_capabilities_out, 64);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_capabilities_out, fw_version, 0);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_capabilities_out, serial, 8);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_capabilities_out, memory_size, 16);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_capabilities_out, scm_revision, 24);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_capabilities_out, read_latency_ns, 26);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_capabilities_out, readiness_timeout_s, 28);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_capabilities_out, reserved0, 29);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_capabilities_out, memory_available_timeout_s, 30);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_capabilities_out, max_dump_size, 32);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_capabilities_out, admin_buffer_size, 36);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_capabilities_out, functions, 40);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_capabilities_out, reserved1, 44);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_capabilities_out, timeout_ms, 48);

OCXLPMEM_ASSERT_SIZE(ocxlpmem_health_out, 8);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_health_out, flags, 0);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_health_out, reserved, 4);

OCXLPMEM_ASSERT_SIZE(ocxlpmem_error_log_out, 64);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_error_log_out, header, 0);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_error_log_out, log_identifier, 8);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_error_log_out, program_reference_code, 12);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_error_log_out, action_flags, 16);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_error_log_out, power_on_seconds, 20);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_error_log_out, timestamp, 24);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_error_log_out, wwid, 32);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_error_log_out, fw_revision, 48);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_error_log_out, data_size, 56);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_error_log_out, data_needed, 58);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_error_log_out, error_log_type, 60);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_error_log_out, reserved, 61);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_error_log_out, data, 64);

OCXLPMEM_ASSERT_SIZE(ocxlpmem_error_log_ack_in, 8);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_error_log_ack_in, log_identifier, 0);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_error_log_ack_in, reserved, 4);

OCXLPMEM_ASSERT_SIZE(ocxlpmem_stats_out, 112);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_stats_out, header, 0);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_stats_out, reset_count, 8);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_stats_out, reset_uptime_s, 12);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_stats_out, power_on_uptime_s, 16);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_stats_out, life_remaining_pct, 20);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_stats_out, critical_resource_utilization_pct, 21);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_stats_out, reserved, 22);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_stats_out, host_load_count, 24);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_stats_out, host_store_count, 32);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_stats_out, host_load_duration_ns, 40);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_stats_out, host_store_duration_ns, 48);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_stats_out, media_read_count, 56);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_stats_out, media_write_count, 64);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_stats_out, media_read_duration_ns, 72);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_stats_out, media_write_duration_ns, 80);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_stats_out, cache_read_hit_count, 88);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_stats_out, cache_write_hit_count, 96);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_stats_out, fast_write_count, 104);

OCXLPMEM_ASSERT_SIZE(ocxlpmem_events_out, 8);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_events_out, events, 0);

OCXLPMEM_ASSERT_SIZE(ocxlpmem_dump_info_out, 16);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_dump_info_out, dump_id, 0);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_dump_info_out, total_size, 4);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_dump_info_out, origin, 8);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_dump_info_out, reserved, 9);

OCXLPMEM_ASSERT_SIZE(ocxlpmem_dump_data_in, 16);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_dump_data_in, dump_id, 0);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_dump_data_in, offset, 4);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_dump_data_in, max_size, 8);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_dump_data_in, reserved, 12);

OCXLPMEM_ASSERT_SIZE(ocxlpmem_dump_data_out, 24);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_dump_data_out, header, 0);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_dump_data_out, dump_id, 8);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_dump_data_out, total_size, 12);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_dump_data_out, offset, 16);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_dump_data_out, chunk_size, 20);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_dump_data_out, data, 24);

OCXLPMEM_ASSERT_SIZE(ocxlpmem_dump_complete_in, 8);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_dump_complete_in, dump_id, 0);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_dump_complete_in, reserved, 4);

OCXLPMEM_ASSERT_SIZE(ocxlpmem_fw_start_in, 8);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_fw_start_in, image_size, 0);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_fw_start_in, reserved, 4);

OCXLPMEM_ASSERT_SIZE(ocxlpmem_fw_block_in, 8);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_fw_block_in, offset_size, 0);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_fw_block_in, data, 8);

OCXLPMEM_ASSERT_SIZE(ocxlpmem_firmware_info_out, 32);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_firmware_info_out, running_version, 0);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_firmware_info_out, staged_version, 8);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_firmware_info_out, update_state, 16);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_firmware_info_out, reserved0, 17);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_firmware_info_out, bytes_received, 20);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_firmware_info_out, max_image_size, 24);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_firmware_info_out, reserved1, 28);

OCXLPMEM_ASSERT_SIZE(ocxlpmem_fw_image_hdr, 32);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_fw_image_hdr, magic, 0);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_fw_image_hdr, version, 8);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_fw_image_hdr, payload_size, 16);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_fw_image_hdr, payload_crc32, 20);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_fw_image_hdr, hdr_version, 24);
OCXLPMEM_ASSERT_LAYOUT(ocxlpmem_fw_image_hdr, reserved, 28);

#ifdef __cplusplus
}
#endif

#endif /* OCXLPMEM_ABI_H */
