#include "program.h"

#include <cfloat>
#include <cmath>
#include <type_traits>

#include "dispatch.h"
#include "exact_half.h"

namespace ak {

namespace {

template <class A, class = void>
struct HasPrepare : std::false_type {};
template <class A>
struct HasPrepare<A, std::void_t<decltype(A::prepare(static_cast<const double*>(nullptr),
                                                     static_cast<float*>(nullptr)))>>
    : std::true_type {};

// Post-order steps of the subtree at node i.
void emit_steps(const Program& f, int i, std::vector<Step>& steps) {
  const Node& nd = f.nodes[size_t(i)];
  if (nd.blend) {
    emit_steps(f, nd.a, steps);
    emit_steps(f, nd.b, steps);
    steps.push_back(Step{kBlendStep, nd.t, Params{}});
  } else {
    steps.push_back(Step{int(nd.op), 0.f, nd.params});
  }
}

}  // namespace

Params prepare_params(Op op, const double* raw) {
  Params p{};
  with_activation(op, p, 0, [&](auto tag) {
    using A = typename decltype(tag)::type;
    if constexpr (HasPrepare<A>::value)
      A::prepare(raw, p.v);
    else
      for (int i = 0; i < tag.params; ++i) p.v[i] = float(raw[i]);
    return 0;
  });
  return p;
}

bool decode_program(const double* code, size_t length, Program& out) {
  out.nodes.clear();
  out.steps.clear();
  size_t pos = 0;
  // Recursive descent over the pre-order code; returns the node index or -1.
  auto parse = [&](auto&& self, int depth) -> int {
    if (depth > kMaxDepth || pos + kCodeWidth > length || out.nodes.size() >= size_t(kMaxNodes))
      return -1;
    const double* c = code + pos;
    pos += kCodeWidth;
    int index = int(out.nodes.size());
    out.nodes.push_back(Node{});
    if (c[0] == kBlendCode) {
      if (!(c[1] >= 0 && c[1] <= 1)) return -1;
      int a = self(self, depth + 1);
      if (a < 0) return -1;
      int b = self(self, depth + 1);
      if (b < 0) return -1;
      out.nodes[size_t(index)] = Node{true, Op::Count, Params{}, float(c[1]), a, b, {}};
      return index;
    }
    if (!(c[0] >= 0 && c[0] < double(Op::Count)) || c[0] != double(int(c[0]))) return -1;
    for (int i = 1; i < kCodeWidth; ++i)  // lib/ checks this too; a direct caller must not reach
      if (!(std::fabs(c[i]) <= double(FLT_MAX))) return -1;  // float UB
    Op op = Op(int(c[0]));
    Node nd{false, op, prepare_params(op, c + 1), 0.f, -1, -1, {}};
    for (int i = 0; i < kMaxParams; ++i) nd.raw[i] = c[1 + i];
    out.nodes[size_t(index)] = nd;
    return index;
  };
  if (parse(parse, 0) != 0 || pos != length) return false;
  const Node& root = out.nodes[0];
  out.param_grads = root.blend ? 0 : param_grad_count(root.op);
  out.cheap = true;
  for (const Node& nd : out.nodes) out.cheap = out.cheap && (nd.blend || op_info(nd.op).cheap);
  emit_steps(out, 0, out.steps);
  return true;
}

ExactProgram exact_program(const Program& f) {
  ExactProgram e{};
  int leaf_node = 0;  // the node the value is, a blend at t = 0 or 1 being one of its sides
  while (f.nodes[size_t(leaf_node)].blend &&
         (f.nodes[size_t(leaf_node)].t == 0.f || f.nodes[size_t(leaf_node)].t == 1.f)) {
    const Node& nd = f.nodes[size_t(leaf_node)];
    leaf_node = nd.t == 0.f ? nd.a : nd.b;
  }
  e.cheap_leaf = -1;
  auto walk = [&](auto&& self, int i) -> void {  // post-order, as emit_steps
    const Node& nd = f.nodes[size_t(i)];
    if (nd.blend) {
      self(self, nd.a);
      self(self, nd.b);
    } else if (i == leaf_node && op_info(nd.op).cheap) {
      e.cheap_leaf = e.count;
    }
    ExactStep& s = e.code[e.count++];
    s.op = nd.blend ? kBlendStep : int(nd.op);
    s.t = double(nd.t);
    for (int k = 0; k < kMaxParams; ++k) s.raw[k] = nd.blend ? 0.0 : nd.raw[k];
  };
  walk(walk, 0);
  return e;
}

}  // namespace ak
