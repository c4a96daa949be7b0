// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * io.ocxlpmem.Simulation: make things happen to simulated cards (scenario
 * controls on the card model, command faults armed in it, unplug and reset
 * through the simulation transport).  varlink-manager.c serves it only
 * when the transport is the simulation's, so nothing here runs on real
 * cards and io.ocxlpmem.Manager carries no simulator method.  The cards
 * and their errors are the Manager's (varlink-methods.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/manager.h"
#include "util/log.h"
#include "varlink/varlink-methods.h"
#include "shared/varlink/varlink-params.h"
#include "varlink/varlink-simulation.h"

/* The interface text, embedded at build time from the .varlink file. */
#include "varlink/io.ocxlpmem.Simulation.varlink.h"

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

static int errno_from_name(const char *s)
{
	static const struct {
		const char *name;
		int err;
	} t[] = { { "EBUSY", EBUSY }, { "EAGAIN", EAGAIN }, { "EIO", EIO },
		  { "ENXIO", ENXIO }, { "ENOTTY", ENOTTY }, { "EINVAL", EINVAL },
		  { "EPERM", EPERM }, { "ETIMEDOUT", ETIMEDOUT } };

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(t[i].name, s) == 0)
			return t[i].err;
	return -EINVAL;
}

static int function_from_name(const char *s)
{
	for (unsigned int fn = OCXLPMEM_FN_MIN; fn <= OCXLPMEM_FN_MAX; fn++)
		if (strcmp(ocxlpmem_function_name(fn), s) == 0)
			return (int)fn;
	return -EINVAL;
}

/*
 * InjectFault's parameters.  The table's ranges are the widest any fault
 * takes; fault_fields says which fields each fault takes at all, and the
 * fault's own code narrows a range (count of error-log entries: 1-256).
 */
struct inject_params {
	const char *card, *fault, *type, *function, *errno_name, *corruption;
	struct json_object *actions;
	struct vparam_int size, celsius, pct, attribute, count, status, delay_ms, bytes, after;
	struct vparam_bool hardware;
};

#define IP(name, type, min, max, field) \
	VPARAM_FIELD(name, type, false, min, max, struct inject_params, field)
static const struct vparam inject_params[] = {
	VPARAM_FIELD("card", VPARAM_STRING, true, 0, 0, struct inject_params, card),
	VPARAM_FIELD("fault", VPARAM_STRING, true, 0, 0, struct inject_params, fault),
	IP("type", VPARAM_STRING, 0, 0, type),
	IP("actions", VPARAM_STRINGS, 0, 0, actions),
	IP("size", VPARAM_INT, 8, 0xFFFFFFF8ll, size),
	IP("celsius", VPARAM_INT, -40, 200, celsius),
	IP("pct", VPARAM_INT, 0, 100, pct),
	IP("attribute", VPARAM_INT, 0, 255, attribute),
	IP("hardware", VPARAM_BOOL, 0, 0, hardware),
	IP("function", VPARAM_STRING, 0, 0, function),
	IP("count", VPARAM_INT, 0, 1000000, count),
	IP("status", VPARAM_INT, 1, 255, status),
	IP("delay_ms", VPARAM_INT, 0, 3600000, delay_ms),
	IP("errno", VPARAM_STRING, 0, 0, errno_name),
	IP("bytes", VPARAM_INT, 0, 1 << 20, bytes),
	IP("corruption", VPARAM_STRING, 0, 0, corruption),
	IP("after", VPARAM_INT, 0, 1000000, after),
};
#undef IP

/* The fields each fault takes besides card and fault: any other is refused. */
static const struct {
	const char *fault;
	const char *const fields[4];
} fault_fields[] = {
	{ "error-log", { "type", "actions", "count" } },
	{ "controller-dump", { "size" } },
	{ "temperature", { "celsius" } },
	{ "life-remaining", { "pct" } },
	{ "drop-smart-attribute", { "attribute" } },
	{ "drop-function", { "function" } },
	{ "fatal", { "hardware" } },
	{ "unplug", { NULL } },
	{ "reset", { NULL } },
	{ "power-cycle", { NULL } },
	{ "clear", { NULL } },
	{ "status", { "function", "count", "status" } },
	{ "timeout", { "function", "count", "delay_ms" } },
	{ "hang", { "function", "count", "delay_ms" } },
	{ "slow", { "function", "count", "delay_ms" } },
	{ "errno", { "function", "count", "errno" } },
	{ "truncate", { "function", "count", "bytes" } },
	{ "corrupt", { "function", "count", "corruption" } },
	{ "remove-after", { "function", "count", "after" } },
	{ "not-ready", { "function", "count" } },
};

/* NULL when every field given applies to the fault, else the first that
 * does not, or "fault" for a fault there is no such thing as. */
static const char *fault_fields_check(const char *fault, uint64_t given)
{
	const char *const *fields = NULL;

	for (size_t i = 0; i < ELEMENTSOF(fault_fields); i++)
		if (strcmp(fault_fields[i].fault, fault) == 0)
			fields = fault_fields[i].fields;
	if (!fields)
		return "fault";
	for (size_t i = 2; i < ELEMENTSOF(inject_params); i++) {
		bool takes = false;

		if (!(given & UINT64_C(1) << i))
			continue;
		for (size_t k = 0; k < ELEMENTSOF(fault_fields[0].fields) && fields[k]; k++)
			takes |= strcmp(fields[k], inject_params[i].name) == 0;
		if (!takes)
			return inject_params[i].name;
	}
	return NULL;
}

/* A command fault from the parameters; returns the bad parameter's name. */
static const char *build_fault(const struct inject_params *ip, struct ocxlpmem_fault *f)
{
	memset(f, 0, sizeof(*f));
	f->kind = ocxlpmem_fault_kind_from_name(ip->fault);
	if ((int)f->kind <= 0)
		return "fault";
	if (ip->function) {
		int fn = function_from_name(ip->function);

		if (fn < 0)
			return "function";
		f->function = (unsigned int)fn;
	}
	f->count = ip->count.set ? (unsigned int)ip->count.v : 0;
	switch (f->kind) {
	case OCXLPMEM_FAULT_STATUS:
		if (!ip->status.set)
			return "status";
		f->status = (uint8_t)ip->status.v;
		break;
	case OCXLPMEM_FAULT_TIMEOUT:
	case OCXLPMEM_FAULT_HANG:
	case OCXLPMEM_FAULT_SLOW:
		f->delay_ms = ip->delay_ms.set ? (unsigned int)ip->delay_ms.v : 0;
		break;
	case OCXLPMEM_FAULT_ERRNO:
		if (!ip->errno_name || (f->err = errno_from_name(ip->errno_name)) < 0)
			return "errno";
		break;
	case OCXLPMEM_FAULT_TRUNCATE:
		if (!ip->bytes.set)
			return "bytes";
		f->truncate_to = (size_t)ip->bytes.v;
		break;
	case OCXLPMEM_FAULT_CORRUPT: {
		static const char *const names[] = { "header-id", "reserved", "length" };
		bool found = false;

		for (unsigned int i = 0; ip->corruption && i < ELEMENTSOF(names); i++)
			if (strcmp(names[i], ip->corruption) == 0) {
				f->corruption = (enum ocxlpmem_corruption)i;
				found = true;
			}
		if (!found)
			return "corruption";
		break;
	}
	case OCXLPMEM_FAULT_REMOVE_AFTER:
		if (!ip->after.set)
			return "after";
		f->after = (unsigned int)ip->after.v;
		break;
	default:
		break;
	}
	return NULL;
}

/* Scenario controls; returns the bad parameter, "" when handled, NULL when not ours. */
static const char *scenario(struct manager *m, struct dcard *dc, struct ocxlpmem_model *model,
			    const struct inject_params *ip, const char **ret_failure)
{
	const char *kind = ip->fault;

	*ret_failure = NULL;
	if (strcmp(kind, "error-log") == 0) {
		uint32_t actions = 0;
		int type = OCXLPMEM_ERRLOG_GENERAL, r;

		if (ip->type && (type = ocxlpmem_error_log_type_from_name(ip->type)) < 0)
			return "type";
		for (size_t i = 0; ip->actions && i < json_object_array_length(ip->actions); i++) {
			struct json_object *a = json_object_array_get_idx(ip->actions, i);
			uint32_t flag;

			if (ocxlpmem_action_flags_from_names(json_object_get_string(a), &flag) < 0)
				return "actions";
			actions |= flag;
		}
		/* count: queue that many at once (the card logs bursts). */
		if (ip->count.set && (ip->count.v < 1 || ip->count.v > 256))
			return "count";
		for (int64_t i = 0; i < (ip->count.set ? ip->count.v : 1); i++) {
			r = ocxlpmem_model_add_error_log(model, (uint8_t)type, actions,
							 0x5A000000u | (uint32_t)type, NULL, 64);
			if (r < 0) {
				*ret_failure = "the card's error log is full";
				break;
			}
		}
		return "";
	}
	if (strcmp(kind, "controller-dump") == 0) {
		if (ip->size.set && ip->size.v % 8)
			return "size";
		if (ocxlpmem_model_raise_dump(model, ip->size.set ? (uint32_t)ip->size.v :
								     m->config->sim_dump_size) < 0)
			*ret_failure = "the card already holds a dump";
		return "";
	}
	if (strcmp(kind, "temperature") == 0) {
		ocxlpmem_model_set_temperature(model, ip->celsius.set ? (int)ip->celsius.v : -1);
		return "";
	}
	if (strcmp(kind, "life-remaining") == 0) {
		ocxlpmem_model_set_life_remaining(model, ip->pct.set ? (int)ip->pct.v : -1);
		return "";
	}
	if (strcmp(kind, "drop-smart-attribute") == 0) {
		if (!ip->attribute.set)
			return "attribute";
		ocxlpmem_model_drop_smart_attr(model, (uint8_t)ip->attribute.v);
		return "";
	}
	if (strcmp(kind, "drop-function") == 0) {
		int fn;

		if (!ip->function || (fn = function_from_name(ip->function)) < 0 ||
		    fn == OCXLPMEM_FN_CAPABILITIES)
			return "function";
		/* The driver's mask: ENOTTY from now on, and CAPABILITIES
		 * leaves it out, which the daemon reads at the next attach. */
		if (ocxlpmem_model_set_functions(model, ocxlpmem_model_functions(model) &
							~(1u << fn)) < 0)
			*ret_failure = "cannot change the card's functions";
		return "";
	}
	if (strcmp(kind, "fatal") == 0) {
		ocxlpmem_model_set_fatal(model, ip->hardware.set ? ip->hardware.v : true);
		return "";
	}
	if (strcmp(kind, "unplug") == 0) {
		if (ocxlpmem_transport_sim_unplug(m->transport, card_backend_id(dc)) < 0)
			*ret_failure = "cannot unplug";
		return "";
	}
	if (strcmp(kind, "reset") == 0) {
		if (ocxlpmem_transport_sim_reset(m->transport, card_backend_id(dc)) < 0)
			*ret_failure = "cannot reset";
		return "";
	}
	if (strcmp(kind, "power-cycle") == 0) {
		/* The card forgets, then is re-probed as after a reset. */
		ocxlpmem_model_power_cycle(model);
		if (ocxlpmem_transport_sim_reset(m->transport, card_backend_id(dc)) < 0)
			*ret_failure = "cannot reset";
		return "";
	}
	if (strcmp(kind, "clear") == 0) {
		ocxlpmem_model_clear_faults(model);
		ocxlpmem_model_release_hangs(model);
		return "";
	}
	return NULL;
}

static void m_inject_fault(struct varlink_call *call, struct json_object *p, void *userdata)
{
	struct manager *m = userdata;
	struct inject_params ip = { 0 };
	struct ocxlpmem_model *model;
	const char *kind, *bad, *failure;
	struct ocxlpmem_fault f;
	struct dcard *dc;
	uint64_t given;
	int r;

	if (!VPARAMS_DISPATCH(call, p, inject_params, &ip, &given))
		return;
	bad = fault_fields_check(ip.fault, given);
	if (bad) {
		varlink_call_invalid_parameter(call, bad);
		return;
	}
	dc = card_param(m, call, ip.card);
	if (!dc)
		return;
	kind = ip.fault;
	/* A reset brings back a card that is gone (fatal, unplugged), the way
	 * a driver rebind would; everything else needs the card present. */
	if (strcmp(kind, "reset") == 0 && !card_present(dc) && card_backend_id(dc)[0]) {
		if (ocxlpmem_transport_sim_reset(m->transport, card_backend_id(dc)) < 0) {
			failed(call, "cannot reset");
			return;
		}
		log_notice("%s: simulation: reset injected by uid %u", card_name(dc),
			   (unsigned int)varlink_call_uid(call));
		varlink_call_reply(call, NULL);
		return;
	}
	if (!card_present(dc) || !(model = ocxlpmem_card_model(card_object(dc)))) {
		card_error(call, IFACE ".CardOffline", dc);
		return;
	}
	bad = scenario(m, dc, model, &ip, &failure);
	if (!bad) {
		bad = build_fault(&ip, &f);
		if (!bad) {
			r = ocxlpmem_model_inject(model, &f);
			failure = r == -ENOSPC ? "too many faults armed on this card" :
				  r < 0 ? "the card model refused the fault" : NULL;
			bad = "";
		}
	}
	if (*bad) {
		varlink_call_invalid_parameter(call, bad);
		return;
	}
	if (failure) {
		failed(call, failure);
		return;
	}
	log_notice("%s: simulation: %s injected by uid %u", card_name(dc), kind,
		   (unsigned int)varlink_call_uid(call));
	varlink_call_reply(call, NULL);
}

static const struct varlink_method methods[] = {
	{ "InjectFault", m_inject_fault, true },
};

int varlink_simulation_add(struct varlink_server *s, struct manager *m)
{
	return varlink_server_add_interface(s, SIM_IFACE, io_ocxlpmem_simulation_varlink, methods,
					    ELEMENTSOF(methods), m);
}
