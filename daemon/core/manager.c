// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The manager: builds the loop and its sources, runs it, and takes it down.
 * One place picks the backend (simulation or kernel); nothing else knows.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "core/alert.h"
#include "util/dir-lock.h"
#include "util/log.h"
#include "jobs/dump.h"
#include "core/card-private.h"

/* mkdir -p with mode for the last component. */
static int mkdir_p(const char *path, mode_t mode)
{
	char *copy = strdup(path);
	int r = 0;

	if (!copy)
		return -ENOMEM;
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0755) < 0 && errno != EEXIST) {
			r = -errno;
			break;
		}
		*p = '/';
	}
	if (r == 0 && mkdir(copy, mode) < 0 && errno != EEXIST)
		r = -errno;
	free(copy);
	return r;
}

/*
 * root: /var/lib/ocxlpmemd and /run/ocxlpmemd (systemd's StateDirectory and
 * RuntimeDirectory); anyone else: the XDG directories, so a user can run
 * the simulation without privileges.
 */
static char *default_dir(bool state)
{
	const char *xdg, *home;
	char *p = NULL;

	if (geteuid() == 0)
		return strdup(state ? LOCALSTATEDIR "/lib/ocxlpmemd" : "/run/ocxlpmemd");
	if (state) {
		xdg = getenv("XDG_STATE_HOME");
		if (xdg && xdg[0] == '/') {
			if (asprintf(&p, "%s/ocxlpmemd", xdg) < 0)
				p = NULL;
			return p;
		}
		home = getenv("HOME");
		if (!home || home[0] != '/') {
			struct passwd *pw = getpwuid(geteuid());

			home = pw ? pw->pw_dir : "/tmp";
		}
		if (asprintf(&p, "%s/.local/state/ocxlpmemd", home) < 0)
			p = NULL;
		return p;
	}
	xdg = getenv("XDG_RUNTIME_DIR");
	if (xdg && xdg[0] == '/') {
		if (asprintf(&p, "%s/ocxlpmemd", xdg) < 0)
			p = NULL;
	} else if (asprintf(&p, "/tmp/ocxlpmemd-%u", (unsigned int)geteuid()) < 0) {
		p = NULL;
	}
	return p;
}

static char *pick_dir(const char *cmdline, const char *config, bool state)
{
	if (cmdline)
		return strdup(cmdline);
	if (config)
		return strdup(config);
	return default_dir(state);
}

static void status_now(struct manager *m)
{
	unsigned int counts[HEALTH_STATE_MAX + 1] = { 0 };
	unsigned int present = 0;
	char status[160];
	size_t used;

	for (size_t i = 0; i < m->ncards; i++) {
		counts[m->cards[i]->report->state]++;
		present += m->cards[i]->card != NULL;
	}
	used = (size_t)snprintf(status, sizeof(status), "monitoring %u card%s", present,
				present == 1 ? "" : "s");
	for (int h = HEALTH_STATE_MAX; h >= HEALTH_WARNING; h--)
		if (counts[h] && used < sizeof(status))
			used += (size_t)snprintf(status + used, sizeof(status) - used, ", %u %s",
						 counts[h], card_health_name(h));
	if (strcmp(status, m->last_status) == 0)
		return;
	snprintf(m->last_status, sizeof(m->last_status), "%s", status);
	sd_notifyf(0, "STATUS=%s", status);
}

static void on_status(evutil_socket_t fd, short what, void *userdata)
{
	status_now(userdata);
}

/*
 * Many cards change in one loop iteration (a poll cycle of 256 cards):
 * count them once, after the iteration, not once per change.
 */
void manager_update_status(struct manager *m)
{
	if (!m->ev_status) {
		status_now(m);
		return;
	}
	if (!event_pending(m->ev_status, EV_TIMEOUT, NULL))
		event_active(m->ev_status, EV_TIMEOUT, 0);
}

static void names_flush(struct manager *m)
{
	int r;

	if (!m->names_dirty)
		return;
	m->names_dirty = false;
	r = names_save(m->state_dirfd, m->names);
	if (r < 0)
		log_errno(LOG_ERR, r, "cannot save card names in %s", m->state_dir);
}

static void on_names_save(evutil_socket_t fd, short what, void *userdata)
{
	names_flush(userdata);
}

void manager_names_changed(struct manager *m)
{
	m->names_dirty = true;
	if (!m->ev_names_save) {
		names_flush(m);
		return;
	}
	if (!event_pending(m->ev_names_save, EV_TIMEOUT, NULL))
		event_active(m->ev_names_save, EV_TIMEOUT, 0);
}

struct dcard *manager_find_card(struct manager *m, const char *name_or_serial)
{
	char *end;
	uint64_t serial = strtoull(name_or_serial, &end, 10);

	for (size_t i = 0; i < m->ncards; i++) {
		struct dcard *dc = m->cards[i];

		if (strcmp(dc->name, name_or_serial) == 0)
			return dc;
		if (*name_or_serial && !*end && dc->serial == serial)
			return dc;
	}
	return NULL;
}

/* ---- Event sources ---------------------------------------------------- */

static void on_card_change(struct ocxlpmem_card *c, enum ocxlpmem_card_change change,
			   void *userdata)
{
	struct manager *m = userdata;

	if (change == OCXLPMEM_CARD_ADDED)
		card_attach(m, c);
	else
		card_detach(m, c);
}

static void on_executor(evutil_socket_t fd, short what, void *userdata)
{
	struct manager *m = userdata;
	struct ocxlpmem_request *req;

	while ((req = ocxlpmem_executor_reap(m->executor))) {
		card_request_done(req);
		ocxlpmem_request_free(req);
	}
}

void manager_reap_completions(struct manager *m)
{
	on_executor(-1, 0, m);
}

static void on_hotplug(evutil_socket_t fd, short what, void *userdata)
{
	struct manager *m = userdata;
	int r = ocxlpmem_transport_hotplug_process(m->transport);

	if (r < 0)
		log_errno(LOG_ERR, r, "processing card hotplug events");
}

static void on_card_events(evutil_socket_t fd, short what, void *userdata)
{
	struct manager *m = userdata;
	int r = ocxlpmem_transport_events_process(m->transport, card_events_ready, m);

	if (r < 0)
		log_errno(LOG_ERR, r, "processing card events");
}

static void manager_stop(struct manager *m, int sig)
{
	if (m->stopping)
		return;
	log_info("received %s, stopping", strsignal(sig));
	m->stopping = true;
	sd_notify(0, "STOPPING=1\nSTATUS=stopping");
	event_base_loopbreak(m->base);
}

static void on_stop_signal(evutil_socket_t sig, short what, void *userdata)
{
	manager_stop(userdata, (int)sig);
}

/* Apply a new configuration to running cards: new thresholds judge the
 * current data at once, new intervals take effect from now. */
static void apply_config(struct manager *m)
{
	for (size_t i = 0; i < m->ncards; i++) {
		struct dcard *dc = m->cards[i];

		config_for_card(m->config, dc->serial, &dc->intervals, &dc->thresholds);
		card_reschedule(dc);
		card_evaluate(dc);
	}
}

static void on_reload(evutil_socket_t sig, short what, void *userdata)
{
	struct manager *m = userdata;
	struct config *fresh = NULL, *previous;
	size_t found = 0;
	int r;

	/* MONOTONIC_USEC: what systemd >= 253 wants with RELOADING=1. */
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%" PRIu64 "\nSTATUS=reloading configuration",
		   now_monotonic_ms() * 1000u);
	r = config_load_logged(m->opts->config_path, !m->opts->config_explicit, &fresh, &found);
	if (r < 0) {
		log_error("configuration not reloaded: %zu problem%s; the old configuration stays in force",
			  found, found == 1 ? "" : "s");
		snprintf(m->last_status, sizeof(m->last_status),
			 "reload failed: bad configuration, old one in force");
		sd_notifyf(0, "READY=1\nSTATUS=%s", m->last_status);
		return;
	}
	previous = m->config;
	m->config = fresh;
	/* Before the cards: the metrics endpoint follows its listen. */
	observe_emit(&m->observers, &(struct observe_event){
		.kind = OBSERVE_CONFIG_RELOADED, .previous_config = previous,
	});
	config_free(previous);
	apply_config(m);
	log_info("configuration reloaded from %s", m->opts->config_path);
	m->last_status[0] = '\0';
	sd_notify(0, "READY=1");
	manager_update_status(m);
}

static void on_poll_all(evutil_socket_t sig, short what, void *userdata)
{
	struct manager *m = userdata;

	log_info("SIGUSR1: polling every card now");
	for (size_t i = 0; i < m->ncards; i++)
		for (unsigned int k = 0; k < POLL_KINDS; k++)
			card_poll_now(m->cards[i], k);
}

static void on_watchdog(evutil_socket_t fd, short what, void *userdata)
{
	sd_notify(0, "WATCHDOG=1");
}

static void on_test_freeze(evutil_socket_t sig, short what, void *userdata)
{
	log_warning("SIGUSR2 with --test-freeze-on-sigusr2: freezing the event loop");
	for (;;)
		pause();
}

/* ---- Construction ------------------------------------------------------- */

/*
 * Take dir's lock before anything in it is changed.  A second daemon on
 * the same directories would otherwise set aside, rewrite and drain
 * behind the first one's back, and replace its socket.
 */
static int lock_dir(int dirfd, const char *dir, int *ret_fd)
{
	pid_t holder;
	int r;

	r = dir_lock(dirfd, ret_fd, &holder);
	if (r == -EBUSY && holder)
		log_error("another ocxlpmemd (pid %ld) uses %s; not starting a second one",
			  (long)holder, dir);
	else if (r == -EBUSY)
		log_error("another ocxlpmemd uses %s (it holds %s/" DIR_LOCK_FILE
			  "); not starting a second one", dir, dir);
	else if (r < 0)
		log_errno(LOG_ERR, r, "cannot lock %s/" DIR_LOCK_FILE, dir);
	return r;
}

/* The runtime directory's lock, unless it is the state directory (whose
 * lock we hold: a second flock of the same file would fail on our own). */
static int lock_runtime_dir(struct manager *m)
{
	struct stat a, b;
	int dfd, r;

	dfd = open(m->runtime_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return log_errno(LOG_ERR, errno, "cannot open runtime directory %s",
				 m->runtime_dir);
	if (fstat(dfd, &a) == 0 && fstat(m->state_dirfd, &b) == 0 && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino)
		r = 0;
	else
		r = lock_dir(dfd, m->runtime_dir, &m->runtime_lock_fd);
	close(dfd);
	return r;
}

static int open_state_dir(struct manager *m)
{
	char *aside = NULL;
	int r;

	r = mkdir_p(m->state_dir, 0750);
	if (r < 0)
		return log_errno(LOG_ERR, r, "cannot create state directory %s", m->state_dir);
	m->state_dirfd = open(m->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (m->state_dirfd < 0)
		return log_errno(LOG_ERR, errno, "cannot open state directory %s", m->state_dir);
	r = lock_dir(m->state_dirfd, m->state_dir, &m->state_lock_fd);
	if (r < 0)
		return r;
	r = names_load(m->state_dirfd, &m->names, &aside);
	if (state_set_aside_text(r))
		log_error("%s/names.json was %s; set aside as %s, names start afresh", m->state_dir,
			  state_set_aside_text(r), aside ? aside : "?");
	if (state_set_aside_text(r) || r == -ENOENT)
		r = names_new(&m->names);
	free(aside);
	if (r < 0)
		return log_errno(LOG_ERR, r, "cannot read card names in %s", m->state_dir);
	return 0;
}

/* What the kernel backend tells an operator: a DIMM refused and why. */
static void kernel_log(void *userdata, int priority, const char *dimm, const char *message)
{
	if (dimm)
		log_msg(priority, "%s: %s", dimm, message);
	else
		log_msg(priority, "libndctl: %s", message);
}

static int make_transport(struct manager *m)
{
	struct ocxlpmem_model_config tmpl = {
		.serial = m->config->sim_serial_base,
		.realistic_latency = m->config->sim_realistic_latency,
	};
	char *nvram = NULL;
	uint64_t sim_bytes;
	unsigned int n;
	int r;

	if (!m->opts->simulate) {
		const struct ocxlpmem_kernel_options kopts = {
			.log = kernel_log,
			.transport = m->config->kernel_transport,
		};

		r = ocxlpmem_transport_new_kernel(&kopts, &m->transport);
		if (r < 0)
			return log_errno(LOG_ERR, r, "cannot start the kernel backend (udev monitor)");
		log_info("kernel backend: cards from libnvdimm buses of provider %s, and "
			 "papr_scm DIMMs", OCXLPMEM_PROVIDER);
		return 0;
	}
	n = m->opts->sim_cards >= 0 ? (unsigned int)m->opts->sim_cards : m->config->sim_cards;
	/*
	 * The simulated cards keep their non-volatile state (error log, held
	 * dump, firmware) here: like real cards they outlive a daemon crash or
	 * restart, and like anything under /run they forget at reboot.
	 */
	if (asprintf(&nvram, "%s/sim-cards", m->runtime_dir) < 0)
		return -ENOMEM;
	r = mkdir_p(nvram, 0700);
	if (r < 0) {
		log_errno(LOG_ERR, r, "cannot create %s", nvram);
		free(nvram);
		return r;
	}
	tmpl.nvram_dir = nvram;
	r = ocxlpmem_transport_new_sim(n, &tmpl, &m->transport);
	free(nvram);
	if (r < 0)
		return log_errno(LOG_ERR, r, "cannot create %u simulated cards", n);
	if (ocxlpmem_transport_sim_memory_bytes(m->transport, &sim_bytes) < 0)
		sim_bytes = 0;
	log_info("simulation: %u card%s, models holding %" PRIu64 " bytes", n,
		 n == 1 ? "" : "s", sim_bytes);
	return 0;
}

static struct event *add_signal(struct manager *m, int sig, event_callback_fn fn)
{
	struct event *ev = evsignal_new(m->base, sig, fn, m);

	if (ev && event_add(ev, NULL) < 0) {
		event_free(ev);
		ev = NULL;
	}
	return ev;
}

int manager_new(struct options *opts, struct config *config, struct manager **ret)
{
	struct manager *m;
	int r;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->opts = opts;
	m->config = config;
	m->state_dirfd = -1;
	m->state_lock_fd = m->runtime_lock_fd = -1;
	/* Before anything opens a file: clients get only what the daemon
	 * can spare (fd-budget.h). */
	r = fd_budget_init(&m->fds);
	if (r < 0)
		log_errno(LOG_WARNING, r, "cannot raise the file-descriptor limit from %lu",
			  m->fds.raised_from);
	log_info("file descriptors: limit %lu%s; up to %u Varlink and %u HTTP clients, %u kept for the daemon",
		 m->fds.limit, m->fds.raised_from != m->fds.limit ? " (raised)" : "",
		 m->fds.varlink_max, m->fds.http_max, m->fds.reserve);
	m->jitter_state = (uint64_t)getpid() * 0x9E3779B97F4A7C15ull | 1;
	/* Test-only: check every cached reply against a fresh render. */
	m->verify_replies = getenv("OCXLPMEMD_VERIFY_REPLY_CACHE") &&
			    strcmp(getenv("OCXLPMEMD_VERIFY_REPLY_CACHE"), "1") == 0;

	m->state_dir = pick_dir(opts->state_dir, config->state_dir, true);
	m->runtime_dir = pick_dir(opts->runtime_dir, config->runtime_dir, false);
	if (!m->state_dir || !m->runtime_dir) {
		r = -ENOMEM;
		goto fail;
	}
	r = open_state_dir(m);
	if (r < 0)
		goto fail;
	r = dump_store_load(m);
	if (r < 0) {
		log_errno(LOG_ERR, r, "cannot read saved dumps in %s/dumps", m->state_dir);
		goto fail;
	}
	r = mkdir_p(m->runtime_dir, 0755);
	if (r < 0) {
		log_errno(LOG_ERR, r, "cannot create runtime directory %s", m->runtime_dir);
		goto fail;
	}
	r = lock_runtime_dir(m);
	if (r < 0)
		goto fail;

	m->base = event_base_new();
	if (!m->base) {
		r = -ENOMEM;
		goto fail;
	}
	r = ocxlpmem_executor_new(&m->executor);
	if (r < 0) {
		log_errno(LOG_ERR, r, "cannot start the command executor");
		goto fail;
	}
	m->ev_executor = event_new(m->base, ocxlpmem_executor_fd(m->executor),
				   EV_READ | EV_PERSIST, on_executor, m);
	if (!m->ev_executor || event_add(m->ev_executor, NULL) < 0) {
		r = -ENOMEM;
		goto fail;
	}
	r = make_transport(m);
	if (r < 0)
		goto fail;
	m->ev_status = event_new(m->base, -1, 0, on_status, m);
	if (!m->ev_status) {
		r = -ENOMEM;
		goto fail;
	}
	m->ev_names_save = event_new(m->base, -1, 0, on_names_save, m);
	if (!m->ev_names_save) {
		r = -ENOMEM;
		goto fail;
	}
	ocxlpmem_transport_set_listener(m->transport, on_card_change, m);
	if (ocxlpmem_transport_hotplug_fd(m->transport) >= 0) {
		m->ev_hotplug = event_new(m->base, ocxlpmem_transport_hotplug_fd(m->transport),
					  EV_READ | EV_PERSIST, on_hotplug, m);
		if (!m->ev_hotplug || event_add(m->ev_hotplug, NULL) < 0) {
			r = -ENOMEM;
			goto fail;
		}
	}
	if (ocxlpmem_transport_event_fd(m->transport) >= 0) {
		m->ev_card_events = event_new(m->base, ocxlpmem_transport_event_fd(m->transport),
					      EV_READ | EV_PERSIST, on_card_events, m);
		if (!m->ev_card_events || event_add(m->ev_card_events, NULL) < 0) {
			r = -ENOMEM;
			goto fail;
		}
	}

	m->ev_sigterm = add_signal(m, SIGTERM, on_stop_signal);
	m->ev_sigint = add_signal(m, SIGINT, on_stop_signal);
	m->ev_sighup = add_signal(m, SIGHUP, on_reload);
	m->ev_sigusr1 = add_signal(m, SIGUSR1, on_poll_all);
	if (!m->ev_sigterm || !m->ev_sigint || !m->ev_sighup || !m->ev_sigusr1) {
		r = -ENOMEM;
		goto fail;
	}
	if (opts->test_freeze)
		add_signal(m, SIGUSR2, on_test_freeze);
	signal(SIGPIPE, SIG_IGN);

	if (sd_watchdog_enabled(0, &m->watchdog_usec) > 0 && m->watchdog_usec) {
		uint64_t half = m->watchdog_usec / 2;
		struct timeval tv = { .tv_sec = (time_t)(half / 1000000u),
				      .tv_usec = (suseconds_t)(half % 1000000u) };

		m->ev_watchdog = event_new(m->base, -1, EV_PERSIST, on_watchdog, m);
		if (!m->ev_watchdog || event_add(m->ev_watchdog, &tv) < 0) {
			r = -ENOMEM;
			goto fail;
		}
	}
	*ret = m;
	return 0;

fail:
	manager_free(m);
	return r;
}

int manager_run(struct manager *m)
{
	int r;

	/* Known cards first, so that the scan attaches the ones present to
	 * them and those absent stay offline rather than unknown. */
	r = cards_restore_known(m);
	if (r < 0)
		return log_errno(LOG_ERR, r, "cannot restore the known cards");
	r = ocxlpmem_transport_scan(m->transport);
	if (r < 0)
		log_errno(LOG_ERR, r, "scanning for cards (continuing; hotplug may bring them)");
	cards_judge_absent(m);
	/* The names the scan gave are on disk before we say READY. */
	names_flush(m);
	status_now(m);
	sd_notifyf(0, "READY=1\nSTATUS=%s", m->last_status);
	log_info("ready: %s, state in %s", m->last_status, m->state_dir);
	if (event_base_dispatch(m->base) < 0)
		return log_errno(LOG_ERR, EIO, "event loop failed");
	return m->exit_code;
}

struct manager *manager_free(struct manager *m)
{
	if (!m)
		return NULL;
	m->stopping = true;
	/* Take what has finished, then drop the rest; never waits for a hung
	 * card: stuck calls are abandoned. */
	if (m->executor)
		on_executor(-1, 0, m);
	ocxlpmem_executor_free(m->executor);
	/* The Varlink server and the metrics endpoint let go of their
	 * clients before the cards go. */
	observe_emit(&m->observers, &(struct observe_event){ .kind = OBSERVE_STOPPING });
	for (size_t i = 0; i < m->ncards; i++) {
		m->cards[i]->state_dirty = true;
		card_save_state(m->cards[i]);
		card_free(m->cards[i]);
	}
	free(m->cards);
	if (m->verify_replies)
		log_info("reply cache: %" PRIu64 " cached replies verified against a fresh render",
			 m->replies_verified);
	m->cards_blob = json_blob_unref(m->cards_blob);
	dump_store_free(m);
	ocxlpmem_transport_free(m->transport);
	if (m->ev_executor)
		event_free(m->ev_executor);
	if (m->ev_hotplug)
		event_free(m->ev_hotplug);
	if (m->ev_card_events)
		event_free(m->ev_card_events);
	if (m->ev_sigterm)
		event_free(m->ev_sigterm);
	if (m->ev_sigint)
		event_free(m->ev_sigint);
	if (m->ev_sighup)
		event_free(m->ev_sighup);
	if (m->ev_sigusr1)
		event_free(m->ev_sigusr1);
	if (m->ev_watchdog)
		event_free(m->ev_watchdog);
	if (m->ev_status)
		event_free(m->ev_status);
	if (m->ev_names_save) {
		names_flush(m);
		event_free(m->ev_names_save);
	}
	if (m->ev_deferred_saves)
		event_free(m->ev_deferred_saves);
	if (m->base)
		event_base_free(m->base);
	names_free(m->names);
	if (m->state_dirfd >= 0)
		close(m->state_dirfd);
	/* Last: everything in the directories is done with. */
	if (m->runtime_lock_fd >= 0)
		close(m->runtime_lock_fd);
	if (m->state_lock_fd >= 0)
		close(m->state_lock_fd);
	config_free(m->config);
	free(m->state_dir);
	free(m->runtime_dir);
	observe_clear(&m->observers);
	free(m);
	return NULL;
}
