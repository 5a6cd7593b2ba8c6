# A Zephyr application planned by `chorus board`: its memory regions and placed arena as a
# devicetree overlay, its pipelines and levels as a header. Include it before
# find_package(Zephyr), with these set:
#   CHORUS_HOST_CLI    the host's chorus CLI (build/tools/chorus)
#   CHORUS_BOARD_XML   the board description (default dts/boards/${BOARD}.xml)
#   CHORUS_SCENARIO    the scenario (pipelines, models, periods)
#   CHORUS_CLOCK_MHZ   optional: the instruction rate the run has (QEMU -icount)
# chorus_zephyr_board_overlay(DIR) writes DIR/chorus_board.overlay at configure time and adds
# it (then boards/<BOARD>_chorus.overlay from the application, when there is one: it
# disables the generated region nodes the board's own devicetree already links under
# another alias) to EXTRA_DTC_OVERLAY_FILE. After find_package(Zephyr),
# chorus_zephyr_board_header(DIR MODEL_FILES) generates DIR/chorus_board.hpp for `app`,
# defines CHORUS_BOARD_NS, and adds DIR to its include path.
if(NOT CHORUS_HOST_CLI OR NOT EXISTS "${CHORUS_HOST_CLI}")
  message(FATAL_ERROR "chorus: set CHORUS_HOST_CLI to the host's chorus CLI (cmake -S . -B build && cmake --build build "
                      "--target chorus, then -DCHORUS_HOST_CLI=<that>/build/tools/chorus)")
endif()
if(NOT BOARD)
  message(FATAL_ERROR "chorus: set BOARD (-DBOARD=mps3_an547): the board description is dts/boards/<BOARD>.xml")
endif()
if(NOT EXISTS "${CHORUS_BOARD_XML}")
  message(FATAL_ERROR "chorus: no board description ${CHORUS_BOARD_XML} (set CHORUS_BOARD_XML)")
endif()
if(NOT EXISTS "${CHORUS_SCENARIO}")
  message(FATAL_ERROR "chorus: no scenario ${CHORUS_SCENARIO} (set CHORUS_SCENARIO)")
endif()
set(chorus_board_args ${CHORUS_BOARD_XML} --scenario ${CHORUS_SCENARIO} --npu off)
if(CHORUS_CLOCK_MHZ)
  list(APPEND chorus_board_args --clock-mhz ${CHORUS_CLOCK_MHZ})
endif()
get_filename_component(chorus_board_name ${CHORUS_BOARD_XML} NAME_WE)

function(chorus_zephyr_board_overlay dir)
  file(MAKE_DIRECTORY ${dir})
  execute_process(COMMAND ${CHORUS_HOST_CLI} board ${chorus_board_args} --emit dts --out ${dir}/chorus_board.overlay
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "chorus board ${chorus_board_name} --emit dts failed:\n${out}${err}")
  endif()
  set(overlays ${EXTRA_DTC_OVERLAY_FILE} ${dir}/chorus_board.overlay)
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/boards/${BOARD}_chorus.overlay)
    list(APPEND overlays ${CMAKE_CURRENT_SOURCE_DIR}/boards/${BOARD}_chorus.overlay)
  endif()
  set(EXTRA_DTC_OVERLAY_FILE ${overlays} PARENT_SCOPE)
  # A changed board or scenario re-runs the configuration, hence the overlay.
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CHORUS_BOARD_XML} ${CHORUS_SCENARIO} ${CHORUS_HOST_CLI})
endfunction()

function(chorus_zephyr_board_header dir model_files)
  add_custom_command(OUTPUT ${dir}/chorus_board.hpp
    COMMAND ${CHORUS_HOST_CLI} board ${chorus_board_args} --emit header --out ${dir}/chorus_board.hpp
    DEPENDS ${CHORUS_BOARD_XML} ${CHORUS_SCENARIO} ${CHORUS_HOST_CLI} ${model_files}
    COMMENT "chorus board ${chorus_board_name} --scenario: the application's header")
  add_custom_target(chorus_board_header DEPENDS ${dir}/chorus_board.hpp)
  add_dependencies(app chorus_board_header)
  target_include_directories(app PRIVATE ${dir})
  target_compile_definitions(app PRIVATE CHORUS_BOARD_NS=chorus::boards::${chorus_board_name})
endfunction()
