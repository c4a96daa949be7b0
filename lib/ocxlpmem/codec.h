/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Payload codecs of the OCXL command family.
 *
 * Every payload of ocxlpmem/abi.h has an encoder and a strictly validating
 * decoder here.  The daemon encodes inputs and decodes outputs; the card
 * model does the reverse, so both directions are used and tested.
 *
 * Conventions:
 *  - Decoders take the exact bytes (buf, len) and fill *ret only on success;
 *    on failure *ret is untouched.  They return 0 or:
 *      -EMSGSIZE  the buffer is shorter than the payload says (truncation)
 *      -EBADMSG   malformed: wrong header id, non-zero reserved field,
 *                 lengths that disagree, a value out of its range, trailing
 *                 bytes after the payload
 *      -EINVAL    a NULL argument
 *  - Encoders write into (buf, cap) and return the number of bytes written,
 *    -ENOSPC when cap is too small, or -EINVAL for a value the wire cannot
 *    carry (e.g. more than OCXLPMEM_SMART_MAX_ATTRS attributes).
 *  - Output decoders take the function data, i.e. what follows the reply
 *    header; ocxlpmem_reply_decode() splits a whole output into the two.
 *  - Strings on the wire are fixed 8-byte ASCII fields padded with NULs;
 *    decoded they are NUL-terminated and a non-printable byte is -EBADMSG.
 */
#ifndef OCXLPMEM_CODEC_H
#define OCXLPMEM_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <ocxlpmem/abi.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Reply header --------------------------------------------------------- */

struct ocxlpmem_reply {
	uint8_t card_status;  /* enum ocxlpmem_card_status */
	const uint8_t *data;  /* points into the decoded buffer */
	uint32_t data_len;
};

/* Split an output buffer of len bytes (what the driver returned). */
int ocxlpmem_reply_decode(const void *buf, size_t len, struct ocxlpmem_reply *ret);
/* Write the 8-byte reply header. */
ssize_t ocxlpmem_reply_encode(uint8_t card_status, uint32_t data_len, void *buf, size_t cap);

/* The card's header word: id 63:48, zero 47:32, length 31:0. */
uint64_t ocxlpmem_data_hdr_make(uint16_t id, uint32_t len);
/* Check the header word at buf against id; on success *ret_len = length. */
int ocxlpmem_data_hdr_check(const void *buf, size_t len, uint16_t id, uint32_t *ret_len);

/* ---- SMART ------------------------------------------------------------------ */

struct ocxlpmem_smart_attr {
	uint8_t id;
	uint16_t flags;
	uint8_t current;
	uint8_t threshold;
	uint8_t worst;
	uint64_t raw;
};

struct ocxlpmem_smart {
	unsigned int count;
	struct ocxlpmem_smart_attr attrs[OCXLPMEM_SMART_MAX_ATTRS];
};

int ocxlpmem_smart_decode(const void *buf, size_t len, struct ocxlpmem_smart *ret);
ssize_t ocxlpmem_smart_encode(const struct ocxlpmem_smart *s, void *buf, size_t cap);
/* The attribute with this id, or NULL when the card does not report it. */
const struct ocxlpmem_smart_attr *ocxlpmem_smart_find(const struct ocxlpmem_smart *s, uint8_t id);
/*
 * Well-known values.  Each returns false when the card does not report the
 * attribute: callers must show "unsupported", never a made-up number.
 */
bool ocxlpmem_smart_temperature_c(const struct ocxlpmem_smart *s, int *ret_celsius);
bool ocxlpmem_smart_life_remaining_pct(const struct ocxlpmem_smart *s, unsigned int *ret_pct);
bool ocxlpmem_smart_power_on_hours(const struct ocxlpmem_smart *s, uint64_t *ret_hours);

/* ---- CAPABILITIES ---------------------------------------------------------- */

struct ocxlpmem_capabilities {
	char fw_version[OCXLPMEM_FW_VERSION_LEN + 1];
	uint64_t serial;
	uint64_t memory_size;
	uint16_t scm_revision;
	uint16_t read_latency_ns;
	uint8_t readiness_timeout_s;       /* 0-15 */
	uint16_t memory_available_timeout_s; /* 0-4095 */
	uint32_t max_dump_size;
	uint32_t admin_buffer_size;        /* multiple of 8, non-zero */
	uint32_t functions;
	uint16_t timeout_ms[OCXLPMEM_NR_TIMEOUTS];
};

int ocxlpmem_capabilities_decode(const void *buf, size_t len, struct ocxlpmem_capabilities *ret);
ssize_t ocxlpmem_capabilities_encode(const struct ocxlpmem_capabilities *c, void *buf, size_t cap);

/* ---- CONTROLLER_HEALTH ----------------------------------------------------- */

struct ocxlpmem_health {
	uint32_t flags; /* enum ocxlpmem_health_flag */
};

int ocxlpmem_health_decode(const void *buf, size_t len, struct ocxlpmem_health *ret);
ssize_t ocxlpmem_health_encode(const struct ocxlpmem_health *h, void *buf, size_t cap);

/* ---- ERROR_LOG_READ / ERROR_LOG_ACK ---------------------------------------- */

struct ocxlpmem_error_log_entry {
	bool present;                 /* false: the card holds no entry */
	uint32_t log_identifier;
	uint32_t program_reference_code;
	uint32_t action_flags;
	uint32_t power_on_seconds;
	uint64_t timestamp_ns;
	uint64_t wwid[2];
	char fw_revision[OCXLPMEM_FW_VERSION_LEN + 1];
	uint8_t type;                 /* enum ocxlpmem_error_log_type */
	uint16_t data_size;           /* bytes in data[] */
	uint16_t data_needed;         /* > data_size: the card truncated data */
	uint8_t data[OCXLPMEM_ERRLOG_DATA_MAX];
};

int ocxlpmem_error_log_decode(const void *buf, size_t len, struct ocxlpmem_error_log_entry *ret);
/* Encodes "no entry" when e->present is false. */
ssize_t ocxlpmem_error_log_encode(const struct ocxlpmem_error_log_entry *e, void *buf, size_t cap);

int ocxlpmem_error_log_ack_decode(const void *buf, size_t len, uint32_t *ret_log_identifier);
ssize_t ocxlpmem_error_log_ack_encode(uint32_t log_identifier, void *buf, size_t cap);

/* ---- CONTROLLER_STATS ------------------------------------------------------ */

struct ocxlpmem_stats {
	uint32_t reset_count;
	uint32_t reset_uptime_s;
	uint32_t power_on_uptime_s;
	uint8_t life_remaining_pct;              /* 0-100 */
	uint8_t critical_resource_utilization_pct; /* 0-100 */
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

int ocxlpmem_stats_decode(const void *buf, size_t len, struct ocxlpmem_stats *ret);
ssize_t ocxlpmem_stats_encode(const struct ocxlpmem_stats *s, void *buf, size_t cap);

/* ---- EVENT_CHECK ------------------------------------------------------------ */

int ocxlpmem_events_decode(const void *buf, size_t len, uint64_t *ret_events);
ssize_t ocxlpmem_events_encode(uint64_t events, void *buf, size_t cap);
/*
 * Parse the text of the DIMM's sysfs `events` attribute ("0x%llx\n", as the
 * driver writes it; also accepts no trailing newline).  Same error rules.
 */
int ocxlpmem_events_parse_sysfs(const char *text, size_t len, uint64_t *ret_events);

/* ---- DUMP_START / DUMP_DATA / DUMP_COMPLETE -------------------------------- */

struct ocxlpmem_dump_info {
	uint32_t dump_id;
	uint32_t total_size;
	uint8_t origin; /* enum ocxlpmem_dump_origin */
};

int ocxlpmem_dump_info_decode(const void *buf, size_t len, struct ocxlpmem_dump_info *ret);
ssize_t ocxlpmem_dump_info_encode(const struct ocxlpmem_dump_info *d, void *buf, size_t cap);

struct ocxlpmem_dump_data_req {
	uint32_t dump_id;
	uint32_t offset;   /* multiple of 8 */
	uint32_t max_size; /* multiple of 8, non-zero */
};

int ocxlpmem_dump_data_req_decode(const void *buf, size_t len, struct ocxlpmem_dump_data_req *ret);
ssize_t ocxlpmem_dump_data_req_encode(const struct ocxlpmem_dump_data_req *r, void *buf, size_t cap);

/* A chunk points into the decoded buffer: no copy of up to a whole buffer. */
struct ocxlpmem_dump_chunk {
	uint32_t dump_id;
	uint32_t total_size;
	uint32_t offset;
	uint32_t chunk_size;   /* 0: end of dump */
	const uint8_t *data;
};

/* Also checks offset + chunk_size <= total_size and chunk_size % 8 == 0. */
int ocxlpmem_dump_chunk_decode(const void *buf, size_t len, struct ocxlpmem_dump_chunk *ret);
/* Writes the 24-byte chunk header; the caller puts chunk_size data bytes after it. */
ssize_t ocxlpmem_dump_chunk_encode_hdr(const struct ocxlpmem_dump_chunk *c, void *buf, size_t cap);

int ocxlpmem_dump_complete_decode(const void *buf, size_t len, uint32_t *ret_dump_id);
ssize_t ocxlpmem_dump_complete_encode(uint32_t dump_id, void *buf, size_t cap);

/* ---- Firmware update --------------------------------------------------------- */

int ocxlpmem_fw_start_decode(const void *buf, size_t len, uint32_t *ret_image_size);
ssize_t ocxlpmem_fw_start_encode(uint32_t image_size, void *buf, size_t cap);

struct ocxlpmem_fw_block {
	uint32_t offset;
	uint32_t size;          /* multiple of 8, 1..OCXLPMEM_FW_BLOCK_MAX */
	const uint8_t *data;    /* points into the decoded buffer */
};

int ocxlpmem_fw_block_decode(const void *buf, size_t len, struct ocxlpmem_fw_block *ret);
/* Encodes the 8-byte word and copies b->size bytes from b->data. */
ssize_t ocxlpmem_fw_block_encode(const struct ocxlpmem_fw_block *b, void *buf, size_t cap);

struct ocxlpmem_firmware_info {
	char running_version[OCXLPMEM_FW_VERSION_LEN + 1];
	char staged_version[OCXLPMEM_FW_VERSION_LEN + 1]; /* "" when none */
	uint8_t update_state; /* enum ocxlpmem_fw_update_state */
	uint32_t bytes_received;
	uint32_t max_image_size;
};

int ocxlpmem_firmware_info_decode(const void *buf, size_t len, struct ocxlpmem_firmware_info *ret);
ssize_t ocxlpmem_firmware_info_encode(const struct ocxlpmem_firmware_info *f, void *buf, size_t cap);

/* ---- Firmware image container ---------------------------------------------- */

struct ocxlpmem_fw_image_info {
	bool has_header;   /* false: opaque image, only the length rules apply */
	char version[OCXLPMEM_FW_VERSION_LEN + 1];
	uint32_t payload_size;
	uint32_t payload_crc32;
};

/*
 * Validate a whole image: not empty, a multiple of 8, at most max_size bytes;
 * when it starts with OCXLPMEM_FW_IMAGE_MAGIC, the header must be well formed
 * and the payload's size and CRC must match.  -EBADMSG names no detail: use
 * ocxlpmem_fw_image_strerror() for a message.
 */
int ocxlpmem_fw_image_check(const void *image, size_t len, size_t max_size,
			    struct ocxlpmem_fw_image_info *ret);
/* A one-line reason for the last check's failure code r. */
const char *ocxlpmem_fw_image_strerror(int r);
/* Build an image with a header around payload (payload_len % 8 == 0). */
ssize_t ocxlpmem_fw_image_build(const char *version, const void *payload, size_t payload_len,
				void *buf, size_t cap);
/* CRC-32/ISO-HDLC (the zlib CRC), continued from crc (0 to start). */
uint32_t ocxlpmem_crc32(uint32_t crc, const void *buf, size_t len);

/* ---- Names -------------------------------------------------------------------- */

/* Stable lower-case names ("smart", "error-log-read"...), NULL if unknown. */
const char *ocxlpmem_function_name(unsigned int function);
/* Admin opcode behind a function, or -1 for MMIO-only functions. */
int ocxlpmem_function_opcode(unsigned int function);
/* Default timeout of a function in ms, from the card's documented timeouts. */
unsigned int ocxlpmem_function_default_timeout_ms(unsigned int function);
/* Timeout from capabilities when known (caps may be NULL). */
unsigned int ocxlpmem_function_timeout_ms(unsigned int function, const struct ocxlpmem_capabilities *caps);

/* "SUCCESS", "BLOCKED_BG_TASK"... NULL for a code the card never defined. */
const char *ocxlpmem_card_status_name(unsigned int status);
/*
 * A user-facing sentence for a status in the context of a function, with
 * the firmware-update meanings (e.g. 0x52 on FW_UPDATE_* is "the card
 * rejected the firmware image as invalid").  Never NULL.
 */
const char *ocxlpmem_card_status_message(unsigned int status, unsigned int function);
/* The -errno a status maps to (SUCCESS 0, BLOCKED_BG_TASK -EBUSY, ...). */
int ocxlpmem_card_status_errno(unsigned int status);

/* "general", "predictive-failure", "thermal-warning", "data-loss", "health-performance". */
const char *ocxlpmem_error_log_type_name(unsigned int type);
int ocxlpmem_error_log_type_from_name(const char *name); /* -EINVAL if unknown */
/* "reset", "chkfw", "replace", "dump" for one flag bit; NULL otherwise. */
const char *ocxlpmem_action_name(uint32_t flag);
/* Parse "reset,dump" into flags; -EINVAL naming nothing on an unknown word. */
int ocxlpmem_action_flags_from_names(const char *list, uint32_t *ret_flags);
/* "controller-dump-available", "error-log-available", "hardware-fatal", "firmware-fatal". */
const char *ocxlpmem_event_name(uint64_t event_bit);
/* "none", "card", "host". */
const char *ocxlpmem_dump_origin_name(unsigned int origin);

#ifdef __cplusplus
}
#endif

#endif /* OCXLPMEM_CODEC_H */
