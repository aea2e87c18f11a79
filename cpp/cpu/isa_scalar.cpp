// The portable path: baseline flags, one float at a time.
#include "kernels.h"

namespace ak {
extern const CpuKernels kScalarKernels = make_cpu_kernels<float>("scalar");
}
