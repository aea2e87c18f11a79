// Writes every kernel's output for a fixed set of inputs (every exponent, a dense sweep, the
// specials) to stdout as raw floats after a header (op count, input count), for one ISA table. scripts/check/check-neon.sh builds it for
// x86-64 and for arm64 (run under qemu) and compares the bytes: the NEON path must give the
// same bits as the x86 paths, which the test suite checks against double references. A trailer
// holds the half-precision conversions.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "../../cpp/cpu/kernels.h"
#include "../../cpp/program.h"

using namespace ak;

int main(int argc, char** argv) {
  std::string isa = argc > 1 ? argv[1] : "scalar";
  const CpuKernels* k = &kScalarKernels;
#if defined(__aarch64__)
  if (isa == "neon") k = &kNeonKernels;
#else
  if (isa == "avx2") k = &kAvx2Kernels;
#endif
  std::vector<float> x;
  for (uint64_t b = 0; b < (uint64_t(1) << 32); b += 65521) {
    uint32_t bits = uint32_t(b);
    float f;
    std::memcpy(&f, &bits, 4);
    if (!std::isnan(f)) x.push_back(f);  // NaN payloads may differ by ISA; NaN-ness is tested
  }
  for (int i = 0; i < 200000; ++i) x.push_back(-40.f + 80.f * float(i) / 200000.f);
  const size_t n = x.size();
  std::vector<float> dy(n), y(n);
  for (size_t i = 0; i < n; ++i) dy[i] = float(int(i * 7919 % 2001) - 1000) / 1000.f;
  // Parameters away from the defaults, by op name; the other ops take none.
  const struct {
    const char* name;
    double raw[kMaxParams];
  } params[] = {{"swish", {1.7}},    {"hardGate", {3, 5}}, {"aptx", {1.5, 0.7, 1.3}},
                {"softplus", {1.7}}, {"elu", {1.3}},       {"leakyRelu", {0.2}}};
  // Header: the op count and the input count, so the comparison needs no constants of its own.
  const uint32_t header[2] = {uint32_t(Op::Count), uint32_t(n)};
  fwrite(header, 4, 2, stdout);
  for (int op = 0; op < int(Op::Count); ++op) {
    double raw[kMaxParams] = {};
    for (const auto& row : params)
      if (std::string(row.name) == op_info(Op(op)).name) std::memcpy(raw, row.raw, sizeof raw);
    Params p = prepare_params(Op(op), raw);
    k->forward(Op(op), p, x.data(), y.data(), n);
    fwrite(y.data(), 4, n, stdout);
    k->backward(Op(op), p, x.data(), dy.data(), y.data(), n);
    fwrite(y.data(), 4, n, stdout);
    double sums[3] = {0, 0, 0};
    k->param_grad(Op(op), p, x.data(), dy.data(), n, sums);
    fwrite(sums, 8, 3, stdout);
  }
  // Then the half-precision conversions, per format: every half widened, the inputs narrowed,
  // mish's forward narrowed with the check (the bits, then how many lanes it left open), and
  // relu6's one-pass forward and backward of every half (dy: the halves in reverse).
  std::vector<uint16_t> all(65536), reversed(65536), h(n), exact(65536);
  std::vector<float> wide(65536);
  std::vector<uint32_t> unsure(n);
  for (size_t i = 0; i < all.size(); ++i) all[i] = uint16_t(i);
  for (size_t i = 0; i < all.size(); ++i) reversed[i] = uint16_t(65535 - i);
  for (Half f : {Half::Bf16, Half::F16}) {
    k->widen(f, all.data(), wide.data(), all.size());
    fwrite(wide.data(), 4, wide.size(), stdout);
    k->narrow(f, x.data(), h.data(), n);
    fwrite(h.data(), 2, n, stdout);
    Params p = prepare_params(Op::Mish, params[0].raw);
    k->forward(Op::Mish, p, x.data(), y.data(), n);
    HalfBound bound{0x1.4p-21f, 0x1.4p-126f, 0, false, 0, {0, 0}};
    uint32_t open = uint32_t(k->narrow_checked(f, x.data(), y.data(), nullptr, nullptr, bound,
                                               h.data(), n, unsure.data()));
    fwrite(h.data(), 2, n, stdout);
    fwrite(&open, 4, 1, stdout);
    const double no_params[kMaxParams] = {};
    Params p6 = prepare_params(Op::Relu6, no_params);
    const uint16_t* dys[] = {nullptr, reversed.data()};
    for (const uint16_t* dy16 : dys) {
      k->exact_half_pass(Op::Relu6, p6, f, all.data(), dy16, exact.data(), all.size(), false);
      fwrite(exact.data(), 2, exact.size(), stdout);
    }
  }
  fprintf(stderr, "%s: %zu inputs, %d ops\n", k->isa, n, int(Op::Count));
  return 0;
}
