// The addon: the op table and limits lib/ builds activation codes from (cpp/ops.h,
// cpp/program.h), program(code), and the exports of each part.
#include "../cpp/half_bound.h"
#include "args.h"
#include "exports.h"

namespace ak {
namespace {

// [{ name, params, trainable, cheap, slopeZone?, slopeAt? }], indexed by op number; slopeZone:
// [lo, hi] where the formula states one (cpp/types.h, SlopeZone; lo > hi: empty), at the
// parameters slopeAt.
Napi::Value ops_table(Napi::Env env) {
  auto list = Napi::Array::New(env, size_t(Op::Count));
  for (int i = 0; i < int(Op::Count); ++i) {
    const OpInfo& op = op_info(Op(i));
    auto row = Napi::Object::New(env);
    row["name"] = op.name;
    row["params"] = op.params;
    row["trainable"] = op.trainable;
    row["cheap"] = op.cheap;
    SlopeZone zone;
    float at[kMaxParams] = {};
    if (slope_zone(Op(i), zone, at)) {
      auto pair = Napi::Array::New(env, 2);
      pair[0u] = double(zone.lo);
      pair[1u] = double(zone.hi);
      row["slopeZone"] = pair;
      auto params = Napi::Array::New(env, size_t(op.params));
      for (int k = 0; k < op.params; ++k) params[uint32_t(k)] = double(at[k]);
      row["slopeAt"] = params;
    }
    list[uint32_t(i)] = row;
  }
  return list;
}

Napi::Value limits(Napi::Env env) {
  auto o = Napi::Object::New(env);
  o["codeWidth"] = kCodeWidth;
  o["blendCode"] = kBlendCode;
  o["maxNodes"] = kMaxNodes;
  o["maxDepth"] = kMaxDepth;
  o["maxParams"] = kMaxParams;
  return o;
}

Napi::Object init(Napi::Env env, Napi::Object exports) {
  exports["ops"] = ops_table(env);
  exports["limits"] = limits(env);
  exports["program"] = Napi::Function::New(env, program);
  export_cpu(env, exports);
  export_layer(env, exports);
#ifdef AK_WITH_CUDA
  gpu::export_cuda(env, exports);
#endif
  return exports;
}

}  // namespace
}  // namespace ak

static Napi::Object Init(Napi::Env env, Napi::Object exports) { return ak::init(env, exports); }
NODE_API_MODULE(activation_kernels, Init)
