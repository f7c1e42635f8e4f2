# Debian's libhttp-parser-dev (Node's http_parser 2.9) as the imported target
# kyoto_http_parser, for examples/http_hello and bench/kyoto's kyoto_http.
# Debian 12 ships no llhttp library (only node-llhttp's sources).
if(NOT TARGET kyoto_http_parser)
  find_path(KYOTO_HTTP_PARSER_INCLUDE_DIR http_parser.h)
  find_library(KYOTO_HTTP_PARSER_LIBRARY http_parser)
  if(KYOTO_HTTP_PARSER_INCLUDE_DIR AND KYOTO_HTTP_PARSER_LIBRARY)
    add_library(kyoto_http_parser UNKNOWN IMPORTED GLOBAL)
    set_target_properties(kyoto_http_parser PROPERTIES
      IMPORTED_LOCATION ${KYOTO_HTTP_PARSER_LIBRARY}
      INTERFACE_INCLUDE_DIRECTORIES ${KYOTO_HTTP_PARSER_INCLUDE_DIR})
  endif()
endif()
