#pragma once

// Zircon's statuses (zircon/errors.h), with Zircon's names and values. C and C++: the kernel
// model and guest programs (the SDK's <zircon/errors.h>) include this one file.

#define ZX_OK ((zx_status_t)0)
#define ZX_ERR_INTERNAL ((zx_status_t)-1)
#define ZX_ERR_NOT_SUPPORTED ((zx_status_t)-2)
#define ZX_ERR_NO_RESOURCES ((zx_status_t)-3)
#define ZX_ERR_NO_MEMORY ((zx_status_t)-4)
#define ZX_ERR_INTERNAL_INTR_RETRY ((zx_status_t)-6)
#define ZX_ERR_INVALID_ARGS ((zx_status_t)-10)
#define ZX_ERR_BAD_HANDLE ((zx_status_t)-11)
#define ZX_ERR_WRONG_TYPE ((zx_status_t)-12)
#define ZX_ERR_BAD_SYSCALL ((zx_status_t)-13)
#define ZX_ERR_OUT_OF_RANGE ((zx_status_t)-14)
#define ZX_ERR_BUFFER_TOO_SMALL ((zx_status_t)-15)
#define ZX_ERR_BAD_STATE ((zx_status_t)-20)
#define ZX_ERR_TIMED_OUT ((zx_status_t)-21)
#define ZX_ERR_SHOULD_WAIT ((zx_status_t)-22)
#define ZX_ERR_CANCELED ((zx_status_t)-23)
#define ZX_ERR_PEER_CLOSED ((zx_status_t)-24)
#define ZX_ERR_NOT_FOUND ((zx_status_t)-25)
#define ZX_ERR_ALREADY_EXISTS ((zx_status_t)-26)
#define ZX_ERR_ALREADY_BOUND ((zx_status_t)-27)
#define ZX_ERR_UNAVAILABLE ((zx_status_t)-28)
#define ZX_ERR_ACCESS_DENIED ((zx_status_t)-30)
#define ZX_ERR_IO ((zx_status_t)-40)
#define ZX_ERR_IO_REFUSED ((zx_status_t)-41)
#define ZX_ERR_IO_DATA_INTEGRITY ((zx_status_t)-42)
#define ZX_ERR_IO_DATA_LOSS ((zx_status_t)-43)
#define ZX_ERR_IO_NOT_PRESENT ((zx_status_t)-44)
#define ZX_ERR_IO_OVERRUN ((zx_status_t)-45)
#define ZX_ERR_IO_MISSED_DEADLINE ((zx_status_t)-46)
#define ZX_ERR_IO_INVALID ((zx_status_t)-47)
#define ZX_ERR_BAD_PATH ((zx_status_t)-50)
#define ZX_ERR_NOT_DIR ((zx_status_t)-51)
#define ZX_ERR_NOT_FILE ((zx_status_t)-52)
#define ZX_ERR_FILE_BIG ((zx_status_t)-53)
#define ZX_ERR_NO_SPACE ((zx_status_t)-54)
#define ZX_ERR_NOT_EMPTY ((zx_status_t)-55)
#define ZX_ERR_STOP ((zx_status_t)-60)
#define ZX_ERR_NEXT ((zx_status_t)-61)
#define ZX_ERR_ASYNC ((zx_status_t)-62)
#define ZX_ERR_PROTOCOL_NOT_SUPPORTED ((zx_status_t)-70)
#define ZX_ERR_ADDRESS_UNREACHABLE ((zx_status_t)-71)
#define ZX_ERR_ADDRESS_IN_USE ((zx_status_t)-72)
#define ZX_ERR_NOT_CONNECTED ((zx_status_t)-73)
#define ZX_ERR_CONNECTION_REFUSED ((zx_status_t)-74)
#define ZX_ERR_CONNECTION_RESET ((zx_status_t)-75)
#define ZX_ERR_CONNECTION_ABORTED ((zx_status_t)-76)
#define ZX_ERR_INTERNAL_INTR_KILLED ((zx_status_t)-502)

// Every status by name, for tables of names (zx_status_get_string, scenario files).
#define ZXVP_STATUSES(X)           \
  X(ZX_OK)                         \
  X(ZX_ERR_INTERNAL)               \
  X(ZX_ERR_NOT_SUPPORTED)          \
  X(ZX_ERR_NO_RESOURCES)           \
  X(ZX_ERR_NO_MEMORY)              \
  X(ZX_ERR_INTERNAL_INTR_RETRY)    \
  X(ZX_ERR_INVALID_ARGS)           \
  X(ZX_ERR_BAD_HANDLE)             \
  X(ZX_ERR_WRONG_TYPE)             \
  X(ZX_ERR_BAD_SYSCALL)            \
  X(ZX_ERR_OUT_OF_RANGE)           \
  X(ZX_ERR_BUFFER_TOO_SMALL)       \
  X(ZX_ERR_BAD_STATE)              \
  X(ZX_ERR_TIMED_OUT)              \
  X(ZX_ERR_SHOULD_WAIT)            \
  X(ZX_ERR_CANCELED)               \
  X(ZX_ERR_PEER_CLOSED)            \
  X(ZX_ERR_NOT_FOUND)              \
  X(ZX_ERR_ALREADY_EXISTS)         \
  X(ZX_ERR_ALREADY_BOUND)          \
  X(ZX_ERR_UNAVAILABLE)            \
  X(ZX_ERR_ACCESS_DENIED)          \
  X(ZX_ERR_IO)                     \
  X(ZX_ERR_IO_REFUSED)             \
  X(ZX_ERR_IO_DATA_INTEGRITY)      \
  X(ZX_ERR_IO_DATA_LOSS)           \
  X(ZX_ERR_IO_NOT_PRESENT)         \
  X(ZX_ERR_IO_OVERRUN)             \
  X(ZX_ERR_IO_MISSED_DEADLINE)     \
  X(ZX_ERR_IO_INVALID)             \
  X(ZX_ERR_BAD_PATH)               \
  X(ZX_ERR_NOT_DIR)                \
  X(ZX_ERR_NOT_FILE)               \
  X(ZX_ERR_FILE_BIG)               \
  X(ZX_ERR_NO_SPACE)               \
  X(ZX_ERR_NOT_EMPTY)              \
  X(ZX_ERR_STOP)                   \
  X(ZX_ERR_NEXT)                   \
  X(ZX_ERR_ASYNC)                  \
  X(ZX_ERR_PROTOCOL_NOT_SUPPORTED) \
  X(ZX_ERR_ADDRESS_UNREACHABLE)    \
  X(ZX_ERR_ADDRESS_IN_USE)         \
  X(ZX_ERR_NOT_CONNECTED)          \
  X(ZX_ERR_CONNECTION_REFUSED)     \
  X(ZX_ERR_CONNECTION_RESET)       \
  X(ZX_ERR_CONNECTION_ABORTED)     \
  X(ZX_ERR_INTERNAL_INTR_KILLED)
