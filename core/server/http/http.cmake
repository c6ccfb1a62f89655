# The HTTP/1.1 layer of aq_server: our own server on QTcpServer/QSslServer with http-parser doing the parsing
# (QtHttpServer 6.4 has no limits, timeouts or streaming: see QT64-NOTES.md). httprequestparser + httprequest +
# httpheaders need no socket, so the fuzzer in tests/fuzz builds them on their own.
set(AQ_HTTP_PARSER_SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/httpheaders.cpp
    ${CMAKE_CURRENT_LIST_DIR}/httpheaders.h
    ${CMAKE_CURRENT_LIST_DIR}/httprequest.cpp
    ${CMAKE_CURRENT_LIST_DIR}/httprequest.h
    ${CMAKE_CURRENT_LIST_DIR}/httprequestparser.cpp
    ${CMAKE_CURRENT_LIST_DIR}/httprequestparser.h
    ${CMAKE_CURRENT_LIST_DIR}/httpserverlimits.h
)

set(AQ_HTTP_SOURCES
    ${AQ_HTTP_PARSER_SOURCES}
    ${CMAKE_CURRENT_LIST_DIR}/httpconnection.cpp
    ${CMAKE_CURRENT_LIST_DIR}/httpconnection.h
    ${CMAKE_CURRENT_LIST_DIR}/httpexchange.h
    ${CMAKE_CURRENT_LIST_DIR}/httplogging.cpp
    ${CMAKE_CURRENT_LIST_DIR}/httplogging.h
    ${CMAKE_CURRENT_LIST_DIR}/httpresponder.cpp
    ${CMAKE_CURRENT_LIST_DIR}/httpresponder.h
    ${CMAKE_CURRENT_LIST_DIR}/httpresponderstate.cpp
    ${CMAKE_CURRENT_LIST_DIR}/httpresponderstate.h
    ${CMAKE_CURRENT_LIST_DIR}/httpresponse.cpp
    ${CMAKE_CURRENT_LIST_DIR}/httpresponse.h
    ${CMAKE_CURRENT_LIST_DIR}/httpserver.cpp
    ${CMAKE_CURRENT_LIST_DIR}/httpserver.h
    ${CMAKE_CURRENT_LIST_DIR}/openfilelimit.cpp
    ${CMAKE_CURRENT_LIST_DIR}/openfilelimit.h
)
