# The Chorus Zephyr samples' shared build: include it before find_package(Zephyr) with
# CHORUS_SCENARIO set (the sample's pipelines and models), then call
# chorus_sample_app(<sources>) after project(). It
#  - plans the scenario on the board XML (dts/boards/${BOARD}.xml) with the host CLI
#    (CHORUS_HOST_CLI), at configure time the devicetree overlay of the memory regions and
#    arena (cmake/chorus_zephyr_board.cmake), at build time the header;
#  - adds common/boards/<BOARD>.overlay (the board's weights region), the generated
#    overlay, common/boards/<BOARD>_chorus.overlay (nodes the board already has), and
#    common/boards/<BOARD>.conf (Kconfig the board needs: the FPU for Helium, Zephyr's RAM
#    size), before the sample's own boards/<BOARD>.overlay (its sensors);
#  - links the scenario's models into the weights region when the board has one, else
#    into read-only data, and the shared runner (common/runner.cpp) into `app`.
set(chorus_common ${CMAKE_CURRENT_LIST_DIR})
set(chorus_dir ${chorus_common}/../../..)
set(CHORUS_HOST_CLI "" CACHE FILEPATH "The host's chorus CLI (build/tools/chorus): it plans the scenario at build time")
set(CHORUS_BOARD_XML ${chorus_dir}/dts/boards/${BOARD}.xml CACHE FILEPATH "The board description the scenario is planned on")
set(CHORUS_CLOCK_MHZ "" CACHE STRING "Instructions per microsecond of the run (QEMU: the -icount rate in Zephyr's time)")
set(CHORUS_RUN_SECONDS 5 CACHE STRING "Seconds the sample runs before it reports")
set(CHORUS_SHARED_DIR ${chorus_dir}/../shared CACHE PATH "Chorus shared models and data")
if(EXISTS ${chorus_common}/boards/${BOARD}.overlay)
  list(APPEND EXTRA_DTC_OVERLAY_FILE ${chorus_common}/boards/${BOARD}.overlay)
endif()
include(${chorus_dir}/cmake/chorus_zephyr_board.cmake)
chorus_zephyr_board_overlay(${CMAKE_BINARY_DIR}/chorus)
if(EXISTS ${chorus_common}/boards/${BOARD}_chorus.overlay)
  list(APPEND EXTRA_DTC_OVERLAY_FILE ${chorus_common}/boards/${BOARD}_chorus.overlay)
endif()
if(EXISTS ${chorus_common}/boards/${BOARD}.conf)
  list(APPEND EXTRA_CONF_FILE ${chorus_common}/boards/${BOARD}.conf)
endif()

macro(chorus_sample_app)
  set(gen ${CMAKE_CURRENT_BINARY_DIR}/chorus)
  include(${chorus_dir}/cmake/chorus_scenario_models.cmake)
  # The models (and replay data) go to the board's weights region where it has one
  # (common/boards/<BOARD>.overlay declares it, common/weights.ld fills it).
  if(EXISTS ${chorus_common}/boards/${BOARD}.overlay)
    set(chorus_section .chorus_weights)
    zephyr_linker_sources(SECTIONS ${chorus_common}/weights.ld)
  else()
    set(chorus_section .rodata.chorus_data)
  endif()
  chorus_scenario_models(SCENARIO ${CHORUS_SCENARIO} DIR ${gen} SECTION ${chorus_section}
                         OUT_SOURCES chorus_model_sources OUT_FILES chorus_model_files)
  chorus_zephyr_board_header(${gen} "${chorus_model_files}")
  target_sources(app PRIVATE ${ARGN} ${chorus_common}/runner.cpp ${chorus_model_sources})
  target_include_directories(app PRIVATE ${chorus_common})
  target_compile_definitions(app PRIVATE CHORUS_RUN_SECONDS=${CHORUS_RUN_SECONDS})
endmacro()
