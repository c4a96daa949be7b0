// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Names, messages, errnos and timeouts of the enums in ocxlpmem/abi.h.  The
 * names are stable: they appear in logs, metrics labels and the Varlink API.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "private.h"
#include <ocxlpmem/codec.h>

/* Opcode NO_OPCODE: served from MMIO registers, no admin command. */
#define NO_OPCODE (-1)

static const struct {
	const char *name;
	int opcode;
	unsigned int timeout_ms;
} functions[OCXLPMEM_FN_MAX + 1] = {
	[OCXLPMEM_FN_SMART] = { "smart", OCXLPMEM_OP_SMART, OCXLPMEM_TIMEOUT_SMART_MS },
	[OCXLPMEM_FN_CAPABILITIES] = { "capabilities", OCXLPMEM_OP_CMD_CAPS,
				       OCXLPMEM_TIMEOUT_MMIO_MS },
	[OCXLPMEM_FN_CONTROLLER_HEALTH] = { "controller-health", NO_OPCODE,
					    OCXLPMEM_TIMEOUT_MMIO_MS },
	[OCXLPMEM_FN_ERROR_LOG_READ] = { "error-log-read", OCXLPMEM_OP_ERRLOG,
					 OCXLPMEM_TIMEOUT_ERRLOG_MS },
	/* The driver drops the entry it holds: no card command (ABI page). */
	[OCXLPMEM_FN_ERROR_LOG_ACK] = { "error-log-ack", NO_OPCODE, OCXLPMEM_TIMEOUT_MMIO_MS },
	[OCXLPMEM_FN_REQUEST_HEALTH] = { "request-health", NO_OPCODE, OCXLPMEM_TIMEOUT_MMIO_MS },
	[OCXLPMEM_FN_CONTROLLER_STATS] = { "controller-stats", OCXLPMEM_OP_CONTROLLER_STATS,
					   OCXLPMEM_TIMEOUT_CONTROLLER_STATS_MS },
	[OCXLPMEM_FN_EVENT_CHECK] = { "event-check", NO_OPCODE, OCXLPMEM_TIMEOUT_MMIO_MS },
	[OCXLPMEM_FN_DUMP_START] = { "dump-start", OCXLPMEM_OP_CONTROLLER_DUMP,
				     OCXLPMEM_TIMEOUT_CONTROLLER_DUMP_MS },
	[OCXLPMEM_FN_DUMP_DATA] = { "dump-data", OCXLPMEM_OP_CONTROLLER_DUMP,
				    OCXLPMEM_TIMEOUT_CONTROLLER_DUMP_MS },
	/* HCI bit 5, "dump collected": a register write. */
	[OCXLPMEM_FN_DUMP_COMPLETE] = { "dump-complete", NO_OPCODE, OCXLPMEM_TIMEOUT_MMIO_MS },
	[OCXLPMEM_FN_FW_UPDATE_START] = { "fw-update-start", OCXLPMEM_OP_FW_UPDATE,
					  OCXLPMEM_TIMEOUT_FW_UPDATE_MS },
	[OCXLPMEM_FN_FW_UPDATE_BLOCK] = { "fw-update-block", OCXLPMEM_OP_FW_UPDATE,
					  OCXLPMEM_TIMEOUT_FW_UPDATE_MS },
	[OCXLPMEM_FN_FW_UPDATE_FINISH] = { "fw-update-finish", OCXLPMEM_OP_FW_UPDATE,
					   OCXLPMEM_TIMEOUT_FW_UPDATE_MS },
	[OCXLPMEM_FN_FW_UPDATE_ABORT] = { "fw-update-abort", OCXLPMEM_OP_FW_UPDATE,
					  OCXLPMEM_TIMEOUT_FW_UPDATE_MS },
	[OCXLPMEM_FN_FIRMWARE_INFO] = { "firmware-info", NO_OPCODE, OCXLPMEM_TIMEOUT_MMIO_MS },
	[OCXLPMEM_FN_SHUTDOWN] = { "shutdown", OCXLPMEM_OP_SHUTDOWN,
				   OCXLPMEM_TIMEOUT_SHUTDOWN_MS },
	[OCXLPMEM_FN_HEARTBEAT] = { "heartbeat", OCXLPMEM_OP_HEARTBEAT,
				    OCXLPMEM_TIMEOUT_HEARTBEAT_MS },
};

static bool function_known(unsigned int function)
{
	return function >= OCXLPMEM_FN_MIN && function <= OCXLPMEM_FN_MAX;
}

OCXLPMEM_EXPORT const char *ocxlpmem_function_name(unsigned int function)
{
	return function_known(function) ? functions[function].name : NULL;
}

/* -1 for an MMIO-only function; -EINVAL for a function that does not exist. */
OCXLPMEM_EXPORT int ocxlpmem_function_opcode(unsigned int function)
{
	return function_known(function) ? functions[function].opcode : -EINVAL;
}

/* 0 for a function that does not exist. */
OCXLPMEM_EXPORT unsigned int ocxlpmem_function_default_timeout_ms(unsigned int function)
{
	return function_known(function) ? functions[function].timeout_ms : 0;
}

/*
 * CAPABILITIES reports timeouts for admin opcodes 0-7 only; a zero entry
 * means the card did not say, so the documented default stands.
 */
OCXLPMEM_EXPORT unsigned int ocxlpmem_function_timeout_ms(unsigned int function,
							  const struct ocxlpmem_capabilities *caps)
{
	int opcode = ocxlpmem_function_opcode(function);

	if (caps && opcode >= 0 && opcode < OCXLPMEM_NR_TIMEOUTS && caps->timeout_ms[opcode])
		return caps->timeout_ms[opcode];
	return ocxlpmem_function_default_timeout_ms(function);
}

static const struct {
	unsigned int status;
	const char *name;
	const char *message;
	int err;
} statuses[] = {
	{ OCXLPMEM_STATUS_SUCCESS, "SUCCESS", "the command succeeded", 0 },
	{ OCXLPMEM_STATUS_MEM_UNAVAILABLE, "MEM_UNAVAILABLE",
	  "the card's persistent memory is not available yet", -EAGAIN },
	{ OCXLPMEM_STATUS_BLOCKED_BG_TASK, "BLOCKED_BG_TASK",
	  "the card is busy with a background task", -EBUSY },
	{ OCXLPMEM_STATUS_BAD_OPCODE, "BAD_OPCODE", "the card does not support this command",
	  -EOPNOTSUPP },
	{ OCXLPMEM_STATUS_BAD_REQUEST_PARM, "BAD_REQUEST_PARM",
	  "the card rejected a parameter of the request", -EINVAL },
	{ OCXLPMEM_STATUS_BAD_DATA_PARM, "BAD_DATA_PARM",
	  "the card rejected the data sent with the request", -EBADMSG },
	{ OCXLPMEM_STATUS_DEBUG_BLOCKED, "DEBUG_BLOCKED",
	  "the command is blocked while the card is in debug mode", -EPERM },
	{ OCXLPMEM_STATUS_FAIL, "FAIL", "the card failed the command", -EIO },
};

/* The second meaning some codes carry for the FW_UPDATE_* functions. */
static const struct {
	unsigned int status;
	const char *message;
} fw_statuses[] = {
	{ OCXLPMEM_STATUS_BLOCKED_BG_TASK,
	  "the card blocked the firmware update: an update or background task is in progress" },
	{ OCXLPMEM_STATUS_BAD_REQUEST_PARM,
	  "the card rejected an argument of the firmware update as invalid" },
	{ OCXLPMEM_STATUS_BAD_DATA_PARM, "the card rejected the firmware image as invalid" },
};

static bool function_is_fw_update(unsigned int function)
{
	return function == OCXLPMEM_FN_FW_UPDATE_START || function == OCXLPMEM_FN_FW_UPDATE_BLOCK ||
	       function == OCXLPMEM_FN_FW_UPDATE_FINISH || function == OCXLPMEM_FN_FW_UPDATE_ABORT;
}

OCXLPMEM_EXPORT const char *ocxlpmem_card_status_name(unsigned int status)
{
	for (size_t i = 0; i < ARRAY_SIZE(statuses); i++)
		if (statuses[i].status == status)
			return statuses[i].name;
	return NULL;
}

OCXLPMEM_EXPORT const char *ocxlpmem_card_status_message(unsigned int status,
							 unsigned int function)
{
	if (function_is_fw_update(function))
		for (size_t i = 0; i < ARRAY_SIZE(fw_statuses); i++)
			if (fw_statuses[i].status == status)
				return fw_statuses[i].message;
	for (size_t i = 0; i < ARRAY_SIZE(statuses); i++)
		if (statuses[i].status == status)
			return statuses[i].message;
	return "the card returned a status code it does not define";
}

/* A code the card never defined is a protocol error, not a failure mode. */
OCXLPMEM_EXPORT int ocxlpmem_card_status_errno(unsigned int status)
{
	for (size_t i = 0; i < ARRAY_SIZE(statuses); i++)
		if (statuses[i].status == status)
			return statuses[i].err;
	return -EPROTO;
}

static const char *const error_log_types[] = {
	[OCXLPMEM_ERRLOG_GENERAL] = "general",
	[OCXLPMEM_ERRLOG_PREDICTIVE_FAILURE] = "predictive-failure",
	[OCXLPMEM_ERRLOG_THERMAL_WARNING] = "thermal-warning",
	[OCXLPMEM_ERRLOG_DATA_LOSS] = "data-loss",
	[OCXLPMEM_ERRLOG_HEALTH_PERFORMANCE] = "health-performance",
};

OCXLPMEM_EXPORT const char *ocxlpmem_error_log_type_name(unsigned int type)
{
	return type < ARRAY_SIZE(error_log_types) ? error_log_types[type] : NULL;
}

OCXLPMEM_EXPORT int ocxlpmem_error_log_type_from_name(const char *name)
{
	if (!name)
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(error_log_types); i++)
		if (strcmp(error_log_types[i], name) == 0)
			return (int)i;
	return -EINVAL;
}

static const struct {
	uint32_t flag;
	const char *name;
} actions[] = {
	{ OCXLPMEM_ACTION_RESET, "reset" },
	{ OCXLPMEM_ACTION_CHKFW, "chkfw" },
	{ OCXLPMEM_ACTION_REPLACE, "replace" },
	{ OCXLPMEM_ACTION_DUMP, "dump" },
};

OCXLPMEM_EXPORT const char *ocxlpmem_action_name(uint32_t flag)
{
	for (size_t i = 0; i < ARRAY_SIZE(actions); i++)
		if (actions[i].flag == flag)
			return actions[i].name;
	return NULL;
}

/*
 * Comma-separated names, no blanks; "" is no flags.  An empty word (",",
 * "reset,") is as wrong as an unknown one.
 */
OCXLPMEM_EXPORT int ocxlpmem_action_flags_from_names(const char *list, uint32_t *ret_flags)
{
	uint32_t flags = 0;
	const char *p = list;

	if (!list || !ret_flags)
		return -EINVAL;
	if (!*list) {
		*ret_flags = 0;
		return 0;
	}
	for (;;) {
		size_t n = strcspn(p, ",");
		uint32_t flag = 0;

		for (size_t i = 0; i < ARRAY_SIZE(actions); i++)
			if (strlen(actions[i].name) == n && strncmp(actions[i].name, p, n) == 0)
				flag = actions[i].flag;
		if (!flag)
			return -EINVAL;
		flags |= flag;
		p += n;
		if (!*p)
			break;
		p++; /* the comma: a word must follow */
	}
	*ret_flags = flags;
	return 0;
}

static const struct {
	uint64_t bit;
	const char *name;
} events[] = {
	{ OCXLPMEM_EVENT_CONTROLLER_DUMP_AVAILABLE, "controller-dump-available" },
	{ OCXLPMEM_EVENT_ERROR_LOG_AVAILABLE, "error-log-available" },
	{ OCXLPMEM_EVENT_HARDWARE_FATAL, "hardware-fatal" },
	{ OCXLPMEM_EVENT_FIRMWARE_FATAL, "firmware-fatal" },
};

OCXLPMEM_EXPORT const char *ocxlpmem_event_name(uint64_t event_bit)
{
	for (size_t i = 0; i < ARRAY_SIZE(events); i++)
		if (events[i].bit == event_bit)
			return events[i].name;
	return NULL;
}

static const char *const dump_origins[] = {
	[OCXLPMEM_DUMP_NONE] = "none",
	[OCXLPMEM_DUMP_CARD] = "card",
	[OCXLPMEM_DUMP_HOST] = "host",
};

OCXLPMEM_EXPORT const char *ocxlpmem_dump_origin_name(unsigned int origin)
{
	return origin < ARRAY_SIZE(dump_origins) ? dump_origins[origin] : NULL;
}
