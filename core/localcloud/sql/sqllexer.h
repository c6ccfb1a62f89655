#pragma once

#include <vector>

#include <QByteArray>
#include <QString>

#include "core/common/result.h"
#include "core/localcloud/sql/sqlast.h"

namespace Aq::LocalCloud::Sql
{
    enum class TokenType
    {
        End,
        Identifier,         // text: the name as written
        QuotedIdentifier,   // text: the name inside the backticks, escapes applied (may contain '.')
        Keyword,            // text: the reserved keyword in upper case
        String,             // text: the value
        Bytes,              // bytes: the value
        Integer,            // text: as written
        Float,              // text: as written
        NamedParameter,     // text: the name without '@'
        SystemVariable,     // text: the name without '@@'
        PositionalParameter,
        Symbol,             // text: ( ) , . * + - / || = != <> < <= > >= ; [ ] { } | & ^ ~ << >> => :
    };

    struct Token
    {
        TokenType type = TokenType::End;
        QString text;
        QByteArray bytes;
        SourcePos pos;
        int begin = 0;      // offsets in the query text, [begin, end)
        int end = 0;

        bool isKeyword(const char *keyword) const;
        bool isSymbol(const char *symbol) const;
        bool isIdentifier(const char *name) const;  // an unquoted identifier, case-insensitively
        // How BigQuery names the token in "Unexpected ..." messages: keyword FROM, identifier "x", "(" ...
        QString describe() const;
    };

    // Splits GoogleSQL text into tokens; comments and whitespace are dropped. The last token is End.
    Result<std::vector<Token>> tokenize(const QString &text);

    bool isReservedKeyword(const QString &upperCaseWord);
}
