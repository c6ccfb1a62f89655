# Profiles: backends, endpoints, credentials, project and resource names (command line > env > config file > defaults).
set(AQ_CONFIG_SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/connection.cpp
    ${CMAKE_CURRENT_LIST_DIR}/connection.h
    ${CMAKE_CURRENT_LIST_DIR}/profile.cpp
    ${CMAKE_CURRENT_LIST_DIR}/profile.h
    ${CMAKE_CURRENT_LIST_DIR}/savedprofile.cpp
    ${CMAKE_CURRENT_LIST_DIR}/savedprofile.h
)
