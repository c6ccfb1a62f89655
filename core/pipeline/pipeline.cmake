# The ingest pipeline (pull -> validate -> insert -> ack, dead letters) and the test-event generator.
set(AQ_PIPELINE_SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/errorrecord.cpp
    ${CMAKE_CURRENT_LIST_DIR}/errorrecord.h
    ${CMAKE_CURRENT_LIST_DIR}/ingestpipeline.cpp
    ${CMAKE_CURRENT_LIST_DIR}/ingestpipeline.h
    ${CMAKE_CURRENT_LIST_DIR}/ingestsettings.h
    ${CMAKE_CURRENT_LIST_DIR}/pipelinerunner.cpp
    ${CMAKE_CURRENT_LIST_DIR}/pipelinerunner.h
    ${CMAKE_CURRENT_LIST_DIR}/resourcesetup.cpp
    ${CMAKE_CURRENT_LIST_DIR}/resourcesetup.h
    ${CMAKE_CURRENT_LIST_DIR}/rowconverter.cpp
    ${CMAKE_CURRENT_LIST_DIR}/rowconverter.h
)
