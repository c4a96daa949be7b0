/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel backend's test bench: a umockdev test bed with N ocxlpmem
 * cards (PCI function, nd bus, control device, DIMM, region, namespace,
 * the DIMM's ocxlpmem/ attributes), whose /dev/nmemN answers ND_IOCTL_CALL
 * with the card model, driven by line commands on a control socket.
 *
 *   testbed-cards.c   the sysfs side: devices, attributes, uevents
 *   testbed-ioctl.c   the driver side: ND_IOCTL_CALL through the model
 *   testbed-main.c    options, the control socket, the "driver" loop
 */
#ifndef OCXLPMEM_TESTBED_H
#define OCXLPMEM_TESTBED_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <umockdev.h>

#include <ocxlpmem/ocxlpmem.h>

#define TB_MAX_CARDS 64

struct tb_card {
	unsigned int index;
	char name[16];          /* nmemN */
	char pci_path[128];     /* /sys/devices/pci0000:00/0000:00:XX.1 */
	char bus_path[160];     /* .../ndbusN */
	char nmem_path[192];    /* .../ndbusN/nmemN */
	uint64_t serial;
	struct ocxlpmem_model *model;
	UMockdevIoctlBase *handler;
	int pty;                /* master of the pty that is /dev/nmemN */
	unsigned int node_mode; /* chmod of that node; 0: as the pty comes */
	bool pci_present;       /* the PCI function is in sysfs */
	bool bus_present;       /* the nd bus and its DIMM are in sysfs */
	bool events_attr;       /* the DIMM has ocxlpmem/events */
	atomic_int refuse_errno;  /* every ND_IOCTL_CALL fails with it */
	atomic_ulong ioctls;    /* ND_IOCTL_CALLs received */
	uint64_t events_shown;  /* what ocxlpmem/events holds */
	uint64_t gone_since_ms; /* the model went away: take the bus down */
	/* A v4 driver: the family refused on /dev/nmemN but for SMART, and
	 * the character device /dev/ocxlpmemN (testbed-chardev.c). */
	bool v4;
	const char *tb_root;
	char cdev_name[24];     /* ocxlpmemN */
	char cdev_path[192];    /* <pci_path>/ocxlpmemN */
	int cdev_pty;
	bool cdev_present;
	UMockdevIoctlBase *cdev_handler;
	atomic_ulong cdev_ioctls;
	int client_eventfd;     /* our copy of the registered eventfd, or -1 */
	uint32_t v4_dump_id;    /* the dump being read, 0: none */
	uint32_t v4_dump_size;
	uint32_t v4_admin_buffer;
};

struct tb {
	UMockdevTestbed *testbed;
	char *root;
	struct tb_card *cards[TB_MAX_CARDS];
	unsigned int ncards;
	uint64_t serial_base;
	int nfit_pty;
	bool open_bed;          /* usable by another uid (--open-bed) */
};

/* testbed-cards.c */
int tb_nfit_add(struct tb *tb);
int tb_card_new(struct tb *tb, bool events_attr, int refuse_errno, struct tb_card **ret);
/* Make c a v4 card (before its first plug). */
int tb_card_make_v4(struct tb *tb, struct tb_card *c);
/* Create the PCI function (if absent) and the nd devices, with uevents. */
int tb_card_plug(struct tb *tb, struct tb_card *c);
/* Take the nd bus down (fatal error, rebind) or the whole function. */
void tb_card_unplug(struct tb *tb, struct tb_card *c, bool pci_too);
/* Write ocxlpmem/events in place, as sysfs_notify() would announce it. */
int tb_card_show_events(struct tb *tb, struct tb_card *c, uint64_t events);
struct tb_card *tb_card_find(struct tb *tb, const char *name);
/* chmod the DIMM's node (the pty it links to), now and at every plug. */
int tb_card_node_mode(struct tb *tb, struct tb_card *c, unsigned int mode);

/* testbed-chardev.c */
UMockdevIoctlBase *tb_chardev_handler_new(struct tb_card *c);
/* Signal the eventfd the client registered, if any. */
void tb_chardev_signal(struct tb_card *c);

/* testbed-ioctl.c */
UMockdevIoctlBase *tb_ioctl_handler_new(struct tb_card *c);

uint64_t tb_now_ms(void);

#endif /* OCXLPMEM_TESTBED_H */
