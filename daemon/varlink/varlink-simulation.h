/* SPDX-License-Identifier: GPL-2.0-or-later */
/* io.ocxlpmem.Simulation: fault injection into the simulated cards. */
#ifndef OCXLPMEMD_VARLINK_SIMULATION_H
#define OCXLPMEMD_VARLINK_SIMULATION_H

#include "shared/varlink/varlink.h"

struct manager;

#define SIM_IFACE "io.ocxlpmem.Simulation"

/*
 * Serve io.ocxlpmem.Simulation on s, for m's cards.  Only for a simulation
 * transport (ocxlpmem_transport_is_sim()): the caller decides, so that on
 * real cards the interface does not exist.  0 or -errno.
 */
int varlink_simulation_add(struct varlink_server *s, struct manager *m);

#endif /* OCXLPMEMD_VARLINK_SIMULATION_H */
