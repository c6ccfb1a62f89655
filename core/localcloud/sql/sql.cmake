# The GoogleSQL-subset -> SQLite translator. Pure code (no SQLite, no I/O) so it can be fuzzed.
# lexer -> parser (syntax tree, sqlast.h) -> translator (names, types, checks, SQLite text). See docs/SQL.md.
set(AQ_SQL_SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/keyhash.cpp
    ${CMAKE_CURRENT_LIST_DIR}/keyhash.h
    ${CMAKE_CURRENT_LIST_DIR}/sqlast.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sqlast.h
    ${CMAKE_CURRENT_LIST_DIR}/sqllexer.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sqllexer.h
    ${CMAKE_CURRENT_LIST_DIR}/sqlparser.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sqlparser.h
    ${CMAKE_CURRENT_LIST_DIR}/sqltranslator.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sqltranslator.h
)
