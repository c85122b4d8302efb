#pragma once

// zx_vmar_root_self(), as in Zircon's <zircon/process.h>: the handle of the calling process's
// root VMAR (a guest program gets it in a2 at entry; see the SDK's start-up code). C and C++.

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

zx_handle_t zx_vmar_root_self(void);

#ifdef __cplusplus
}
#endif
