// The half-precision passes' two facts beyond the float32 kernels (docs/design.md, Half
// precision): how far a float32 result may be from the exact value (the accuracy contract of
// docs/targets.md, stated once here), and the exact value itself, rounded once to the format,
// for the few lanes whose rounding that bound leaves open.
#pragma once

#include "../half.h"
#include "../program.h"
#include "kernels.h"

namespace ak {

// The bound of one activation node's float32 result (forward, or the gradient f'(x)·dy).
HalfBound half_bound(const Node& nd, bool gradient);

// The zone op's formula states (cpp/types.h, SlopeZone) and the op_info(op).params parameters it
// states it at (at[]); false where it states none.
bool slope_zone(Op op, SlopeZone& zone, float* at);

// f(x) (gradient: f'(x)·dy) of the whole program in double from the references of
// reference/reference.h, rounded once to h. A zero f'(x) gives +0 whatever dy is (a gradient of
// zero, as the float32 kernels select it).
uint16_t exact_half(const Program& f, Half h, float x, bool gradient, float dy);

}  // namespace ak
