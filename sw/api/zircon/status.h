#pragma once

// zx_status_get_string(), as Zircon's <zircon/status.h>: a status's name ("ZX_ERR_BAD_STATE"),
// or "(UNKNOWN)". C and C++; the kernel model and the guest SDK each build it from the one list
// in errors.h.

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

const char* zx_status_get_string(zx_status_t status);

#ifdef __cplusplus
}
#endif
