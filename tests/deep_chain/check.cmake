# Configures, builds and runs tests/deep_chain with FLAGS (see its
# CMakeLists.txt). Arguments: KYOTO_SOURCE, KYOTO_LIBRARY, WORK, CXX, FLAGS.
file(REMOVE_RECURSE ${WORK})
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}")
  endif()
endfunction()
set(link_flags "")
if(FLAGS MATCHES "-fsanitize=[a-z,]+")
  set(link_flags "${CMAKE_MATCH_0}")
endif()
run(${CMAKE_COMMAND} -S ${KYOTO_SOURCE}/tests/deep_chain -B ${WORK} -G Ninja
    -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_BUILD_TYPE= "-DCMAKE_CXX_FLAGS=${FLAGS}"
    "-DCMAKE_EXE_LINKER_FLAGS=${link_flags}" -DKYOTO_SOURCE=${KYOTO_SOURCE}
    -DKYOTO_LIBRARY=${KYOTO_LIBRARY})
run(${CMAKE_COMMAND} --build ${WORK})
run(${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=1 ${WORK}/deep_chain)
