// zx_status_get_string() for guest programs, from the one list of statuses (zircon/errors.h).
#include <zircon/status.h>

const char* zx_status_get_string(zx_status_t status) {
  switch (status) {
#define ZXVP_STATUS_CASE(name) \
  case name:                   \
    return #name;
    ZXVP_STATUSES(ZXVP_STATUS_CASE)
#undef ZXVP_STATUS_CASE
    default:
      return "(UNKNOWN)";
  }
}
