// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The kernel backend: the ops table, discovery with libndctl, and keeping
 * the reported cards in line with what sysfs and udev say.
 *
 * A card is a DIMM (nmemN) of a libnvdimm bus whose provider is
 * "ocxlpmem"; its identity comes from the DIMM's ocxlpmem/ attributes
 * (ocxlpmem-abi(7), SYSFS).  A DIMM of a papr_scm bus is a card of a
 * second provider, served from its PDSM (transport-papr.h).  Buses of
 * other providers (ACPI.NFIT, nfit_test) are skipped without a look at
 * their DIMMs.
 *
 * Every scan enumerates afresh with a new libndctl context: libndctl caches
 * what it found and has no way to forget a bus that went away.
 *
 * Just over 700 lines since the second provider (papr_scm) and the v4
 * character device joined; their own parts are transport-papr.c and
 * transport-chardev.c, what stays here is the discovery they share.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <ndctl/libndctl.h>

#include "private.h"
#include "transport-chardev.h"
#include "transport-kernel.h"
#include "transport-papr.h"
#include "transport-private.h"

struct kernel_card {
	char devname[32];      /* nmemN: the card id */
	char path[128];        /* /sys/bus/nd/devices/nmemN */
	int fd;                /* /dev/nmemN, read-write */
	struct kernel_events ev;
	int kick_fd;           /* dup of the hotplug eventfd */
	/* Positive errno once the driver refused the DIMM (any thread). */
	atomic_int refused;
	atomic_uint refused_function;
	/* The v4 character device of the card's PCI function, or NULL. */
	struct chardev *cd;
	/* Commands go through cd (set once, on a command thread). */
	atomic_bool use_chardev;
	/* A papr_scm DIMM: commands are answered from its PDSM. */
	bool papr;
	uint64_t serial;
};

/* A DIMM not to report, by name, until udev adds it anew or it is gone. */
enum mark_kind {
	MARK_REMOVED, /* udev said "remove"; its sysfs directory may linger */
	MARK_REFUSED, /* unusable; the reason was logged once */
};

struct dimm_mark {
	char devname[32];
	enum mark_kind kind;
	bool seen; /* during the current enumeration */
};

struct kernel_backend {
	struct kernel_hotplug *hotplug;
	struct ocxlpmem_kernel_options opts;
	struct dimm_mark *marks;
	size_t nmarks;
	bool scanned;
};

static void klog(struct kernel_backend *kb, int priority, const char *dimm, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void klog(struct kernel_backend *kb, int priority, const char *dimm, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!kb->opts.log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kb->opts.log(kb->opts.log_userdata, priority, dimm, msg);
}

/* ---- Marks --------------------------------------------------------------- */

static struct dimm_mark *mark_find(struct kernel_backend *kb, const char *devname)
{
	for (size_t i = 0; i < kb->nmarks; i++)
		if (strcmp(kb->marks[i].devname, devname) == 0)
			return &kb->marks[i];
	return NULL;
}

static int mark_set(struct kernel_backend *kb, const char *devname, enum mark_kind kind)
{
	struct dimm_mark *m = mark_find(kb, devname);

	if (!m) {
		m = realloc(kb->marks, (kb->nmarks + 1) * sizeof(*m));
		if (!m)
			return -ENOMEM;
		kb->marks = m;
		m = &kb->marks[kb->nmarks++];
		snprintf(m->devname, sizeof(m->devname), "%s", devname);
	}
	m->kind = kind;
	m->seen = true;
	return 0;
}

static void mark_drop(struct kernel_backend *kb, struct dimm_mark *m)
{
	size_t i = (size_t)(m - kb->marks);

	memmove(&kb->marks[i], &kb->marks[i + 1], (kb->nmarks - i - 1) * sizeof(*m));
	kb->nmarks--;
}

/* ---- Card ops --------------------------------------------------------------- */

static int kernel_call(struct ocxlpmem_card *c, unsigned int function, const void *in,
		       size_t in_len, void *out, size_t out_cap, unsigned int timeout_ms,
		       size_t *ret_fw_size)
{
	struct kernel_card *k = c->backend;
	int refused = atomic_load(&k->refused);
	int r;

	if (!atomic_load(&c->present))
		return -ENXIO;
	/* A refused DIMM is not asked again: the answer will not change
	 * until the driver is rebound, and that makes a new card. */
	if (refused)
		return -refused;
	/* timeout_ms cannot be passed on: the driver applies the card's own
	 * timeouts, and the executor abandons a call that overruns. */
	if (k->papr) {
		r = papr_call(k->fd, k->serial, function, out, out_cap, ret_fw_size);
		return r < 0 && !atomic_load(&c->present) ? -ENXIO : r;
	}
	if (atomic_load(&k->use_chardev))
		r = chardev_call(k->cd, k->fd, function, in, in_len, out, out_cap, ret_fw_size);
	else
		r = kernel_tunnel_call(k->fd, function, in, in_len, out, out_cap, ret_fw_size);
	/*
	 * A driver that refuses the family on CAPABILITIES (the first command
	 * a card gets) but has the v4 character device: a v4 driver.  From
	 * now on this card is served through that device.
	 */
	if (r < 0 && k->cd && !atomic_load(&k->use_chardev) &&
	    function == OCXLPMEM_FN_CAPABILITIES && (r == -ENOTTY || r == -EINVAL)) {
		atomic_store(&k->use_chardev, true);
		r = chardev_call(k->cd, k->fd, function, in, in_len, out, out_cap, ret_fw_size);
	}
	if (r < 0 && !atomic_load(&k->use_chardev) && kernel_tunnel_refused(function, r)) {
		int none = 0;

		atomic_store(&k->refused_function, function);
		if (atomic_compare_exchange_strong(&k->refused, &none, -r))
			kernel_kick(k->kick_fd);
	}
	/* Removed while the call ran: whatever failed, the reason is that. */
	if (r < 0 && !atomic_load(&c->present))
		r = -ENXIO;
	return r;
}

static int kernel_event_fd(struct ocxlpmem_card *c)
{
	struct kernel_card *k = c->backend;

	return k->ev.epoll_fd;
}

static int kernel_event_ack(struct ocxlpmem_card *c, uint64_t *ret_events)
{
	struct kernel_card *k = c->backend;
	uint64_t ignored;
	int r;

	if (k->ev.epoll_fd < 0)
		return 0;
	if (!k->cd || chardev_eventfd(k->cd) < 0)
		return kernel_events_ack(&k->ev, ret_events);
	/*
	 * The v4 eventfd carries no bits: ask the device, now (an MMIO read
	 * in the driver), for after a fatal event it takes the nvdimm bus
	 * and the card down before a queued command could ask.
	 */
	if (k->ev.attr_fd >= 0)
		(void)kernel_events_ack(&k->ev, &ignored);
	r = chardev_events(k->cd, ret_events);
	return r < 0 ? r : 1;
}

static const char *kernel_card_transport(const struct ocxlpmem_card *c)
{
	struct kernel_card *k = c->backend;

	if (k->papr)
		return "papr";
	return atomic_load(&k->use_chardev) ? "chardev" : "tunnel";
}

static void kernel_card_free(struct ocxlpmem_card *c)
{
	struct kernel_card *k = c->backend;

	if (!k)
		return;
	kernel_events_close(&k->ev);
	chardev_free(k->cd);
	if (k->fd >= 0)
		close(k->fd);
	if (k->kick_fd >= 0)
		close(k->kick_fd);
	free(k);
}

/* ---- Discovery ----------------------------------------------------------- */

static const struct ocxlpmem_transport_ops kernel_ops;

/* Identity from sysfs; a DIMM without a serial is not an ocxlpmem card of
 * this ABI (the daemon keys everything on the serial). */
static int read_identity(const char *path, uint64_t *ret_serial, char *fw_version,
			 char *reason, size_t cap)
{
	char attr[192], text[64];
	ssize_t n;
	int r;

	snprintf(attr, sizeof(attr), "%s/ocxlpmem/serial", path);
	n = kernel_sysfs_read(attr, text, sizeof(text));
	if (n < 0) {
		snprintf(reason, cap, "no readable ocxlpmem/serial attribute (%s): not a driver of ocxlpmem-abi(7) version 1",
			 strerror((int)-n));
		return (int)n;
	}
	r = kernel_sysfs_parse_serial(text, (size_t)n, ret_serial);
	if (r < 0 || *ret_serial == 0) {
		snprintf(reason, cap, "ocxlpmem/serial is not a serial number");
		return -EBADMSG;
	}
	/* The firmware version is a hint only: CAPABILITIES tells for sure. */
	fw_version[0] = '\0';
	snprintf(attr, sizeof(attr), "%s/ocxlpmem/fw_version", path);
	n = kernel_sysfs_read(attr, text, sizeof(text));
	if (n >= 0)
		(void)kernel_sysfs_parse_fw_version(text, (size_t)n, fw_version);
	return 0;
}

/* The DIMM's region and how many namespaces it carries, for the record. */
static void describe_region(struct kernel_backend *kb, struct ndctl_bus *bus,
			    struct ndctl_dimm *dimm, const char *devname)
{
	struct ndctl_region *region;

	ndctl_region_foreach(bus, region) {
		struct ndctl_namespace *ns;
		struct ndctl_dimm *d;
		unsigned int nns = 0;
		bool mine = false;

		ndctl_dimm_foreach_in_region(region, d)
			mine |= d == dimm;
		if (!mine)
			continue;
		ndctl_namespace_foreach(region, ns)
			nns++;
		klog(kb, LOG_DEBUG, devname, "bus %s, %s of %llu bytes, %u namespace%s",
		     ndctl_bus_get_devname(bus), ndctl_region_get_devname(region),
		     ndctl_region_get_size(region), nns, nns == 1 ? "" : "s");
		return;
	}
	klog(kb, LOG_DEBUG, devname, "bus %s, no region", ndctl_bus_get_devname(bus));
}

static void refuse(struct kernel_backend *kb, const char *devname, const char *reason)
{
	klog(kb, LOG_ERR, devname, "%s; not monitored until the DIMM is added again", reason);
	(void)mark_set(kb, devname, MARK_REFUSED);
}

/*
 * The v4 character device of the DIMM's card, as the configured transport
 * asks.  1 to go on, 0 when the DIMM is refused (said), or -errno.
 */
static int chardev_attach(struct kernel_backend *kb, struct kernel_card *k, uint64_t serial,
			  const char *fw_version)
{
	enum ocxlpmem_kernel_transport mode = kb->opts.transport;
	char node[64], reason[256];
	dev_t devnum = 0;
	int r;

	if (mode == OCXLPMEM_KERNEL_TUNNEL)
		return 1;
	r = chardev_find(k->devname, node, sizeof(node), &devnum);
	if (r == -ENOENT && mode == OCXLPMEM_KERNEL_AUTO)
		return 1;
	if (r == -ENOENT) {
		refuse(kb, k->devname,
		       "the configured transport is chardev, and no ocxlpmem character device (/dev/ocxlpmemN) shares the DIMM's PCI function");
		return 0;
	}
	if (r < 0)
		return r;
	r = chardev_open(node, devnum, serial, fw_version, &k->cd, reason, sizeof(reason));
	if (r < 0) {
		/* In AUTO mode the family may well work: try it alone. */
		if (mode == OCXLPMEM_KERNEL_AUTO) {
			klog(kb, LOG_WARNING, k->devname, "%s; using /dev/%s only", reason,
			     k->devname);
			return 1;
		}
		refuse(kb, k->devname, reason);
		return 0;
	}
	atomic_store(&k->use_chardev, mode == OCXLPMEM_KERNEL_CHARDEV);
	klog(kb, LOG_DEBUG, k->devname, "v4 character device %s%s", node,
	     chardev_eventfd(k->cd) >= 0 ? ", events by eventfd" : ", no eventfd: events polled");
	if (chardev_eventfd(k->cd) >= 0) {
		r = kernel_events_add_fd(&k->ev, chardev_eventfd(k->cd));
		if (r < 0)
			return r;
	}
	return 1;
}

static int card_make(struct ocxlpmem_transport *t, struct ndctl_bus *bus,
		     struct ndctl_dimm *dimm, const char *devname, uint64_t serial,
		     const char *fw_version, bool papr)
{
	struct kernel_backend *kb = t->backend;
	struct ocxlpmem_card *c;
	struct kernel_card *k;
	char reason[256];
	int r;

	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->fd = k->kick_fd = -1;
	k->ev.epoll_fd = k->ev.attr_fd = k->ev.inotify_fd = -1;
	snprintf(k->devname, sizeof(k->devname), "%s", devname);
	k->papr = papr;
	k->serial = serial;
	snprintf(k->path, sizeof(k->path), "/sys/bus/nd/devices/%s", devname);

	r = kernel_tunnel_open(devname, ndctl_dimm_get_major(dimm), ndctl_dimm_get_minor(dimm),
			       &k->fd, reason, sizeof(reason));
	if (r == -ENOENT) {
		/* udev has not made the node yet; its "add" event will come
		 * once it has, and with it a new scan. */
		klog(kb, LOG_DEBUG, devname, "%s; waiting for udev", reason);
		free(k);
		return 0;
	}
	if (r < 0) {
		/* Not worth retrying at every event: the node's permissions or
		 * identity change only with a new device. */
		refuse(kb, devname, reason);
		free(k);
		return 0;
	}
	k->kick_fd = kernel_hotplug_kick_fd(kb->hotplug);
	if (k->kick_fd < 0) {
		r = -errno;
		kernel_card_free(&(struct ocxlpmem_card){ .backend = k });
		return r;
	}
	/* A papr DIMM has neither: its health is polled. */
	r = papr ? -ENOENT : kernel_events_open(k->path, &k->ev);
	if (r < 0 && !papr)
		klog(kb, LOG_DEBUG, devname, "no ocxlpmem/events (%s)", strerror(-r));
	r = papr ? 1 : chardev_attach(kb, k, serial, fw_version);
	if (r <= 0) {
		kernel_card_free(&(struct ocxlpmem_card){ .backend = k });
		return r;
	}

	r = transport_card_new(&kernel_ops, devname, k, &c);
	if (r < 0) {
		kernel_card_free(&(struct ocxlpmem_card){ .backend = k });
		return r;
	}
	c->serial_hint = serial;
	snprintf(c->fw_version_hint, sizeof(c->fw_version_hint), "%s", fw_version);
	describe_region(kb, bus, dimm, devname);
	r = transport_card_add(t, c);
	if (r < 0)
		ocxlpmem_card_unref(c);
	return r;
}

/*
 * A bus of papr_scm, as libndctl tells it: its device-tree node is
 * compatible with "ibm,pmemory".  Not by the provider name: papr_scm
 * names its bus after its platform device, one name per LPAR volume.
 */
static bool bus_is_papr(struct ndctl_bus *bus)
{
	return ndctl_bus_is_papr_scm(bus) != 0;
}

/* One DIMM of an ocxlpmem or papr_scm bus, as enumeration finds it. */
static int reconcile_dimm(struct ocxlpmem_transport *t, struct ndctl_bus *bus,
			  struct ndctl_dimm *dimm)
{
	struct kernel_backend *kb = t->backend;
	const char *devname = ndctl_dimm_get_devname(dimm);
	char path[128], reason[256], fw[OCXLPMEM_FW_VERSION_LEN + 1];
	struct dimm_mark *mark = mark_find(kb, devname);
	struct ocxlpmem_card *c;
	bool papr = bus_is_papr(bus);
	uint64_t serial;
	int r;

	if (mark) {
		mark->seen = true;
		return 0;
	}
	c = transport_card_find(t, devname);
	snprintf(path, sizeof(path), "/sys/bus/nd/devices/%s", devname);
	if (papr) {
		fw[0] = '\0';
		r = papr_read_serial(path, &serial, reason, sizeof(reason));
	} else {
		r = read_identity(path, &serial, fw, reason, sizeof(reason));
	}
	if (r < 0) {
		if (c)
			transport_card_remove(t, c);
		refuse(kb, devname, reason);
		return 0;
	}
	if (c) {
		if (c->serial_hint == serial)
			return 0;
		/* The same name for another card: a remove and an add that we
		 * heard of only as a change.  The old one is gone. */
		transport_card_remove(t, c);
	}
	return card_make(t, bus, dimm, devname, serial, fw, papr);
}

struct found_dimm {
	struct ndctl_bus *bus;
	struct ndctl_dimm *dimm;
};

static int found_cmp(const void *a, const void *b)
{
	unsigned int x = ndctl_dimm_get_id(((const struct found_dimm *)a)->dimm);
	unsigned int y = ndctl_dimm_get_id(((const struct found_dimm *)b)->dimm);

	return x < y ? -1 : x > y;
}

/*
 * The DIMMs of every ocxlpmem and papr_scm bus, in DIMM number order: sysfs lists them
 * in no order, and cards first seen together get their names in this one
 * (nmem0 before nmem1), which is what an operator expects.
 */
static int collect_dimms(struct ndctl_ctx *ctx, struct found_dimm **ret, size_t *ret_n)
{
	struct found_dimm *v = NULL;
	struct ndctl_bus *bus;
	size_t n = 0;

	ndctl_bus_foreach(ctx, bus) {
		const char *provider = ndctl_bus_get_provider(bus);
		struct ndctl_dimm *dimm;

		/* Other providers (ACPI.NFIT, nfit_test) are not ours: not
		 * even their DIMMs are looked at. */
		if ((!provider || strcmp(provider, OCXLPMEM_PROVIDER) != 0) && !bus_is_papr(bus))
			continue;
		ndctl_dimm_foreach(bus, dimm) {
			struct found_dimm *nv = realloc(v, (n + 1) * sizeof(*nv));

			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
			v[n].bus = bus;
			v[n].dimm = dimm;
			n++;
		}
	}
	if (n)
		qsort(v, n, sizeof(*v), found_cmp);
	*ret = v;
	*ret_n = n;
	return 0;
}

static void ndctl_log(struct ndctl_ctx *ctx, int priority, const char *file, int line,
		      const char *fn, const char *format, va_list args)
	__attribute__((format(printf, 6, 0)));

static void ndctl_log(struct ndctl_ctx *ctx, int priority, const char *file, int line,
		      const char *fn, const char *format, va_list args)
{
	struct kernel_backend *kb = ndctl_get_userdata(ctx);
	char msg[512];
	size_t n;

	if (!kb || !kb->opts.log)
		return;
	vsnprintf(msg, sizeof(msg), format, args);
	n = strlen(msg);
	if (n && msg[n - 1] == '\n')
		msg[n - 1] = '\0';
	kb->opts.log(kb->opts.log_userdata, LOG_DEBUG, NULL, msg);
}

static int kernel_reconcile(struct ocxlpmem_transport *t)
{
	struct kernel_backend *kb = t->backend;
	struct ocxlpmem_card **present = NULL;
	struct found_dimm *found = NULL;
	struct ndctl_ctx *ctx;
	size_t npresent = t->ncards, nfound = 0;
	int r, ret = 0;

	r = ndctl_new(&ctx);
	if (r < 0)
		return r;
	ndctl_set_userdata(ctx, kb);
	ndctl_set_log_fn(ctx, ndctl_log);
	/*
	 * Errors only: its debug and info messages come at every scan, and
	 * the priority also applies to the libdaxctl context inside, which
	 * prints to stderr by itself.
	 */
	ndctl_set_log_priority(ctx, LOG_NOTICE);

	/* Cards reported before this enumeration; those not found again go. */
	if (npresent) {
		present = calloc(npresent, sizeof(*present));
		if (!present) {
			ndctl_unref(ctx);
			return -ENOMEM;
		}
		memcpy(present, t->cards, npresent * sizeof(*present));
		for (size_t i = 0; i < npresent; i++)
			ocxlpmem_card_ref(present[i]);
	}
	for (size_t i = 0; i < kb->nmarks; i++)
		kb->marks[i].seen = false;

	r = collect_dimms(ctx, &found, &nfound);
	if (r < 0) {
		/* Knowing nothing is no reason to drop every card. */
		for (size_t i = 0; i < npresent; i++)
			ocxlpmem_card_unref(present[i]);
		free(present);
		ndctl_unref(ctx);
		return r;
	}
	for (size_t j = 0; j < nfound; j++) {
		const char *devname = ndctl_dimm_get_devname(found[j].dimm);
		struct ocxlpmem_card *before = transport_card_find(t, devname);

		r = reconcile_dimm(t, found[j].bus, found[j].dimm);
		if (r < 0 && !ret)
			ret = r;
		/* The very same card object is still there: keep it. */
		if (!before || transport_card_find(t, devname) != before)
			continue;
		for (size_t i = 0; i < npresent; i++)
			if (present[i] == before) {
				ocxlpmem_card_unref(present[i]);
				present[i] = NULL;
			}
	}
	free(found);
	/* Whatever was not found again is gone. */
	for (size_t i = 0; i < npresent; i++) {
		if (!present[i])
			continue;
		if (transport_card_find(t, present[i]->id) == present[i])
			transport_card_remove(t, present[i]);
		ocxlpmem_card_unref(present[i]);
	}
	free(present);
	/* Marks of DIMMs that are gone from sysfs have served. */
	for (size_t i = kb->nmarks; i-- > 0;)
		if (!kb->marks[i].seen)
			mark_drop(kb, &kb->marks[i]);
	ndctl_unref(ctx);
	return ret;
}

/* ---- Transport ops -------------------------------------------------------- */

static int kernel_scan(struct ocxlpmem_transport *t)
{
	struct kernel_backend *kb = t->backend;

	kb->scanned = true;
	return kernel_reconcile(t);
}

static int kernel_hotplug_fd_op(struct ocxlpmem_transport *t)
{
	struct kernel_backend *kb = t->backend;

	return kernel_hotplug_fd(kb->hotplug);
}

/* Cards whose driver refused them on a command thread: say why, once, and
 * stop reporting them. */
static void drop_refused(struct ocxlpmem_transport *t)
{
	struct kernel_backend *kb = t->backend;

	for (size_t i = t->ncards; i-- > 0;) {
		struct ocxlpmem_card *c = t->cards[i];
		struct kernel_card *k = c->backend;
		int err = atomic_load(&k->refused);
		char reason[256];

		if (!err)
			continue;
		snprintf(reason, sizeof(reason), "%s failed with %s: %s",
			 ocxlpmem_function_name(atomic_load(&k->refused_function)),
			 strerrorname_np(err) ? strerrorname_np(err) : "error",
			 kernel_tunnel_strerror(err));
		refuse(kb, c->id, reason);
		transport_card_remove(t, c);
	}
}

static int kernel_hotplug_process(struct ocxlpmem_transport *t)
{
	struct kernel_backend *kb = t->backend;
	struct kernel_hotplug_changes ch = { 0 };
	int r;

	r = kernel_hotplug_drain(kb->hotplug, &ch);
	/* Nothing is reported before the first scan, as with the simulation. */
	if (!kb->scanned)
		goto out;
	for (size_t i = 0; i < ch.ndimms; i++) {
		const char *name = ch.dimms[i].name;
		struct dimm_mark *m = mark_find(kb, name);

		struct ocxlpmem_card *c = transport_card_find(t, name);

		if (ch.dimms[i].added) {
			/* A new device: whatever we held against the old one
			 * (refusal, removal) no longer applies. */
			if (m)
				mark_drop(kb, m);
			continue;
		}
		if (c)
			transport_card_remove(t, c);
		(void)mark_set(kb, name, MARK_REMOVED);
	}
	drop_refused(t);
	if (ch.rescan) {
		int rr = kernel_reconcile(t);

		if (rr < 0 && r >= 0)
			r = rr;
	}
out:
	kernel_hotplug_changes_clear(&ch);
	return r;
}

static void kernel_free(struct ocxlpmem_transport *t)
{
	struct kernel_backend *kb = t->backend;

	kernel_hotplug_free(kb->hotplug);
	free(kb->marks);
	free(kb);
}

static const struct ocxlpmem_transport_ops kernel_ops = {
	.name = "kernel",
	.scan = kernel_scan,
	.hotplug_fd = kernel_hotplug_fd_op,
	.hotplug_process = kernel_hotplug_process,
	.call = kernel_call,
	.event_fd = kernel_event_fd,
	.event_ack = kernel_event_ack,
	.card_transport = kernel_card_transport,
	.card_free = kernel_card_free,
	.free = kernel_free,
};

OCXLPMEM_EXPORT int ocxlpmem_transport_new_kernel(const struct ocxlpmem_kernel_options *opts,
						  struct ocxlpmem_transport **ret)
{
	struct kernel_backend *kb;
	int r;

	if (!ret)
		return -EINVAL;
	kb = calloc(1, sizeof(*kb));
	if (!kb)
		return -ENOMEM;
	if (opts)
		kb->opts = *opts;
	r = kernel_hotplug_new(&kb->hotplug);
	if (r < 0) {
		free(kb);
		return r;
	}
	r = transport_new(&kernel_ops, kb, ret);
	if (r < 0) {
		kernel_hotplug_free(kb->hotplug);
		free(kb);
	}
	return r;
}
