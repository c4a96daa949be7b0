// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Print the OCXL command family's layout and constants from the real
 * headers, one normalised line each, for tests/test-abi-doc.sh to compare
 * with what ocxlpmem-abi(7) documents:
 *
 *   sizeof NAME SIZE              a struct and its size in bytes
 *   layout NAME.FIELD OFFSET SIZE a field; SIZE is "var" for a flexible array
 *   const NAME VALUE              an enum member or a #define, in decimal
 *
 * Adding a field, a struct or a constant to ocxlpmem/abi.h is one line in a
 * table below; the test also checks abi.h itself so that a forgotten line
 * here is reported rather than silently unchecked.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <sys/ioctl.h>

#include <linux/ndctl.h>

#include <ocxlpmem/abi.h>

/* The tunnel's constants in abi.h must be the kernel's own. */
_Static_assert(OCXLPMEM_ND_IOCTL_CALL == ND_IOCTL_CALL, "ND_IOCTL_CALL differs from <linux/ndctl.h>");
_Static_assert(OCXLPMEM_ND_CMD_PKG_HDR_SIZE == sizeof(struct nd_cmd_pkg),
	       "struct nd_cmd_pkg header size differs from <linux/ndctl.h>");

struct layout_row {
	const char *type;
	const char *field; /* NULL: the row gives the struct's size */
	size_t offset;
	size_t size;
	size_t type_size;
	int flexible;
};

#define SIZEOF(t) { #t, NULL, 0, sizeof(struct t), sizeof(struct t), 0 }
#define FIELD(t, f)                                                          \
	{ #t, #f, offsetof(struct t, f), sizeof(((struct t *)0)->f),         \
	  sizeof(struct t), 0 }
/* A flexible array member: no size of its own, it starts at the end. */
#define FLEX(t, f) { #t, #f, offsetof(struct t, f), 0, sizeof(struct t), 1 }

static const struct layout_row layouts[] = {
	/* <linux/ndctl.h>: the tunnel every function travels in. */
	SIZEOF(nd_cmd_pkg),
	FIELD(nd_cmd_pkg, nd_family),
	FIELD(nd_cmd_pkg, nd_command),
	FIELD(nd_cmd_pkg, nd_size_in),
	FIELD(nd_cmd_pkg, nd_size_out),
	FIELD(nd_cmd_pkg, nd_reserved2),
	FIELD(nd_cmd_pkg, nd_fw_size),
	FLEX(nd_cmd_pkg, nd_payload),

	SIZEOF(ocxlpmem_reply_hdr),
	FIELD(ocxlpmem_reply_hdr, card_status),
	FIELD(ocxlpmem_reply_hdr, reserved0),
	FIELD(ocxlpmem_reply_hdr, data_len),

	SIZEOF(ocxlpmem_smart_attr_wire),
	FIELD(ocxlpmem_smart_attr_wire, word0),
	FIELD(ocxlpmem_smart_attr_wire, raw),

	SIZEOF(ocxlpmem_smart_out),
	FIELD(ocxlpmem_smart_out, header),
	FIELD(ocxlpmem_smart_out, count),
	FIELD(ocxlpmem_smart_out, reserved),
	FLEX(ocxlpmem_smart_out, attrs),

	SIZEOF(ocxlpmem_capabilities_out),
	FIELD(ocxlpmem_capabilities_out, fw_version),
	FIELD(ocxlpmem_capabilities_out, serial),
	FIELD(ocxlpmem_capabilities_out, memory_size),
	FIELD(ocxlpmem_capabilities_out, scm_revision),
	FIELD(ocxlpmem_capabilities_out, read_latency_ns),
	FIELD(ocxlpmem_capabilities_out, readiness_timeout_s),
	FIELD(ocxlpmem_capabilities_out, reserved0),
	FIELD(ocxlpmem_capabilities_out, memory_available_timeout_s),
	FIELD(ocxlpmem_capabilities_out, max_dump_size),
	FIELD(ocxlpmem_capabilities_out, admin_buffer_size),
	FIELD(ocxlpmem_capabilities_out, functions),
	FIELD(ocxlpmem_capabilities_out, reserved1),
	FIELD(ocxlpmem_capabilities_out, timeout_ms),

	SIZEOF(ocxlpmem_health_out),
	FIELD(ocxlpmem_health_out, flags),
	FIELD(ocxlpmem_health_out, reserved),

	SIZEOF(ocxlpmem_error_log_out),
	FIELD(ocxlpmem_error_log_out, header),
	FIELD(ocxlpmem_error_log_out, log_identifier),
	FIELD(ocxlpmem_error_log_out, program_reference_code),
	FIELD(ocxlpmem_error_log_out, action_flags),
	FIELD(ocxlpmem_error_log_out, power_on_seconds),
	FIELD(ocxlpmem_error_log_out, timestamp),
	FIELD(ocxlpmem_error_log_out, wwid),
	FIELD(ocxlpmem_error_log_out, fw_revision),
	FIELD(ocxlpmem_error_log_out, data_size),
	FIELD(ocxlpmem_error_log_out, data_needed),
	FIELD(ocxlpmem_error_log_out, error_log_type),
	FIELD(ocxlpmem_error_log_out, reserved),
	FLEX(ocxlpmem_error_log_out, data),

	SIZEOF(ocxlpmem_error_log_ack_in),
	FIELD(ocxlpmem_error_log_ack_in, log_identifier),
	FIELD(ocxlpmem_error_log_ack_in, reserved),

	SIZEOF(ocxlpmem_stats_out),
	FIELD(ocxlpmem_stats_out, header),
	FIELD(ocxlpmem_stats_out, reset_count),
	FIELD(ocxlpmem_stats_out, reset_uptime_s),
	FIELD(ocxlpmem_stats_out, power_on_uptime_s),
	FIELD(ocxlpmem_stats_out, life_remaining_pct),
	FIELD(ocxlpmem_stats_out, critical_resource_utilization_pct),
	FIELD(ocxlpmem_stats_out, reserved),
	FIELD(ocxlpmem_stats_out, host_load_count),
	FIELD(ocxlpmem_stats_out, host_store_count),
	FIELD(ocxlpmem_stats_out, host_load_duration_ns),
	FIELD(ocxlpmem_stats_out, host_store_duration_ns),
	FIELD(ocxlpmem_stats_out, media_read_count),
	FIELD(ocxlpmem_stats_out, media_write_count),
	FIELD(ocxlpmem_stats_out, media_read_duration_ns),
	FIELD(ocxlpmem_stats_out, media_write_duration_ns),
	FIELD(ocxlpmem_stats_out, cache_read_hit_count),
	FIELD(ocxlpmem_stats_out, cache_write_hit_count),
	FIELD(ocxlpmem_stats_out, fast_write_count),

	SIZEOF(ocxlpmem_events_out),
	FIELD(ocxlpmem_events_out, events),

	SIZEOF(ocxlpmem_dump_info_out),
	FIELD(ocxlpmem_dump_info_out, dump_id),
	FIELD(ocxlpmem_dump_info_out, total_size),
	FIELD(ocxlpmem_dump_info_out, origin),
	FIELD(ocxlpmem_dump_info_out, reserved),

	SIZEOF(ocxlpmem_dump_data_in),
	FIELD(ocxlpmem_dump_data_in, dump_id),
	FIELD(ocxlpmem_dump_data_in, offset),
	FIELD(ocxlpmem_dump_data_in, max_size),
	FIELD(ocxlpmem_dump_data_in, reserved),

	SIZEOF(ocxlpmem_dump_data_out),
	FIELD(ocxlpmem_dump_data_out, header),
	FIELD(ocxlpmem_dump_data_out, dump_id),
	FIELD(ocxlpmem_dump_data_out, total_size),
	FIELD(ocxlpmem_dump_data_out, offset),
	FIELD(ocxlpmem_dump_data_out, chunk_size),
	FLEX(ocxlpmem_dump_data_out, data),

	SIZEOF(ocxlpmem_dump_complete_in),
	FIELD(ocxlpmem_dump_complete_in, dump_id),
	FIELD(ocxlpmem_dump_complete_in, reserved),

	SIZEOF(ocxlpmem_fw_start_in),
	FIELD(ocxlpmem_fw_start_in, image_size),
	FIELD(ocxlpmem_fw_start_in, reserved),

	SIZEOF(ocxlpmem_fw_block_in),
	FIELD(ocxlpmem_fw_block_in, offset_size),
	FLEX(ocxlpmem_fw_block_in, data),

	SIZEOF(ocxlpmem_firmware_info_out),
	FIELD(ocxlpmem_firmware_info_out, running_version),
	FIELD(ocxlpmem_firmware_info_out, staged_version),
	FIELD(ocxlpmem_firmware_info_out, update_state),
	FIELD(ocxlpmem_firmware_info_out, reserved0),
	FIELD(ocxlpmem_firmware_info_out, bytes_received),
	FIELD(ocxlpmem_firmware_info_out, max_image_size),
	FIELD(ocxlpmem_firmware_info_out, reserved1),

	SIZEOF(ocxlpmem_fw_image_hdr),
	FIELD(ocxlpmem_fw_image_hdr, magic),
	FIELD(ocxlpmem_fw_image_hdr, version),
	FIELD(ocxlpmem_fw_image_hdr, payload_size),
	FIELD(ocxlpmem_fw_image_hdr, payload_crc32),
	FIELD(ocxlpmem_fw_image_hdr, hdr_version),
	FIELD(ocxlpmem_fw_image_hdr, reserved),
};

struct constant {
	const char *name;
	unsigned long long value;
};

#define CONST(c) { #c, (unsigned long long)(c) }

static const struct constant constants[] = {
	/* The tunnel. */
	CONST(OCXLPMEM_ABI_VERSION),
	CONST(NVDIMM_FAMILY_OCXL),
	CONST(OCXLPMEM_ND_IOCTL_CALL),
	CONST(OCXLPMEM_ND_CMD_PKG_HDR_SIZE),
	CONST(OCXLPMEM_PCI_VENDOR),
	CONST(OCXLPMEM_PCI_DEVICE),

	/* enum ocxlpmem_function */
	CONST(OCXLPMEM_FN_SMART),
	CONST(OCXLPMEM_FN_CAPABILITIES),
	CONST(OCXLPMEM_FN_CONTROLLER_HEALTH),
	CONST(OCXLPMEM_FN_ERROR_LOG_READ),
	CONST(OCXLPMEM_FN_ERROR_LOG_ACK),
	CONST(OCXLPMEM_FN_REQUEST_HEALTH),
	CONST(OCXLPMEM_FN_CONTROLLER_STATS),
	CONST(OCXLPMEM_FN_EVENT_CHECK),
	CONST(OCXLPMEM_FN_DUMP_START),
	CONST(OCXLPMEM_FN_DUMP_DATA),
	CONST(OCXLPMEM_FN_DUMP_COMPLETE),
	CONST(OCXLPMEM_FN_FW_UPDATE_START),
	CONST(OCXLPMEM_FN_FW_UPDATE_BLOCK),
	CONST(OCXLPMEM_FN_FW_UPDATE_FINISH),
	CONST(OCXLPMEM_FN_FW_UPDATE_ABORT),
	CONST(OCXLPMEM_FN_FIRMWARE_INFO),
	CONST(OCXLPMEM_FN_SHUTDOWN),
	CONST(OCXLPMEM_FN_HEARTBEAT),

	/* enum ocxlpmem_admin_opcode */
	CONST(OCXLPMEM_OP_HEARTBEAT),
	CONST(OCXLPMEM_OP_SHUTDOWN),
	CONST(OCXLPMEM_OP_FW_UPDATE),
	CONST(OCXLPMEM_OP_FW_DEBUG),
	CONST(OCXLPMEM_OP_ERRLOG),
	CONST(OCXLPMEM_OP_SMART),
	CONST(OCXLPMEM_OP_CONTROLLER_STATS),
	CONST(OCXLPMEM_OP_CONTROLLER_DUMP),
	CONST(OCXLPMEM_OP_CMD_CAPS),
	CONST(OCXLPMEM_OP_SECURE_ERASE),

	/* enum ocxlpmem_card_status */
	CONST(OCXLPMEM_STATUS_SUCCESS),
	CONST(OCXLPMEM_STATUS_MEM_UNAVAILABLE),
	CONST(OCXLPMEM_STATUS_BLOCKED_BG_TASK),
	CONST(OCXLPMEM_STATUS_BAD_OPCODE),
	CONST(OCXLPMEM_STATUS_BAD_REQUEST_PARM),
	CONST(OCXLPMEM_STATUS_BAD_DATA_PARM),
	CONST(OCXLPMEM_STATUS_DEBUG_BLOCKED),
	CONST(OCXLPMEM_STATUS_FAIL),

	/* enum ocxlpmem_event */
	CONST(OCXLPMEM_EVENT_CONTROLLER_DUMP_AVAILABLE),
	CONST(OCXLPMEM_EVENT_ERROR_LOG_AVAILABLE),
	CONST(OCXLPMEM_EVENT_HARDWARE_FATAL),
	CONST(OCXLPMEM_EVENT_FIRMWARE_FATAL),

	/* enum ocxlpmem_health_flag */
	CONST(OCXLPMEM_HEALTH_READY),
	CONST(OCXLPMEM_HEALTH_FIRMWARE_FATAL),
	CONST(OCXLPMEM_HEALTH_HARDWARE_FATAL),
	CONST(OCXLPMEM_HEALTH_MEMORY_AVAILABLE),

	/* enum ocxlpmem_error_log_type */
	CONST(OCXLPMEM_ERRLOG_GENERAL),
	CONST(OCXLPMEM_ERRLOG_PREDICTIVE_FAILURE),
	CONST(OCXLPMEM_ERRLOG_THERMAL_WARNING),
	CONST(OCXLPMEM_ERRLOG_DATA_LOSS),
	CONST(OCXLPMEM_ERRLOG_HEALTH_PERFORMANCE),

	/* enum ocxlpmem_error_log_action */
	CONST(OCXLPMEM_ACTION_RESET),
	CONST(OCXLPMEM_ACTION_CHKFW),
	CONST(OCXLPMEM_ACTION_REPLACE),
	CONST(OCXLPMEM_ACTION_DUMP),

	/* enum ocxlpmem_smart_id */
	CONST(OCXLPMEM_SMART_POWER_ON_HOURS),
	CONST(OCXLPMEM_SMART_TEMPERATURE),
	CONST(OCXLPMEM_SMART_LIFE_REMAINING),

	/* enum ocxlpmem_dump_origin */
	CONST(OCXLPMEM_DUMP_NONE),
	CONST(OCXLPMEM_DUMP_CARD),
	CONST(OCXLPMEM_DUMP_HOST),

	/* enum ocxlpmem_fw_update_state */
	CONST(OCXLPMEM_FW_IDLE),
	CONST(OCXLPMEM_FW_RECEIVING),

	/* The card's header word. */
	CONST(OCXLPMEM_DATA_ID_SMART),
	CONST(OCXLPMEM_DATA_ID_ERROR_LOG),
	CONST(OCXLPMEM_DATA_ID_STATS),
	CONST(OCXLPMEM_DATA_ID_DUMP),

	/* Timeouts and limits. */
	CONST(OCXLPMEM_NR_TIMEOUTS),
	CONST(OCXLPMEM_TIMEOUT_HEARTBEAT_MS),
	CONST(OCXLPMEM_TIMEOUT_SHUTDOWN_MS),
	CONST(OCXLPMEM_TIMEOUT_FW_UPDATE_MS),
	CONST(OCXLPMEM_TIMEOUT_ERRLOG_MS),
	CONST(OCXLPMEM_TIMEOUT_SMART_MS),
	CONST(OCXLPMEM_TIMEOUT_CONTROLLER_STATS_MS),
	CONST(OCXLPMEM_TIMEOUT_CONTROLLER_DUMP_MS),
	CONST(OCXLPMEM_TIMEOUT_MMIO_MS),
	CONST(OCXLPMEM_SMART_MAX_ATTRS),
	CONST(OCXLPMEM_ERRLOG_DATA_MAX),
	CONST(OCXLPMEM_FW_BLOCK_MAX),
	CONST(OCXLPMEM_FW_ALIGN),
	CONST(OCXLPMEM_DUMP_ALIGN),
	CONST(OCXLPMEM_FW_VERSION_LEN),
	CONST(OCXLPMEM_FW_IMAGE_HDR_VERSION),
};

int main(void)
{
	int bad = 0;

	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		const struct layout_row *r = &layouts[i];

		if (!r->field) {
			printf("sizeof %s %zu\n", r->type, r->size);
			continue;
		}
		if (r->flexible) {
			/* The documents say "var" and put the array at the end. */
			if (r->offset != r->type_size) {
				fprintf(stderr, "%s.%s: flexible array at %zu, struct size %zu\n",
					r->type, r->field, r->offset, r->type_size);
				bad = 1;
			}
			printf("layout %s.%s %zu var\n", r->type, r->field, r->offset);
			continue;
		}
		printf("layout %s.%s %zu %zu\n", r->type, r->field, r->offset, r->size);
	}

	for (size_t i = 0; i < sizeof(constants) / sizeof(constants[0]); i++)
		printf("const %s %llu\n", constants[i].name, constants[i].value);

	return bad ? EXIT_FAILURE : EXIT_SUCCESS;
}
