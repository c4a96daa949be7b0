// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The sysfs side of the test bench: each card as the ocxlpmem driver lays
 * it out (ocxlpmem-abi(7), SYSFS), plus an ACPI.NFIT bus that the backend
 * must leave alone.
 *
 *   /sys/devices/pci0000:00/0000:00:XX.1          PCI function 1, 1014:0625
 *     ndbusN                                      provider "ocxlpmem"
 *       ndctlN                                    the bus control device
 *       nmemN                                     the DIMM, /dev/nmemN
 *         ocxlpmem/{serial,fw_version,functions,events}
 *       regionN/namespaceN.0
 *
 * Three things umockdev does not do as the kernel does, worked around here:
 * it treats "nd" as a bus subsystem only, so /sys/class/nd/ndctlN (where
 * libndctl looks for buses) is made by hand, with ndctlN's "device" link;
 * "commands" lists each name followed by a space, as the kernel prints it;
 * and the DIMM's node is a real character device (a pty) whose major:minor
 * is the DIMM's "dev", because libndctl and the backend check the node
 * against it.  umockdev 0.17 also neither sends "remove" uevents nor
 * removes children: tb_card_unplug() does both, bottom-up.
 *
 * An open bed (--open-bed) is one that a client of another uid can use:
 * libumockdev-preload binds its uevent sockets in the bed's directory and
 * connects to a node's ioctl socket at every open of the node, even one
 * that fails (and exits when it cannot), so the directory is made
 * world-writable (sticky) and the sockets and DIMM nodes open to all.  A
 * node's mode (tb_card_node_mode) is then the kernel's own permission check
 * on a real character device: 0444 refuses O_RDWR to such a client.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "testbed.h"

/* Region size: the card's memory less the label area (one section). */
#define TB_REGION_SIZE "274609471488"

uint64_t tb_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

struct tb_card *tb_card_find(struct tb *tb, const char *name)
{
	for (unsigned int i = 0; i < tb->ncards; i++)
		if (strcmp(tb->cards[i]->name, name) == 0)
			return tb->cards[i];
	return NULL;
}

static char *add(struct tb *tb, const char *subsystem, const char *name, const char *parent,
		 const char **attrs, const char **props)
{
	const char *none[] = { NULL };

	return umockdev_testbed_add_devicev(tb->testbed, subsystem, name, parent,
					    (gchar **)(attrs ? attrs : none),
					    (gchar **)(props ? props : none));
}

static int link_in_root(struct tb *tb, const char *target, const char *linkpath)
{
	char *path = g_build_filename(tb->root, linkpath, NULL);
	char *dir = g_path_get_dirname(path);
	int r = 0;

	g_mkdir_with_parents(dir, 0755);
	unlink(path);
	if (symlink(target, path) < 0)
		r = -errno;
	g_free(dir);
	g_free(path);
	return r;
}

/* The bus control device ndctlN, where libndctl starts. */
static int add_ndctl(struct tb *tb, const char *bus_path, unsigned int id, char **ret_path)
{
	char name[32], dev[32], devname[48], target[256], linkpath[64];
	const char *attrs[] = { "dev", dev, NULL };
	const char *props[] = { "DEVNAME", devname, NULL };
	char *path;
	int r;

	snprintf(name, sizeof(name), "ndctl%u", id);
	snprintf(dev, sizeof(dev), "250:%u\n", id);
	snprintf(devname, sizeof(devname), "/dev/%s", name);
	/*
	 * ndctlN/device -> its bus, and /sys/class/nd/ndctlN -> ndctlN, made
	 * before the device (umockdev allows a directory with children), so
	 * that they are there at its "add" uevent.
	 */
	path = g_strdup_printf("%s/%s", bus_path, name);
	snprintf(target, sizeof(target), "%s/device", path);
	r = link_in_root(tb, "..", target);
	snprintf(target, sizeof(target), "../..%s", path + strlen("/sys"));
	snprintf(linkpath, sizeof(linkpath), "sys/class/nd/%s", name);
	if (r == 0)
		r = link_in_root(tb, target, linkpath);
	g_free(path);
	if (r < 0)
		return r;
	path = add(tb, "nd", name, bus_path, attrs, props);
	if (!path)
		return -EIO;
	*ret_path = path;
	return 0;
}

/*
 * The DIMM's node: a pty of ours, linked as <bed>/dev/nmemN, so that it is
 * a real character device (libndctl and the backend fstat() it and compare
 * with "dev").  Not umockdev's own node ("N:" of add_from_string): umockdev
 * 0.17 cannot make a node of the same name twice, and a card reset must.
 */
static int dimm_node(struct tb *tb, const char *name, int *pty, unsigned int mode,
		     char *ret_dev, size_t cap)
{
	char *node, *ptsname_copy;
	struct stat st;
	int r = 0;

	if (*pty < 0) {
		*pty = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (*pty < 0 || grantpt(*pty) < 0 || unlockpt(*pty) < 0)
			return -errno;
	}
	ptsname_copy = strdup(ptsname(*pty));
	if (!ptsname_copy)
		return -ENOMEM;
	node = g_build_filename(tb->root, "dev", name, NULL);
	g_mkdir_with_parents(tb->root, 0755);
	{
		char *dir = g_path_get_dirname(node);

		g_mkdir_with_parents(dir, 0755);
		g_free(dir);
	}
	unlink(node);
	/* chmod() follows the link: the pty itself. */
	if (symlink(ptsname_copy, node) < 0 || stat(node, &st) < 0 || !S_ISCHR(st.st_mode) ||
	    (mode && chmod(node, mode) < 0))
		r = errno ? -errno : -EIO;
	else
		snprintf(ret_dev, cap, "%u:%u\n", major(st.st_rdev), minor(st.st_rdev));
	g_free(node);
	free(ptsname_copy);
	return r;
}

/* The DIMM: its node first, so that everything is there at "add". */
static int add_nmem(struct tb *tb, const char *bus_path, const char *name, int *pty,
		    unsigned int mode, const char **extra, char **ret_path)
{
	char dev[32], devname[48];
	const char *attrs[32] = { "dev", dev, "commands", "call \n", "modalias", "nd:t1\n",
				  "state", "idle\n" };
	const char *props[] = { "DEVNAME", devname, "DEVTYPE", "nvdimm", "MODALIAS", "nd:t1",
				NULL };
	size_t n = 8;
	char *path;
	int r;

	r = dimm_node(tb, name, pty, mode, dev, sizeof(dev));
	if (r < 0) {
		fprintf(stderr, "testbed: no node for %s: %s\n", name, strerror(-r));
		return r;
	}
	for (size_t i = 0; extra[i] && n < G_N_ELEMENTS(attrs) - 1; i++)
		attrs[n++] = extra[i];
	attrs[n] = NULL;
	snprintf(devname, sizeof(devname), "/dev/%s", name);
	path = add(tb, "nd", name, bus_path, attrs, props);
	if (!path)
		return -EIO;
	*ret_path = path;
	return 0;
}

static int add_region(struct tb *tb, const char *bus_path, unsigned int id, const char *nmem,
		      uint64_t cookie)
{
	char name[32], ns[32], mapping[96], cookie_s[32];
	const char *attrs[] = {
		"size", TB_REGION_SIZE "\n", "mappings", "1\n", "mapping0", mapping,
		"read_only", "0\n", "modalias", "nd:t2\n", "nstype", "5\n",
		"set_cookie", cookie_s, "numa_node", "0\n", NULL,
	};
	const char *props[] = { "DEVTYPE", "nd_pmem", NULL };
	const char *ns_attrs[] = {
		"nstype", "5\n", "size", TB_REGION_SIZE "\n", "force_raw", "0\n",
		"alt_name", "\n", "uuid", "7a2d1e22-7d1b-4bb4-9b4e-6d9ad0a0c001\n",
		"modalias", "nd:t5\n", "mode", "fsdax\n", "holder", "\n", NULL,
	};
	const char *ns_props[] = { "DEVTYPE", "nd_namespace_pmem", NULL };
	char *path, *ns_path;

	snprintf(name, sizeof(name), "region%u", id);
	snprintf(ns, sizeof(ns), "namespace%u.0", id);
	snprintf(mapping, sizeof(mapping), "%s,0,%s,0\n", nmem, TB_REGION_SIZE);
	snprintf(cookie_s, sizeof(cookie_s), "0x%llx\n", (unsigned long long)cookie);
	path = add(tb, "nd", name, bus_path, attrs, props);
	if (!path)
		return -EIO;
	ns_path = add(tb, "nd", ns, path, ns_attrs, ns_props);
	g_free(ns_path);
	g_free(path);
	return 0;
}

int tb_card_show_events(struct tb *tb, struct tb_card *c, uint64_t events)
{
	char *path, text[32];
	int fd, n, r = 0;

	if (!c->events_attr || !c->bus_present)
		return 0;
	path = g_strdup_printf("%s%s/ocxlpmem/events", tb->root, c->nmem_path);
	/* In place, in one write: replacing the file (as g_file_set_contents
	 * does) would leave a reader with the old inode and no notification. */
	fd = open(path, O_WRONLY | O_CLOEXEC);
	g_free(path);
	if (fd < 0)
		return -errno;
	n = snprintf(text, sizeof(text), "0x%llx\n", (unsigned long long)events);
	if (pwrite(fd, text, (size_t)n, 0) != n)
		r = -EIO;
	else if (ftruncate(fd, n) < 0)
		r = -errno;
	close(fd);
	if (r == 0)
		c->events_shown = events;
	return r;
}

int tb_card_node_mode(struct tb *tb, struct tb_card *c, unsigned int mode)
{
	char *node;
	int r = 0;

	c->node_mode = mode;
	if (!c->bus_present)
		return 0;
	node = g_build_filename(tb->root, "dev", c->name, NULL);
	if (chmod(node, mode) < 0)
		r = -errno;
	g_free(node);
	return r;
}

/* The v4 character device, a class device under the PCI function. */
static int add_cdev(struct tb *tb, struct tb_card *c)
{
	char dev[32], devname[48], major_s[16], minor_s[16], *path;
	const char *attrs[] = { "dev", dev, NULL };
	const char *props[] = { "DEVNAME", devname, "MAJOR", major_s, "MINOR", minor_s, NULL };
	unsigned int maj, min;
	int r;

	r = dimm_node(tb, c->cdev_name, &c->cdev_pty, tb->open_bed ? 0666 : 0, dev, sizeof(dev));
	if (r < 0)
		return r;
	if (sscanf(dev, "%u:%u", &maj, &min) != 2)
		return -EIO;
	snprintf(major_s, sizeof(major_s), "%u", maj);
	snprintf(minor_s, sizeof(minor_s), "%u", min);
	snprintf(devname, sizeof(devname), "/dev/%s", c->cdev_name);
	path = add(tb, "ocxlpmem", c->cdev_name, c->pci_path, attrs, props);
	if (!path)
		return -EIO;
	g_free(path);
	c->cdev_present = true;
	return 0;
}

int tb_card_make_v4(struct tb *tb, struct tb_card *c)
{
	GError *error = NULL;
	char dev[48];

	c->v4 = true;
	c->events_attr = false;
	c->cdev_handler = tb_chardev_handler_new(c);
	snprintf(dev, sizeof(dev), "/dev/%s", c->cdev_name);
	if (!umockdev_testbed_attach_ioctl(tb->testbed, dev, c->cdev_handler, &error)) {
		fprintf(stderr, "testbed: %s: %s\n", dev, error->message);
		g_error_free(error);
		return -EIO;
	}
	return 0;
}

int tb_card_plug(struct tb *tb, struct tb_card *c)
{
	char bus[32], serial[32], functions[16], *bus_path, *ctl_path = NULL, *nmem_path = NULL;
	const char *bus_attrs[] = { "provider", "ocxlpmem\n", "commands", "call \n",
				    "wait_probe", "1\n", NULL };
	const char *bus_props[] = { "DEVTYPE", "nvdimm_bus", NULL };
	int r;

	/* Each add below sends its own "add" uevent (umockdev does, in a
	 * process under its preload, as this one is). */
	if (!c->pci_present) {
		const char *attrs[] = { "vendor", "0x1014\n", "device", "0x0625\n",
					"class", "0x120000\n", NULL };
		const char *props[] = { "PCI_ID", "1014:0625", "DRIVER", "ocxlpmem", NULL };
		char *p = add(tb, "pci", c->pci_path + strlen("/sys/devices/"), NULL, attrs, props);

		if (!p)
			return -EIO;
		g_free(p);
		c->pci_present = true;
	}
	/* The v4 driver registers its device before the nvdimm bus. */
	if (c->v4 && !c->cdev_present) {
		r = add_cdev(tb, c);
		if (r < 0)
			return r;
	}
	snprintf(bus, sizeof(bus), "ndbus%u", c->index);
	bus_path = add(tb, "nd", bus, c->pci_path, bus_attrs, bus_props);
	if (!bus_path)
		return -EIO;
	/*
	 * The control device comes last.  umockdev writes a device's
	 * attributes one by one, and a scan that an earlier uevent started
	 * could find a DIMM half made (say, without ocxlpmem/events yet);
	 * libndctl finds a bus through /sys/class/nd/ndctlN only, so until
	 * that exists nothing of the card is visible.
	 */
	snprintf(serial, sizeof(serial), "%llu\n", (unsigned long long)c->serial);
	/* As the driver shows CAPABILITIES.functions. */
	snprintf(functions, sizeof(functions), "0x%x\n", ocxlpmem_model_functions(c->model));
	{
		const char *extra[] = { "ocxlpmem/serial", serial, "ocxlpmem/fw_version", "1.0.0000\n",
					c->v4 ? NULL : "ocxlpmem/functions", functions,
					c->events_attr ? "ocxlpmem/events" : NULL, "0x0\n", NULL };

		r = add_nmem(tb, bus_path, c->name, &c->pty, c->node_mode, extra, &nmem_path);
	}
	if (r < 0)
		goto out;
	c->bus_present = true;
	c->gone_since_ms = 0;
	c->events_shown = 0;
	tb_card_show_events(tb, c, ocxlpmem_model_events(c->model));
	r = add_region(tb, bus_path, c->index, c->name, c->serial);
	if (r == 0)
		r = add_ndctl(tb, bus_path, c->index, &ctl_path);
out:
	g_free(nmem_path);
	g_free(ctl_path);
	g_free(bus_path);
	return r;
}

/* A "remove" uevent while the device is still there (udev reads it), then
 * the device; umockdev 0.17 removes neither children nor says "remove". */
static void remove_one(struct tb *tb, const char *path)
{
	umockdev_testbed_uevent(tb->testbed, path, "remove");
	umockdev_testbed_remove_device(tb->testbed, path);
}

void tb_card_unplug(struct tb *tb, struct tb_card *c, bool pci_too)
{
	char linkpath[64], *path;

	if (c->bus_present) {
		/* Children first, as the kernel tears a bus down. */
		path = g_strdup_printf("%s/region%u/namespace%u.0", c->bus_path, c->index, c->index);
		remove_one(tb, path);
		g_free(path);
		path = g_strdup_printf("%s/region%u", c->bus_path, c->index);
		remove_one(tb, path);
		g_free(path);
		remove_one(tb, c->nmem_path);
		snprintf(linkpath, sizeof(linkpath), "sys/class/nd/ndctl%u", c->index);
		path = g_build_filename(tb->root, linkpath, NULL);
		unlink(path);
		g_free(path);
		path = g_strdup_printf("%s/ndctl%u", c->bus_path, c->index);
		remove_one(tb, path);
		g_free(path);
		remove_one(tb, c->bus_path);
		c->bus_present = false;
	}
	if (pci_too && c->cdev_present) {
		remove_one(tb, c->cdev_path);
		c->cdev_present = false;
		c->v4_dump_id = 0;
	}
	if (pci_too && c->pci_present) {
		remove_one(tb, c->pci_path);
		c->pci_present = false;
	}
}

int tb_card_new(struct tb *tb, bool events_attr, int refuse_errno, struct tb_card **ret)
{
	struct ocxlpmem_model_config cfg = { 0 };
	struct tb_card *c;
	int r;

	if (tb->ncards == TB_MAX_CARDS)
		return -ENOSPC;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->index = tb->ncards;
	c->serial = tb->serial_base + c->index;
	c->events_attr = events_attr;
	atomic_init(&c->refuse_errno, refuse_errno);
	atomic_init(&c->ioctls, 0);
	c->pty = -1;
	c->cdev_pty = -1;
	c->client_eventfd = -1;
	c->tb_root = tb->root;
	c->v4_admin_buffer = 64u << 10;
	atomic_init(&c->cdev_ioctls, 0);
	snprintf(c->cdev_name, sizeof(c->cdev_name), "ocxlpmem%u", c->index);
	c->node_mode = tb->open_bed ? 0666 : 0;
	snprintf(c->name, sizeof(c->name), "nmem%u", c->index);
	snprintf(c->pci_path, sizeof(c->pci_path), "/sys/devices/pci0000:00/0000:00:%02x.1",
		 c->index + 1);
	snprintf(c->bus_path, sizeof(c->bus_path), "%s/ndbus%u", c->pci_path, c->index);
	snprintf(c->nmem_path, sizeof(c->nmem_path), "%s/%s", c->bus_path, c->name);
	snprintf(c->cdev_path, sizeof(c->cdev_path), "%s/%s", c->pci_path, c->cdev_name);
	cfg.serial = c->serial;
	cfg.seed = c->index;
	r = ocxlpmem_model_new(&cfg, &c->model);
	if (r < 0) {
		free(c);
		return r;
	}
	c->handler = tb_ioctl_handler_new(c);
	{
		GError *error = NULL;
		char dev[32];

		snprintf(dev, sizeof(dev), "/dev/%s", c->name);
		if (!umockdev_testbed_attach_ioctl(tb->testbed, dev, c->handler, &error)) {
			fprintf(stderr, "testbed: %s: %s\n", dev, error->message);
			g_error_free(error);
			ocxlpmem_model_free(c->model);
			free(c);
			return -EIO;
		}
		/* The socket is there once attached: open it to all. */
		if (tb->open_bed) {
			char *sock = g_build_filename(tb->root, "ioctl", dev, NULL);

			r = chmod(sock, 0666) < 0 ? -errno : 0;
			if (r < 0)
				fprintf(stderr, "testbed: chmod %s: %s\n", sock, strerror(-r));
			g_free(sock);
			if (r < 0) {
				(void)umockdev_testbed_detach_ioctl(tb->testbed, dev, NULL);
				ocxlpmem_model_free(c->model);
				free(c);
				return r;
			}
		}
	}
	tb->cards[tb->ncards++] = c;
	*ret = c;
	return 0;
}

/*
 * An ACPI.NFIT bus with one DIMM, as on an x86 server with NVDIMMs: the
 * backend must skip it without opening its DIMM.  Its node has no ioctl
 * handler: a command sent to it would fail, and the test would see it.
 */
int tb_nfit_add(struct tb *tb)
{
	const char *acpi_attrs[] = { "hid", "ACPI0012\n", NULL };
	const char *bus_attrs[] = { "provider", "ACPI.NFIT\n", "commands", "ars_cap ars_start ars_status clear_error call \n",
				    "wait_probe", "1\n", "nfit/revision", "1\n", "nfit/dsm_mask", "0x3fe\n", NULL };
	char *acpi, *bus, *ctl = NULL, *nmem = NULL;
	int r;

	acpi = add(tb, "acpi", "LNXSYSTM:00/LNXSYBUS:00/ACPI0012:00", NULL, acpi_attrs, NULL);
	if (!acpi)
		return -EIO;
	bus = add(tb, "nd", "ndbus99", acpi, bus_attrs, NULL);
	g_free(acpi);
	if (!bus)
		return -EIO;
	r = add_ndctl(tb, bus, 99, &ctl);
	if (r == 0) {
		const char *extra[] = { "nfit/handle", "0x1\n", "nfit/phys_id", "0x1\n",
					"nfit/family", "0\n", "nfit/serial", "0x12345678\n", NULL };

		r = add_nmem(tb, bus, "nmem99", &tb->nfit_pty, 0, extra, &nmem);
	}
	g_free(nmem);
	g_free(ctl);
	g_free(bus);
	return r;
}
