/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libocxlpmem: everything.  Include the narrower headers where you can. */
#ifndef OCXLPMEM_OCXLPMEM_H
#define OCXLPMEM_OCXLPMEM_H

#include <ocxlpmem/abi.h>
#include <ocxlpmem/codec.h>
#include <ocxlpmem/model.h>
#include <ocxlpmem/transport.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version string, e.g. "0.1.0". */
const char *ocxlpmem_version(void);

#ifdef __cplusplus
}
#endif

#endif /* OCXLPMEM_OCXLPMEM_H */
