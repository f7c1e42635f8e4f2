# Builds the consumer project against kyoto, either installed into a
# temporary prefix (find_package) or as a subdirectory, and runs it.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}")
  endif()
endfunction()
set(gen -G Ninja -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_BUILD_TYPE=Release)
if(MODE STREQUAL "find_package")
  run(${CMAKE_COMMAND} -S ${KYOTO_SOURCE} -B ${WORK}/kyoto ${gen} -DKYOTO_BUILD_TESTS=OFF
      -DKYOTO_BUILD_EXAMPLES=OFF -DKYOTO_BUILD_BENCH=OFF -DCMAKE_INSTALL_PREFIX=${WORK}/prefix)
  run(${CMAKE_COMMAND} --build ${WORK}/kyoto)
  run(${CMAKE_COMMAND} --install ${WORK}/kyoto)
  run(${CMAKE_COMMAND} -S ${KYOTO_SOURCE}/tests/packaging/consumer -B ${WORK}/consumer ${gen}
      -DMODE=find_package -DCMAKE_PREFIX_PATH=${WORK}/prefix)
else()
  run(${CMAKE_COMMAND} -S ${KYOTO_SOURCE}/tests/packaging/consumer -B ${WORK}/consumer ${gen}
      -DMODE=add_subdirectory -DKYOTO_SOURCE=${KYOTO_SOURCE})
endif()
run(${CMAKE_COMMAND} --build ${WORK}/consumer)
run(${WORK}/consumer/consumer)
