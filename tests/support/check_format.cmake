# Fails if any of kyoto's C++ sources is not clang-formatted.
file(GLOB_RECURSE files ${ROOT}/include/*.hpp ${ROOT}/src/*.hpp ${ROOT}/src/*.cpp
     ${ROOT}/tests/*.hpp ${ROOT}/tests/*.cpp ${ROOT}/apps/*.hpp ${ROOT}/apps/*.cpp
     ${ROOT}/examples/*.cpp ${ROOT}/bench/kyoto/*.cpp
     ${ROOT}/bench/kyoto/*.hpp ${ROOT}/bench/limits/src/*.cpp ${ROOT}/bench/peers/asio/src/*.cpp
     ${ROOT}/bench/peers/asio/src/*.hpp)
execute_process(COMMAND ${CLANG_FORMAT} --dry-run --Werror ${files} RESULT_VARIABLE rc
                ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "clang-format differences (run: ${CLANG_FORMAT} -i <file>):\n${out}")
endif()
