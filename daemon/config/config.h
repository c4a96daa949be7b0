/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ocxlpmemd configuration: /etc/ocxlpmemd.conf plus drop-ins in
 * /etc/ocxlpmemd.conf.d/ *.conf (lexical order, later wins), INI syntax
 * (config-lexer.c).  Every key is in one table (config-keys.c) with its
 * type, range and default; ocxlpmemd.conf(5) documents the same table.
 */
#ifndef OCXLPMEMD_CONFIG_H
#define OCXLPMEMD_CONFIG_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ocxlpmem/transport.h>

enum reminder_policy {
	REMINDER_ONCE = 0,    /* alert on the transition only */
	REMINDER_DAILY,       /* and again every 24 h while it holds */
	REMINDER_DIMINISHING, /* and after 1, 2, 4, 8... days (smartd's) */
};

/* Health thresholds; per card overridable. */
struct thresholds {
	int temperature_warning_c;      /* default 70 */
	int temperature_critical_c;     /* default 85 */
	unsigned int life_warning_pct;  /* default 20: at or below warns */
	unsigned int life_critical_pct; /* default 5 */
	unsigned int error_log_window_s; /* default 86400: how long a logged
					  * predictive-failure/thermal/data-loss
					  * entry keeps affecting health */
};

/* Poll intervals in seconds; 0 disables that poll. */
struct intervals {
	unsigned int health_s;   /* default 60: SMART + controller health */
	unsigned int stats_s;    /* default 300: controller stats */
	unsigned int firmware_s; /* default 3600: firmware state */
};

/* [card SERIAL] sections: only the keys that were set apply. */
struct card_config {
	uint64_t serial;
	struct intervals intervals;
	struct thresholds thresholds;
	/* Bit per overridable key, in the order of the fields above. */
	uint32_t set_mask;
};

/* Most simulated cards: --simulate=N and [simulator] cards. */
#define SIM_CARDS_MAX 4096

#define CARD_SET_HEALTH_S (1u << 0)
#define CARD_SET_STATS_S (1u << 1)
#define CARD_SET_FIRMWARE_S (1u << 2)
#define CARD_SET_TEMP_WARNING (1u << 3)
#define CARD_SET_TEMP_CRITICAL (1u << 4)
#define CARD_SET_LIFE_WARNING (1u << 5)
#define CARD_SET_LIFE_CRITICAL (1u << 6)
#define CARD_SET_ERRLOG_WINDOW (1u << 7)

struct config {
	/* [poll] */
	struct intervals intervals;
	unsigned int jitter_pct;      /* default 10: +-% spread of each interval */
	unsigned int backoff_max_s;   /* default 600: error back-off ceiling */
	unsigned int unresponsive_after; /* default 3 consecutive timeouts */

	/* [thresholds] */
	struct thresholds thresholds;

	/* [alerts] */
	enum reminder_policy reminder;

	/* [paths] (command-line options override) */
	char *state_dir;   /* NULL: the built-in default */
	char *runtime_dir; /* NULL: the built-in default */

	/* [metrics] */
	char *metrics_listen; /* "127.0.0.1:9580" default; "off" disables */
	unsigned int metrics_request_timeout_s; /* default 10: a whole request within it */

	/* [access] */
	char *admin_group;    /* group allowed to mutate over Varlink; NULL: root only */

	/* [dumps] */
	unsigned int dump_max_per_card;     /* default 8 */
	uint64_t dump_max_bytes_per_card;   /* default 2 GiB */
	uint64_t dump_max_bytes_total;      /* default 8 GiB */
	unsigned int dump_retry_s;          /* default 60: first retry of a failed collection */

	/* [simulator] */
	unsigned int sim_cards;       /* default 2 (used with --simulate without =N) */
	uint64_t sim_serial_base;     /* 0: built-in */
	uint32_t sim_dump_size;       /* default 16 MiB: size of injected dumps */
	bool sim_realistic_latency;   /* default true */
	/* [dbus] enable: serve io.ocxlpmem1 on the system bus (default true) */
	bool dbus_enable;

	/* [kernel] */
	enum ocxlpmem_kernel_transport kernel_transport; /* default auto */

	struct card_config *cards;
	size_t ncards;
};

/* One problem found while loading, already formatted "FILE:LINE: message". */
struct config_error {
	char *message;
};

struct config_errors {
	struct config_error *v;
	size_t n;
	/* Problems found: n of them are in v, then a line counting the rest. */
	size_t found;
};

/* Defaults only; 0 or -ENOMEM. */
int config_new_default(struct config **ret);

/*
 * Load path (must exist unless missing_ok) and then every *.conf in
 * dropin_dir (may be NULL or absent) in lexical order, on top of the
 * defaults.  Returns 0 with *ret set, or -EINVAL when any problem was found
 * (every problem is in *errors, nothing is applied), or -errno for I/O.
 * Unknown sections, unknown keys, bad values, duplicate [card] serials in
 * one file and values out of range are all errors.
 */
int config_load(const char *path, bool missing_ok, const char *dropin_dir, struct config **ret,
		struct config_errors *errors);

void config_errors_clear(struct config_errors *errors);

/*
 * Serial comparisons made finding [card SERIAL] sections while loading,
 * since the program started: tests/test-config checks that loading stays
 * linear in the number of sections.  Nothing else reads it.
 */
extern unsigned long config_card_probes;

struct config *config_free(struct config *c);

/* The effective intervals and thresholds of a card (defaults + override). */
void config_for_card(const struct config *c, uint64_t serial, struct intervals *ret_intervals,
		     struct thresholds *ret_thresholds);

/*
 * Load path and its drop-ins, path.d/ *.conf, as config_load() does, and
 * log every problem (LOG_ERR), for the start and for reloads alike.
 * *ret_found, if not NULL, is set to the number of problems found, all
 * of them, when fewer lines were logged.
 */
int config_load_logged(const char *path, bool missing_ok, struct config **ret,
		       size_t *ret_found);

/* A metrics listen address. */
struct listen_address {
	bool off;                    /* "off": no endpoint */
	char host[INET6_ADDRSTRLEN]; /* numeric, no brackets; localhost is 127.0.0.1 */
	uint16_t port;
};

/*
 * The one parser of a metrics listen address: "off", "ADDR:PORT" (IPv4),
 * "[V6]:PORT" or "localhost:PORT", port 1 to 65535.  0 or -EINVAL; *ret
 * is untouched on failure.  [metrics] listen, --metrics-listen and the
 * metrics endpoint all use it.
 */
int config_listen_parse(const char *v, struct listen_address *ret);
bool config_listen_valid(const char *v);

/* Parse "1h", "30s", "15m", "2d", "90" (seconds).  0 or -EINVAL. */
int config_parse_duration(const char *s, unsigned int *ret_seconds);
/* Parse "16M", "2G", "4096", "1K" (binary units).  0 or -EINVAL/-ERANGE. */
int config_parse_size(const char *s, uint64_t *ret_bytes);

#endif /* OCXLPMEMD_CONFIG_H */
