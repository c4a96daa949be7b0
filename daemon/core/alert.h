/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Alerts: what an operator must hear about, each with a fixed 128-bit
 * MESSAGE_ID per class so journalctl MESSAGE_ID=... finds them and the
 * catalog (systemd/ocxlpmemd.catalog) explains them.  Sent to journald with
 * structured fields, or as one logfmt line on stderr.
 *
 * The classes are an interface: ids never change, new classes get new ids.
 */
#ifndef OCXLPMEMD_ALERT_H
#define OCXLPMEMD_ALERT_H

#include <stddef.h>
#include <stdint.h>

struct alert_class {
	const char *key;         /* "temperature", "error-log-entry-data-loss" */
	const char *message_id;  /* 32 lower-case hex digits */
	const char *summary;     /* catalog subject */
};

/* The class for key, or NULL. */
const struct alert_class *alert_class_find(const char *key);
/* Every class, for the catalog check and the documentation. */
const struct alert_class *alert_classes(size_t *ret_n);

/* The class of recovery messages (a condition cleared). */
#define ALERT_KEY_RECOVERED "recovered"

struct alert_card {
	const char *name;       /* ocxlpmem0 */
	uint64_t serial;
	const char *fw_version; /* may be "" */
};

struct alert_field {
	const char *name;       /* journal field without the OCXLPMEM_ prefix, upper case */
	char value[256];        /* long enough for a dump file path */
};

#define ALERT_FIELDS_MAX 12

struct alert {
	const struct alert_class *cls;
	int priority;            /* LOG_CRIT, LOG_WARNING, ... */
	const char *event;       /* "active", "escalated", "reminder", "cleared", "entry" */
	const char *condition;   /* the condition key for "cleared"; else cls->key */
	struct alert_card card;
	char message[256];
	struct alert_field fields[ALERT_FIELDS_MAX];
	size_t nfields;
};

/* Append a field (silently dropped past ALERT_FIELDS_MAX). */
void alert_add_field(struct alert *a, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Send to the log target in force (log.h). 0 or -errno.  Others hear of
 * a card's alert through the manager's observers: card_alert_send(). */
int alert_send(const struct alert *a);

#endif /* OCXLPMEMD_ALERT_H */
