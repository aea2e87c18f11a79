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

// f(x) (gradient: f'(x)·dy) of the whole program in double from the references of
// reference/reference.h, rounded once to h. A zero f'(x) gives +0 whatever dy is (a gradient of
// zero, as the float32 kernels select it).
uint16_t exact_half(const Program& f, Half h, float x, bool gradient, float dy);

// Whether a float32 result r of the node (a piecewise-rational op: hardGate, hardSigmoid) at x
// (and dy) is provably its exact value, from exact sums and fma residuals: such an r rounded to
// the format is the correctly rounded result, ties included (many half inputs make exact ties
// there). false where it cannot say.
bool float_result_exact(const Node& nd, float x, bool gradient, float dy, float r);

}  // namespace ak
