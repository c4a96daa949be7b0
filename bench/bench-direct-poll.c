// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Baseline for bench/footprint.sh: the CPU cost of one poll cycle's card
 * commands (SMART, CONTROLLER_HEALTH, EVENT_CHECK, CONTROLLER_STATS,
 * FIRMWARE_INFO per card) issued straight through libocxlpmem, with no
 * daemon around them.  Prints CPU seconds per cycle.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <ocxlpmem/ocxlpmem.h>

static struct ocxlpmem_card *cards[1024];
static unsigned int ncards;

static void take(struct ocxlpmem_card *c, enum ocxlpmem_card_change change, void *userdata)
{
	if (change == OCXLPMEM_CARD_ADDED && ncards < 1024)
		cards[ncards++] = ocxlpmem_card_ref(c);
}

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	unsigned int n = argc > 1 ? (unsigned int)atoi(argv[1]) : 256;
	unsigned int cycles = argc > 2 ? (unsigned int)atoi(argv[2]) : 20;
	struct ocxlpmem_transport *t;
	double t0;

	if (ocxlpmem_transport_new_sim(n, NULL, &t) < 0)
		return 1;
	ocxlpmem_transport_set_listener(t, take, NULL);
	ocxlpmem_transport_scan(t);
	t0 = cpu_seconds();
	for (unsigned int c = 0; c < cycles; c++) {
		for (unsigned int i = 0; i < ncards; i++) {
			struct ocxlpmem_smart smart;
			struct ocxlpmem_health health;
			struct ocxlpmem_stats stats;
			struct ocxlpmem_firmware_info fw;
			uint64_t events;

			if (ocxlpmem_cmd_smart(cards[i], &smart) || ocxlpmem_cmd_health(cards[i], &health) ||
			    ocxlpmem_cmd_event_check(cards[i], &events) ||
			    ocxlpmem_cmd_stats(cards[i], &stats) ||
			    ocxlpmem_cmd_firmware_info(cards[i], &fw))
				return 1;
		}
	}
	printf("%.9f\n", (cpu_seconds() - t0) / cycles);
	for (unsigned int i = 0; i < ncards; i++)
		ocxlpmem_card_unref(cards[i]);
	ocxlpmem_transport_free(t);
	return 0;
}
