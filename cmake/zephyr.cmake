# Chorus as a Zephyr module (zephyr/module.yml points at the top-level CMakeLists.txt, which
# includes this file when ZEPHYR_BASE is set): the firmware layers as one Zephyr library,
# chosen by Kconfig (top-level Kconfig). Needs C++17 and the full C++ library
# (CONFIG_REQUIRES_FULL_LIBCPP: the .tflite reader is flatbuffers' header-only code).
if(NOT CONFIG_CHORUS)
  return()
endif()

set(chorus_root ${CMAKE_CURRENT_LIST_DIR}/..)
zephyr_library_named(chorus)

file(GLOB chorus_kernel_sources ${chorus_root}/runtime/kernels/*.cpp ${chorus_root}/runtime/kernels/reference/*.cpp
     ${chorus_root}/runtime/kernels/arm_dsp/*.cpp ${chorus_root}/runtime/kernels/helium/*.cpp
     ${chorus_root}/runtime/kernels/signal/*.cpp)
file(GLOB chorus_dsp_sources ${chorus_root}/runtime/dsp/*.cpp)
zephyr_library_sources(
  ${chorus_root}/module/src/board.cpp
  ${chorus_root}/module/src/board_placement.cpp
  ${chorus_root}/module/src/format.cpp
  ${chorus_root}/module/src/record_store.cpp
  ${chorus_root}/module/src/status.cpp
  ${chorus_root}/runtime/src/interpreter.cpp
  ${chorus_root}/runtime/src/kernel.cpp
  ${chorus_root}/runtime/src/memory_plan.cpp
  ${chorus_root}/runtime/src/ethosu_arithmetic.cpp
  ${chorus_root}/runtime/src/ethosu_command_stream.cpp
  ${chorus_root}/runtime/src/ethosu_functional_backend.cpp
  ${chorus_root}/runtime/src/ethosu_functional_npu.cpp
  ${chorus_root}/runtime/src/ethosu_register_state.cpp
  ${chorus_root}/runtime/src/ethosu_weights.cpp
  ${chorus_root}/runtime/src/model.cpp
  ${chorus_root}/runtime/src/quantization.cpp
  ${chorus_root}/runtime/src/tensor.cpp
  ${chorus_kernel_sources}
  ${chorus_dsp_sources}
  ${chorus_root}/module/src/os/port_zephyr.cpp
)
zephyr_library_sources_ifdef(CONFIG_CHORUS_SCHEDULER
  ${chorus_root}/scheduler/src/analysis.cpp
  ${chorus_root}/scheduler/src/cost_model.cpp
  ${chorus_root}/scheduler/src/metrics.cpp
  ${chorus_root}/scheduler/src/partition.cpp
  ${chorus_root}/scheduler/src/response_log.cpp
  ${chorus_root}/scheduler/src/scheduler.cpp
  ${chorus_root}/scheduler/src/step_plan.cpp
  ${chorus_root}/scheduler/src/system.cpp
  ${chorus_root}/scheduler/src/sim_npu.cpp
  ${chorus_root}/scheduler/src/post/debouncer.cpp
  ${chorus_root}/scheduler/src/post/k_of_n.cpp
  ${chorus_root}/scheduler/src/post/normal_monitor.cpp
  ${chorus_root}/scheduler/src/post/normal_profile.cpp
  ${chorus_root}/scheduler/src/post/posterior_smoother.cpp
  ${chorus_root}/scheduler/src/stages/stages.cpp
  ${chorus_root}/scheduler/src/stages/radar_feature_stage.cpp
  ${chorus_root}/scheduler/src/stages/vibration_feature_stage.cpp
  ${chorus_root}/scheduler/src/generated_pipelines.cpp
)
zephyr_library_sources_ifdef(CONFIG_CHORUS_ETHOSU_DRIVER ${chorus_root}/runtime/src/ethosu_driver_backend.cpp)
zephyr_library_sources_ifdef(CONFIG_CHORUS_DRIVERS
  ${chorus_root}/drivers/src/bgt60tr13c.cpp
  ${chorus_root}/drivers/src/ics43434.cpp
  ${chorus_root}/drivers/src/iis3dwb.cpp
  ${chorus_root}/drivers/src/lis3dh.cpp
  ${chorus_root}/drivers/src/sensor.cpp
)
zephyr_library_sources_ifdef(CONFIG_CHORUS_REPLAY_SENSOR ${chorus_root}/zephyr/drivers/replay_sensor.cpp)
zephyr_include_directories(${chorus_root}/module/include ${chorus_root}/runtime/include ${chorus_root}/zephyr/include)
zephyr_include_directories_ifdef(CONFIG_CHORUS_SCHEDULER ${chorus_root}/scheduler/include)
zephyr_include_directories_ifdef(CONFIG_CHORUS_DRIVERS ${chorus_root}/drivers/include)
zephyr_library_include_directories(${chorus_root}/runtime/kernels ${chorus_root}/drivers/src)
zephyr_library_compile_options(-fno-exceptions -fno-rtti -fno-threadsafe-statics)
if(CONFIG_CHORUS_OPTIMIZE_SPEED)
  zephyr_library_compile_options(-O2)  # after Zephyr's -Os: the last -O wins
endif()
# Cortex-M55 with the FPU (where GCC defines __ARM_FEATURE_MVE and Chorus builds its Helium
# kernels): GCC 12.2 predicates a float->double VCVT into an IT block ("vcvtne.f64.f32"),
# which binutils 2.40 refuses for Armv8.1-M. No post-reload if-conversion, no such IT block
# (as cmake/arm-none-eabi.cmake does for the bare-metal builds); for every Zephyr library,
# since the application's and Zephyr's own float code meet the same assembler.
if(CONFIG_CPU_CORTEX_M55 AND CONFIG_FPU)
  zephyr_compile_options(-fno-if-conversion2)
endif()
zephyr_library_compile_definitions_ifdef(CONFIG_CHORUS_REFERENCE_KERNELS CHORUS_REFERENCE_KERNELS=1)

# The TFLite reader: flatc runs on the build host; the cross compiler sees the host's
# flatbuffers headers through a folder holding only a link to them.
find_program(CHORUS_FLATC flatc REQUIRED)
find_path(CHORUS_HOST_FLATBUFFERS flatbuffers/flatbuffers.h PATHS /usr/include /usr/local/include NO_DEFAULT_PATH
          NO_CMAKE_FIND_ROOT_PATH REQUIRED)
set(chorus_gen ${CMAKE_CURRENT_BINARY_DIR}/chorus_generated)
file(MAKE_DIRECTORY ${chorus_gen}/flatbuffers-include)
file(CREATE_LINK ${CHORUS_HOST_FLATBUFFERS}/flatbuffers ${chorus_gen}/flatbuffers-include/flatbuffers SYMBOLIC)
add_custom_command(OUTPUT ${chorus_gen}/tflite_subset_generated.h
  COMMAND ${CHORUS_FLATC} --cpp --scoped-enums -o ${chorus_gen} ${chorus_root}/runtime/schema/tflite_subset.fbs
  DEPENDS ${chorus_root}/runtime/schema/tflite_subset.fbs)
add_custom_target(chorus_zephyr_schema DEPENDS ${chorus_gen}/tflite_subset_generated.h)
add_dependencies(chorus chorus_zephyr_schema)
zephyr_include_directories(${chorus_gen})
zephyr_system_include_directories(${chorus_gen}/flatbuffers-include)
