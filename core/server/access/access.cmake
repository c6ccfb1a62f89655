# Who may call the operator API and how calls are recorded: API keys, CORS, log formats. Sets AQ_ACCESS_SOURCES.
set(AQ_ACCESS_SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/accesslog.cpp
    ${CMAKE_CURRENT_LIST_DIR}/accesslog.h
    ${CMAKE_CURRENT_LIST_DIR}/apikeyring.cpp
    ${CMAKE_CURRENT_LIST_DIR}/apikeyring.h
    ${CMAKE_CURRENT_LIST_DIR}/authorization.cpp
    ${CMAKE_CURRENT_LIST_DIR}/authorization.h
    ${CMAKE_CURRENT_LIST_DIR}/corspolicy.cpp
    ${CMAKE_CURRENT_LIST_DIR}/corspolicy.h
    ${CMAKE_CURRENT_LIST_DIR}/logformat.cpp
    ${CMAKE_CURRENT_LIST_DIR}/logformat.h
)
