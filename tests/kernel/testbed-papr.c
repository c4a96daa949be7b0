// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A papr_scm DIMM in the test bench (POWER LPAR persistent memory), laid
 * out as the kernel's papr_scm and libnvdimm show it:
 *
 *   /sys/devices/platform/ibm,pmemory@4410000N    the platform device
 *     ndbusN                                      provider: its name
 *       of_node/{compatible,ibm,unit-guid}        the device-tree node
 *       nmemN                                     papr/flags, /dev/nmemN
 *
 * and /dev/nmemN answering ND_CMD_CALL of NVDIMM_FAMILY_PAPR, PDSM HEALTH
 * only, with the package papr_scm fills (uapi asm/papr_pdsm.h), from
 * what the test set with "pdsm".  The card model is not used.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/ndctl.h>

#include "testbed.h"

#define PDSM_HDR 8
#define PDSM_PAYLOAD 184

void tb_card_make_papr(struct tb_card *c)
{
	c->papr = true;
	c->events_attr = false;
	pthread_mutex_init(&c->pdsm_lock, NULL);
	c->pdsm_gauge = 100;
	c->pdsm_dsc = 0;
	snprintf(c->pci_path, sizeof(c->pci_path), "/sys/devices/platform/ibm,pmemory@%x",
		 0x44100001u + c->index);
	snprintf(c->bus_path, sizeof(c->bus_path), "%s/ndbus%u", c->pci_path, c->index);
	snprintf(c->nmem_path, sizeof(c->nmem_path), "%s/%s", c->bus_path, c->name);
}

void tb_papr_guid(const struct tb_card *c, char *buf, size_t cap)
{
	snprintf(buf, cap, "4f1e2a3b-0c5d-4e6f-%04llx-%012llx",
		 (unsigned long long)(c->serial >> 48),
		 (unsigned long long)(c->serial & 0xFFFFFFFFFFFFull));
}

static int write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, data, len) != (ssize_t)len)
		r = -EIO;
	close(fd);
	return r;
}

int tb_papr_of_node(struct tb *tb, struct tb_card *c)
{
	char *dir = g_strdup_printf("%s%s/of_node", tb->root, c->bus_path);
	char *path, guid[48];
	int r;

	g_mkdir_with_parents(dir, 0755);
	/* Device-tree string properties end in their NUL, no newline. */
	path = g_strdup_printf("%s/compatible", dir);
	r = write_file(path, "ibm,pmemory", sizeof("ibm,pmemory"));
	g_free(path);
	tb_papr_guid(c, guid, sizeof(guid));
	path = g_strdup_printf("%s/ibm,unit-guid", dir);
	if (r == 0)
		r = write_file(path, guid, strlen(guid) + 1);
	g_free(path);
	g_free(dir);
	return r;
}

int tb_papr_show_flags(struct tb *tb, struct tb_card *c)
{
	static const struct {
		uint32_t flag;
		const char *word;
	} words[] = {
		/* The words papr_scm's flags_show() prints, in its order. */
		{ 1u << 0, "not_armed" }, { 1u << 1, "flush_fail" },
		{ 1u << 2, "restore_fail" }, { 1u << 5, "encrypted" },
		{ (1u << 3) | (1u << 4), "scrubbed locked" },
	};
	char text[128] = "", *path;
	size_t n = 0;
	int fd, r = 0;

	if (!c->bus_present)
		return 0;
	pthread_mutex_lock(&c->pdsm_lock);
	for (size_t i = 0; i < G_N_ELEMENTS(words); i++)
		if (c->pdsm_flags & words[i].flag)
			n += (size_t)snprintf(text + n, sizeof(text) - n, "%s ", words[i].word);
	pthread_mutex_unlock(&c->pdsm_lock);
	if (n)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "\n");
	path = g_strdup_printf("%s%s/papr/flags", tb->root, c->nmem_path);
	/* In place, as tb_card_show_events() does. */
	fd = open(path, O_WRONLY | O_CLOEXEC);
	g_free(path);
	if (fd < 0)
		return -errno;
	if (n && pwrite(fd, text, n, 0) != (ssize_t)n)
		r = -EIO;
	else if (ftruncate(fd, (off_t)n) < 0)
		r = -errno;
	close(fd);
	return r;
}

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

int tb_papr_call(struct tb_card *c, void *pkg_v)
{
	struct nd_cmd_pkg *pkg = pkg_v;
	uint8_t *out = (uint8_t *)pkg->nd_payload + pkg->nd_size_in;
	uint8_t *pl = out + PDSM_HDR;
	uint32_t ext = 0;
	int32_t status;

	/* papr_scm: the PDSM range, then the envelope's size. */
	if (pkg->nd_command != 1)
		return EINVAL;
	if (pkg->nd_size_out < PDSM_HDR + PDSM_PAYLOAD)
		return EINVAL;
	atomic_fetch_add(&c->pdsm_calls, 1);
	memset(out, 0, PDSM_HDR + PDSM_PAYLOAD);
	pthread_mutex_lock(&c->pdsm_lock);
	status = c->pdsm_status;
	memcpy(out, &status, sizeof(status));
	for (unsigned int i = 0; i < 6; i++)
		pl[4 + i] = !!(c->pdsm_flags & (1u << i));
	put16(pl + 10, c->pdsm_health);
	if (c->pdsm_gauge >= 0) {
		ext |= 1;
		put16(pl + 12, (uint16_t)c->pdsm_gauge);
	}
	if (c->pdsm_dsc >= 0) {
		uint64_t dsc = (uint64_t)c->pdsm_dsc;

		ext |= 2;
		memcpy(pl + 16, &dsc, sizeof(dsc));
	}
	pthread_mutex_unlock(&c->pdsm_lock);
	memcpy(pl, &ext, sizeof(ext));
	pkg->nd_fw_size = PDSM_HDR + PDSM_PAYLOAD;
	return 0;
}

int tb_papr_set(struct tb *tb, struct tb_card *c, char **argv, int argc)
{
	if (!c->papr)
		return -EINVAL;
	for (int i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '='), *end;
		bool ok = true;
		long long v;

		if (!eq)
			return -EINVAL;
		*eq++ = '\0';
		v = strcmp(eq, "none") == 0 ? -1 : strtoll(eq, &end, 0);
		if (strcmp(eq, "none") != 0 && (!*eq || *end))
			return -EINVAL;
		pthread_mutex_lock(&c->pdsm_lock);
		if (strcmp(argv[i], "health") == 0 && v >= 0 && v <= 0xFFFF)
			c->pdsm_health = (uint16_t)v;
		else if (strcmp(argv[i], "gauge") == 0 && v >= -1 && v <= 0xFFFF)
			c->pdsm_gauge = (int)v;
		else if (strcmp(argv[i], "dsc") == 0)
			c->pdsm_dsc = v;
		else if (strcmp(argv[i], "flags") == 0 && v >= 0 && v <= 0x3f)
			c->pdsm_flags = (uint32_t)v;
		else if (strcmp(argv[i], "status") == 0 && v <= 0 && v >= -4095)
			c->pdsm_status = (int)v;
		else
			ok = false;
		pthread_mutex_unlock(&c->pdsm_lock);
		if (!ok)
			return -EINVAL;
	}
	return tb_papr_show_flags(tb, c);
}
