#pragma once

// Between the SDK's start-up code and its runtime (not for programs).

// Maps the heap VMO that sbrk() hands out (zxvp_heap_size bytes).
void __zxvp_heap_start(void);
