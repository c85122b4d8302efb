#pragma once

// zxvp for platform builders: everything needed to put zxvp's models, its default assembly and
// its kernel model into a SystemC platform of one's own, and to call the kernel model over
// TLM-2.0 (README.md, "Using zxvp in your own platform"). Installed under <prefix>/include/zxvp
// with the headers below, at their paths in zxvp's tree; find_package(zxvp) puts both
// <prefix>/include (for <zxvp/zxvp.h>) and <prefix>/include/zxvp (for "models/...", as zxvp's
// own sources write them) on the include path.

// Simulation services: parameters, platform files, statistics.
#include "sim/params/config_error.h"
#include "sim/params/parameter_set.h"
#include "sim/stats/statistics.h"

// Hardware models, one SystemC module each, with TLM-2.0 sockets.
#include "models/bus/bus.h"
#include "models/cache/cache.h"
#include "models/cpu/cpu_core.h"
#include "models/cpu/rv64_hart.h"
#include "models/dma/dma_engine.h"
#include "models/memory/memory.h"
#include "models/mmu/mmu.h"
#include "models/traffic/traffic_initiator.h"

// The default assembly and the platform files (built-in "default", or a YAML file).
#include "platforms/builtin_platforms.h"
#include "platforms/default_platform.h"
#include "platforms/platform_file.h"

// Zircon's types, statuses, rights and system-call numbers.
#include "sw/api/zircon/constants.h"
#include "sw/api/zircon/syscall_numbers.h"
#include "sw/api/zircon/types.h"

// The kernel model, its system-call socket and the runner of guest programs.
#include "sw/kernel/kernel.h"
#include "sw/kernel/program_runner.h"
#include "sw/kernel/syscall_extension.h"
#include "sw/kernel/syscall_target.h"

// The default platform with the kernel model on its core: what `zxvp run` simulates.
#include "sw/workloads/system.h"
