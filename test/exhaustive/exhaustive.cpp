// `npm run accuracy`: every float32 input (all 2^32 bit patterns) through every function of the
// test table's defaults and the non-default parameter sets below, forward and backward (dy = 1), on every ISA path this processor has,
// against the double-precision reference of reference/reference.h. Prints the max error in ulps
// (as docs/targets.md and reference/reference.ts measure it) per function, direction and path, with the
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
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../../cpp/cpu/compute.h"
#include "../../cpp/cpu/kernels.h"
#include "../../cpp/program.h"
#include "../../reference/reference.h"

namespace {

using ak::CpuKernels;
using ak::Op;
using ak::Params;

// ---- the functions under test ----

struct Kernel {
  Op op;
  double raw[ak::kMaxParams];
};

struct Function {
  const char* name;
  Kernel k;
  bool blend = false;  // (1 - t) k + t k2, t = 0.5, as cpp/cpu/compute.cpp composes a blend node
  Kernel k2 = {};
};

// The defaults of the test table and the hard parameter sets; every op of the registry that has
// no parameters and is not listed here is added by all_functions().
const std::vector<Function> kListed = {
    {"relu", {Op::Relu, {}}},
    {"mish", {Op::Mish, {}}},
    {"swish / silu", {Op::Swish, {1}}},
    {"hardSwish / hardGate", {Op::HardGate, {3, 6}}},
    {"hardMish", {Op::HardGate, {3, 5}}},
    {"hMish", {Op::HardGate, {2, 2}}},
    {"approxMish", {Op::ApproxMish, {}}},
    {"linearSwish", {Op::LinearSwish, {}}},
    {"aptx", {Op::Aptx, {1, 1, 0.5}}},
    {"blend(mish, hardMish, 0.5)", {Op::Mish, {}}, true, {Op::HardGate, {3, 5}}},
    {"gelu", {Op::Gelu, {}}},
    {"geluTanh", {Op::GeluTanh, {}}},
    {"sigmoid", {Op::Sigmoid, {}}},
    {"tanh", {Op::Tanh, {}}},
    {"softplus", {Op::Softplus, {1}}},
    {"elu", {Op::Elu, {1}}},
    {"selu", {Op::Selu, {}}},
    {"leakyRelu", {Op::LeakyRelu, {0.01}}},
    {"aptx(0.7, 1.3, 0.4)", {Op::Aptx, {0.7, 1.3, 0.4}}},
    {"aptx(0, 1, 0.5)", {Op::Aptx, {0, 1, 0.5}}},
    {"aptx(-1, 1, 0.5)", {Op::Aptx, {-1, 1, 0.5}}},
    {"aptx(1.5, 0.5, 2)", {Op::Aptx, {1.5, 0.5, 2}}},
    {"aptx(0.7, 1, 2)", {Op::Aptx, {0.7, 1, 2}}},  // the worst table row
    // large gamma: f' exact relative to itself next to its zeros (one, two, the merged double
    // zero at alpha = u*) and alpha = 1's far tail at gamma >= 2^24
    {"aptx(1, 1, 1000)", {Op::Aptx, {1, 1, 1000}}},
    {"aptx(0.7, 1, 10)", {Op::Aptx, {0.7, 1, 10}}},
    {"aptx(1.19, 1, 1e30)", {Op::Aptx, {1.19, 1, 1e30}}},
    {"aptx(1.1996786, 1, 1000)", {Op::Aptx, {1.1996786, 1, 1000}}},
    {"aptx(-1.1, -2, 3)", {Op::Aptx, {-1.1, -2, 3}}},
    {"aptx(1, 1, 1e30)", {Op::Aptx, {1, 1, 1e30}}},
    {"swish(beta 0.5)", {Op::Swish, {0.5}}},
    {"hardGate(0.3, 0.7)", {Op::HardGate, {0.3, 0.7}}},
};

std::vector<Function> all_functions() {
  std::vector<Function> list = kListed;
  for (int i = 0; i < int(Op::Count); ++i) {
    bool listed = false;
    for (const Function& f : kListed) listed = listed || f.k.op == Op(i) || (f.blend && f.k2.op == Op(i));
    if (!listed && ak::op_info(Op(i)).params == 0) list.push_back({ak::op_info(Op(i)).name, {Op(i), {}}});
  }
  return list;
}
const std::vector<Function> kFunctions = all_functions();

// The reference of f at x (reference/reference.h): f or f' (dy = 1).
double reference_of(const Function& f, bool backward, double x) {
  ak::reference::Ref r = ak::reference::of(f.k.op, f.k.raw, x);
  if (f.blend) {
    ak::reference::Ref r2 = ak::reference::of(f.k2.op, f.k2.raw, x);
    r = {0.5 * r.f + 0.5 * r2.f, 0.5 * r.df + 0.5 * r2.df};
  }
  return backward ? r.df : r.f;
}

using ak::reference::backward_error;
using ak::reference::forward_error;

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
          for (size_t i = 0; i < n; ++i) ref[i] = reference_of(f, backward, x[i]);
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
