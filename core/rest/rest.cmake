# RestClient: JSON over QNetworkAccessManager for Pub/Sub and BigQuery (deadlines, retries, credentials, errors).
set(AQ_REST_SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/replyerror.cpp
    ${CMAKE_CURRENT_LIST_DIR}/replyerror.h
    ${CMAKE_CURRENT_LIST_DIR}/restcall.cpp
    ${CMAKE_CURRENT_LIST_DIR}/restcall.h
    ${CMAKE_CURRENT_LIST_DIR}/restclient.cpp
    ${CMAKE_CURRENT_LIST_DIR}/restclient.h
    ${CMAKE_CURRENT_LIST_DIR}/restrequest.h
    ${CMAKE_CURRENT_LIST_DIR}/retrypolicy.cpp
    ${CMAKE_CURRENT_LIST_DIR}/retrypolicy.h
    ${CMAKE_CURRENT_LIST_DIR}/tcpnodelay.cpp
    ${CMAKE_CURRENT_LIST_DIR}/tcpnodelay.h
)
