// The native peers of `npm run bench`: oneDNN's eltwise primitives, XNNPACK's operators, plain
// loops over glibc's libmvec and SLEEF u10, and memcpy, on one thread. bench/native-peers.ts
// compiles this file on demand (g++ -O2 -march=native) with AK_PEER_DNNL, AK_PEER_XNNPACK,
// AK_PEER_MVEC and AK_PEER_SLEEF set by its link probes, so a peer that is not installed only
// drops its own ops. One JSON object per line on stdout:
//
//   native --info                           {"peer": {name, version, ops: [{activation, pass,
//   how}]}} native --check DIR IDS                  runs each op once on DIR/check-x.f32 (and
//   check-dy.f32),
//                                           writes DIR/out-<k>.f32, prints {"check": {id, file}}
//   native --time DIR SIZES IDS T0 T1 S     times each op at each size on DIR/x-<n>.f32 and
//                                           dy-<n>.f32: {"time": {id, n, ms, samples}}
//
// IDS are "peer/activation/pass", comma-separated, with "/bfloat16" for the ops on bfloat16
// arrays (oneDNN's, where the CPU has AVX512-BF16): those round DIR's float32 inputs to
// bfloat16 before any timing and --check widens their results back to float32. Timing is the
// benchmark package's method: a sample is as many calls as take at least T0 seconds, samples are
// taken until at least S of them and T1 seconds, and the time per call is the median sample.
#include <gnu/libc-version.h>
#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#if AK_PEER_DNNL
#include <oneapi/dnnl/dnnl.hpp>
#endif
#if AK_PEER_XNNPACK
#include <xnnpack.h>
#endif
#if AK_PEER_SLEEF
#include <sleef.h>
#endif

namespace {

using Call = std::function<void()>;
// Builds the call computing out from x (forward) or from x and dy (backward), n elements.
using Make = std::function<Call(size_t n, const float* x, const float* dy, float* out)>;

struct Op {
  std::string peer, activation, pass, how;
  Make make;
  // "float32", or "bfloat16": the op reads its float32 inputs rounded to bfloat16 and writes
  // bfloat16 into the first 2n bytes of out
  std::string dtype = "float32";
};

std::string idOf(const Op& op) {
  return op.peer + "/" + op.activation + "/" + op.pass +
         (op.dtype == "float32" ? "" : "/" + op.dtype);
}

// float32 to bfloat16 bits, rounded to nearest even (a NaN stays a quiet NaN), as bench/half.ts.
uint16_t toBf16(float v) {
  uint32_t b;
  memcpy(&b, &v, 4);
  if ((b & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((b >> 16) | 0x40);
  return static_cast<uint16_t>((b + 0x7fffu + ((b >> 16) & 1u)) >> 16);
}

std::shared_ptr<std::vector<uint16_t>> bf16Copy(const float* v, size_t n) {
  auto out = std::make_shared<std::vector<uint16_t>>(n);
  for (size_t i = 0; i < n; i++) (*out)[i] = toBf16(v[i]);
  return out;
}

// The bfloat16 results in the first 2n bytes of out, widened in place to n floats: from the end,
// so that each float is written over bfloat16 values already read.
void widenBf16(float* out, size_t n) {
  const uint16_t* h = reinterpret_cast<const uint16_t*>(out);
  for (size_t i = n; i-- > 0;) {
    uint32_t b = static_cast<uint32_t>(h[i]) << 16;
    memcpy(out + i, &b, 4);
  }
}

struct Peer {
  std::string name, version;
};

std::vector<Op> ops;
std::vector<Peer> peers;

std::string json(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else
      out += c;
  }
  return out + "\"";
}

void add(const std::string& peer, const std::string& activation, const std::string& pass,
         const std::string& how, Make make) {
  ops.push_back({peer, activation, pass, how, std::move(make)});
}

// ---- oneDNN: eltwise forward (forward_inference) and backward (from x, with dy) --------------
#if AK_PEER_DNNL
void addDnnl() {
  using namespace dnnl;
  static engine eng(engine::kind::cpu, 0);
  static stream strm(eng);
  const dnnl_version_t* v = dnnl_version();
  std::ostringstream ver;
  ver << v->major << "." << v->minor << "." << v->patch;
  peers.push_back({"oneDNN", ver.str()});
  struct Alg {
    const char* activation;
    algorithm alg;
    float alpha;
    const char* name;
  };
  const Alg algs[] = {
      {"relu", algorithm::eltwise_relu, 0.f, "eltwise_relu"},
      {"leakyRelu", algorithm::eltwise_relu, 0.01f, "eltwise_relu alpha 0.01"},
      {"hardSwish", algorithm::eltwise_hardswish, 0.f, "eltwise_hardswish"},
      {"silu", algorithm::eltwise_swish, 1.f, "eltwise_swish alpha 1"},
      {"swish(beta=2)", algorithm::eltwise_swish, 2.f, "eltwise_swish alpha 2"},
      {"mish", algorithm::eltwise_mish, 0.f, "eltwise_mish"},
      {"sigmoid", algorithm::eltwise_logistic, 0.f, "eltwise_logistic"},
      {"gelu", algorithm::eltwise_gelu_erf, 0.f, "eltwise_gelu_erf"},
      {"geluTanh", algorithm::eltwise_gelu_tanh, 0.f, "eltwise_gelu_tanh"},
      {"tanh", algorithm::eltwise_tanh, 0.f, "eltwise_tanh"},
      {"softplus", algorithm::eltwise_soft_relu, 0.f, "eltwise_soft_relu"},
      {"elu", algorithm::eltwise_elu, 1.f, "eltwise_elu alpha 1"},
  };
  using dt = memory::data_type;
  auto md = [](size_t n, dt type = dt::f32) {
    return memory::desc({static_cast<memory::dim>(n)}, type, memory::format_tag::a);
  };
  auto forwardPd = [md](const Alg& a, size_t n, prop_kind kind, dt type = dt::f32) {
    return eltwise_forward::primitive_desc(
        eltwise_forward::desc(kind, a.alg, md(n, type), a.alpha, 0.f), eng);
  };
  auto backwardPd = [md, forwardPd](const Alg& a, size_t n, dt type = dt::f32) {
    return eltwise_backward::primitive_desc(
        eltwise_backward::desc(a.alg, md(n, type), md(n, type), a.alpha, 0.f), eng,
        forwardPd(a, n, prop_kind::forward_training, type));
  };
  // bfloat16 where the CPU computes it natively (AVX512-BF16): elsewhere oneDNN would emulate it
  const bool bf16 = (static_cast<unsigned>(get_effective_cpu_isa()) &
                     static_cast<unsigned>(cpu_isa::avx512_core_bf16)) ==
                    static_cast<unsigned>(cpu_isa::avx512_core_bf16);
  for (const Alg& a : algs) {
    const std::string f = std::string(a.name) + ", " +
                          forwardPd(a, 1024, prop_kind::forward_inference).impl_info_str();
    add("oneDNN", a.activation, "forward", f,
        [=](size_t n, const float* x, const float*, float* out) -> Call {
          auto pd = forwardPd(a, n, prop_kind::forward_inference);
          memory src(md(n), eng, const_cast<float*>(x)), dst(md(n), eng, out);
          eltwise_forward prim(pd);
          return [=]() mutable {
            prim.execute(strm, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
            strm.wait();
          };
        });
    const std::string b =
        std::string(a.name) + " backward from x, " + backwardPd(a, 1024).impl_info_str();
    add("oneDNN", a.activation, "backward", b,
        [=](size_t n, const float* x, const float* dy, float* out) -> Call {
          auto pd = backwardPd(a, n);
          memory src(md(n), eng, const_cast<float*>(x)), ddst(md(n), eng, const_cast<float*>(dy)),
              dsrc(md(n), eng, out);
          eltwise_backward prim(pd);
          return [=]() mutable {
            prim.execute(
                strm, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, ddst}, {DNNL_ARG_DIFF_SRC, dsrc}});
            strm.wait();
          };
        });
    if (!bf16) continue;
    // The same primitives on bfloat16 memory: x and dy rounded once, untimed, held by the call.
    const std::string fb =
        std::string(a.name) + ", bf16, " +
        forwardPd(a, 1024, prop_kind::forward_inference, dt::bf16).impl_info_str();
    add("oneDNN", a.activation, "forward", fb,
        [=](size_t n, const float* x, const float*, float* out) -> Call {
          auto pd = forwardPd(a, n, prop_kind::forward_inference, dt::bf16);
          auto xh = bf16Copy(x, n);
          memory src(md(n, dt::bf16), eng, xh->data()), dst(md(n, dt::bf16), eng, out);
          eltwise_forward prim(pd);
          return [=]() mutable {
            prim.execute(strm, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
            strm.wait();
            (void)xh;
          };
        });
    ops.back().dtype = "bfloat16";
    const std::string bb = std::string(a.name) + " backward from x, bf16, " +
                           backwardPd(a, 1024, dt::bf16).impl_info_str();
    add("oneDNN", a.activation, "backward", bb,
        [=](size_t n, const float* x, const float* dy, float* out) -> Call {
          auto pd = backwardPd(a, n, dt::bf16);
          auto xh = bf16Copy(x, n);
          auto dyh = bf16Copy(dy, n);
          memory src(md(n, dt::bf16), eng, xh->data()), ddst(md(n, dt::bf16), eng, dyh->data()),
              dsrc(md(n, dt::bf16), eng, out);
          eltwise_backward prim(pd);
          return [=]() mutable {
            prim.execute(
                strm, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, ddst}, {DNNL_ARG_DIFF_SRC, dsrc}});
            strm.wait();
            (void)xh;
            (void)dyh;
          };
        });
    ops.back().dtype = "bfloat16";
  }
}
#endif

// ---- XNNPACK: the nc_f32 unary operators, no thread pool (the calling thread) ------------------
#if AK_PEER_XNNPACK
using XnnOp = std::shared_ptr<xnn_operator>;
XnnOp own(xnn_operator_t op) {
  return XnnOp(op, [](xnn_operator_t o) { xnn_delete_operator(o); });
}

void check(xnn_status s, const char* what) {
  if (s != xnn_status_success) {
    fprintf(stderr, "XNNPACK: %s failed (status %d)\n", what, static_cast<int>(s));
    exit(3);
  }
}

// create(&op) makes a 1-channel operator; it is set up for a batch of n and run as it is.
Make xnnUnary(std::function<xnn_status(xnn_operator_t*)> create,
              xnn_status (*setup)(xnn_operator_t, size_t, const float*, float*, pthreadpool_t)) {
  return [=](size_t n, const float* x, const float*, float* out) -> Call {
    xnn_operator_t op = nullptr;
    check(create(&op), "create");
    XnnOp held = own(op);
    check(setup(op, n, x, out, nullptr), "setup");
    return [held]() { check(xnn_run_operator(held.get(), nullptr), "run"); };
  };
}

void addXnnpack(const char* version) {
  check(xnn_initialize(nullptr), "xnn_initialize");
  peers.push_back({"XNNPACK", version});
  const float inf = INFINITY;
  add("XNNPACK", "relu", "forward", "clamp_nc_f32 [0, +inf]",
      xnnUnary(
          [=](xnn_operator_t* op) { return xnn_create_clamp_nc_f32(1, 1, 1, 0.f, inf, 0, op); },
          xnn_setup_clamp_nc_f32));
  add("XNNPACK", "hardSwish", "forward", "hardswish_nc_f32",
      xnnUnary([](xnn_operator_t* op) { return xnn_create_hardswish_nc_f32(1, 1, 1, 0, op); },
               xnn_setup_hardswish_nc_f32));
  add("XNNPACK", "sigmoid", "forward", "sigmoid_nc_f32",
      xnnUnary([](xnn_operator_t* op) { return xnn_create_sigmoid_nc_f32(1, 1, 1, 0, op); },
               xnn_setup_sigmoid_nc_f32));
  add("XNNPACK", "elu", "forward", "elu_nc_f32 alpha 1",
      xnnUnary([](xnn_operator_t* op) { return xnn_create_elu_nc_f32(1, 1, 1, 1.f, 0, op); },
               xnn_setup_elu_nc_f32));
  add("XNNPACK", "leakyRelu", "forward", "leaky_relu_nc_f32 slope 0.01",
      xnnUnary(
          [](xnn_operator_t* op) { return xnn_create_leaky_relu_nc_f32(1, 1, 1, 0.01f, 0, op); },
          xnn_setup_leaky_relu_nc_f32));
  // No SiLU operator in this XNNPACK: its sigmoid, then its multiply by x (two passes).
  add("XNNPACK", "silu", "forward", "sigmoid_nc_f32, then multiply_nd_f32 by x (two passes)",
      [](size_t n, const float* x, const float*, float* out) -> Call {
        xnn_operator_t s = nullptr, m = nullptr;
        check(xnn_create_sigmoid_nc_f32(1, 1, 1, 0, &s), "create sigmoid");
        XnnOp sig = own(s);
        check(xnn_create_multiply_nd_f32(-INFINITY, INFINITY, 0, &m), "create multiply");
        XnnOp mul = own(m);
        check(xnn_setup_sigmoid_nc_f32(s, n, x, out, nullptr), "setup sigmoid");
        const size_t shape[1] = {n};
        check(xnn_setup_multiply_nd_f32(m, 1, shape, 1, shape, x, out, out, nullptr),
              "setup multiply");
        return [sig, mul]() {
          check(xnn_run_operator(sig.get(), nullptr), "run sigmoid");
          check(xnn_run_operator(mul.get(), nullptr), "run multiply");
        };
      });
}
#endif

// ---- libmvec and SLEEF: y[i] = f(x[i]) written with their vector functions ------------------
#if defined(__AVX512F__)
using vf = __m512;
constexpr size_t W = 16;
const char* const WIDTH = "16 floats (AVX-512)";
const char* const MVEC_PREFIX = "_ZGVeN16v_";
#define AK_MVEC(f) _ZGVeN16v_##f
#define AK_SLEEF(f) Sleef_##f##16_u10
inline vf load(const float* p) { return _mm512_loadu_ps(p); }
inline void store(float* p, vf v) { _mm512_storeu_ps(p, v); }
#elif defined(__AVX2__)
using vf = __m256;
constexpr size_t W = 8;
const char* const WIDTH = "8 floats (AVX2)";
const char* const MVEC_PREFIX = "_ZGVdN8v_";
#define AK_MVEC(f) _ZGVdN8v_##f
#define AK_SLEEF(f) Sleef_##f##8_u10
inline vf load(const float* p) { return _mm256_loadu_ps(p); }
inline void store(float* p, vf v) { _mm256_storeu_ps(p, v); }
#endif

#if defined(AK_MVEC)
// The loop: whole vectors, then the tail through a padded vector.
template <class F>
void each(const float* x, float* y, size_t n, F f) {
  size_t i = 0;
  for (; i + W <= n; i += W) store(y + i, f(load(x + i)));
  if (i < n) {
    float in[W] = {}, res[W];
    memcpy(in, x + i, (n - i) * sizeof(float));
    store(res, f(load(in)));
    memcpy(y + i, res, (n - i) * sizeof(float));
  }
}

// The formulas, one per activation, for a library L with exp, log1p, tanh, erf and expm1;
// L::name("exp") is the vector function's symbol, for the "how" of each op.
template <class L>
void addLoops(const std::string& peer) {
  auto loop = [&](const char* activation, const std::string& formula,
                  std::initializer_list<const char*> uses, vf (*f)(vf)) {
    std::string names;
    for (const char* u : uses) names += (names.empty() ? "" : ", ") + L::name(u);
    add(peer, activation, "forward", formula + " (" + names + "; " + WIDTH + ")",
        [f](size_t n, const float* x, const float*, float* out) -> Call {
          return [=]() { each(x, out, n, f); };
        });
  };
  loop("silu", "x / (1 + exp(-x))", {"exp"}, [](vf x) -> vf { return x / (1.f + L::exp(-x)); });
  loop("mish", "x * tanh(log1p(exp(x)))", {"exp", "log1p", "tanh"},
       [](vf x) -> vf { return x * L::tanh(L::log1p(L::exp(x))); });
  loop("sigmoid", "1 / (1 + exp(-x))", {"exp"},
       [](vf x) -> vf { return 1.f / (1.f + L::exp(-x)); });
  loop("tanh", "tanh(x)", {"tanh"}, [](vf x) -> vf { return L::tanh(x); });
  loop("softplus", "log1p(exp(x))", {"exp", "log1p"},
       [](vf x) -> vf { return L::log1p(L::exp(x)); });
  loop("gelu", "x/2 * (1 + erf(x / sqrt 2))", {"erf"},
       [](vf x) -> vf { return 0.5f * x * (1.f + L::erf(x * 0.70710678118654752f)); });
  loop("elu", "x > 0 ? x : expm1(x)", {"expm1"}, [](vf x) -> vf {
    vf e = L::expm1(x);
    return x > 0.f ? x : e;
  });
}
#endif

#if AK_PEER_MVEC && defined(AK_MVEC)
extern "C" {
vf AK_MVEC(expf)(vf);
vf AK_MVEC(log1pf)(vf);
vf AK_MVEC(tanhf)(vf);
vf AK_MVEC(erff)(vf);
vf AK_MVEC(expm1f)(vf);
}
struct Mvec {
  static std::string name(const char* f) { return std::string(MVEC_PREFIX) + f + "f"; }
  static vf exp(vf x) { return AK_MVEC(expf)(x); }
  static vf log1p(vf x) { return AK_MVEC(log1pf)(x); }
  static vf tanh(vf x) { return AK_MVEC(tanhf)(x); }
  static vf erf(vf x) { return AK_MVEC(erff)(x); }
  static vf expm1(vf x) { return AK_MVEC(expm1f)(x); }
};
#endif

#if AK_PEER_SLEEF && defined(AK_SLEEF)
struct Sleef {
  static std::string name(const char* f) {
    return std::string("Sleef_") + f + "f" + std::to_string(W) + "_u10";
  }
  static vf exp(vf x) { return AK_SLEEF(expf)(x); }
  static vf log1p(vf x) { return AK_SLEEF(log1pf)(x); }
  static vf tanh(vf x) { return AK_SLEEF(tanhf)(x); }
  static vf erf(vf x) { return AK_SLEEF(erff)(x); }
  static vf expm1(vf x) { return AK_SLEEF(expm1f)(x); }
};
#endif

void addAll() {
#if AK_PEER_DNNL
  addDnnl();
#endif
#if AK_PEER_XNNPACK
  addXnnpack(AK_XNNPACK_VERSION);
#endif
#if AK_PEER_MVEC && defined(AK_MVEC)
  peers.push_back({"libmvec", std::string("glibc ") + gnu_get_libc_version()});
  addLoops<Mvec>("libmvec");
#endif
#if AK_PEER_SLEEF && defined(AK_SLEEF)
  peers.push_back({"SLEEF", std::to_string(SLEEF_VERSION_MAJOR) + "." +
                                std::to_string(SLEEF_VERSION_MINOR) + "." +
                                std::to_string(SLEEF_VERSION_PATCHLEVEL)});
  addLoops<Sleef>("SLEEF");
#endif
  // memcpy of the bytes a pass moves: forward 4n in and 4n out, backward 6n and 6n (12n in all).
  peers.push_back({"memcpy", std::string("glibc ") + gnu_get_libc_version()});
  add("memcpy", "memcpy", "forward", "memcpy of 4n bytes (a forward's 8n bytes of traffic)",
      [](size_t n, const float* x, const float*, float* out) -> Call {
        return [=]() { memcpy(out, x, n * sizeof(float)); };
      });
  add("memcpy", "memcpy", "backward", "memcpy of 6n bytes (a backward's 12n bytes of traffic)",
      [](size_t n, const float*, const float*, float*) -> Call {
        auto from = std::make_shared<std::vector<float>>(n + n / 2, 1.f);
        auto to = std::make_shared<std::vector<float>>(n + n / 2);
        return [=]() { memcpy(to->data(), from->data(), from->size() * sizeof(float)); };
      });
}

const Op* find(const std::string& id) {
  for (const Op& op : ops)
    if (idOf(op) == id) return &op;
  return nullptr;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, sep))
    if (!part.empty()) out.push_back(part);
  return out;
}

std::vector<float> readFloats(const std::string& file, size_t n) {
  std::vector<float> v(n);
  FILE* f = fopen(file.c_str(), "rb");
  if (!f || fread(v.data(), sizeof(float), n, f) != n) {
    fprintf(stderr, "cannot read %zu floats from %s\n", n, file.c_str());
    exit(2);
  }
  fclose(f);
  return v;
}

size_t floatsIn(const std::string& file) {
  FILE* f = fopen(file.c_str(), "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", file.c_str());
    exit(2);
  }
  fseek(f, 0, SEEK_END);
  long bytes = ftell(f);
  fclose(f);
  return static_cast<size_t>(bytes) / sizeof(float);
}

double seconds(const Call& call, size_t count) {
  auto t0 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < count; i++) call();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The median time per call, in ms, and the number of samples.
std::pair<double, size_t> timeCall(const Call& call, double minTime, double maxTime,
                                   size_t minSamples) {
  call();  // once, untimed: first-touch and lazy set-up
  size_t count = 1;
  for (double t = seconds(call, count); t < minTime; t = seconds(call, count))
    count = t > 0 ? std::max(count * 2, static_cast<size_t>(count * minTime / t * 1.1) + 1)
                  : count * 16;
  std::vector<double> samples;
  auto start = std::chrono::steady_clock::now();
  while (samples.size() < minSamples ||
         std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < maxTime)
    samples.push_back(seconds(call, count) / count);
  std::sort(samples.begin(), samples.end());
  size_t m = samples.size() / 2;
  double median = samples.size() % 2 ? samples[m] : (samples[m - 1] + samples[m]) / 2;
  return {median * 1e3, samples.size()};
}

int usage() {
  fprintf(stderr,
          "usage: native --info | --check DIR IDS | --time DIR SIZES IDS MIN_TIME MAX_TIME "
          "MIN_SAMPLES\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string mode = argv[1];
  addAll();
  if (mode == "--info") {
    for (const Peer& p : peers) {
      std::string line =
          "{\"peer\":{\"name\":" + json(p.name) + ",\"version\":" + json(p.version) + ",\"ops\":[";
      bool first = true;
      for (const Op& op : ops)
        if (op.peer == p.name) {
          line += std::string(first ? "" : ",") + "{\"activation\":" + json(op.activation) +
                  ",\"pass\":" + json(op.pass) + ",\"how\":" + json(op.how) +
                  (op.dtype == "float32" ? "" : ",\"dtype\":" + json(op.dtype)) + "}";
          first = false;
        }
      printf("%s]}}\n", line.c_str());
    }
    return 0;
  }
  if (mode == "--check" && argc == 4) {
    const std::string dir = argv[2];
    const size_t n = floatsIn(dir + "/check-x.f32");
    std::vector<float> x = readFloats(dir + "/check-x.f32", n);
    std::vector<float> dy = readFloats(dir + "/check-dy.f32", n);
    std::vector<float> out(n);
    size_t k = 0;
    for (const std::string& id : split(argv[3], ',')) {
      const Op* op = find(id);
      if (!op) {
        printf("{\"error\":{\"id\":%s,\"message\":\"no such op\"}}\n", json(id).c_str());
        continue;
      }
      std::fill(out.begin(), out.end(), NAN);
      op->make(n, x.data(), dy.data(), out.data())();
      if (op->dtype == "bfloat16") widenBf16(out.data(), n);
      const std::string file = dir + "/out-" + std::to_string(k++) + ".f32";
      FILE* f = fopen(file.c_str(), "wb");
      if (!f || fwrite(out.data(), sizeof(float), n, f) != n) {
        fprintf(stderr, "cannot write %s\n", file.c_str());
        return 2;
      }
      fclose(f);
      printf("{\"check\":{\"id\":%s,\"file\":%s}}\n", json(id).c_str(), json(file).c_str());
      fflush(stdout);
    }
    return 0;
  }
  if (mode == "--time" && argc == 8) {
    const std::string dir = argv[2];
    const double minTime = atof(argv[5]), maxTime = atof(argv[6]);
    const size_t minSamples = static_cast<size_t>(atoi(argv[7]));
    for (const std::string& size : split(argv[3], ',')) {
      const size_t n = static_cast<size_t>(atoll(size.c_str()));
      std::vector<float> x = readFloats(dir + "/x-" + size + ".f32", n);
      std::vector<float> dy = readFloats(dir + "/dy-" + size + ".f32", n);
      std::vector<float> out(n);
      for (const std::string& id : split(argv[4], ',')) {
        const Op* op = find(id);
        if (!op) continue;
        auto [ms, samples] =
            timeCall(op->make(n, x.data(), dy.data(), out.data()), minTime, maxTime, minSamples);
        printf("{\"time\":{\"id\":%s,\"n\":%zu,\"ms\":%.6g,\"samples\":%zu}}\n", json(id).c_str(),
               n, ms, samples);
        fflush(stdout);
      }
    }
    return 0;
  }
  return usage();
}
