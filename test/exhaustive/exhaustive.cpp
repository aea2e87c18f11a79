// `npm run accuracy`: every float32 input (all 2^32 bit patterns) through every function of the
// test table's defaults and the non-default parameter sets of issue 10, forward and backward (dy = 1), on every ISA path this processor has,
// against a double-precision reference written here with libm. Prints the max error in ulps
// (as DESIGN §4 and test/reference.ts measure it) per function, direction and path, with the
// worst input. The kernels are the addon's own: the CpuKernels tables of cpp/cpu/isa_*.cpp.
//
//   exhaustive [--step K] [--threads N] [--report S] [--only A,B] [--isa NAME]
//     --step K     check every K-th bit pattern only (K a power of two: a quick estimate)
//     --threads N  worker threads (default: every core)
//     --report S   print the table so far every S seconds (default 300)
//     --only A,B   only the functions whose name contains A or B
//     --isa NAME   only that path (avx512, avx2, neon, scalar)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../../cpp/cpu/compute.h"
#include "../../cpp/cpu/kernels.h"
#include "../../cpp/params.h"

namespace {

using ak::CpuKernels;
using ak::Op;
using ak::Params;

// ---- double-precision references (the same forms as test/reference.ts) ----

double sig(double z) { return z >= 0 ? 1 / (1 + std::exp(-z)) : std::exp(z) / (1 + std::exp(z)); }
// d/dx [x s(c x)] = s(z)(1 + z s(-z)), z = c x
double swish_slope(double z) { return sig(z) * (1 + z * sig(-z)); }

struct Reference {
  std::function<double(double)> f, df;
};

double relu_f(double x) { return x > 0 ? x : std::isnan(x) ? x : 0; }
double relu_df(double x) { return x > 0 ? 1 : std::isnan(x) ? x : 0; }

double mish_f(double x) {
  if (x == -INFINITY) return -0.0;
  if (x > 40) return x;  // tanh(softplus 40) = 1 - 2e-35
  return x * std::tanh(std::log1p(std::exp(x)));
}
double mish_df(double x) {
  if (x == -INFINITY) return 0;
  if (x > 40) return 1;
  double e = std::exp(x), n = e * (e + 2);
  return n / (n + 2) + x * 4 * (1 + e) * (1 + e) * sig(x) / ((n + 2) * (n + 2));
}

double swish_f(double x) { return std::isfinite(x) ? x * sig(x) : x > 0 ? x : x < 0 ? -0.0 : x; }
double swish_df(double x) { return std::isnan(x) ? x : std::isfinite(x) ? swish_slope(x) : x > 0; }

template <int Shift, int Cap>
double hard_gate_f(double x) {
  if (x + Shift <= 0) return x < 0 ? -0.0 : 0.0;
  if (x + Shift >= Cap) return x;
  return x * (x + Shift) / Cap;
}
template <int Shift, int Cap>
double hard_gate_df(double x) {
  if (std::isnan(x)) return x;
  return x + Shift <= 0 ? 0 : x + Shift >= Cap ? 1 : (2 * x + Shift) / double(Cap);
}

double approx_mish_f(double x) {
  return x == -INFINITY ? -0.0 : x == INFINITY ? x : x * sig(x <= 0 ? x : 2 * x);
}
double approx_mish_df(double x) {
  return x == -INFINITY ? 0 : x == INFINITY ? 1 : swish_slope(x <= 0 ? x : 2 * x);
}

double linear_swish_f(double x) {
  return x > 0 ? x : x == -INFINITY ? -0.0 : 2 * x * sig(1.25 * x);
}
double linear_swish_df(double x) {
  return x > 0 ? 1 : x == -INFINITY ? 0 : std::isnan(x) ? x : 2 * swish_slope(1.25 * x);
}

// aptx alpha 1, beta 1, gamma 0.5: (alpha + tanh(x)) gamma x = 0.5 (2x s(2x))
double aptx_f(double x) {
  if (std::isfinite(x)) return 0.5 * (2 * x * sig(2 * x));
  return x > 0 ? x : x < 0 ? -0.0 : x;  // NaN stays NaN
}
double aptx_df(double x) {
  if (std::isnan(x)) return x;
  double z = 2 * x;
  return 0.5 * (2 * (std::isfinite(z) ? swish_slope(z) : z > 0));
}

// The classic functions (cpp/activations_classic.h) with their defaults.
double gelu_f(double x) {
  if (x == -INFINITY) return -0.0;
  return x == INFINITY ? x : x * 0.5 * std::erfc(-x * M_SQRT1_2);
}
double gelu_df(double x) {
  if (std::isnan(x)) return x;
  if (!std::isfinite(x)) return x > 0;
  return 0.5 * std::erfc(-x * M_SQRT1_2) + x * 0.39894228040143267794 * std::exp(-0.5 * x * x);
}

const double kGeluC = 1.5957691216057307117;  // 2 sqrt(2/pi)
double gelu_tanh_f(double x) {
  if (!std::isfinite(x)) return x > 0 ? x : x < 0 ? -0.0 : x;
  return x * sig(kGeluC * (x + 0.044715 * x * x * x));
}
double gelu_tanh_df(double x) {
  if (std::isnan(x)) return x;
  if (!std::isfinite(x)) return x > 0;
  double z = kGeluC * (x + 0.044715 * x * x * x), w = kGeluC * x * (1 + 3 * 0.044715 * x * x);
  return sig(z) * (1 + w * sig(-z));
}

double sigmoid_f(double x) { return std::isnan(x) ? x : sig(x); }
double sigmoid_df(double x) { return std::isnan(x) ? x : sig(x) * sig(-x); }
double tanh_f(double x) { return std::tanh(x); }
double tanh_df(double x) {
  return std::isnan(x) ? x : std::isfinite(x) ? 4 * sig(2 * x) * sig(-2 * x) : 0;
}

// softplus beta 1: max(x, 0) + log1p(e^-|x|)
double softplus_f(double x) {
  if (std::isnan(x) || x == INFINITY) return x;
  return (x > 0 ? x : 0) + std::log1p(std::exp(-std::fabs(x)));
}
double softplus_df(double x) { return std::isnan(x) ? x : sig(x); }

template <int kSelu>
double elu_f(double x) {
  const double lambda = kSelu ? 1.0507009873554805 : 1, alpha = kSelu ? 1.6732632423543772 : 1;
  if (std::isnan(x)) return x;
  return x > 0 ? lambda * x : lambda * alpha * std::expm1(x);
}
template <int kSelu>
double elu_df(double x) {
  const double lambda = kSelu ? 1.0507009873554805 : 1, alpha = kSelu ? 1.6732632423543772 : 1;
  if (std::isnan(x)) return x;
  return x > 0 ? lambda : lambda * alpha * std::exp(x);
}

// leakyRelu slope 0.01 (rounded to float, as the kernel holds it)
const double kSlope = double(0.01f);
double leaky_relu_f(double x) { return x > 0 ? x : kSlope * x; }
double leaky_relu_df(double x) { return std::isnan(x) ? x : x > 0 ? 1 : kSlope; }

// Two zeros (results that underflowed) blend to -0 if either is, as cpp/math.h blend_of does.
double blend_f(double x) {
  double a = mish_f(x), b = hard_gate_f<3, 5>(x);
  if (a == 0 && b == 0) return std::signbit(a) || std::signbit(b) ? -0.0 : 0.0;
  return 0.5 * a + 0.5 * b;
}
double blend_df(double x) { return 0.5 * mish_df(x) + 0.5 * hard_gate_df<3, 5>(x); }

// ---- at non-default parameters (issue 10): the forms of test/reference.ts, exact near roots ----

double f32(double v) { return double(float(v)); }

Reference swish_ref(double beta) {
  double b = f32(beta);
  return {[b](double x) {
            if (std::isfinite(x)) return x * sig(b * x);
            if (std::isnan(x)) return x;
            return b == 0 ? x : b * x > 0 ? x : std::copysign(0.0, x);
          },
          [b](double x) {
            if (std::isnan(x)) return x;
            if (std::isfinite(x)) return swish_slope(b * x);
            return b == 0 ? 0.5 : b * x > 0 ? 1.0 : 0.0;
          }};
}

Reference hard_gate_ref(double shift, double cap) {
  double s = f32(shift), c = f32(cap);
  return {[s, c](double x) {
            if (x + s <= 0) return std::copysign(0.0, x);
            if (x + s >= c) return x;
            return x * (x + s) / c;
          },
          [s, c](double x) {
            if (std::isnan(x)) return x;
            return x + s <= 0 ? 0.0 : x + s >= c ? 1.0 : (2 * x + s) / c;
          }};
}

// alpha + tanh(u) without cancellation (test/reference.ts aptxSum): for |alpha| < 1,
// (1 - alpha^2) t / (1 - alpha t) with t = tanh(u - u0), u0 = atanh(-alpha); otherwise the sum
// whose terms have one sign.
Reference aptx_ref(double alpha, double beta, double gamma) {
  double a = f32(alpha), b = f32(beta), g = f32(gamma);
  std::function<double(double)> sum;
  if (std::fabs(a) < 1) {
    double u0 = std::atanh(-a), c = 1 - a * a;
    sum = [a, u0, c](double u) {
      double t = std::tanh(u - u0);
      return c * t / (1 - a * t);
    };
  } else if (a == -1) {
    sum = [](double u) { return -2 * sig(-2 * u); };
  } else if (a >= 1) {
    sum = [a](double u) { return a - 1 + 2 * sig(2 * u); };
  } else {
    sum = [a](double u) { return a + 1 - 2 * sig(-2 * u); };
  }
  auto tail = [b](double x) { return b == 0 ? 0.0 : b > 0 ? std::copysign(1.0, x) : -std::copysign(1.0, x); };
  return {[=](double x) {
            if (std::isnan(x)) return x;
            if (b == 0 && std::isfinite(x)) return g * a * x;
            if (x == 0) return g * x * (a != 0 ? a : b * x);
            if (std::isfinite(x)) return g * x * sum(b * x);
            double c = a + tail(x);
            return c != 0 && g != 0 ? g * c * x : (g * std::copysign(1.0, x) * (c != 0 ? c : a)) * 0.0;
          },
          [=](double x) {
            if (std::isnan(x)) return x;
            if (!std::isfinite(x)) return g * (a + tail(x));
            double u = b * x;
            return g * (sum(u) + 4 * u * sig(2 * u) * sig(-2 * u));
          }};
}

// ---- the functions under test ----

struct Kernel {
  Op op;
  double raw[3];
};

struct Function {
  const char* name;
  Reference ref;
  Kernel k;
  bool blend = false;  // (1 - t) k + t k2, t = 0.5, as cpp/cpu/compute.cpp composes a blend node
  Kernel k2 = {};
};

const std::vector<Function> kFunctions = {
    {"relu", {relu_f, relu_df}, {Op::Relu, {}}},
    {"mish", {mish_f, mish_df}, {Op::Mish, {}}},
    {"swish / silu", {swish_f, swish_df}, {Op::Swish, {1}}},
    {"hardSwish / hardGate", {hard_gate_f<3, 6>, hard_gate_df<3, 6>}, {Op::HardGate, {3, 6}}},
    {"hardMish", {hard_gate_f<3, 5>, hard_gate_df<3, 5>}, {Op::HardGate, {3, 5}}},
    {"hMish", {hard_gate_f<2, 2>, hard_gate_df<2, 2>}, {Op::HardGate, {2, 2}}},
    {"approxMish", {approx_mish_f, approx_mish_df}, {Op::ApproxMish, {}}},
    {"linearSwish", {linear_swish_f, linear_swish_df}, {Op::LinearSwish, {}}},
    {"aptx", {aptx_f, aptx_df}, {Op::Aptx, {1, 1, 0.5}}},
    {"blend(mish, hardMish, 0.5)",
     {blend_f, blend_df},
     {Op::Mish, {}},
     true,
     {Op::HardGate, {3, 5}}},
    {"gelu", {gelu_f, gelu_df}, {Op::Gelu, {}}},
    {"geluTanh", {gelu_tanh_f, gelu_tanh_df}, {Op::GeluTanh, {}}},
    {"sigmoid", {sigmoid_f, sigmoid_df}, {Op::Sigmoid, {}}},
    {"tanh", {tanh_f, tanh_df}, {Op::Tanh, {}}},
    {"softplus", {softplus_f, softplus_df}, {Op::Softplus, {1}}},
    {"elu", {elu_f<0>, elu_df<0>}, {Op::Elu, {1}}},
    {"selu", {elu_f<1>, elu_df<1>}, {Op::Selu, {}}},
    {"leakyRelu", {leaky_relu_f, leaky_relu_df}, {Op::LeakyRelu, {0.01}}},
    {"aptx(0.7, 1.3, 0.4)", aptx_ref(0.7, 1.3, 0.4), {Op::Aptx, {0.7, 1.3, 0.4}}},
    {"aptx(0, 1, 0.5)", aptx_ref(0, 1, 0.5), {Op::Aptx, {0, 1, 0.5}}},
    {"aptx(-1, 1, 0.5)", aptx_ref(-1, 1, 0.5), {Op::Aptx, {-1, 1, 0.5}}},
    {"aptx(1.5, 0.5, 2)", aptx_ref(1.5, 0.5, 2), {Op::Aptx, {1.5, 0.5, 2}}},
    {"aptx(0.7, 1, 2)", aptx_ref(0.7, 1, 2), {Op::Aptx, {0.7, 1, 2}}},  // the worst table row
    {"swish(beta 0.5)", swish_ref(0.5), {Op::Swish, {0.5}}},
    {"hardGate(0.3, 0.7)", hard_gate_ref(0.3, 0.7), {Op::HardGate, {0.3, 0.7}}},
};

// ---- the error measures of test/reference.ts ----

const double kMinNormal = 0x1p-126;

// The exponent bits of |r| alone are 2^floor(log2 |r|); an ulp of float32 is 2^-23 of that.
double ulp32(double r) {
  double a = std::fabs(r);
  if (a < kMinNormal) return 0x1p-149;
  uint64_t bits;
  std::memcpy(&bits, &a, 8);
  bits &= 0x7ff0000000000000ull;
  std::memcpy(&a, &bits, 8);
  return a * 0x1p-23;
}

double forward_error(double y, double r) {
  if (std::isnan(r) || std::isnan(y)) return std::isnan(r) && std::isnan(y) ? 0 : INFINITY;
  double rf = double(float(r));
  if (!std::isfinite(rf) || !std::isfinite(y)) return y == rf ? 0 : INFINITY;
  if (std::fabs(r) < kMinNormal) return std::fabs(y - r) <= kMinNormal ? 0 : INFINITY;
  return std::fabs(y - r) / ulp32(r);
}

double backward_error(double g, double r) {  // dy = 1
  if (std::isnan(r) || std::isnan(g)) return std::isnan(r) && std::isnan(g) ? 0 : INFINITY;
  double rf = double(float(r));
  if (!std::isfinite(rf) || !std::isfinite(g)) return g == rf ? 0 : INFINITY;
  double excess = std::fabs(g - r) - 0x1p-24;
  return excess <= 0 ? 0 : excess / ulp32(r);
}

struct Worst {
  double error = 0;
  float x = 0, got = 0;
  double want = 0;
  void add(double e, float xi, float g, double r) {
    if (e > error) *this = Worst{e, xi, g, r};
  }
  void merge(const Worst& o) {
    if (o.error > error) *this = o;
  }
};

// ---- the scan ----

constexpr size_t kChunk = 4096;

// The inputs go by (sign, exponent) group, 2^23 bit patterns each, nearest |x| = 1 first: a run
// cut short has still checked every float in [2^-d, 2^(d+1)) for some d, which it reports.
constexpr int kGroups = 512;
int ring(int group) {
  int exponent = group & 255;
  return exponent > 127 ? exponent - 127 : 127 - exponent;
}

struct Path {
  std::string isa;
  const CpuKernels* k;
};

std::vector<Path> paths() {
  std::vector<Path> list;
  for (const std::string& name : ak::cpu_supported_isas()) {
    const CpuKernels* k = &ak::kScalarKernels;
#if defined(__x86_64__) || defined(_M_X64)
    if (name == "avx512") k = &ak::kAvx512Kernels;
    if (name == "avx2") k = &ak::kAvx2Kernels;
#endif
#if defined(__aarch64__)
    if (name == "neon") k = &ak::kNeonKernels;
#endif
    list.push_back({name, k});
  }
  return list;
}

void run_kernel(const CpuKernels& k, const Function& f, bool backward, const float* x,
                const float* dy, float* out, float* tmp, size_t n) {
  auto pass = [&](const Kernel& kn, float* dst) {
    Params p = ak::prepare_params(kn.op, kn.raw);
    if (backward)
      k.backward(kn.op, p, x, dy, dst, n);
    else
      k.forward(kn.op, p, x, dst, n);
  };
  if (!f.blend) return pass(f.k, out);
  pass(f.k, tmp);
  pass(f.k2, out);
  k.blend(0.5f, tmp, out, n);
}


void print_table(const std::vector<Worst>& worst, const std::vector<Function>& kFunctions,
                 const std::vector<Path>& list) {
  const size_t np = list.size();
  std::printf(
      "\n| function | path | forward max ulp | worst x (got, want) | backward max ulp "
      "| worst x (got, want) |\n| --- | --- | --- | --- | --- | --- |\n");
  for (size_t fi = 0; fi < kFunctions.size(); ++fi)
    for (size_t pi = 0; pi < np; ++pi) {
      const Worst& fw = worst[(fi * np + pi) * 2];
      const Worst& bw = worst[(fi * np + pi) * 2 + 1];
      std::printf("| %s | %s | %.3f | %.9g (%.9g, %.9g) | %.3f | %.9g (%.9g, %.9g) |\n",
                  kFunctions[fi].name, list[pi].isa.c_str(), fw.error, double(fw.x), double(fw.got),
                  fw.want, bw.error, double(bw.x), double(bw.got), bw.want);
    }
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t step = 1;
  unsigned threads = std::thread::hardware_concurrency();
  double report_every = 300;
  std::string only, isa;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--step")) step = std::strtoull(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--threads")) threads = unsigned(std::atoi(argv[i + 1]));
    if (!std::strcmp(argv[i], "--report")) report_every = std::atof(argv[i + 1]);
    if (!std::strcmp(argv[i], "--only")) only = argv[i + 1];
    if (!std::strcmp(argv[i], "--isa")) isa = argv[i + 1];
  }
  // A power of two up to 2^23, so that every group has the same samples.
  uint64_t s2 = 1;
  while (s2 < step && s2 < (uint64_t(1) << 23)) s2 <<= 1;
  step = s2;
  if (threads == 0) threads = 1;

  std::vector<Path> list = paths();
  if (!isa.empty()) {
    std::vector<Path> kept;
    for (const Path& p : list)
      if (p.isa == isa) kept.push_back(p);
    list = kept;
  }
  // --only: the functions whose name contains one of the comma-separated parts
  std::vector<Function> functions;
  for (const Function& f : kFunctions) {
    bool keep = only.empty();
    for (size_t at = 0; !keep && at <= only.size();) {
      size_t end = only.find(',', at);
      if (end == std::string::npos) end = only.size();
      if (end > at && std::string(f.name).find(only.substr(at, end - at)) != std::string::npos)
        keep = true;
      at = end + 1;
    }
    if (keep) functions.push_back(f);
  }
  const size_t nf = functions.size(), np = list.size();
  if (nf == 0 || np == 0) {
    std::fprintf(stderr, "exhaustive: no function or path selected\n");
    return 2;
  }
  std::vector<int> order(kGroups);
  for (int g = 0; g < kGroups; ++g) order[size_t(g)] = g;
  std::stable_sort(order.begin(), order.end(), [](int a, int b) { return ring(a) < ring(b); });
  const uint64_t per_group = (uint64_t(1) << 23) / step;  // inputs per group
  const uint64_t chunks_per_group = (per_group + kChunk - 1) / kChunk;
  const uint64_t chunks = chunks_per_group * kGroups;
  const uint64_t total = per_group * kGroups;  // inputs per function

  std::vector<Worst> worst(nf * np * 2);  // [(f * np + p) * 2 + backward]
  std::vector<std::atomic<uint64_t>> group_done(kGroups);
  std::mutex merge;
  std::condition_variable finished;
  unsigned running = threads;
  std::atomic<uint64_t> next{0};
  auto start = std::chrono::steady_clock::now();
  auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  // Every float with |x| in [2^-d, 2^(d+1)) is done (d = 127 adds zeros and subnormals,
  // d = 128 infinities and NaNs); -1 while the first ring runs.
  auto covered = [&] {
    int d = -1;
    for (int r = 0; r <= 128; ++r) {
      bool ring_done = true;
      for (int g = 0; g < kGroups; ++g)
        if (ring(g) == r && group_done[size_t(g)].load() < chunks_per_group) ring_done = false;
      if (!ring_done) break;
      d = r;
    }
    return d;
  };
  std::printf("exhaustive: %llu inputs per function, %zu functions, %zu paths, %u threads\n",
              (unsigned long long)total, nf, np, threads);
  std::fflush(stdout);

  auto work = [&] {
    std::vector<Worst> mine(worst.size());
    alignas(64) float x[kChunk], ones[kChunk], out[kChunk], first[kChunk], tmp[kChunk];
    double ref[kChunk], first_error[kChunk];
    for (size_t i = 0; i < kChunk; ++i) ones[i] = 1.f;
    auto flush = [&] {
      std::lock_guard<std::mutex> lock(merge);
      for (size_t i = 0; i < worst.size(); ++i) worst[i].merge(mine[i]);
    };
    uint64_t since_flush = 0;
    for (uint64_t c; (c = next.fetch_add(1)) < chunks;) {
      int group = order[size_t(c / chunks_per_group)];
      uint64_t first_sample = (c % chunks_per_group) * kChunk;
      size_t n = size_t(std::min<uint64_t>(kChunk, per_group - first_sample));
      for (size_t i = 0; i < n; ++i) {
        uint32_t bits = (uint32_t(group) << 23) | uint32_t((first_sample + i) * step);
        std::memcpy(&x[i], &bits, 4);
      }
      for (size_t fi = 0; fi < nf; ++fi) {
        const Function& f = functions[fi];
        for (int backward = 0; backward < 2; ++backward) {
          for (size_t i = 0; i < n; ++i) ref[i] = backward ? f.ref.df(x[i]) : f.ref.f(x[i]);
          for (size_t pi = 0; pi < np; ++pi) {
            run_kernel(*list[pi].k, f, backward, x, ones, out, tmp, n);
            Worst& w = mine[(fi * np + pi) * 2 + size_t(backward)];
            for (size_t i = 0; i < n; ++i) {
              // The paths mostly agree to the bit: their error is then already known.
              double e;
              if (pi > 0 && std::memcmp(&out[i], &first[i], 4) == 0)
                e = first_error[i];
              else
                e = backward ? backward_error(out[i], ref[i]) : forward_error(out[i], ref[i]);
              if (pi == 0) first_error[i] = e;
              w.add(e, x[i], out[i], ref[i]);
            }
            if (pi == 0) std::memcpy(first, out, n * 4);
          }
        }
      }
      group_done[size_t(group)].fetch_add(1);
      if (++since_flush == 64) {
        flush();
        mine.assign(mine.size(), Worst{});
        since_flush = 0;
      }
    }
    flush();
    std::lock_guard<std::mutex> lock(merge);
    if (--running == 0) finished.notify_all();
  };
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) pool.emplace_back(work);
  {
    std::unique_lock<std::mutex> lock(merge);
    while (!finished.wait_for(lock, std::chrono::duration<double>(report_every),
                              [&] { return running == 0; })) {
      uint64_t started = std::min(next.load(), chunks);
      double s = seconds();
      std::printf(
          "\n%.1f%% in %.0f s (about %.0f s to go); every float with |x| in [2^-%d, 2^%d) "
          "checked so far:",
          100.0 * started / chunks, s, s * (chunks - started) / (started + 1), covered(),
          covered() + 1);
      print_table(worst, functions, list);
      std::fflush(stdout);
    }
  }
  for (auto& t : pool) t.join();
  double took = seconds();

  bool within = true;
  for (const Worst& w : worst) within = within && w.error <= 4;
  std::printf("\nDone:");
  print_table(worst, functions, list);
  std::printf("\n%llu inputs per function%s, %.0f s on %u threads. %s\n", (unsigned long long)total,
              step == 1 ? " (every float32)" : " (sampled)", took, threads,
              within ? "Every function within 4 ulp." : "SOME FUNCTION EXCEEDS 4 ulp.");
  return within ? 0 : 1;
}
