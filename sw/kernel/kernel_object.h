#pragma once

#include "sw/api/zircon/types.h"

namespace zxvp {

// What a handle refers to (Zircon's dispatcher): a VMO or a VMAR here.
class KernelObject {
 public:
  virtual ~KernelObject() = default;
  virtual zx_obj_type_t type() const = 0;
};

}  // namespace zxvp
