# The CUDA backend, included by CMakeLists.txt. Built when nvcc is found and AK_CUDA is on
# (ACTIVATION_KERNELS_CUDA=off turns it off); never required. SASS for sm_75 to sm_90 plus PTX
# for newer GPUs; the CUDA runtime is linked statically, so a machine without a driver or a
# GPU still loads the addon (cuda.status() then says why CUDA is unavailable).
if(NOT AK_CUDA)
  message(STATUS "activation-kernels: CUDA backend off (AK_CUDA=OFF)")
  return()
endif()

include(CheckLanguage)
check_language(CUDA)
if(NOT CMAKE_CUDA_COMPILER)
  if(AK_CUDA_REQUIRED)  # the linux-x64 prebuild (scripts/build/prebuild.js) must carry CUDA
    message(FATAL_ERROR "activation-kernels: nvcc not found, and AK_CUDA_REQUIRED is on")
  endif()
  message(STATUS "activation-kernels: nvcc not found, the CUDA backend is left out")
  return()
endif()

if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
  set(CMAKE_CUDA_ARCHITECTURES 75-real 80-real 86-real 89-real 90-real 90-virtual)
endif()
enable_language(CUDA)
find_package(CUDAToolkit REQUIRED)

# The kernels instantiate cpp/activations.h with V = float in the namespace ak::cuda.
# --fmad=false: only the formulas' explicit fmaf calls fuse (the CPU's -ffp-contract=off);
# no --use_fast_math: division and the exp polynomial stay IEEE.
add_library(ak_cuda OBJECT cuda/kernels.cu cuda/half_kernels.cu cuda/aptx_layer.cu)
set_target_properties(ak_cuda PROPERTIES CUDA_STANDARD 17 CUDA_STANDARD_REQUIRED ON
                                         POSITION_INDEPENDENT_CODE ON)
target_compile_definitions(ak_cuda PRIVATE AK_ISA_NS=cuda)
target_compile_options(ak_cuda PRIVATE --fmad=false -Xcompiler=-Wall)
target_link_libraries(ak_cuda PRIVATE CUDA::cudart_static)

# The N-API half (binding/cuda/): status, memory, completions, launches, the layer, the checks.
target_sources(${PROJECT_NAME} PRIVATE
  binding/cuda/args.cpp binding/cuda/completion.cpp binding/cuda/device.cpp
  binding/cuda/launch.cpp binding/cuda/layer.cpp binding/cuda/memory.cpp
  binding/cuda/register.cpp binding/cuda/status.cpp $<TARGET_OBJECTS:ak_cuda>)
target_compile_definitions(${PROJECT_NAME} PRIVATE AK_WITH_CUDA)
# The diagnostics (the kernel timer, the accuracy check on the device and on the host: the
# benchmark's, the GPU check's and the tests'), on in development and CI; the prebuilds users
# install leave them out (scripts/build/prebuild.js), their device code included.
option(AK_DIAGNOSTICS "build the CUDA timer and accuracy checks into the addon" ON)
if(AK_DIAGNOSTICS)
  target_sources(ak_cuda PRIVATE cuda/accuracy.cu)
  target_sources(${PROJECT_NAME} PRIVATE binding/cuda/checks.cpp)
  target_compile_definitions(${PROJECT_NAME} PRIVATE AK_DIAGNOSTICS)
endif()
target_link_libraries(${PROJECT_NAME} PRIVATE CUDA::cudart_static)
message(STATUS "activation-kernels: CUDA backend on (nvcc ${CMAKE_CUDA_COMPILER_VERSION}, "
               "architectures ${CMAKE_CUDA_ARCHITECTURES})")
