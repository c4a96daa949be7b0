// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include "core/alert.h"
#include "util/log.h"

/* Never change an id: journal queries and the catalog depend on them. */
static const struct alert_class classes[] = {
	{ "temperature", "09a6ca8f445c4f15b778e651c3294f8f", "Card temperature above threshold" },
	{ "life-remaining", "cfe6e4314dc14ad083783f2e8175ec0a", "Card life remaining low" },
	{ "controller-not-ready", "c641c430cc82441abe5ae7005511f3cb", "Card controller not ready" },
	{ "memory-unavailable", "9d75fd4b27214735b38a41d9318c5b9f", "Card persistent memory unavailable" },
	{ "smart-threshold", "597ba3dff2094faeb2ead466ac050384", "Card SMART attribute at threshold" },
	{ "resource-utilization", "2c163180019f42e1993a6ed6fa1feaf1", "Card critical resource utilisation high" },
	{ "error-log-data-loss", "432f2b149d7845389de6f72c686d324c", "Card reported data loss recently" },
	{ "error-log-replace", "4d72bfe8918f4ffcb9ffa32467b632aa", "Card asked to be replaced" },
	{ "error-log-predictive-failure", "d4f052bf9d4546b5bda26096190de970", "Card predicts a failure" },
	{ "error-log-thermal-warning", "b2cc5e329f4b485d9cbbce2de48a56da", "Card logged a thermal warning recently" },
	{ "error-log-check-firmware", "efdbe91c8f4543cbae5a3f2f13daa3e3", "Card asked for a firmware check" },
	{ "card-fatal", "6c6af1493bd740f6b66647369fd0f775", "Card fatal error" },
	{ "card-offline", "dcbac33d7e114d5387a39540317593da", "Card offline" },
	{ "card-unresponsive", "770c2b34900e4f98aa2f8c39e54d2ddb", "Card not responding" },
	{ ALERT_KEY_RECOVERED, "1dd67bd1ed3a4644a1f265d16ba8917a", "Card condition cleared" },
	{ "error-log-entry-general", "c672eb6676474db9ad3df0905c27d37f", "Card error log: general entry" },
	{ "error-log-entry-predictive-failure", "ef2e2c817d4c43a8b6bc14c3d75bb962", "Card error log: predictive failure" },
	{ "error-log-entry-thermal-warning", "64bc240212014fc08141614e100cc266", "Card error log: thermal warning" },
	{ "error-log-entry-data-loss", "b0feea5fd7fd444dbde2b6e442e5c094", "Card error log: data loss" },
	{ "error-log-entry-health-performance", "850c58e862964588a114bedb83f0f892", "Card error log: health and performance data" },
	{ "controller-dump-available", "bea93b4eec0d44b08428eec75e6c311b", "Card controller dump available" },
	{ "controller-dump-saved", "f96346cec27e43b5aa23041d6b301f13", "Card controller dump saved" },
	{ "controller-dump-failed", "5c768cfca16c4858b1087874177be68a", "Card controller dump collection failed" },
	{ "health-unreadable", "fc7db5ba223441c692f7e53773069b0d", "Card health data cannot be read" },
	{ "card-discovered", "9270b51adc7f40f18f04c5d862bb8a75", "Card discovered" },
	{ "firmware-update-succeeded", "614f91baddf5423ea5c81d164110fe27", "Card firmware update staged" },
	{ "firmware-update-failed", "6e6dd05d61a84bf1af14fe1f1dc19610", "Card firmware update failed" },
	{ "firmware-update-cancelled", "262240052fff43819ed683d46f9dd531", "Card firmware update cancelled" },
};

const struct alert_class *alert_class_find(const char *key)
{
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (strcmp(classes[i].key, key) == 0)
			return &classes[i];
	return NULL;
}

const struct alert_class *alert_classes(size_t *ret_n)
{
	*ret_n = sizeof(classes) / sizeof(classes[0]);
	return classes;
}

void alert_add_field(struct alert *a, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (a->nfields >= ALERT_FIELDS_MAX)
		return;
	a->fields[a->nfields].name = name;
	va_start(ap, fmt);
	vsnprintf(a->fields[a->nfields].value, sizeof(a->fields[0].value), fmt, ap);
	va_end(ap);
	a->nfields++;
}

/* logfmt value: quoted when it has spaces, quotes or '=' in it. */
static void put_value(FILE *f, const char *v)
{
	if (*v && !strpbrk(v, " \"=\\\t")) {
		fputs(v, f);
		return;
	}
	fputc('"', f);
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			fputc('\\', f);
		fputc(*v, f);
	}
	fputc('"', f);
}

static int send_stderr(const struct alert *a)
{
	static const char *const prio[] = {
		"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
	};
	char *line = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&line, &len);

	if (!f)
		return -ENOMEM;
	fprintf(f, "ocxlpmemd: ALERT %s event=%s priority=%s card=%s serial=%llu fw=",
		a->condition, a->event, prio[a->priority & 7], a->card.name,
		(unsigned long long)a->card.serial);
	put_value(f, a->card.fw_version);
	fprintf(f, " message_id=%s", a->cls->message_id);
	for (size_t i = 0; i < a->nfields; i++) {
		fputc(' ', f);
		for (const char *p = a->fields[i].name; *p; p++)
			fputc(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p, f);
		fputc('=', f);
		put_value(f, a->fields[i].value);
	}
	fputs(" msg=", f);
	put_value(f, a->message);
	fputc('\n', f);
	fclose(f);
	/* One write: lines from concurrent writers never interleave. */
	fwrite(line, 1, len, stderr);
	fflush(stderr);
	free(line);
	return 0;
}

static int send_journal(const struct alert *a)
{
#define FIXED_FIELDS 9
	char fixed[FIXED_FIELDS][160];
	char extra[ALERT_FIELDS_MAX][160];
	struct iovec iov[FIXED_FIELDS + ALERT_FIELDS_MAX];
	size_t n = 0;
	int r;

	snprintf(fixed[0], sizeof(fixed[0]), "MESSAGE_ID=%s", a->cls->message_id);
	snprintf(fixed[1], sizeof(fixed[1]), "PRIORITY=%d", a->priority);
	snprintf(fixed[2], sizeof(fixed[2]), "SYSLOG_IDENTIFIER=ocxlpmemd");
	snprintf(fixed[3], sizeof(fixed[3]), "OCXLPMEM_CARD=%s", a->card.name);
	snprintf(fixed[4], sizeof(fixed[4]), "OCXLPMEM_SERIAL=%llu",
		 (unsigned long long)a->card.serial);
	snprintf(fixed[5], sizeof(fixed[5]), "OCXLPMEM_FW_VERSION=%s", a->card.fw_version);
	snprintf(fixed[6], sizeof(fixed[6]), "OCXLPMEM_ALERT=%s", a->condition);
	snprintf(fixed[7], sizeof(fixed[7]), "OCXLPMEM_EVENT=%s", a->event);
	snprintf(fixed[8], sizeof(fixed[8]), "OCXLPMEM_CONDITION=%s", a->condition);
	for (size_t i = 0; i < FIXED_FIELDS; i++)
		iov[n++] = (struct iovec){ fixed[i], strlen(fixed[i]) };
	for (size_t i = 0; i < a->nfields; i++) {
		snprintf(extra[i], sizeof(extra[i]), "OCXLPMEM_%s=%s", a->fields[i].name,
			 a->fields[i].value);
		iov[n++] = (struct iovec){ extra[i], strlen(extra[i]) };
	}
	{
		char msg[300];
		struct iovec all[FIXED_FIELDS + ALERT_FIELDS_MAX + 1];

		snprintf(msg, sizeof(msg), "MESSAGE=%s: %s", a->card.name, a->message);
		memcpy(all, iov, n * sizeof(iov[0]));
		all[n] = (struct iovec){ msg, strlen(msg) };
		r = sd_journal_sendv(all, (int)n + 1);
	}
	return r;
#undef FIXED_FIELDS
}

int alert_send(const struct alert *a)
{
	if (log_target() == LOG_TARGET_JOURNAL)
		return send_journal(a);
	return send_stderr(a);
}
