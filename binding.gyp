# The CPU-only fallback build (node-gyp), used when cmake is missing; the same addon as
# CMakeLists.txt without CUDA. Each ISA is its own static library with its own flags.
{
  "target_defaults": {
    "cflags_cc": ["-O3", "-std=c++17", "-ffp-contract=off", "-fno-math-errno", "-fexceptions"],
    "cflags_cc!": ["-fno-exceptions", "-std=gnu++14", "-std=gnu++1y"],
    "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"]
  },
  "targets": [
    {
      "target_name": "ak_cpu_scalar",
      "type": "static_library",
      "sources": ["cpp/cpu/isa_scalar.cpp"],
      "defines": ["AK_ISA_NS=scalar"]
    },
    {
      "target_name": "ak_cpu_simd",
      "type": "static_library",
      "conditions": [
        ["target_arch=='x64'", {
          "dependencies": ["ak_cpu_avx2", "ak_cpu_avx512"],
          "sources": []
        }],
        ["target_arch=='arm64'", {
          "sources": ["cpp/cpu/isa_neon.cpp"],
          "defines": ["AK_ISA_NS=neon"]
        }]
      ]
    },
    {
      "target_name": "ak_cpu_avx2",
      "type": "static_library",
      "sources": ["cpp/cpu/isa_avx2.cpp"],
      "defines": ["AK_ISA_NS=avx2"],
      "cflags_cc": ["-mavx2", "-mfma", "-mf16c"]
    },
    {
      "target_name": "ak_cpu_avx512",
      # -Wno-uninitialized: GCC 12's avx512fintrin.h false positive, as in CMakeLists.txt
      "type": "static_library",
      "sources": ["cpp/cpu/isa_avx512.cpp"],
      "defines": ["AK_ISA_NS=avx512"],
      "cflags_cc": ["-mavx512f", "-mavx2", "-mfma", "-mf16c", "-Wno-maybe-uninitialized", "-Wno-uninitialized"]
    },
    {
      "target_name": "activation_kernels",
      "sources": ["binding/addon.cpp", "binding/args.cpp", "binding/cpu.cpp", "binding/layer.cpp",
                  "cpp/program.cpp", "cpp/cpu/compute.cpp", "cpp/half_bound.cpp",
                  "cpp/cpu/thread_pool.cpp",
                  "cpp/layer/aptx_layer.cpp"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "dependencies": ["ak_cpu_scalar", "ak_cpu_simd"],
      "libraries": ["-lpthread"]
    }
  ]
}
