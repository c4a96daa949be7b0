/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Scope-bound cleanup, as systemd's _cleanup_(): a variable declared
 *
 *	_cleanup_free_ char *buf = NULL;
 *	_cleanup_close_ int fd = -1;
 *
 * is freed or closed when it goes out of scope, on every return path, so
 * an error path is a plain return instead of a goto into a chain of
 * labels that undo what was set up so far.  TAKE_PTR() and TAKE_FD() hand
 * the value on (to the caller, say) and leave NULL or -1 for the cleanup.
 *
 * Initialise every such variable where it is declared: the cleanup runs on
 * any exit from the scope, also before the first assignment.  Built on
 * __attribute__((cleanup)), which GCC and clang have.
 */
#ifndef OCXLPMEM_SHARED_CLEANUP_H
#define OCXLPMEM_SHARED_CLEANUP_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(fn) __attribute__((cleanup(fn)))

/* The pointer's value, leaving NULL in its place. */
#define TAKE_PTR(p)                                                            \
	({                                                                     \
		__typeof__(p) *_pp_ = &(p), _p_ = *_pp_;                       \
		*_pp_ = NULL;                                                  \
		_p_;                                                           \
	})

/* The descriptor, leaving -1 in its place. */
#define TAKE_FD(fd)                                                            \
	({                                                                     \
		int *_pfd_ = &(fd), _fd_ = *_pfd_;                             \
		*_pfd_ = -1;                                                   \
		_fd_;                                                          \
	})

static inline void freep(void *p)
{
	free(*(void **)p);
}

/*
 * errno is kept: a cleanup runs after the return value is computed, but a
 * caller may still read errno (a function returning -1 and setting it).
 */
static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;

		close(*fd);
		errno = saved;
	}
}

static inline void fclosep(FILE **f)
{
	if (*f) {
		int saved = errno;

		fclose(*f);
		errno = saved;
	}
}

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)

#endif /* OCXLPMEM_SHARED_CLEANUP_H */
