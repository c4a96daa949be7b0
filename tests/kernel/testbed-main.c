// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ocxlpmem-testbed: a umockdev test bed of ocxlpmem cards for the kernel
 * backend, controlled by one-line commands on a UNIX socket.
 *
 *   ocxlpmem-testbed --control SOCKET --env-file FILE [--cards N] [--nfit]
 *                    [--no-events nmemN]... [--refuse nmemN:ERRNO]...
 *                    [--open-bed] [--readonly nmemN]...
 *
 * --open-bed makes the bed usable by a client of another uid (its
 * directory world-writable, sticky; ioctl sockets and DIMM nodes 0666);
 * --readonly makes a DIMM's node 0444, which such a client can open only
 * read-only (as root it changes nothing).
 *
 * When the bed is ready it writes "UMOCKDEV_DIR=..." to FILE; a program
 * run with that variable and libumockdev-preload sees the cards.  Commands
 * (one per connection; the answer is one line, "ok ..." or "error ..."):
 *
 *   add [v4] [no-events] [refuse=ERRNO] [functions=MASK]
 *                                    a new card, hotplugged: "ok nmemN";
 *                                    its driver implements only MASK
 *   remove nmemN                     surprise removal of the PCI function
 *   fatal nmemN hardware|firmware    fatal error: event, then the bus goes
 *   reset nmemN                      card reset: the bus goes and comes back
 *   errlog nmemN TYPE                queue an error-log entry
 *   temperature nmemN C | life nmemN PCT   (-1 resumes drift)
 *   drop-smart nmemN ID              hide a SMART attribute
 *   dump nmemN SIZE                  the card makes a dump by itself
 *   fault nmemN KIND [function=F] [status=S] [errno=E] [delay=MS]
 *         [bytes=N] [corruption=C] [after=N] [count=N]
 *   clear nmemN                      clear faults, release hung commands
 *   refuse nmemN ERRNO|0             fail every ND_IOCTL_CALL with ERRNO
 *   event nmemN BITS                 write ocxlpmem/events (a notification)
 *   count nmemN [FUNCTION]           "ok N": ND_IOCTL_CALLs received (of
 *                                    FUNCTION, a name or number: the
 *                                    commands the card model met)
 *   mode nmemN MODE                  chmod the DIMM's node (octal), kept
 *                                    across resets
 *   cdev-count nmemN                 "ok N": ioctls on its /dev/ocxlpmemN
 *   eventfd nmemN                    "ok yes|no": the client registered
 *                                    an eventfd the bed can signal
 *
 * A v4 card (add v4, --v4 nmemN) is the posted v4 driver's: the family is
 * refused on /dev/nmemN but for SMART, the DIMM has only ocxlpmem/serial
 * and fw_version, and /dev/ocxlpmemN serves the private ioctls.
 *
 * The loop plays the driver: it mirrors each model's event bits into its
 * DIMM's ocxlpmem/events, and takes the nd bus down shortly after a model
 * goes away (a fatal error, or a remove-after fault), as the driver does.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "testbed.h"

/* The driver signals a fatal event, then unregisters the bus from a work
 * item: the consumer has this long to read the bits first. */
#define TB_FATAL_TEARDOWN_MS 300

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static int errno_from_name(const char *s)
{
	static const struct { const char *name; int value; } names[] = {
		{ "EPERM", EPERM }, { "ENXIO", ENXIO }, { "ENOTTY", ENOTTY },
		{ "EINVAL", EINVAL }, { "EBUSY", EBUSY }, { "EAGAIN", EAGAIN },
		{ "ETIMEDOUT", ETIMEDOUT }, { "EIO", EIO }, { "EACCES", EACCES },
	};
	char *end;
	long v;

	for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
		if (strcmp(s, names[i].name) == 0)
			return names[i].value;
	v = strtol(s, &end, 0);
	return *s && !*end && v >= 0 && v < 4096 ? (int)v : -1;
}

static int function_from_name(const char *s)
{
	char *end;
	long v = strtol(s, &end, 0);

	if (*s && !*end)
		return (int)v;
	for (unsigned int f = OCXLPMEM_FN_MIN; f <= OCXLPMEM_FN_MAX; f++)
		if (strcmp(ocxlpmem_function_name(f), s) == 0)
			return (int)f;
	return -1;
}

static int parse_fault(char **argv, int argc, struct ocxlpmem_fault *f, char *err, size_t cap)
{
	int kind = ocxlpmem_fault_kind_from_name(argv[0]);

	memset(f, 0, sizeof(*f));
	if (kind < 0) {
		snprintf(err, cap, "unknown fault kind %s", argv[0]);
		return -EINVAL;
	}
	f->kind = (enum ocxlpmem_fault_kind)kind;
	for (int i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		const char *v;

		if (!eq) {
			snprintf(err, cap, "expected key=value: %s", argv[i]);
			return -EINVAL;
		}
		*eq = '\0';
		v = eq + 1;
		if (strcmp(argv[i], "function") == 0) {
			int fn = function_from_name(v);

			if (fn < 0)
				goto bad;
			f->function = (unsigned int)fn;
		} else if (strcmp(argv[i], "status") == 0) {
			f->status = (uint8_t)strtoul(v, NULL, 0);
		} else if (strcmp(argv[i], "errno") == 0) {
			f->err = errno_from_name(v);
			if (f->err <= 0)
				goto bad;
		} else if (strcmp(argv[i], "delay") == 0) {
			f->delay_ms = (unsigned int)strtoul(v, NULL, 0);
		} else if (strcmp(argv[i], "bytes") == 0) {
			f->truncate_to = strtoul(v, NULL, 0);
		} else if (strcmp(argv[i], "corruption") == 0) {
			if (strcmp(v, "header-id") == 0)
				f->corruption = OCXLPMEM_CORRUPT_HEADER_ID;
			else if (strcmp(v, "reserved") == 0)
				f->corruption = OCXLPMEM_CORRUPT_RESERVED;
			else if (strcmp(v, "length") == 0)
				f->corruption = OCXLPMEM_CORRUPT_LENGTH;
			else
				goto bad;
		} else if (strcmp(argv[i], "after") == 0) {
			f->after = (unsigned int)strtoul(v, NULL, 0);
		} else if (strcmp(argv[i], "count") == 0) {
			f->count = (unsigned int)strtoul(v, NULL, 0);
		} else {
			goto bad;
		}
		continue;
bad:
		snprintf(err, cap, "bad %s=%s", argv[i], v);
		return -EINVAL;
	}
	return 0;
}

/* Execute one command line; the reply goes to out. */
static void command(struct tb *tb, char *line, char *out, size_t cap)
{
	char *argv[16];
	int argc = 0, r = 0;
	struct tb_card *c = NULL;

	for (char *tok = strtok(line, " \t\r\n"); tok && argc < 16; tok = strtok(NULL, " \t\r\n"))
		argv[argc++] = tok;
	if (argc == 0) {
		snprintf(out, cap, "error empty command\n");
		return;
	}
	if (strcmp(argv[0], "add") == 0) {
		bool events = true, v4 = false;
		int refuse = 0;
		uint32_t functions = OCXLPMEM_FN_ALL_MASK;

		for (int i = 1; i < argc; i++) {
			if (strcmp(argv[i], "v4") == 0)
				v4 = true;
			else if (strcmp(argv[i], "no-events") == 0)
				events = false;
			else if (strncmp(argv[i], "refuse=", 7) == 0)
				refuse = errno_from_name(argv[i] + 7);
			else if (strncmp(argv[i], "functions=", 10) == 0)
				functions = (uint32_t)strtoul(argv[i] + 10, NULL, 0);
		}
		r = tb_card_new(tb, events, refuse > 0 ? refuse : 0, &c);
		/* Before the plug: sysfs shows the mask, and the first
		 * command meets it. */
		if (r == 0)
			r = ocxlpmem_model_set_functions(c->model, functions);
		if (r == 0 && v4)
			r = tb_card_make_v4(tb, c);
		if (r == 0)
			r = tb_card_plug(tb, c);
		if (r < 0)
			snprintf(out, cap, "error add: %s\n", strerror(-r));
		else
			snprintf(out, cap, "ok %s\n", c->name);
		return;
	}
	if (argc < 2 || !(c = tb_card_find(tb, argv[1]))) {
		snprintf(out, cap, "error no such card\n");
		return;
	}
	if (strcmp(argv[0], "remove") == 0) {
		ocxlpmem_model_remove(c->model);
		ocxlpmem_model_release_hangs(c->model);
		tb_card_unplug(tb, c, true);
	} else if (strcmp(argv[0], "fatal") == 0) {
		ocxlpmem_model_set_fatal(c->model, argc < 3 || strcmp(argv[2], "firmware") != 0);
	} else if (strcmp(argv[0], "reset") == 0) {
		tb_card_unplug(tb, c, false);
		ocxlpmem_model_reset(c->model);
		r = tb_card_plug(tb, c);
	} else if (strcmp(argv[0], "errlog") == 0 && argc == 3) {
		int type = ocxlpmem_error_log_type_from_name(argv[2]);

		r = type < 0 ? type
			     : ocxlpmem_model_add_error_log(c->model, (uint8_t)type, 0, 0x1234,
							    NULL, 16);
	} else if (strcmp(argv[0], "temperature") == 0 && argc == 3) {
		ocxlpmem_model_set_temperature(c->model, atoi(argv[2]));
	} else if (strcmp(argv[0], "life") == 0 && argc == 3) {
		ocxlpmem_model_set_life_remaining(c->model, atoi(argv[2]));
	} else if (strcmp(argv[0], "drop-smart") == 0 && argc == 3) {
		ocxlpmem_model_drop_smart_attr(c->model, (uint8_t)strtoul(argv[2], NULL, 0));
	} else if (strcmp(argv[0], "dump") == 0 && argc == 3) {
		int64_t id = ocxlpmem_model_raise_dump(c->model, (uint32_t)strtoul(argv[2], NULL, 0));

		r = id < 0 ? (int)id : 0;
	} else if (strcmp(argv[0], "fault") == 0 && argc >= 3) {
		struct ocxlpmem_fault f;
		char err[128];

		r = parse_fault(argv + 2, argc - 2, &f, err, sizeof(err));
		if (r < 0) {
			snprintf(out, cap, "error %s\n", err);
			return;
		}
		r = ocxlpmem_model_inject(c->model, &f);
	} else if (strcmp(argv[0], "clear") == 0) {
		ocxlpmem_model_clear_faults(c->model);
		ocxlpmem_model_release_hangs(c->model);
	} else if (strcmp(argv[0], "refuse") == 0 && argc == 3) {
		int e = errno_from_name(argv[2]);

		if (e < 0)
			r = -EINVAL;
		else
			atomic_store(&c->refuse_errno, e);
	} else if (strcmp(argv[0], "event") == 0 && argc == 3) {
		r = tb_card_show_events(tb, c, strtoull(argv[2], NULL, 0));
		tb_chardev_signal(c);
	} else if (strcmp(argv[0], "cdev-count") == 0) {
		snprintf(out, cap, "ok %lu\n", atomic_load(&c->cdev_ioctls));
		return;
	} else if (strcmp(argv[0], "eventfd") == 0) {
		snprintf(out, cap, "ok %s\n", c->client_eventfd >= 0 ? "yes" : "no");
		return;
	} else if (strcmp(argv[0], "mode") == 0 && argc == 3) {
		char *end;
		unsigned long mode = strtoul(argv[2], &end, 8);

		r = *argv[2] && !*end && mode <= 07777 ? tb_card_node_mode(tb, c, (unsigned int)mode)
						      : -EINVAL;
	} else if (strcmp(argv[0], "count") == 0 && argc == 3) {
		int fn = function_from_name(argv[2]);

		if (fn < OCXLPMEM_FN_MIN || fn > OCXLPMEM_FN_MAX) {
			snprintf(out, cap, "error no such function\n");
			return;
		}
		snprintf(out, cap, "ok %llu\n",
			 (unsigned long long)ocxlpmem_model_call_count(c->model, (unsigned int)fn));
		return;
	} else if (strcmp(argv[0], "count") == 0) {
		snprintf(out, cap, "ok %lu\n", atomic_load(&c->ioctls));
		return;
	} else {
		snprintf(out, cap, "error unknown command or arguments\n");
		return;
	}
	if (r < 0)
		snprintf(out, cap, "error %s: %s\n", argv[0], strerror(-r));
	else
		snprintf(out, cap, "ok\n");
}

/* The driver's part: events into sysfs, a dead card's bus taken down. */
static void driver_tick(struct tb *tb)
{
	uint64_t now = tb_now_ms();

	for (unsigned int i = 0; i < tb->ncards; i++) {
		struct tb_card *c = tb->cards[i];
		uint64_t v;

		/* The v4 driver signals its eventfd at each interrupt. */
		if (read(ocxlpmem_model_event_fd(c->model), &v, sizeof(v)) > 0)
			tb_chardev_signal(c);
		if (!c->bus_present)
			continue;
		if (ocxlpmem_model_events(c->model) != c->events_shown)
			tb_card_show_events(tb, c, ocxlpmem_model_events(c->model));
		if (!ocxlpmem_model_is_removed(c->model))
			continue;
		if (!c->gone_since_ms)
			c->gone_since_ms = now;
		else if (now - c->gone_since_ms >= TB_FATAL_TEARDOWN_MS)
			tb_card_unplug(tb, c, false);
	}
}

static void serve(struct tb *tb, int lfd)
{
	while (!stop) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		char line[512], reply[256];
		ssize_t n;
		int cfd;

		driver_tick(tb);
		if (poll(&p, 1, 50) <= 0)
			continue;
		cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (cfd < 0)
			continue;
		n = read(cfd, line, sizeof(line) - 1);
		if (n > 0) {
			line[n] = '\0';
			command(tb, line, reply, sizeof(reply));
			(void)!write(cfd, reply, strlen(reply));
		}
		close(cfd);
	}
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "control", required_argument, NULL, 'c' },
		{ "env-file", required_argument, NULL, 'e' },
		{ "cards", required_argument, NULL, 'n' },
		{ "nfit", no_argument, NULL, 'f' },
		{ "no-events", required_argument, NULL, 'E' },
		{ "refuse", required_argument, NULL, 'r' },
		{ "open-bed", no_argument, NULL, 'o' },
		{ "readonly", required_argument, NULL, 'R' },
		{ "v4", required_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *control = NULL, *env_file = NULL;
	char *no_events[TB_MAX_CARDS], *refuse[TB_MAX_CARDS], *readonly[TB_MAX_CARDS];
	char *v4[TB_MAX_CARDS];
	unsigned int ncards = 4, nno_events = 0, nrefuse = 0, nreadonly = 0, nv4 = 0;
	struct tb tb = { .serial_base = 1158557760124620800ull, .nfit_pty = -1 };
	bool nfit = false;
	FILE *f;
	int opt, lfd;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			control = optarg;
			break;
		case 'e':
			env_file = optarg;
			break;
		case 'n':
			ncards = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'f':
			nfit = true;
			break;
		case 'E':
			if (nno_events < TB_MAX_CARDS)
				no_events[nno_events++] = optarg;
			break;
		case 'r':
			if (nrefuse < TB_MAX_CARDS)
				refuse[nrefuse++] = optarg;
			break;
		case 'o':
			tb.open_bed = true;
			break;
		case 'R':
			if (nreadonly < TB_MAX_CARDS)
				readonly[nreadonly++] = optarg;
			break;
		case 'V':
			if (nv4 < TB_MAX_CARDS)
				v4[nv4++] = optarg;
			break;
		default:
			return 64;
		}
	}
	if (!control || !env_file || ncards > TB_MAX_CARDS) {
		fprintf(stderr, "usage: ocxlpmem-testbed --control SOCKET --env-file FILE [--cards N] [--nfit]\n");
		return 64;
	}
	/* umockdev sends uevents and checks parents through its own view of
	 * /sys: this process must run under the preload library too. */
	if (!getenv("LD_PRELOAD") || !strstr(getenv("LD_PRELOAD"), "libumockdev-preload")) {
		if (getenv("OCXLPMEM_TESTBED_REEXEC")) {
			fprintf(stderr, "testbed: libumockdev-preload did not load\n");
			return 1;
		}
		setenv("OCXLPMEM_TESTBED_REEXEC", "1", 1);
		setenv("LD_PRELOAD", "libumockdev-preload.so.0", 1);
		execv("/proc/self/exe", argv);
		fprintf(stderr, "testbed: cannot run under libumockdev-preload: %s\n", strerror(errno));
		return 1;
	}
	/* Children (the daemon) are started by the test, not by us. */
	unsetenv("OCXLPMEM_TESTBED_REEXEC");
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);

	tb.testbed = umockdev_testbed_new();
	tb.root = umockdev_testbed_get_root_dir(tb.testbed);
	/* The preload library binds a client's uevent sockets in here. */
	if (tb.open_bed && chmod(tb.root, 01777) < 0) {
		fprintf(stderr, "testbed: chmod %s: %s\n", tb.root, strerror(errno));
		return 1;
	}
	for (unsigned int i = 0; i < ncards; i++) {
		char name[16];
		bool events = true;
		int refuse_errno = 0;
		struct tb_card *c;

		snprintf(name, sizeof(name), "nmem%u", i);
		for (unsigned int k = 0; k < nno_events; k++)
			events &= strcmp(no_events[k], name) != 0;
		for (unsigned int k = 0; k < nrefuse; k++) {
			size_t len = strlen(name);

			if (strncmp(refuse[k], name, len) == 0 && refuse[k][len] == ':')
				refuse_errno = errno_from_name(refuse[k] + len + 1);
		}
		if (tb_card_new(&tb, events, refuse_errno > 0 ? refuse_errno : 0, &c) < 0) {
			fprintf(stderr, "testbed: cannot create card %u\n", i);
			return 1;
		}
		for (unsigned int k = 0; k < nreadonly; k++)
			if (strcmp(readonly[k], name) == 0)
				c->node_mode = 0444;
		for (unsigned int k = 0; k < nv4; k++)
			if (strcmp(v4[k], name) == 0 && tb_card_make_v4(&tb, c) < 0) {
				fprintf(stderr, "testbed: cannot make card %u a v4 card\n", i);
				return 1;
			}
		if (tb_card_plug(&tb, c) < 0) {
			fprintf(stderr, "testbed: cannot create card %u\n", i);
			return 1;
		}
	}
	if (nfit && tb_nfit_add(&tb) < 0) {
		fprintf(stderr, "testbed: cannot create the ACPI.NFIT bus\n");
		return 1;
	}
	lfd = listen_on(control);
	if (lfd < 0) {
		fprintf(stderr, "testbed: cannot listen on %s: %s\n", control, strerror(-lfd));
		return 1;
	}
	f = fopen(env_file, "we");
	if (!f || fprintf(f, "UMOCKDEV_DIR=%s\n", tb.root) < 0 || fclose(f) != 0) {
		fprintf(stderr, "testbed: cannot write %s\n", env_file);
		return 1;
	}
	serve(&tb, lfd);

	close(lfd);
	unlink(control);
	for (unsigned int i = 0; i < tb.ncards; i++)
		ocxlpmem_model_release_hangs(tb.cards[i]->model);
	/* The bed's directory goes with it; models and handlers go with the
	 * process (a command thread may still hold one). */
	g_object_unref(tb.testbed);
	g_free(tb.root);
	return 0;
}
