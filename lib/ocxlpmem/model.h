/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The card model: an in-process emulation of one OpenCAPI persistent-memory
 * card and its driver, answering the OCXL command family byte for byte as
 * ocxlpmem-abi(7) says.  It is what `ocxlpmemd --simulate` runs and what
 * every test drives, so it models the awkward parts too: drifting sensors,
 * queued error logs, dumps, firmware staging, fatal states and a fault for
 * every error path.
 *
 * Thread safety: every function may be called from any thread.  A command
 * that "hangs" does not hold the model's lock, so fault injection and
 * ocxlpmem_model_release_hangs() work while a command is stuck.
 */
#ifndef OCXLPMEM_MODEL_H
#define OCXLPMEM_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ocxlpmem/abi.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ocxlpmem_model;

struct ocxlpmem_model_config {
	uint64_t serial;              /* PCI DSN; 0 picks one from seed */
	const char *fw_version;       /* up to 8 ASCII chars; NULL: "1.0.0000" */
	uint64_t memory_size;         /* bytes; 0: 256 GiB */
	uint32_t max_dump_size;       /* 0: 256 MiB */
	uint32_t admin_buffer_size;   /* dump chunk limit; 0: 64 KiB */
	uint32_t max_image_size;      /* firmware; 0: 16 MiB */
	uint64_t seed;                /* drives sensor drift and content */
	/*
	 * Clock in ms for sensor drift, power-on time and timestamps.  NULL:
	 * CLOCK_MONOTONIC.  Tests pass their own for determinism.
	 */
	uint64_t (*clock_ms)(void *userdata);
	void *clock_userdata;
	/*
	 * Real-time delays: when false (tests), commands complete at once and
	 * only explicit hang/timeout faults sleep.  When true (simulation),
	 * dumps and firmware blocks take a card-like time.
	 */
	bool realistic_latency;
	/*
	 * Non-volatile state: the error log, the held dump, the id counters
	 * and the firmware slots survive in DIR/card-SERIAL.nv, as a card
	 * keeps them when the host software dies.  NULL: nothing survives.
	 */
	const char *nvram_dir;
};

/* 0 or -errno; *ret untouched on failure. */
int ocxlpmem_model_new(const struct ocxlpmem_model_config *cfg, struct ocxlpmem_model **ret);
/* Releases hung commands first; NULL is fine.  Returns NULL. */
struct ocxlpmem_model *ocxlpmem_model_free(struct ocxlpmem_model *m);

uint64_t ocxlpmem_model_serial(const struct ocxlpmem_model *m);
/*
 * Bytes the model has allocated for itself (the sizes it asked for, without
 * the allocator's overhead).  A new model holds only its fixed state; the
 * error-log ring, the fault table and a firmware image being received are
 * allocated when first needed and freed when empty again.
 */
size_t ocxlpmem_model_memory_bytes(struct ocxlpmem_model *m);

/*
 * Answer one tunnelled command the way the driver fills nd_cmd_pkg:
 * in/in_len is nd_payload's input, out/out_cap the space for output
 * (nd_size_out).  *ret_fw_size gets nd_fw_size: the bytes the card wanted to
 * return (larger than out_cap when the output was truncated).
 *
 * Returns 0 when the command reached the card (the card's status is in the
 * reply header), or the -errno the ioctl would fail with:
 *   -ENOTTY     a function the driver does not implement (set_functions)
 *   -EINVAL     unknown function, input too short/long, out_cap < 8
 *   -ENXIO      the card is gone (removed, or taken down after a fatal error)
 *   -ETIMEDOUT  the card did not answer within the command's timeout
 *   -EBUSY, -EAGAIN, -EIO  when injected
 */
int ocxlpmem_model_call(struct ocxlpmem_model *m, unsigned int function,
			const void *in, size_t in_len, void *out, size_t out_cap,
			size_t *ret_fw_size);

/*
 * An eventfd (EFD_NONBLOCK) that the model signals whenever a bit of the
 * EVENT_CHECK set becomes set, the way the driver sysfs_notify()s `events`.
 * Owned by the model; read it to re-arm.  Made on the first call (readable
 * at once when bits are set already), so a model nobody watches this way
 * holds no descriptor; -errno when it cannot be made (-EMFILE).
 */
int ocxlpmem_model_event_fd(struct ocxlpmem_model *m);
/* The bits EVENT_CHECK would return now (also works when removed). */
uint64_t ocxlpmem_model_events(struct ocxlpmem_model *m);
/* True once the card is gone: surprise removal or a fatal error. */
bool ocxlpmem_model_is_removed(struct ocxlpmem_model *m);

/* ---- Scenario controls (what happens to a card in the field) ------------- */

/* Queue an error-log entry; returns its log_identifier, or -ENOSPC when the
 * card's queue (256 entries) is full. data may be NULL (deterministic bytes). */
int ocxlpmem_model_add_error_log(struct ocxlpmem_model *m, uint8_t type, uint32_t action_flags,
				 uint32_t prc, const void *data, uint16_t data_len);
/* Entries queued and not yet acknowledged. */
unsigned int ocxlpmem_model_error_log_pending(struct ocxlpmem_model *m);
/* The card makes a dump by itself (raises CONTROLLER_DUMP_AVAILABLE).
 * Returns the dump_id, or -EBUSY when a dump is already held. */
int64_t ocxlpmem_model_raise_dump(struct ocxlpmem_model *m, uint32_t size);
/* The dump the card holds, if any. */
bool ocxlpmem_model_dump_held(struct ocxlpmem_model *m, uint32_t *ret_dump_id, uint32_t *ret_size);
/* Deterministic content: byte offset..offset+len of dump dump_id of a card
 * with this serial.  Tests compare every saved byte against it. */
void ocxlpmem_model_dump_content(uint64_t serial, uint32_t dump_id, uint64_t offset,
				 void *buf, size_t len);
/* The same for a dump made after the card's power_cycles-th power cycle
 * (ocxlpmem_model_power_cycle()): ids come back, the content differs. */
void ocxlpmem_model_dump_content_after(uint64_t serial, uint32_t power_cycles, uint32_t dump_id,
				       uint64_t offset, void *buf, size_t len);
/* Force sensor values (a thermal event, a worn card); < 0 resumes drift. */
void ocxlpmem_model_set_temperature(struct ocxlpmem_model *m, int celsius);
void ocxlpmem_model_set_life_remaining(struct ocxlpmem_model *m, int pct);
/* Hide an attribute from SMART (an older firmware that lacks it). */
void ocxlpmem_model_drop_smart_attr(struct ocxlpmem_model *m, uint8_t id);
/*
 * The functions the card's driver implements (bit n: function n), which
 * CAPABILITIES reports; every other function fails with -ENOTTY, as the
 * ioctl does for a function a driver lacks.  A consumer reads the mask at
 * attach, so a change shows to it after a reset (a driver rebind).  The
 * mask must keep CAPABILITIES (a driver without it is not one of
 * ocxlpmem-abi(7)) and name no function above OCXLPMEM_FN_MAX: else
 * -EINVAL.  A new model implements them all.
 */
#define OCXLPMEM_MODEL_FUNCTIONS_ALL OCXLPMEM_FN_ALL_MASK
int ocxlpmem_model_set_functions(struct ocxlpmem_model *m, uint32_t functions);
uint32_t ocxlpmem_model_functions(struct ocxlpmem_model *m);
/* Enter a fatal state: flags set, event raised, then the card goes away. */
void ocxlpmem_model_set_fatal(struct ocxlpmem_model *m, bool hardware);
/* A card reset: clears fatal state and removal, activates a staged image. */
void ocxlpmem_model_reset(struct ocxlpmem_model *m);
/*
 * Power lost and restored: the card forgets its volatile state (queued
 * error-log entries, a held dump, an update in progress, a fatal state)
 * and its error-log and dump id counters start again where they started
 * at creation, so old ids come back for new entries and dumps.  The
 * firmware slots, the power-on time (which goes on by the card's
 * readiness timeout, the time it boots) and the reset count are kept; the
 * power cycles are counted (ocxlpmem_model_dump_content_after()).
 */
void ocxlpmem_model_power_cycle(struct ocxlpmem_model *m);
/* Surprise removal now. */
void ocxlpmem_model_remove(struct ocxlpmem_model *m);

/* ---- Fault injection: every error path ------------------------------------ */

enum ocxlpmem_fault_kind {
	OCXLPMEM_FAULT_NONE = 0,
	OCXLPMEM_FAULT_STATUS,       /* the card answers with status */
	OCXLPMEM_FAULT_TIMEOUT,      /* -ETIMEDOUT after the command's timeout */
	OCXLPMEM_FAULT_HANG,         /* the call blocks for delay_ms (0: until released) */
	OCXLPMEM_FAULT_ERRNO,        /* the ioctl fails with -err (EBUSY, EAGAIN, EIO...) */
	OCXLPMEM_FAULT_TRUNCATE,     /* the reply is cut to truncate_to bytes */
	OCXLPMEM_FAULT_CORRUPT,      /* a reply byte is damaged (header id, reserved, length) */
	OCXLPMEM_FAULT_REMOVE_AFTER, /* surprise removal after `after` more commands */
	OCXLPMEM_FAULT_NOT_READY,    /* controller not ready / memory unavailable */
	OCXLPMEM_FAULT_SLOW,         /* the card answers normally, delay_ms late */
};

enum ocxlpmem_corruption {
	OCXLPMEM_CORRUPT_HEADER_ID = 0, /* the 'EL'/'CD'/'CS'/'SM' id is wrong */
	OCXLPMEM_CORRUPT_RESERVED,      /* a reserved field is non-zero */
	OCXLPMEM_CORRUPT_LENGTH,        /* a length disagrees with the data */
};

struct ocxlpmem_fault {
	enum ocxlpmem_fault_kind kind;
	unsigned int function;   /* 0: any function */
	unsigned int count;      /* commands it applies to; 0: until cleared */
	unsigned int skip;       /* matching commands to let through first */
	uint8_t status;          /* STATUS */
	int err;                 /* ERRNO: positive errno */
	unsigned int delay_ms;   /* HANG, TIMEOUT (0: the command's timeout), SLOW */
	size_t truncate_to;      /* TRUNCATE */
	enum ocxlpmem_corruption corruption; /* CORRUPT */
	unsigned int after;      /* REMOVE_AFTER */
};

/* Several faults may be armed; the first that matches a command applies.
 * Returns 0 or -EINVAL (bad kind/values), -ENOSPC (16 armed already). */
int ocxlpmem_model_inject(struct ocxlpmem_model *m, const struct ocxlpmem_fault *f);
void ocxlpmem_model_clear_faults(struct ocxlpmem_model *m);
/* Wake every command blocked in a HANG fault (they return -ETIMEDOUT). */
void ocxlpmem_model_release_hangs(struct ocxlpmem_model *m);
/* Commands the model has answered (or failed), per function; 0 = total. */
uint64_t ocxlpmem_model_call_count(struct ocxlpmem_model *m, unsigned int function);

/* Stable names for fault kinds ("status", "timeout", "hang", ...). */
const char *ocxlpmem_fault_kind_name(enum ocxlpmem_fault_kind kind);
int ocxlpmem_fault_kind_from_name(const char *name); /* -EINVAL if unknown */

#ifdef __cplusplus
}
#endif

#endif /* OCXLPMEM_MODEL_H */
