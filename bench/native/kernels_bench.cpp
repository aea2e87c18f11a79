// `npm run bench:kernels`: the CPU kernels alone, without Node, timed in one process against a
// memcpy of the same bytes. Every case (memcpy, each function's forward and backward on each ISA
// path) is timed once per round and the rounds interleave the cases, so a load that comes and
// goes (the machine is shared) hits them all alike; the medians over the rounds are printed, in
// ms per call and as ratios to memcpy and to relu on the same path. A forward touches 8n bytes
// (x in, y out), as a memcpy of 4n bytes does; a backward touches 12n (x, dy in, out), as a
// memcpy of 6n bytes does: each pass is compared with the memcpy of its own bytes. The fastest
// sample is printed too: on a loaded machine it is the steadier figure for the compute-bound
// kernels. A tool for working on the kernels: the user-facing figures are `npm run bench`'s.
//
//   kernels_bench [--sizes 20,24] [--isa avx512,avx2] [--only mish,silu] [--rounds R]
//                 [--threads 1,2] [--min-ms M]
//     --sizes    log2 of the element counts (default 20,24)
//     --isa      paths to time (default: every path this processor has)
//     --only     functions to time (names of the table below; default all)
//     --rounds   rounds of the interleaved schedule (default 15)
//     --threads  thread counts, through cpu_forward/cpu_backward and the pool (default 1)
//     --min-ms   repeat a call until a sample lasts this long (default 2)
//     --stream   also time each kernel with and without streaming stores, whatever the size
//                (one thread, the ISA tables directly; cpu_forward streams from 2^22 on)
// Inputs are the bench's: x uniform in [-8, 8), dy in [-1, 1).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "../../cpp/cpu/compute.h"
#include "../../cpp/cpu/kernels.h"

namespace {

using ak::Op;

struct Function {
  const char* name;
  std::vector<double> code;  // the encoding of lib/activations.ts
};

constexpr double kBlend = ak::kBlendCode;
const std::vector<Function> kFunctions = {
    {"relu", {double(Op::Relu), 0, 0, 0}},
    {"mish", {double(Op::Mish), 0, 0, 0}},
    {"silu", {double(Op::Swish), 1, 0, 0}},
    {"swish(beta=2)", {double(Op::Swish), 2, 0, 0}},
    {"hardSwish", {double(Op::HardGate), 3, 6, 0}},
    {"hardMish", {double(Op::HardGate), 3, 5, 0}},
    {"hMish", {double(Op::HardGate), 2, 2, 0}},
    {"approxMish", {double(Op::ApproxMish), 0, 0, 0}},
    {"linearSwish", {double(Op::LinearSwish), 0, 0, 0}},
    {"aptx", {double(Op::Aptx), 1, 1, 0.5}},
    {"aptx(0.7,1.3,0.4)", {double(Op::Aptx), 0.7, 1.3, 0.4}},
    {"blend(mish,hardMish)",
     {kBlend, 0.5, 0, 0, double(Op::Mish), 0, 0, 0, double(Op::HardGate), 3, 5, 0}},
};

std::vector<std::string> split_list(const char* s) {
  std::vector<std::string> out;
  std::string cur;
  for (const char* p = s;; ++p) {
    if (*p == ',' || *p == 0) {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
      if (*p == 0) break;
    } else {
      cur += *p;
    }
  }
  return out;
}

double now_ms() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

struct Case {
  std::string label;  // e.g. "mish fwd"
  std::string isa;    // "" for memcpy
  int function = -1;  // index into kFunctions; -1 memcpy of 4n bytes, -2 of 6n bytes
  bool backward = false;
  int threads = 1;
  int direct = 0;  // 1: the ISA table's plain kernel, 2: its streaming one; 0: cpu_forward
  int calls = 1;   // per sample, found in the warm-up
  std::vector<double> samples = {};
};

float* aligned_floats(size_t n) {
  void* p = nullptr;
  if (posix_memalign(&p, 64, n * sizeof(float)) != 0) std::abort();
  return static_cast<float*>(p);
}

double lowest(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> sizes = {20, 24};
  std::vector<std::string> isas = ak::cpu_supported_isas();
  std::vector<std::string> only;
  std::vector<int> thread_counts = {1};
  int rounds = 15;
  bool stream = false;
  double min_ms = 2;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--sizes") {
      sizes.clear();
      for (auto& s : split_list(argv[i + 1])) sizes.push_back(std::atoi(s.c_str()));
    } else if (a == "--isa") {
      isas = split_list(argv[i + 1]);
    } else if (a == "--only") {
      only = split_list(argv[i + 1]);
    } else if (a == "--rounds") {
      rounds = std::atoi(argv[i + 1]);
    } else if (a == "--threads") {
      thread_counts.clear();
      for (auto& s : split_list(argv[i + 1])) thread_counts.push_back(std::atoi(s.c_str()));
    } else if (a == "--stream") {
      stream = std::atoi(argv[i + 1]) != 0;
    } else if (a == "--min-ms") {
      min_ms = std::atof(argv[i + 1]);
    } else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  std::vector<ak::Program> decoded(kFunctions.size());
  for (size_t f = 0; f < kFunctions.size(); ++f)
    if (!ak::decode_program(kFunctions[f].code.data(), kFunctions[f].code.size(), decoded[f]))
      return 3;
  auto wanted = [&](const char* name) {
    return only.empty() || std::find(only.begin(), only.end(), name) != only.end() ||
           std::string(name) == "relu";  // relu is the yardstick of every ratio
  };

  for (int log2n : sizes) {
    const size_t n = size_t(1) << log2n;
    float* x = aligned_floats(n);
    float* dy = aligned_floats(n);
    float* out = aligned_floats(n);
    float* src6 = aligned_floats(n + n / 2);
    float* dst6 = aligned_floats(n + n / 2);
    for (size_t i = 0; i < n + n / 2; ++i) src6[i] = dst6[i] = 1.f;
    uint32_t s = 1;
    auto next = [&] {
      s = s * 1664525u + 1013904223u;
      return double(s) / 4294967296.0;
    };
    for (size_t i = 0; i < n; ++i) {
      x[i] = float(16 * next() - 8);
      dy[i] = float(2 * next() - 1);
      out[i] = 0;
    }

    std::vector<Case> cases;
    cases.push_back({"memcpy 4n bytes", "", -1, false, 1});
    cases.push_back({"memcpy 6n bytes", "", -2, false, 1});
    for (int threads : thread_counts)
      for (const std::string& isa : isas)
        for (size_t f = 0; f < kFunctions.size(); ++f)
          if (wanted(kFunctions[f].name))
            for (int bw = 0; bw < 2; ++bw)
              for (int direct = 0;
                   direct <= (stream && threads == 1 && !decoded[f].nodes[0].blend ? 2 : 0);
                   ++direct)
                cases.push_back({std::string(kFunctions[f].name) + (bw ? " bwd" : " fwd") +
                                     (direct == 1   ? " (plain stores)"
                                      : direct == 2 ? " (streaming stores)"
                                                    : ""),
                                 isa, int(f), bw == 1, threads, direct});

    auto run_once = [&](const Case& c) {
      if (c.function == -1) return void(std::memcpy(out, x, n * sizeof(float)));
      if (c.function == -2) return void(std::memcpy(dst6, src6, (n + n / 2) * sizeof(float)));
      const ak::Program& a = decoded[size_t(c.function)];
      if (c.direct) {
        const ak::CpuKernels* k = &ak::kScalarKernels;
#if defined(__x86_64__) || defined(_M_X64)
        if (c.isa == "avx512") k = &ak::kAvx512Kernels;
        if (c.isa == "avx2") k = &ak::kAvx2Kernels;
#endif
#if defined(__aarch64__)
        if (c.isa == "neon") k = &ak::kNeonKernels;
#endif
        const ak::Node& nd = a.nodes[0];
        if (c.backward)
          (c.direct == 2 ? k->backward_stream : k->backward)(nd.op, nd.params, x, dy, out, n);
        else
          (c.direct == 2 ? k->forward_stream : k->forward)(nd.op, nd.params, x, out, n);
        return;
      }
      if (c.backward)
        ak::cpu_backward(a, x, dy, out, n, c.threads);
      else
        ak::cpu_forward(a, x, out, n, c.threads);
    };
    auto sample = [&](Case& c) {
      if (!c.isa.empty() && !ak::set_cpu_isa(c.isa)) return false;
      double t0 = now_ms();
      for (int k = 0; k < c.calls; ++k) run_once(c);
      c.samples.push_back((now_ms() - t0) / c.calls);
      return true;
    };
    // Warm-up: pages touched, and the calls per sample that make one last min_ms.
    for (Case& c : cases) {
      if (!c.isa.empty() && !ak::set_cpu_isa(c.isa)) {
        std::fprintf(stderr, "no %s path on this processor\n", c.isa.c_str());
        return 2;
      }
      run_once(c);
      double t0 = now_ms();
      run_once(c);
      double one = std::max(now_ms() - t0, 1e-4);
      c.calls = std::max(1, int(min_ms / one));
    }
    for (int r = 0; r < rounds; ++r)
      for (Case& c : cases) sample(c);

    double copy4 = median(cases[0].samples), copy6 = median(cases[1].samples);
    std::printf("\nn = 2^%d, %d rounds, medians; memcpy of 4n bytes %.4f ms, of 6n bytes %.4f ms\n",
                log2n, rounds, copy4, copy6);
    std::printf(
        "| case | isa | threads | ms | / memcpy of its bytes | / relu fwd (same isa, threads) "
        "| min ms | min / min relu fwd |\n");
    std::printf("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (const Case& c : cases) {
      if (c.function < 0) continue;
      double relu = 0, relu_min = 0;
      for (const Case& r : cases)
        if (r.function == 0 && !r.backward && r.isa == c.isa && r.threads == c.threads &&
            r.direct == 0) {
          relu = median(r.samples);
          relu_min = lowest(r.samples);
        }
      double ms = median(c.samples);
      std::printf("| %s | %s | %d | %.4f | %.2f | %.2f | %.4f | %.2f |\n", c.label.c_str(),
                  c.isa.c_str(), c.threads, ms, ms / (c.backward ? copy6 : copy4), ms / relu,
                  lowest(c.samples), lowest(c.samples) / relu_min);
    }
    std::fflush(stdout);
    std::free(x);
    std::free(dy);
    std::free(out);
    std::free(src6);
    std::free(dst6);
  }
  return 0;
}
