// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The driver side of the test bench: ND_IOCTL_CALL on /dev/nmemN, answered
 * by the card model in the exact wire format (ocxlpmem_model_call() fills
 * nd_payload and nd_fw_size the way the driver does).
 *
 * umockdev calls the handler on its worker thread, which must not block;
 * a model command may hang (a fault), so each command runs on a thread of
 * its own and completes the client from there (complete() is thread-safe).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/ndctl.h>

#include "testbed.h"

struct tb_call {
	struct tb_card *card;
	UMockdevIoctlClient *client;
	UMockdevIoctlData *pkg; /* resolved: header, input and output */
};

static void *call_thread(void *userdata)
{
	struct tb_call *call = userdata;
	/* umockdev's copy of the package is g_malloc()ed: aligned for it. */
	struct nd_cmd_pkg *pkg = (void *)call->pkg->data;
	size_t fw_size = 0;
	int r;

	r = ocxlpmem_model_call(call->card->model, (unsigned int)pkg->nd_command,
				pkg->nd_payload, pkg->nd_size_in,
				pkg->nd_payload + pkg->nd_size_in, pkg->nd_size_out, &fw_size);
	if (r < 0) {
		umockdev_ioctl_client_complete(call->client, -1, -r);
	} else {
		pkg->nd_fw_size = (__u32)fw_size;
		umockdev_ioctl_client_complete(call->client, 0, 0);
	}
	g_object_unref(call->pkg);
	g_object_unref(call->client);
	free(call);
	return NULL;
}

/* The kernel's own checks of __nd_ioctl(), before the bus provider runs. */
static int kernel_checks(const struct tb_card *c, const struct nd_cmd_pkg *pkg)
{
	for (size_t i = 0; i < G_N_ELEMENTS(pkg->nd_reserved2); i++)
		if (pkg->nd_reserved2[i])
			return EINVAL;
	if ((uint64_t)sizeof(*pkg) + pkg->nd_size_in + pkg->nd_size_out > (4u << 20))
		return EINVAL;
	/* Our "driver" registers NVDIMM_FAMILY_OCXL only. */
	if (pkg->nd_family != NVDIMM_FAMILY_OCXL)
		return ENOTTY;
	/* v4 registers the family with SMART alone: the kernel refuses any
	 * other function before the driver sees it. */
	if (c->v4 && pkg->nd_command != OCXLPMEM_FN_SMART)
		return ENOTTY;
	return 0;
}

static gboolean on_ioctl(UMockdevIoctlBase *handler, UMockdevIoctlClient *client,
			 gpointer userdata)
{
	struct tb_card *c = userdata;
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
	UMockdevIoctlData *hdr, *full;
	struct nd_cmd_pkg head;
	GError *error = NULL;
	gulong client_ptr;
	struct tb_call *call;
	GThread *thread;
	int refuse, err;

	if (umockdev_ioctl_client_get_request(client) != ND_IOCTL_CALL) {
		umockdev_ioctl_client_complete(client, -1, ENOTTY);
		return TRUE;
	}
	atomic_fetch_add(&c->ioctls, 1);
	refuse = atomic_load(&c->refuse_errno);
	if (refuse) {
		umockdev_ioctl_client_complete(client, -1, refuse);
		return TRUE;
	}
	/*
	 * The header says how large the whole package is: resolve the header,
	 * then forget it and resolve the whole.  resolve() replaced the
	 * pointer in arg with a local one, so put the client's back first.
	 */
	memcpy(&client_ptr, arg->data, sizeof(client_ptr));
	hdr = umockdev_ioctl_data_resolve(arg, 0, sizeof(head), &error);
	if (!hdr) {
		g_clear_error(&error);
		umockdev_ioctl_client_complete(client, -1, EFAULT);
		return TRUE;
	}
	memcpy(&head, hdr->data, sizeof(head));
	g_object_unref(hdr); /* resolve() returns a new reference */
	err = kernel_checks(c, &head);
	if (err) {
		umockdev_ioctl_client_complete(client, -1, err);
		return TRUE;
	}
	umockdev_ioctl_data_reload(arg, NULL);
	memcpy(arg->data, &client_ptr, sizeof(client_ptr));
	full = umockdev_ioctl_data_resolve(arg, 0,
					   sizeof(head) + head.nd_size_in + head.nd_size_out,
					   &error);
	if (!full) {
		g_clear_error(&error);
		umockdev_ioctl_client_complete(client, -1, EFAULT);
		return TRUE;
	}

	call = calloc(1, sizeof(*call));
	if (!call) {
		g_object_unref(full);
		umockdev_ioctl_client_complete(client, -1, ENOMEM);
		return TRUE;
	}
	call->card = c;
	call->client = g_object_ref(client);
	call->pkg = full;
	thread = g_thread_try_new("tb-call", call_thread, call, &error);
	if (!thread) {
		g_clear_error(&error);
		g_object_unref(call->pkg);
		g_object_unref(call->client);
		free(call);
		umockdev_ioctl_client_complete(client, -1, ENOMEM);
		return TRUE;
	}
	g_thread_unref(thread);
	return TRUE;
}

UMockdevIoctlBase *tb_ioctl_handler_new(struct tb_card *c)
{
	UMockdevIoctlBase *h = umockdev_ioctl_base_new();

	g_signal_connect(h, "handle-ioctl", G_CALLBACK(on_ioctl), c);
	return h;
}
