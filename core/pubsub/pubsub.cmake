# Pub/Sub v1 client: admin, publish (Publisher batches), pull/ack/lease (Subscriber).
set(AQ_PUBSUB_SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/pubsubclient.cpp
    ${CMAKE_CURRENT_LIST_DIR}/pubsubclient.h
    ${CMAKE_CURRENT_LIST_DIR}/publisher.cpp
    ${CMAKE_CURRENT_LIST_DIR}/publisher.h
    ${CMAKE_CURRENT_LIST_DIR}/pubsubmessage.cpp
    ${CMAKE_CURRENT_LIST_DIR}/pubsubmessage.h
    ${CMAKE_CURRENT_LIST_DIR}/replyreader.cpp
    ${CMAKE_CURRENT_LIST_DIR}/replyreader.h
    ${CMAKE_CURRENT_LIST_DIR}/subscriber.cpp
    ${CMAKE_CURRENT_LIST_DIR}/subscriber.h
    ${CMAKE_CURRENT_LIST_DIR}/subscription.cpp
    ${CMAKE_CURRENT_LIST_DIR}/subscription.h
)
