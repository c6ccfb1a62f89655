# Tests of core/server/access (API keys, CORS, log formats).
add_library(aq_accesstestsupport STATIC
    ${CMAKE_CURRENT_LIST_DIR}/accesstestsupport.cpp
    ${CMAKE_CURRENT_LIST_DIR}/accesstestsupport.h)
target_link_libraries(aq_accesstestsupport PUBLIC aq_common aq_server Qt6::Test)

foreach(test testapikeyring testauthorization testcorspolicy testlogformat testaccesslog)
    aq_add_test(NAME ${test} SOURCES ${CMAKE_CURRENT_LIST_DIR}/${test}.cpp LIBS aq_server aq_accesstestsupport)
endforeach()
