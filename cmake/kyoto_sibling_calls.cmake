# Tells kyoto's headers whether g++ turns symmetric transfer into a tail
# call under this build's flags (see include/kyoto/config.hpp): g++ defines
# the same macros at -O1 and -Og as at -O2, but only -O2, -O3 and -Os (or
# an explicit -foptimize-sibling-calls) make the call a tail call, so the
# compiler is asked which optimisations the flags enable. Used by kyoto's
# own build and by kyotoConfig.cmake, so that consumers get the answer for
# their flags, not kyoto's. Flags that a project adds to one target only
# (target_compile_options(app PRIVATE -O1)) are not seen: such a target
# defines KYOTO_TRAMPOLINE=1 itself.

# Sets out_var to 1 if `-foptimize-sibling-calls` is enabled by `flags`, 0
# if not, and to the empty string when the question does not arise (not g++).
function(kyoto_probe_sibling_calls out_var flags)
  set(${out_var} "" PARENT_SCOPE)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    return()
  endif()
  separate_arguments(args UNIX_COMMAND "${flags}")
  execute_process(COMMAND ${CMAKE_CXX_COMPILER} ${args} -Q --help=optimizers
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_QUIET)
  if(NOT rc EQUAL 0)
    return()  # unknown: config.hpp's default applies
  endif()
  if(out MATCHES "-foptimize-sibling-calls[ \t]+\\[enabled\\]")
    set(${out_var} 1 PARENT_SCOPE)
  else()
    set(${out_var} 0 PARENT_SCOPE)
  endif()
endfunction()

# Adds KYOTO_DETAIL_SIBLING_CALLS=<answer> to `target`'s compile
# definitions with the given scope (INTERFACE for an imported target),
# for the current build type, or for each configuration of a multi-config
# generator. A third argument BUILD_ONLY keeps it out of install(EXPORT).
function(kyoto_add_sibling_calls_definition target scope)
  get_property(multi GLOBAL PROPERTY GENERATOR_IS_MULTI_CONFIG)
  if(multi)
    set(configs ${CMAKE_CONFIGURATION_TYPES})
  elseif(CMAKE_BUILD_TYPE)
    set(configs ${CMAKE_BUILD_TYPE})
  else()
    set(configs "-")  # no build type: CMAKE_CXX_FLAGS alone
  endif()
  foreach(config IN LISTS configs)
    string(TOUPPER "${config}" upper)
    if(upper STREQUAL "-")
      set(upper "")
    endif()
    set(flags "${CMAKE_CXX_FLAGS}")
    if(upper)
      string(APPEND flags " ${CMAKE_CXX_FLAGS_${upper}}")
    endif()
    kyoto_probe_sibling_calls(answer "${flags}")
    if(answer STREQUAL "")
      continue()
    endif()
    set(definition KYOTO_DETAIL_SIBLING_CALLS=${answer})
    if(multi)
      set(definition $<$<CONFIG:${config}>:${definition}>)
    endif()
    if(ARGV2 STREQUAL "BUILD_ONLY")
      set(definition $<BUILD_INTERFACE:${definition}>)
    endif()
    target_compile_definitions(${target} ${scope} ${definition})
  endforeach()
endfunction()
