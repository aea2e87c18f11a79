// The APTx Neuron layer (Kumar 2025, arXiv 2507.14270), written once over a vector type V and
// instantiated per ISA by cpp/cpu/isa_*.cpp:
//   y[b, j] = sum_i (alpha[j, i] + tanh(beta[j, i] x[b, i])) gamma[j, i] x[b, i] + delta[j]
// Every term is Aptx of cpp/activations.h with its parameters per lane. Vectors run along i
// (the inputs), where the weights are contiguous. Each entry point computes a range of outputs
// that no other range touches, in an order fixed by the shape alone, so the host code can spread
// ranges over threads and still get the same bits on every thread count.
#pragma once

#include <cstddef>
#include <vector>

#include "../activations.h"

namespace ak {

struct AptxLayerShape {
  size_t batch, inputs, outputs;  // B, d, m
};

// The weights, row-major (m, d); delta (m). alpha is never null (ones when it is not trained).
struct AptxLayerWeights {
  const float *alpha, *beta, *gamma, *delta;
};

// Gradients; dalpha may be null (alpha not trained).
struct AptxLayerGrads {
  float *dalpha, *dbeta, *dgamma, *ddelta;
};

// One ISA's entry points.
struct AptxLayerKernels {
  const char* isa;
  // y[b, j] for j in [j0, j1), every b.
  void (*forward)(const AptxLayerShape& s, const float* x, const AptxLayerWeights& w, float* y,
                  size_t j0, size_t j1);
  // The weight gradients of rows [j0, j1): sums over the batch.
  void (*param_grad)(const AptxLayerShape& s, const float* x, const float* dy,
                     const AptxLayerWeights& w, const AptxLayerGrads& g, size_t j0, size_t j1);
  // dx[b, i] for i in [i0, i1), every b; i0 is a multiple of input_block.
  void (*input_grad)(const AptxLayerShape& s, const float* x, const float* dy,
                     const AptxLayerWeights& w, float* dx, size_t i0, size_t i1);
  size_t input_block;  // the vector width
};

inline namespace AK_ISA_NS {
namespace aptx_layer {

constexpr size_t kRows = 4;       // batch rows sharing one load of the weights
constexpr size_t kChunk = 32;     // batch rows summed in float before the sum moves to double
constexpr size_t kMaxLanes = 16;  // the widest V (AVX-512)

template <class V>
float lane_sum(V v) {
  alignas(64) float lanes[kMaxLanes];
  store(lanes, v);
  float s = 0.f;
  for (int l = 0; l < Lanes<V>::count; ++l) s += lanes[l];
  return s;
}

// The term of weight (j, i) for input value x; T is V or float (the tail).
template <class T>
T term(T x, const float* a, const float* b, const float* g, size_t k) {
  T a1 = load<T>(a + k) - T(1.f);
  return Aptx::forward_with(x, a1, T(2.f) * load<T>(b + k), load<T>(g + k));
}

template <class V>
void forward(const AptxLayerShape& s, const float* x, const AptxLayerWeights& w, float* y,
             size_t j0, size_t j1) {
  constexpr size_t W = Lanes<V>::count;
  const size_t d = s.inputs, m = s.outputs, vd = d / W * W;
  for (size_t j = j0; j < j1; ++j) {
    const float *a = w.alpha + j * d, *b = w.beta + j * d, *g = w.gamma + j * d;
    for (size_t b0 = 0; b0 < s.batch; b0 += kRows) {
      const size_t rows = s.batch - b0 < kRows ? s.batch - b0 : kRows;
      V acc[kRows];
      for (size_t r = 0; r < kRows; ++r) acc[r] = V(0.f);
      for (size_t i = 0; i < vd; i += W) {
        V a1 = load<V>(a + i) - V(1.f), b2 = V(2.f) * load<V>(b + i), gi = load<V>(g + i);
        for (size_t r = 0; r < rows; ++r)
          acc[r] = acc[r] + Aptx::forward_with(load<V>(x + (b0 + r) * d + i), a1, b2, gi);
      }
      for (size_t r = 0; r < rows; ++r) {
        const float* xr = x + (b0 + r) * d;
        float tail = 0.f;
        for (size_t i = vd; i < d; ++i) tail += term<float>(xr[i], a, b, g, i);
        y[(b0 + r) * m + j] = (lane_sum(acc[r]) + tail) + w.delta[j];
      }
    }
  }
}

// Adds the batch sums of rows [b0, b0 + rows) for weights [i, i + lanes of T) into sums.
template <class T>
void add_param_terms(const AptxLayerShape& s, const float* x, const float* dy,
                     const AptxLayerWeights& w, size_t j, size_t i, size_t b0, size_t rows,
                     double* sums) {
  constexpr size_t L = size_t(Lanes<T>::count);
  const size_t d = s.inputs, k = j * d + i;
  T a1 = load<T>(w.alpha + k) - T(1.f), b2 = T(2.f) * load<T>(w.beta + k);
  T gi = load<T>(w.gamma + k);
  T acc[3] = {T(0.f), T(0.f), T(0.f)};
  for (size_t b = b0; b < b0 + rows; ++b) {
    T t[3];
    Aptx::param_terms_with(load<T>(x + b * d + i), T(dy[b * s.outputs + j]), a1, b2, gi, t);
    for (int p = 0; p < 3; ++p) acc[p] = acc[p] + t[p];
  }
  alignas(64) float lanes[kMaxLanes];
  for (int p = 0; p < 3; ++p) {
    store(lanes, acc[p]);
    for (size_t l = 0; l < L; ++l) sums[size_t(p) * d + i + l] += double(lanes[l]);
  }
}

template <class V>
void param_grad(const AptxLayerShape& s, const float* x, const float* dy, const AptxLayerWeights& w,
                const AptxLayerGrads& g, size_t j0, size_t j1) {
  constexpr size_t W = Lanes<V>::count;
  const size_t d = s.inputs, m = s.outputs, vd = d / W * W;
  std::vector<double> sums(3 * d);  // dalpha, dbeta, dgamma of one row j
  for (size_t j = j0; j < j1; ++j) {
    sums.assign(3 * d, 0.0);
    for (size_t b0 = 0; b0 < s.batch; b0 += kChunk) {
      const size_t rows = s.batch - b0 < kChunk ? s.batch - b0 : kChunk;
      for (size_t i = 0; i < vd; i += W)
        add_param_terms<V>(s, x, dy, w, j, i, b0, rows, sums.data());
      for (size_t i = vd; i < d; ++i)
        add_param_terms<float>(s, x, dy, w, j, i, b0, rows, sums.data());
    }
    for (size_t i = 0; i < d; ++i) {
      if (g.dalpha) g.dalpha[j * d + i] = float(sums[i]);
      g.dbeta[j * d + i] = float(sums[d + i]);
      g.dgamma[j * d + i] = float(sums[2 * d + i]);
    }
    double ddelta = 0.0;
    for (size_t b = 0; b < s.batch; ++b) ddelta += double(dy[b * m + j]);
    g.ddelta[j] = float(ddelta);
  }
}

// dx[b, i..i + lanes of T) for rows [b0, b0 + rows), rows <= kRows: sums over the outputs j.
template <class T>
void input_grad_rows(const AptxLayerShape& s, const float* x, const float* dy,
                     const AptxLayerWeights& w, float* dx, size_t i, size_t b0, size_t rows) {
  const size_t d = s.inputs, m = s.outputs;
  T acc[kRows], xr[kRows];
  for (size_t r = 0; r < rows; ++r) {
    acc[r] = T(0.f);
    xr[r] = load<T>(x + (b0 + r) * d + i);
  }
  for (size_t j = 0; j < m; ++j) {
    const size_t k = j * d + i;
    T a1 = load<T>(w.alpha + k) - T(1.f), b2 = T(2.f) * load<T>(w.beta + k);
    T gi = load<T>(w.gamma + k);
    for (size_t r = 0; r < rows; ++r)
      acc[r] = acc[r] + Aptx::backward_with(xr[r], T(dy[(b0 + r) * m + j]), a1, b2, gi);
  }
  for (size_t r = 0; r < rows; ++r) store(dx + (b0 + r) * d + i, acc[r]);
}

template <class V>
void input_grad(const AptxLayerShape& s, const float* x, const float* dy, const AptxLayerWeights& w,
                float* dx, size_t i0, size_t i1) {
  constexpr size_t W = Lanes<V>::count;
  const size_t vd = s.inputs / W * W;
  // Weight columns outer: one column block (m x lanes, three arrays) stays in L1 for the batch.
  auto columns = [&](auto lane, size_t i) {
    using T = decltype(lane);
    for (size_t b0 = 0; b0 < s.batch; b0 += kRows) {
      const size_t rows = s.batch - b0 < kRows ? s.batch - b0 : kRows;
      input_grad_rows<T>(s, x, dy, w, dx, i, b0, rows);
    }
  };
  size_t i = i0;
  for (; i + W <= i1 && i + W <= vd; i += W) columns(V(0.f), i);
  for (; i < i1; ++i) columns(0.f, i);
}

}  // namespace aptx_layer

template <class V>
constexpr AptxLayerKernels make_aptx_layer_kernels(const char* isa) {
  return {isa, aptx_layer::forward<V>, aptx_layer::param_grad<V>, aptx_layer::input_grad<V>,
          size_t(Lanes<V>::count)};
}

}  // namespace AK_ISA_NS
}  // namespace ak
