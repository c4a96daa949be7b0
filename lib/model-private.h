/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internals of the card model (lib/model*.c), shared between its files and
 * with the model's unit tests; the sim backend uses the two event hooks
 * (model_set_notify(), model_event_drain()).  Not installed.
 *
 * Locking: one mutex per model guards everything below.  Command handlers
 * and the scenario helpers named model_*_locked() run with it held; only a
 * command stuck in a HANG or TIMEOUT fault waits on the condition variable,
 * which releases the mutex while it waits.
 */
#ifndef OCXLPMEM_MODEL_PRIVATE_H
#define OCXLPMEM_MODEL_PRIVATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ocxlpmem/abi.h>
#include <ocxlpmem/codec.h>
#include <ocxlpmem/model.h>

#define MODEL_DEFAULT_FW_VERSION "1.0.0000"
#define MODEL_DEFAULT_MEMORY_SIZE (256ull << 30)
#define MODEL_DEFAULT_MAX_DUMP_SIZE (256u << 20)
#define MODEL_DEFAULT_ADMIN_BUFFER_SIZE (64u << 10)
#define MODEL_DEFAULT_MAX_IMAGE_SIZE (16u << 20)
/* A dump chunk is allocated per call: keep it far below anything silly. */
#define MODEL_ADMIN_BUFFER_MAX (16u << 20)
/* Size of the dumps the card makes on its own (DUMP_START, a DUMP action,
 * raise_dump(0)), capped at max_dump_size. */
#define MODEL_DEFAULT_DUMP_SIZE (4u << 20)

/* CAPABILITIES constants of the modelled card. */
#define MODEL_SCM_REVISION 0x11
#define MODEL_READ_LATENCY_NS 250
#define MODEL_READINESS_TIMEOUT_S 5
#define MODEL_MEMORY_AVAILABLE_TIMEOUT_S 30
/* abi.h has no documented timeout for FW_DEBUG (opcode 3). */
#define MODEL_TIMEOUT_FW_DEBUG_MS 1000

#define MODEL_ERRLOG_MAX 256
#define MODEL_FAULTS_MAX 16
/* Bytes of data the card attaches to a REQUEST_HEALTH answer. */
#define MODEL_HEALTH_ENTRY_DATA 64

/* Simulated transfer speeds when realistic_latency is set. */
#define MODEL_DUMP_BYTES_PER_US 2000 /* ~2 GB/s */
#define MODEL_FW_BLOCK_US 1000

#define REPLY_HDR_SIZE sizeof(struct ocxlpmem_reply_hdr)

struct model_errlog_entry {
	uint32_t id;
	uint8_t type;
	uint32_t action_flags;
	uint32_t prc;
	uint32_t power_on_seconds;
	uint64_t timestamp_ns;
	char fw_revision[OCXLPMEM_FW_VERSION_LEN + 1];
	uint16_t data_len;
	uint8_t *data; /* NULL: generated from serial and id when read */
};

struct model_fault_slot {
	struct ocxlpmem_fault f;
	unsigned int skip_left;
	unsigned int applied;
	unsigned int after_left; /* REMOVE_AFTER */
};

/*
 * One command being answered.  The handler writes the function data at
 * buf + REPLY_HDR_SIZE (room for data_cap bytes), sets status and data_len;
 * model.c then writes the reply header.
 */
struct model_reply {
	uint8_t *buf;
	size_t data_cap;
	size_t out_cap;     /* the caller's nd_size_out: what the driver can return */
	bool not_ready;     /* a NOT_READY fault or SHUTDOWN applies */
	uint8_t status;
	size_t data_len;
	uint64_t sleep_us;  /* realistic latency, spent after unlocking */
};

struct ocxlpmem_model {
	pthread_mutex_t lock;
	/* Waited on by HANG/TIMEOUT faults; hang_gen moves on release. */
	pthread_cond_t cond;
	/* Signalled when the last in-flight call leaves during free. */
	pthread_cond_t idle;
	uint64_t hang_gen;
	unsigned int inflight;
	bool freeing;

	/* Configuration, fixed after new(). */
	uint64_t serial;
	uint64_t memory_size;
	uint64_t seed;
	uint32_t max_dump_size;
	uint32_t admin_buffer_size;
	uint32_t max_image_size;
	uint64_t (*clock_ms)(void *userdata);
	void *clock_userdata;
	bool realistic_latency;
	char *nvram_dir;         /* NULL: volatile */
	uint64_t nv_saved;       /* fingerprint of the state last written */

	/* Made on the first ocxlpmem_model_event_fd(): the sim backend uses
	 * notify instead, so thousands of cards need no descriptor each. */
	int event_fd;            /* -1: not made yet */
	uint64_t last_events;
	void (*notify)(void *userdata);
	void *notify_userdata;

	/* Bytes this model has allocated (see ocxlpmem_model_memory_bytes()). */
	size_t mem_bytes;

	/* Card state. */
	uint64_t epoch_ms;       /* clock at creation: power-on */
	uint64_t ipl_ms;         /* clock at the last reset */
	uint32_t reset_count;
	uint32_t power_cycles;   /* keys the content of the dumps made since */
	bool removed;            /* surprise removal */
	uint32_t fatal;          /* OCXLPMEM_HEALTH_*_FATAL */
	bool shut_down;
	uint64_t calls[OCXLPMEM_FN_MAX + 1]; /* [0]: every call */
	/* What the driver implements: CAPABILITIES.functions, and ENOTTY
	 * for every function whose bit is clear. */
	uint32_t functions;

	/* Sensors (model-sensors.c). */
	uint64_t poh_base_hours;
	int temp_forced;         /* < 0: drifting */
	int temp_forced_max;     /* hottest forced value, for worst */
	int life_forced;         /* < 0: wearing naturally */
	int life_forced_min;     /* 101: none */
	uint64_t walk_step;      /* temperature random walk cache */
	int walk_temp;
	int walk_max;
	uint8_t dropped[256 / 8];

	/* Error log (model-errlog.c): a ring of MODEL_ERRLOG_MAX pending
	 * entries, allocated with the first entry and freed when the log
	 * empties: most cards of a large simulation never log anything. */
	struct model_errlog_entry *errlog;
	unsigned int errlog_head;
	unsigned int errlog_count;
	uint32_t next_log_id;

	/* Dump (model-dump.c). */
	bool dump_held;
	bool dump_collecting;    /* the host has started reading it */
	uint32_t dump_id;
	uint32_t dump_size;
	uint8_t dump_origin;
	uint32_t next_dump_id;

	/* Firmware (model-firmware.c). */
	char fw_running[OCXLPMEM_FW_VERSION_LEN + 1];
	char fw_staged[OCXLPMEM_FW_VERSION_LEN + 1]; /* "": nothing staged */
	bool fw_receiving;
	uint32_t fw_image_size;
	uint32_t fw_received;
	uint8_t *fw_image;

	/* Faults (model-faults.c), in the order they were armed: an array of
	 * MODEL_FAULTS_MAX while any is armed, NULL otherwise. */
	struct model_fault_slot *faults;
	unsigned int nfaults;
};

/* splitmix64's output function: every model value derives from it. */
static inline uint64_t model_mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

#define MODEL_GOLDEN 0x9e3779b97f4a7c15ull

/* The n-th value of the splitmix64 sequence that starts at key. */
static inline uint64_t model_rand(uint64_t key, uint64_t n)
{
	return model_mix64(key + (n + 1) * MODEL_GOLDEN);
}

/* Salts that keep the seed-derived streams apart. */
enum model_stream {
	MODEL_STREAM_SERIAL = 1,
	MODEL_STREAM_TEMP,
	MODEL_STREAM_LIFE,
	MODEL_STREAM_POH,
	MODEL_STREAM_VENDOR,
	MODEL_STREAM_STATS,
	MODEL_STREAM_LOG_ID,
	MODEL_STREAM_DUMP_ID,
	MODEL_STREAM_DUMP_DATA,
	MODEL_STREAM_LOG_DATA,
};

static inline uint64_t model_stream_key(uint64_t seed, enum model_stream s)
{
	return model_mix64(seed ^ model_mix64((uint64_t)s * MODEL_GOLDEN));
}

/* Allocation bookkeeping for ocxlpmem_model_memory_bytes() (lock held or
 * before the model is shared). */
static inline void model_mem_add(struct ocxlpmem_model *m, size_t n)
{
	m->mem_bytes += n;
}

static inline void model_mem_sub(struct ocxlpmem_model *m, size_t n)
{
	m->mem_bytes -= n;
}

/* model.c */
uint64_t model_now_ms(struct ocxlpmem_model *m);
/* Milliseconds since power-on (creation), never negative. */
uint64_t model_uptime_ms(struct ocxlpmem_model *m);
/* Since the last reset (the card's IPL). */
uint64_t model_ipl_ms(struct ocxlpmem_model *m);
uint64_t model_events_locked(struct ocxlpmem_model *m);
/* The id counters back to their seeded starts (creation, power cycle). */
void model_ids_restart(struct ocxlpmem_model *m);
/* Recompute the event bits and signal the eventfd when one rose. */
void model_events_update(struct ocxlpmem_model *m);
void model_reply_status(struct model_reply *r, uint8_t status);
/*
 * For the sim backend (lib/transport-sim.c): fn(userdata) is called, with
 * the model's lock held, whenever an event bit rises, besides the eventfd
 * if one was made, and at once when bits are up already.  fn must not call
 * back into the model.
 */
void model_set_notify(struct ocxlpmem_model *m, void (*fn)(void *userdata), void *userdata);
/* Read the eventfd if one was made, to re-arm it; 0 or -errno. */
int model_event_drain(struct ocxlpmem_model *m);

/* model-sensors.c */
int model_temperature_locked(struct ocxlpmem_model *m);
unsigned int model_life_locked(struct ocxlpmem_model *m);
uint64_t model_power_on_seconds_locked(struct ocxlpmem_model *m);
int model_smart(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len, struct model_reply *r);
int model_stats(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len, struct model_reply *r);

/* model-nv.c: the durable part of the card (see the top of that file). */
int model_nv_format(const struct ocxlpmem_model *m, char **ret, size_t *ret_len);
int model_nv_parse(struct ocxlpmem_model *m, const char *text, size_t len);
/* Write the state when it changed since the last write (lock held). */
void model_nv_sync_locked(struct ocxlpmem_model *m);
void model_nv_load(struct ocxlpmem_model *m);

/* model-errlog.c */
int model_errlog_add_locked(struct ocxlpmem_model *m, uint8_t type, uint32_t action_flags,
			    uint32_t prc, const void *data, uint16_t data_len);
/* Drop every entry and the ring. */
void model_errlog_free(struct ocxlpmem_model *m);
/* Replace the log by log[0..n) (a MODEL_ERRLOG_MAX ring, head 0), which the
 * model takes over, entries' data included; n == 0 frees it.  Returns 0. */
int model_errlog_adopt(struct ocxlpmem_model *m, struct model_errlog_entry *log, unsigned int n);
/* The bytes of an entry queued without data: a pure function. */
void model_errlog_content(uint64_t serial, uint32_t log_id, void *buf, size_t len);
int model_errlog_read(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len,
		      struct model_reply *r);
int model_errlog_ack(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len,
		     struct model_reply *r);
int model_request_health(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len,
			 struct model_reply *r);

/* model-dump.c */
int64_t model_dump_raise_locked(struct ocxlpmem_model *m, uint32_t size, uint8_t origin);
int model_dump_start(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len,
		     struct model_reply *r);
int model_dump_data(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len,
		    struct model_reply *r);
int model_dump_complete(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len,
			struct model_reply *r);

/* model-firmware.c */
/* A card reset: a staged image becomes the running one, an update in
 * progress is lost. */
void model_fw_reset_locked(struct ocxlpmem_model *m);
void model_fw_discard_locked(struct ocxlpmem_model *m);
int model_fw_start(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len,
		   struct model_reply *r);
int model_fw_block(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len,
		   struct model_reply *r);
int model_fw_finish(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len,
		    struct model_reply *r);
int model_fw_abort(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len,
		   struct model_reply *r);
int model_fw_info(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len,
		  struct model_reply *r);

/* model-faults.c */
struct model_fault_hit {
	struct ocxlpmem_fault fault; /* kind NONE: no fault applies */
	bool remove_now;             /* a REMOVE_AFTER ran out before this command */
	bool remove_after;           /* ... with this command */
};

/* Disarm every fault and free the table (lock held). */
void model_faults_free(struct ocxlpmem_model *m);
/* Which armed fault applies to a command of this function (lock held). */
void model_faults_match(struct ocxlpmem_model *m, unsigned int function,
			struct model_fault_hit *ret);
/*
 * Block a command in a HANG (until released, freed or delay_ms) or TIMEOUT
 * (delay_ms, or until freed) fault.  Called with the lock held; the lock is
 * released while waiting.  Returns -ETIMEDOUT.
 */
int model_fault_wait(struct ocxlpmem_model *m, unsigned int delay_ms, bool hang);
/*
 * Damage a complete reply (header + data_len bytes at buf) the way
 * corruption says.  hdr_word: the data starts with the card's header word;
 * reserved_off: a reserved byte in the data (-1: none).
 */
void model_fault_corrupt(uint8_t *buf, size_t data_len, enum ocxlpmem_corruption corruption,
			 bool hdr_word, int reserved_off);

#endif /* OCXLPMEM_MODEL_PRIVATE_H */
