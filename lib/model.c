// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The card model: life cycle, the command dispatcher and the state that
 * belongs to no single feature (health, events, capabilities, fatal states,
 * removal and reset).
 *
 * A command goes through the same steps as an ND_CMD_CALL to the driver:
 * the driver's own checks (function, sizes: -EINVAL), the card being there
 * at all (-ENXIO), then the card, which may be faulty (fault table), not
 * ready (MEM_UNAVAILABLE) or answer for real.  The reply is built whole and
 * then copied out as far as nd_size_out allows, which is how the driver
 * truncates.
 *
 * Over 700 lines because the dispatcher and its handler table are one
 * unit; each feature's state lives in its own model-*.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "model-private.h"
#include "private.h"

typedef int (*model_handler_fn)(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len,
				struct model_reply *r);

static int model_caps(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len,
		      struct model_reply *r);
static int model_health(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len,
			struct model_reply *r);
static int model_event_check(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len,
			     struct model_reply *r);
static int model_shutdown(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len,
			  struct model_reply *r);
static int model_heartbeat(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len,
			   struct model_reply *r);

#define SMART_DATA_MAX (sizeof(struct ocxlpmem_smart_out) + \
			OCXLPMEM_SMART_MAX_ATTRS * sizeof(struct ocxlpmem_smart_attr_wire))
#define ERRLOG_DATA_MAX (sizeof(struct ocxlpmem_error_log_out) + OCXLPMEM_ERRLOG_DATA_MAX)
/* data_max of DUMP_DATA depends on admin_buffer_size. */
#define DATA_MAX_DUMP ((size_t)-1)

/*
 * What the driver knows about each function.  mmio: answered from the
 * card's registers, so it works while the card is not ready.
 * alive_when_fatal: the registers the driver still reads after a fatal error
 * has taken the card down (EVENT_CHECK, CONTROLLER_HEALTH).  hdr_word and
 * reserved_off say where CORRUPT faults strike.
 */
static const struct model_function {
	model_handler_fn handle;
	size_t in_min;
	size_t in_max;
	size_t data_max;
	bool mmio;
	bool alive_when_fatal;
	bool hdr_word;
	int reserved_off;
} functions[OCXLPMEM_FN_MAX + 1] = {
	[OCXLPMEM_FN_SMART] = { model_smart, 0, 0, SMART_DATA_MAX, false, false, true, 9 },
	[OCXLPMEM_FN_CAPABILITIES] = { model_caps, 0, 0, sizeof(struct ocxlpmem_capabilities_out),
				       true, false, false, 29 },
	[OCXLPMEM_FN_CONTROLLER_HEALTH] = { model_health, 0, 0, sizeof(struct ocxlpmem_health_out),
					    true, true, false, 4 },
	[OCXLPMEM_FN_ERROR_LOG_READ] = { model_errlog_read, 0, 0, ERRLOG_DATA_MAX, false, false,
					 true, 61 },
	[OCXLPMEM_FN_ERROR_LOG_ACK] = { model_errlog_ack, sizeof(struct ocxlpmem_error_log_ack_in),
					sizeof(struct ocxlpmem_error_log_ack_in), 0, false, false,
					false, -1 },
	[OCXLPMEM_FN_REQUEST_HEALTH] = { model_request_health, 0, 0, 0, false, false, false, -1 },
	[OCXLPMEM_FN_CONTROLLER_STATS] = { model_stats, 0, 0, sizeof(struct ocxlpmem_stats_out),
					   false, false, true, 22 },
	/* The reserved bits of the event word start in byte 0; bit 63 is as
	 * reserved as any and leaves the real bits alone. */
	[OCXLPMEM_FN_EVENT_CHECK] = { model_event_check, 0, 0, sizeof(struct ocxlpmem_events_out),
				      true, true, false, 7 },
	[OCXLPMEM_FN_DUMP_START] = { model_dump_start, 0, 0, sizeof(struct ocxlpmem_dump_info_out),
				     false, false, false, 9 },
	[OCXLPMEM_FN_DUMP_DATA] = { model_dump_data, sizeof(struct ocxlpmem_dump_data_in),
				    sizeof(struct ocxlpmem_dump_data_in), DATA_MAX_DUMP, false, false,
				    true, 4 },
	[OCXLPMEM_FN_DUMP_COMPLETE] = { model_dump_complete,
					sizeof(struct ocxlpmem_dump_complete_in),
					sizeof(struct ocxlpmem_dump_complete_in), 0, false, false,
					false, -1 },
	[OCXLPMEM_FN_FW_UPDATE_START] = { model_fw_start, sizeof(struct ocxlpmem_fw_start_in),
					  sizeof(struct ocxlpmem_fw_start_in), 0, false, false,
					  false, -1 },
	/* At least one 8-byte word of image after the offset/size word. */
	[OCXLPMEM_FN_FW_UPDATE_BLOCK] = { model_fw_block,
					  sizeof(struct ocxlpmem_fw_block_in) + OCXLPMEM_FW_ALIGN,
					  sizeof(struct ocxlpmem_fw_block_in) +
						  OCXLPMEM_FW_BLOCK_MAX,
					  0, false, false, false, -1 },
	[OCXLPMEM_FN_FW_UPDATE_FINISH] = { model_fw_finish, 0, 0,
					   sizeof(struct ocxlpmem_firmware_info_out), false, false,
					   false, 17 },
	[OCXLPMEM_FN_FW_UPDATE_ABORT] = { model_fw_abort, 0, 0, 0, false, false, false, -1 },
	[OCXLPMEM_FN_FIRMWARE_INFO] = { model_fw_info, 0, 0,
					sizeof(struct ocxlpmem_firmware_info_out), true, false,
					false, 17 },
	[OCXLPMEM_FN_SHUTDOWN] = { model_shutdown, 0, 0, 0, false, false, false, -1 },
	[OCXLPMEM_FN_HEARTBEAT] = { model_heartbeat, 0, 0, 0, false, false, false, -1 },
};

static uint64_t clock_monotonic_ms(void *userdata)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t model_now_ms(struct ocxlpmem_model *m)
{
	return m->clock_ms(m->clock_userdata);
}

/* A test clock may go backwards: the card's time never does. */
uint64_t model_uptime_ms(struct ocxlpmem_model *m)
{
	uint64_t now = model_now_ms(m);

	return now > m->epoch_ms ? now - m->epoch_ms : 0;
}

uint64_t model_ipl_ms(struct ocxlpmem_model *m)
{
	uint64_t now = model_now_ms(m);

	return now > m->ipl_ms ? now - m->ipl_ms : 0;
}

/* Identifiers start somewhere seeded, so two cards never look alike, and
 * stay positive in an int (add_error_log returns them).  A card that
 * loses its volatile state starts them there again. */
void model_ids_restart(struct ocxlpmem_model *m)
{
	m->next_log_id = 1 + (uint32_t)(model_stream_key(m->seed, MODEL_STREAM_LOG_ID) % 0x10000);
	m->next_dump_id = 1 + (uint32_t)(model_stream_key(m->seed, MODEL_STREAM_DUMP_ID) % 0x10000);
}

uint64_t model_events_locked(struct ocxlpmem_model *m)
{
	uint64_t ev = 0;

	if (m->dump_held)
		ev |= OCXLPMEM_EVENT_CONTROLLER_DUMP_AVAILABLE;
	if (m->errlog_count)
		ev |= OCXLPMEM_EVENT_ERROR_LOG_AVAILABLE;
	if (m->fatal & OCXLPMEM_HEALTH_HARDWARE_FATAL)
		ev |= OCXLPMEM_EVENT_HARDWARE_FATAL;
	if (m->fatal & OCXLPMEM_HEALTH_FIRMWARE_FATAL)
		ev |= OCXLPMEM_EVENT_FIRMWARE_FATAL;
	return ev;
}

/*
 * Events are level-triggered bits; the eventfd is the edge, like the
 * driver's sysfs_notify(): one write whenever a bit goes from 0 to 1.
 */
static void event_fd_signal(int fd)
{
	uint64_t one = 1;

	/* EAGAIN only when the counter is about to overflow: the fd is
	 * readable then anyway. */
	if (fd >= 0 && write(fd, &one, sizeof(one)) < 0) {
	}
}

void model_events_update(struct ocxlpmem_model *m)
{
	uint64_t ev = model_events_locked(m);

	if (ev & ~m->last_events) {
		event_fd_signal(m->event_fd);
		if (m->notify)
			m->notify(m->notify_userdata);
	}
	m->last_events = ev;
}

void model_reply_status(struct model_reply *r, uint8_t status)
{
	r->status = status;
	r->data_len = 0;
}

static bool fw_version_valid(const char *s)
{
	size_t n = strnlen(s, OCXLPMEM_FW_VERSION_LEN + 1);

	if (n == 0 || n > OCXLPMEM_FW_VERSION_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

static int config_check(const struct ocxlpmem_model_config *cfg)
{
	if (cfg->fw_version && !fw_version_valid(cfg->fw_version))
		return -EINVAL;
	if (cfg->max_dump_size % OCXLPMEM_DUMP_ALIGN)
		return -EINVAL;
	if (cfg->admin_buffer_size % OCXLPMEM_DUMP_ALIGN ||
	    cfg->admin_buffer_size > MODEL_ADMIN_BUFFER_MAX)
		return -EINVAL;
	if (cfg->max_image_size % OCXLPMEM_FW_ALIGN)
		return -EINVAL;
	return 0;
}

static int cond_init_monotonic(pthread_cond_t *c)
{
	pthread_condattr_t attr;
	int r;

	r = pthread_condattr_init(&attr);
	if (r)
		return -r;
	r = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (!r)
		r = pthread_cond_init(c, &attr);
	pthread_condattr_destroy(&attr);
	return -r;
}

OCXLPMEM_EXPORT int ocxlpmem_model_new(const struct ocxlpmem_model_config *cfg,
				       struct ocxlpmem_model **ret)
{
	static const struct ocxlpmem_model_config defaults = {0};
	struct ocxlpmem_model *m;
	int r;

	if (!ret)
		return -EINVAL;
	if (!cfg)
		cfg = &defaults;
	r = config_check(cfg);
	if (r < 0)
		return r;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	model_mem_add(m, sizeof(*m));
	m->event_fd = -1;

	m->seed = cfg->seed;
	m->serial = cfg->serial;
	if (!m->serial) {
		m->serial = model_stream_key(cfg->seed, MODEL_STREAM_SERIAL);
		if (!m->serial)
			m->serial = 1;
	}
	m->memory_size = cfg->memory_size ? cfg->memory_size : MODEL_DEFAULT_MEMORY_SIZE;
	m->max_dump_size = cfg->max_dump_size ? cfg->max_dump_size : MODEL_DEFAULT_MAX_DUMP_SIZE;
	m->admin_buffer_size = cfg->admin_buffer_size ? cfg->admin_buffer_size :
							MODEL_DEFAULT_ADMIN_BUFFER_SIZE;
	m->max_image_size = cfg->max_image_size ? cfg->max_image_size :
						  MODEL_DEFAULT_MAX_IMAGE_SIZE;
	m->clock_ms = cfg->clock_ms ? cfg->clock_ms : clock_monotonic_ms;
	m->clock_userdata = cfg->clock_userdata;
	m->realistic_latency = cfg->realistic_latency;
	strcpy(m->fw_running, cfg->fw_version ? cfg->fw_version : MODEL_DEFAULT_FW_VERSION);
	if (cfg->nvram_dir) {
		m->nvram_dir = strdup(cfg->nvram_dir);
		if (!m->nvram_dir) {
			free(m);
			return -ENOMEM;
		}
		model_mem_add(m, strlen(m->nvram_dir) + 1);
	}

	m->epoch_ms = model_now_ms(m);
	m->ipl_ms = m->epoch_ms;
	m->functions = OCXLPMEM_MODEL_FUNCTIONS_ALL;
	m->temp_forced = -1;
	m->temp_forced_max = -1;
	m->life_forced = -1;
	m->life_forced_min = 101;
	m->poh_base_hours = 1000 + model_stream_key(m->seed, MODEL_STREAM_POH) % 20000;
	/* Identifiers start somewhere seeded, so two cards never look alike,
	 * and stay positive in an int (add_error_log returns them). */
	model_ids_restart(m);

	r = -pthread_mutex_init(&m->lock, NULL);
	if (r < 0)
		goto out_free;
	r = cond_init_monotonic(&m->cond);
	if (r < 0)
		goto out_mutex;
	r = cond_init_monotonic(&m->idle);
	if (r < 0)
		goto out_cond;
	/* What the card kept while the host was gone. */
	model_nv_load(m);
	model_events_update(m);

	*ret = m;
	return 0;

out_cond:
	pthread_cond_destroy(&m->cond);
out_mutex:
	pthread_mutex_destroy(&m->lock);
out_free:
	free(m->nvram_dir);
	free(m);
	return r;
}

OCXLPMEM_EXPORT struct ocxlpmem_model *ocxlpmem_model_free(struct ocxlpmem_model *m)
{
	if (!m)
		return NULL;

	/* Wake hung and sleeping commands and wait until every call has left
	 * the model: they still touch it on their way out. */
	pthread_mutex_lock(&m->lock);
	m->freeing = true;
	m->hang_gen++;
	pthread_cond_broadcast(&m->cond);
	while (m->inflight)
		pthread_cond_wait(&m->idle, &m->lock);
	pthread_mutex_unlock(&m->lock);

	model_errlog_free(m);
	model_faults_free(m);
	model_fw_discard_locked(m);
	pthread_cond_destroy(&m->idle);
	pthread_cond_destroy(&m->cond);
	pthread_mutex_destroy(&m->lock);
	if (m->event_fd >= 0)
		close(m->event_fd);
	free(m->nvram_dir);
	free(m);
	return NULL;
}

OCXLPMEM_EXPORT uint64_t ocxlpmem_model_serial(const struct ocxlpmem_model *m)
{
	return m ? m->serial : 0;
}

OCXLPMEM_EXPORT int ocxlpmem_model_event_fd(struct ocxlpmem_model *m)
{
	int fd;

	if (!m)
		return -EINVAL;
	pthread_mutex_lock(&m->lock);
	if (m->event_fd < 0) {
		m->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (m->event_fd < 0) {
			fd = -errno;
			pthread_mutex_unlock(&m->lock);
			return fd;
		}
		/* Bits that rose before anyone asked are news too, as they
		 * were for an eventfd made with the model. */
		if (m->last_events)
			event_fd_signal(m->event_fd);
	}
	fd = m->event_fd;
	pthread_mutex_unlock(&m->lock);
	return fd;
}

void model_set_notify(struct ocxlpmem_model *m, void (*fn)(void *userdata), void *userdata)
{
	pthread_mutex_lock(&m->lock);
	m->notify = fn;
	m->notify_userdata = userdata;
	/* Bits already up are news to a new watcher, as with the eventfd. */
	if (fn && m->last_events)
		fn(userdata);
	pthread_mutex_unlock(&m->lock);
}

int model_event_drain(struct ocxlpmem_model *m)
{
	uint64_t v;
	int r = 0;

	pthread_mutex_lock(&m->lock);
	if (m->event_fd >= 0 && read(m->event_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		r = -errno;
	pthread_mutex_unlock(&m->lock);
	return r;
}

OCXLPMEM_EXPORT size_t ocxlpmem_model_memory_bytes(struct ocxlpmem_model *m)
{
	size_t n;

	if (!m)
		return 0;
	pthread_mutex_lock(&m->lock);
	n = m->mem_bytes;
	pthread_mutex_unlock(&m->lock);
	return n;
}

OCXLPMEM_EXPORT uint64_t ocxlpmem_model_events(struct ocxlpmem_model *m)
{
	uint64_t ev;

	if (!m)
		return 0;
	pthread_mutex_lock(&m->lock);
	ev = model_events_locked(m);
	pthread_mutex_unlock(&m->lock);
	return ev;
}

OCXLPMEM_EXPORT bool ocxlpmem_model_is_removed(struct ocxlpmem_model *m)
{
	bool removed;

	if (!m)
		return true;
	pthread_mutex_lock(&m->lock);
	removed = m->removed || m->fatal;
	pthread_mutex_unlock(&m->lock);
	return removed;
}

OCXLPMEM_EXPORT void ocxlpmem_model_set_fatal(struct ocxlpmem_model *m, bool hardware)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	m->fatal |= hardware ? OCXLPMEM_HEALTH_HARDWARE_FATAL : OCXLPMEM_HEALTH_FIRMWARE_FATAL;
	model_events_update(m);
	pthread_mutex_unlock(&m->lock);
}

/*
 * What survives a reset: the error log and a held dump live in the card's
 * persistent buffers (a dump taken before a fatal error is exactly what the
 * host wants afterwards); an update in progress, a shutdown and the fatal
 * state do not.  Armed faults belong to the test, not the card: they stay.
 */
OCXLPMEM_EXPORT void ocxlpmem_model_reset(struct ocxlpmem_model *m)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	m->fatal = 0;
	m->removed = false;
	m->shut_down = false;
	m->dump_collecting = false;
	m->reset_count++;
	m->ipl_ms = model_now_ms(m);
	model_fw_reset_locked(m);
	model_events_update(m);
	model_nv_sync_locked(m);
	pthread_mutex_unlock(&m->lock);
}

/*
 * Power lost and restored: nothing the card keeps in volatile memory
 * survives, the identifier counters included, so the card hands out the
 * ids of its first entries and dumps again.  This is what the host must
 * tell apart from a re-read (ocxlpmem-abi(7), DECISIONS).
 */
OCXLPMEM_EXPORT void ocxlpmem_model_power_cycle(struct ocxlpmem_model *m)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	model_errlog_free(m);   /* the ring too: it is allocated on first use */
	m->dump_held = false;
	m->dump_collecting = false;
	m->dump_id = 0;
	m->dump_size = 0;
	m->dump_origin = OCXLPMEM_DUMP_NONE;
	model_ids_restart(m);
	m->power_cycles++;
	m->fatal = 0;
	m->shut_down = false;
	m->ipl_ms = model_now_ms(m);
	model_fw_discard_locked(m);
	model_events_update(m);
	model_nv_sync_locked(m);
	pthread_mutex_unlock(&m->lock);
}

OCXLPMEM_EXPORT void ocxlpmem_model_remove(struct ocxlpmem_model *m)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	m->removed = true;
	pthread_mutex_unlock(&m->lock);
}

OCXLPMEM_EXPORT uint64_t ocxlpmem_model_call_count(struct ocxlpmem_model *m, unsigned int function)
{
	uint64_t n;

	if (!m || function > OCXLPMEM_FN_MAX)
		return 0;
	pthread_mutex_lock(&m->lock);
	n = m->calls[function];
	pthread_mutex_unlock(&m->lock);
	return n;
}

OCXLPMEM_EXPORT int ocxlpmem_model_set_functions(struct ocxlpmem_model *m, uint32_t mask)
{
	if (!m || mask & ~OCXLPMEM_MODEL_FUNCTIONS_ALL ||
	    !(mask & (1u << OCXLPMEM_FN_CAPABILITIES)))
		return -EINVAL;
	pthread_mutex_lock(&m->lock);
	m->functions = mask;
	pthread_mutex_unlock(&m->lock);
	return 0;
}

OCXLPMEM_EXPORT uint32_t ocxlpmem_model_functions(struct ocxlpmem_model *m)
{
	uint32_t fns;

	if (!m)
		return 0;
	pthread_mutex_lock(&m->lock);
	fns = m->functions;
	pthread_mutex_unlock(&m->lock);
	return fns;
}

/* ---- Functions without a file of their own ------------------------------- */

static int model_caps(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len,
		      struct model_reply *r)
{
	struct ocxlpmem_capabilities c = {
		.serial = m->serial,
		.memory_size = m->memory_size,
		.scm_revision = MODEL_SCM_REVISION,
		.read_latency_ns = MODEL_READ_LATENCY_NS,
		.readiness_timeout_s = MODEL_READINESS_TIMEOUT_S,
		.memory_available_timeout_s = MODEL_MEMORY_AVAILABLE_TIMEOUT_S,
		.max_dump_size = m->max_dump_size,
		.admin_buffer_size = m->admin_buffer_size,
		.timeout_ms = {
			[OCXLPMEM_OP_HEARTBEAT] = OCXLPMEM_TIMEOUT_HEARTBEAT_MS,
			[OCXLPMEM_OP_SHUTDOWN] = OCXLPMEM_TIMEOUT_SHUTDOWN_MS,
			[OCXLPMEM_OP_FW_UPDATE] = OCXLPMEM_TIMEOUT_FW_UPDATE_MS,
			[OCXLPMEM_OP_FW_DEBUG] = MODEL_TIMEOUT_FW_DEBUG_MS,
			[OCXLPMEM_OP_ERRLOG] = OCXLPMEM_TIMEOUT_ERRLOG_MS,
			[OCXLPMEM_OP_SMART] = OCXLPMEM_TIMEOUT_SMART_MS,
			[OCXLPMEM_OP_CONTROLLER_STATS] = OCXLPMEM_TIMEOUT_CONTROLLER_STATS_MS,
			[OCXLPMEM_OP_CONTROLLER_DUMP] = OCXLPMEM_TIMEOUT_CONTROLLER_DUMP_MS,
		},
	};
	ssize_t n;

	c.functions = m->functions;
	strcpy(c.fw_version, m->fw_running);
	n = ocxlpmem_capabilities_encode(&c, r->buf + REPLY_HDR_SIZE, r->data_cap);
	if (n < 0)
		return (int)n;
	r->data_len = (size_t)n;
	return 0;
}

static int model_health(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len,
			struct model_reply *r)
{
	struct ocxlpmem_health h = { .flags = m->fatal };
	ssize_t n;

	/* A fatal card has stopped: neither ready nor serving memory. */
	if (!m->fatal && !r->not_ready)
		h.flags |= OCXLPMEM_HEALTH_READY | OCXLPMEM_HEALTH_MEMORY_AVAILABLE;
	n = ocxlpmem_health_encode(&h, r->buf + REPLY_HDR_SIZE, r->data_cap);
	if (n < 0)
		return (int)n;
	r->data_len = (size_t)n;
	return 0;
}

static int model_event_check(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len,
			     struct model_reply *r)
{
	ssize_t n;

	n = ocxlpmem_events_encode(model_events_locked(m), r->buf + REPLY_HDR_SIZE, r->data_cap);
	if (n < 0)
		return (int)n;
	r->data_len = (size_t)n;
	return 0;
}

static int model_shutdown(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len,
			  struct model_reply *r)
{
	m->shut_down = true;
	model_reply_status(r, OCXLPMEM_STATUS_SUCCESS);
	return 0;
}

static int model_heartbeat(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len,
			   struct model_reply *r)
{
	model_reply_status(r, OCXLPMEM_STATUS_SUCCESS);
	return 0;
}

/* ---- The dispatcher --------------------------------------------------------- */

static size_t function_data_max(const struct ocxlpmem_model *m, const struct model_function *f)
{
	if (f->data_max == DATA_MAX_DUMP)
		return sizeof(struct ocxlpmem_dump_data_out) + m->admin_buffer_size;
	return f->data_max;
}

/*
 * The card's part of a command, after the driver's checks: faults, readiness
 * and the function itself.  Returns 0 with *ret_reply (malloc'd, header +
 * data) and *ret_len, or -errno for the ioctl.
 */
static int card_answer(struct ocxlpmem_model *m, unsigned int function, const uint8_t *in,
		       size_t in_len, size_t out_cap, const struct ocxlpmem_fault *fault,
		       uint8_t **ret_reply, size_t *ret_len, uint64_t *ret_sleep_us)
{
	const struct model_function *f = &functions[function];
	struct model_reply r = { .out_cap = out_cap, .status = OCXLPMEM_STATUS_SUCCESS };
	size_t len;
	ssize_t n;
	int ret;

	switch (fault->kind) {
	case OCXLPMEM_FAULT_TIMEOUT:
		return model_fault_wait(m, fault->delay_ms ? fault->delay_ms :
					ocxlpmem_function_default_timeout_ms(function), false);
	case OCXLPMEM_FAULT_HANG:
		return model_fault_wait(m, fault->delay_ms, true);
	case OCXLPMEM_FAULT_ERRNO:
		return -fault->err;
	default:
		break;
	}

	r.data_cap = function_data_max(m, f);
	r.buf = malloc(REPLY_HDR_SIZE + r.data_cap);
	if (!r.buf)
		return -ENOMEM;
	r.not_ready = fault->kind == OCXLPMEM_FAULT_NOT_READY || m->shut_down;

	if (fault->kind == OCXLPMEM_FAULT_STATUS) {
		model_reply_status(&r, fault->status);
	} else if (r.not_ready && !f->mmio &&
		   !(function == OCXLPMEM_FN_SHUTDOWN && fault->kind != OCXLPMEM_FAULT_NOT_READY)) {
		/* Shutting down a shut-down card is a no-op, not an error. */
		model_reply_status(&r, OCXLPMEM_STATUS_MEM_UNAVAILABLE);
	} else {
		ret = f->handle(m, in, in_len, &r);
		if (ret < 0) {
			free(r.buf);
			return ret;
		}
		model_events_update(m);
	}

	n = ocxlpmem_reply_encode(r.status, (uint32_t)r.data_len, r.buf, REPLY_HDR_SIZE);
	if (n < 0) {
		free(r.buf);
		return (int)n;
	}
	len = REPLY_HDR_SIZE + r.data_len;

	if (fault->kind == OCXLPMEM_FAULT_CORRUPT)
		model_fault_corrupt(r.buf, r.data_len, fault->corruption, f->hdr_word,
				    f->reserved_off);
	/*
	 * The card hands back fewer bytes than its header announces: the
	 * driver reports what it got, and any decoder sees the output end
	 * before the data the header promised (-EMSGSIZE).
	 */
	if (fault->kind == OCXLPMEM_FAULT_TRUNCATE)
		len = MIN(len, fault->truncate_to);

	/* Slept outside the lock, as a card's own latency: other commands
	 * and scenario controls go on meanwhile. */
	if (fault->kind == OCXLPMEM_FAULT_SLOW)
		r.sleep_us += (uint64_t)fault->delay_ms * 1000u;

	*ret_reply = r.buf;
	*ret_len = len;
	*ret_sleep_us = r.sleep_us;
	return 0;
}

/* One command with the lock held; arguments as card_answer(). */
static int call_locked(struct ocxlpmem_model *m, unsigned int function, const uint8_t *in,
		       size_t in_len, size_t out_cap, uint8_t **ret_reply, size_t *ret_len,
		       uint64_t *ret_sleep_us)
{
	const struct model_function *f;
	struct model_fault_hit hit;
	int r;

	/* The driver's checks come first and need no card. */
	if (function < OCXLPMEM_FN_MIN || function > OCXLPMEM_FN_MAX)
		return -EINVAL;
	/* A driver that does not implement a function knows nothing of its
	 * sizes either: ENOTTY comes before every other check. */
	if (!(m->functions & (1u << function)))
		return -ENOTTY;
	f = &functions[function];
	if (in_len < f->in_min || in_len > f->in_max || out_cap < REPLY_HDR_SIZE)
		return -EINVAL;

	/* After a fatal error the driver unregistered the bus; only the
	 * registers it still reads for the post-mortem answer. */
	if (m->freeing || m->removed || (m->fatal && !f->alive_when_fatal))
		return -ENXIO;

	model_faults_match(m, function, &hit);
	if (hit.remove_now) {
		m->removed = true;
		return -ENXIO;
	}
	r = card_answer(m, function, in, in_len, out_cap, &hit.fault, ret_reply, ret_len,
			ret_sleep_us);
	/* Whatever this last command met, the card is gone after it. */
	if (hit.remove_after)
		m->removed = true;
	return r;
}

static void sleep_us(uint64_t us)
{
	struct timespec ts = {
		.tv_sec = (time_t)(us / 1000000),
		.tv_nsec = (long)(us % 1000000) * 1000,
	};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
	}
}

OCXLPMEM_EXPORT int ocxlpmem_model_call(struct ocxlpmem_model *m, unsigned int function,
					const void *in, size_t in_len, void *out, size_t out_cap,
					size_t *ret_fw_size)
{
	uint8_t *reply = NULL;
	uint64_t sleep = 0;
	size_t len = 0;
	int r;

	if (!m || !out || !ret_fw_size || (in_len && !in))
		return -EINVAL;

	pthread_mutex_lock(&m->lock);
	m->inflight++;
	m->calls[0]++;
	if (function >= OCXLPMEM_FN_MIN && function <= OCXLPMEM_FN_MAX)
		m->calls[function]++;
	r = call_locked(m, function, in, in_len, out_cap, &reply, &len, &sleep);
	model_nv_sync_locked(m);
	pthread_mutex_unlock(&m->lock);

	if (r == 0) {
		memcpy(out, reply, MIN(len, out_cap));
		free(reply);
		if (sleep)
			sleep_us(sleep);
		*ret_fw_size = len;
	}

	/* Last touch of m: free() may be waiting for it. */
	pthread_mutex_lock(&m->lock);
	if (--m->inflight == 0 && m->freeing)
		pthread_cond_broadcast(&m->idle);
	pthread_mutex_unlock(&m->lock);
	return r;
}
