#include "core/localcloud/sql/sqllexer.h"

#include <algorithm>

#include <QSet>
#include <QStringDecoder>

using namespace Qt::Literals::StringLiterals;

namespace Aq::LocalCloud::Sql
{
    namespace
    {
        // GoogleSQL's reserved keywords: they cannot be identifiers unless backticked.
        const QSet<QString> &reservedKeywords()
        {
            static const QSet<QString> keywords {
                u"ALL"_s, u"AND"_s, u"ANY"_s, u"ARRAY"_s, u"AS"_s, u"ASC"_s, u"ASSERT_ROWS_MODIFIED"_s, u"AT"_s,
                u"BETWEEN"_s, u"BY"_s, u"CASE"_s, u"CAST"_s, u"COLLATE"_s, u"CONTAINS"_s, u"CREATE"_s, u"CROSS"_s,
                u"CUBE"_s, u"CURRENT"_s, u"DEFAULT"_s, u"DEFINE"_s, u"DESC"_s, u"DISTINCT"_s, u"ELSE"_s, u"END"_s,
                u"ENUM"_s, u"ESCAPE"_s, u"EXCEPT"_s, u"EXCLUDE"_s, u"EXISTS"_s, u"EXTRACT"_s, u"FALSE"_s, u"FETCH"_s,
                u"FOLLOWING"_s, u"FOR"_s, u"FROM"_s, u"FULL"_s, u"GROUP"_s, u"GROUPING"_s, u"GROUPS"_s, u"HASH"_s,
                u"HAVING"_s, u"IF"_s, u"IGNORE"_s, u"IN"_s, u"INNER"_s, u"INTERSECT"_s, u"INTERVAL"_s, u"INTO"_s,
                u"IS"_s, u"JOIN"_s, u"LATERAL"_s, u"LEFT"_s, u"LIKE"_s, u"LIMIT"_s, u"LOOKUP"_s, u"MERGE"_s,
                u"NATURAL"_s, u"NEW"_s, u"NO"_s, u"NOT"_s, u"NULL"_s, u"NULLS"_s, u"OF"_s, u"ON"_s, u"OR"_s,
                u"ORDER"_s, u"OUTER"_s, u"OVER"_s, u"PARTITION"_s, u"PRECEDING"_s, u"PROTO"_s, u"QUALIFY"_s,
                u"RANGE"_s, u"RECURSIVE"_s, u"RESPECT"_s, u"RIGHT"_s, u"ROLLUP"_s, u"ROWS"_s, u"SELECT"_s, u"SET"_s,
                u"SOME"_s, u"STRUCT"_s, u"TABLESAMPLE"_s, u"THEN"_s, u"TO"_s, u"TREAT"_s, u"TRUE"_s, u"UNBOUNDED"_s,
                u"UNION"_s, u"UNNEST"_s, u"USING"_s, u"WHEN"_s, u"WHERE"_s, u"WINDOW"_s, u"WITH"_s, u"WITHIN"_s,
            };
            return keywords;
        }

        bool isIdentifierStart(QChar c)
        {
            const char16_t u = c.unicode();
            return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u == '_';
        }

        bool isIdentifierPart(QChar c)
        {
            const char16_t u = c.unicode();
            return isIdentifierStart(c) || (u >= '0' && u <= '9');
        }

        bool isDigit(QChar c)
        {
            return c.unicode() >= '0' && c.unicode() <= '9';
        }

        int hexValue(QChar c)
        {
            const char16_t u = c.unicode();
            if (u >= '0' && u <= '9')
                return u - '0';
            if (u >= 'a' && u <= 'f')
                return u - 'a' + 10;
            if (u >= 'A' && u <= 'F')
                return u - 'A' + 10;
            return -1;
        }

        void appendUtf8(QByteArray &out, char32_t codePoint)
        {
            if (codePoint < 0x80) {
                out.append(char(codePoint));
            } else if (codePoint < 0x800) {
                out.append(char(0xC0 | (codePoint >> 6)));
                out.append(char(0x80 | (codePoint & 0x3F)));
            } else if (codePoint < 0x10000) {
                out.append(char(0xE0 | (codePoint >> 12)));
                out.append(char(0x80 | ((codePoint >> 6) & 0x3F)));
                out.append(char(0x80 | (codePoint & 0x3F)));
            } else {
                out.append(char(0xF0 | (codePoint >> 18)));
                out.append(char(0x80 | ((codePoint >> 12) & 0x3F)));
                out.append(char(0x80 | ((codePoint >> 6) & 0x3F)));
                out.append(char(0x80 | (codePoint & 0x3F)));
            }
        }

        class Lexer
        {
        public:
            explicit Lexer(const QString &text)
                : m_text {text}
            {
                m_lineStarts.push_back(0);
                for (int i = 0; i < m_text.size(); ++i) {
                    if (m_text[i] == u'\n')
                        m_lineStarts.push_back(i + 1);
                }
            }

            Result<std::vector<Token>> run()
            {
                std::vector<Token> tokens;
                while (true) {
                    if (!skipSpaceAndComments())
                        return *m_error;
                    Token token;
                    token.begin = m_pos;
                    token.pos = position(m_pos);
                    if (m_pos >= m_text.size()) {
                        token.type = TokenType::End;
                        token.end = m_pos;
                        tokens.push_back(std::move(token));
                        return tokens;
                    }
                    if (!next(token))
                        return *m_error;
                    token.end = m_pos;
                    tokens.push_back(std::move(token));
                }
            }

        private:
            SourcePos position(int offset) const
            {
                const auto it = std::upper_bound(m_lineStarts.begin(), m_lineStarts.end(), offset);
                const int line = int(it - m_lineStarts.begin());
                return SourcePos {line, offset - m_lineStarts[size_t(line - 1)] + 1};
            }

            QChar at(int offset) const
            {
                return offset < m_text.size() ? m_text[offset] : QChar();
            }

            bool fail(const QString &message, int offset)
            {
                if (!m_error)
                    m_error = syntaxError(message, position(offset));
                return false;
            }

            bool skipSpaceAndComments()
            {
                while (m_pos < m_text.size()) {
                    const QChar c = m_text[m_pos];
                    if (c.isSpace()) {
                        ++m_pos;
                    } else if (c == u'#' || (c == u'-' && at(m_pos + 1) == u'-')) {
                        while (m_pos < m_text.size() && m_text[m_pos] != u'\n')
                            ++m_pos;
                    } else if (c == u'/' && at(m_pos + 1) == u'*') {
                        const int start = m_pos;
                        const int close = m_text.indexOf(u"*/"_s, m_pos + 2);
                        if (close < 0)
                            return fail(u"Unclosed comment"_s, start);
                        m_pos = close + 2;
                    } else {
                        break;
                    }
                }
                return true;
            }

            bool next(Token &token)
            {
                const QChar c = m_text[m_pos];
                const QChar c1 = at(m_pos + 1);
                const QChar c2 = at(m_pos + 2);

                // string and bytes literals with their r/b prefixes
                if (c == u'\'' || c == u'"')
                    return readQuoted(token, m_pos, false, false);
                if ((c == u'r' || c == u'R') && (c1 == u'\'' || c1 == u'"'))
                    return readQuoted(token, m_pos + 1, true, false);
                if ((c == u'b' || c == u'B') && (c1 == u'\'' || c1 == u'"'))
                    return readQuoted(token, m_pos + 1, false, true);
                if (((c == u'r' || c == u'R') && (c1 == u'b' || c1 == u'B')) || ((c == u'b' || c == u'B') && (c1 == u'r' || c1 == u'R'))) {
                    if (c2 == u'\'' || c2 == u'"')
                        return readQuoted(token, m_pos + 2, true, true);
                }
                if (c == u'`')
                    return readBacktick(token);
                if (isIdentifierStart(c)) {
                    const int start = m_pos;
                    while (m_pos < m_text.size() && isIdentifierPart(m_text[m_pos]))
                        ++m_pos;
                    token.text = m_text.mid(start, m_pos - start);
                    const QString upper = token.text.toUpper();
                    if (isReservedKeyword(upper)) {
                        token.type = TokenType::Keyword;
                        token.text = upper;
                    } else {
                        token.type = TokenType::Identifier;
                    }
                    m_afterPathElement = token.type == TokenType::Identifier;
                    return true;
                }
                if (isDigit(c) || (c == u'.' && isDigit(c1) && !m_afterPathElement))
                    return readNumber(token);
                if (c == u'@') {
                    const bool system = c1 == u'@';
                    const int nameStart = m_pos + (system ? 2 : 1);
                    int end = nameStart;
                    if (end < m_text.size() && m_text[end] == u'`') {
                        m_pos = end;
                        Token quoted;
                        if (!readBacktick(quoted))
                            return false;
                        token.text = quoted.text;
                    } else {
                        while (end < m_text.size() && isIdentifierPart(m_text[end]))
                            ++end;
                        if (end == nameStart || isDigit(m_text[nameStart]))
                            return fail(u"Illegal input character \"@\""_s, m_pos);
                        token.text = m_text.mid(nameStart, end - nameStart);
                        m_pos = end;
                    }
                    token.type = system ? TokenType::SystemVariable : TokenType::NamedParameter;
                    m_afterPathElement = false;
                    return true;
                }
                if (c == u'?') {
                    token.type = TokenType::PositionalParameter;
                    token.text = u"?"_s;
                    ++m_pos;
                    m_afterPathElement = false;
                    return true;
                }
                static const char *const twoCharSymbols[] = {"<=", ">=", "<>", "!=", "||", "<<", ">>", "=>", "->"};
                for (const char *symbol : twoCharSymbols) {
                    if (c.unicode() == char16_t(symbol[0]) && c1.unicode() == char16_t(symbol[1])) {
                        token.type = TokenType::Symbol;
                        token.text = QString::fromLatin1(symbol);
                        m_pos += 2;
                        m_afterPathElement = false;
                        return true;
                    }
                }
                static const QString singleSymbols = u"(),.*+-/=<>;[]{}|&^~:"_s;
                if (singleSymbols.contains(c)) {
                    token.type = TokenType::Symbol;
                    token.text = QString(c);
                    ++m_pos;
                    m_afterPathElement = c == u')' || c == u']';
                    return true;
                }
                const QString shown = c.isPrint() ? QString(c) : u"\\u"_s + QString::number(c.unicode(), 16).rightJustified(4, u'0');
                return fail(u"Illegal input character \"%1\""_s.arg(shown), m_pos);
            }

            bool readNumber(Token &token)
            {
                const int start = m_pos;
                if (m_text[m_pos] == u'0' && (at(m_pos + 1) == u'x' || at(m_pos + 1) == u'X')) {
                    m_pos += 2;
                    const int digits = m_pos;
                    while (m_pos < m_text.size() && hexValue(m_text[m_pos]) >= 0)
                        ++m_pos;
                    if (m_pos == digits)
                        return fail(u"Syntax error in hex integer literal"_s, start);
                    token.type = TokenType::Integer;
                } else {
                    bool isFloat = false;
                    while (m_pos < m_text.size() && isDigit(m_text[m_pos]))
                        ++m_pos;
                    // `1.x` is the number 1 and a path step (project ids such as my-project-1.ds.t), but
                    // `1.e5` is a float
                    const bool pathStep = at(m_pos) == u'.' && isIdentifierStart(at(m_pos + 1))
                        && !((at(m_pos + 1) == u'e' || at(m_pos + 1) == u'E') && (isDigit(at(m_pos + 2)) || at(m_pos + 2) == u'+' || at(m_pos + 2) == u'-'));
                    if (at(m_pos) == u'.' && !pathStep) {
                        isFloat = true;
                        ++m_pos;
                        while (m_pos < m_text.size() && isDigit(m_text[m_pos]))
                            ++m_pos;
                    }
                    if (at(m_pos) == u'e' || at(m_pos) == u'E') {
                        int p = m_pos + 1;
                        if (at(p) == u'+' || at(p) == u'-')
                            ++p;
                        if (isDigit(at(p))) {
                            isFloat = true;
                            m_pos = p;
                            while (m_pos < m_text.size() && isDigit(m_text[m_pos]))
                                ++m_pos;
                        }
                    }
                    token.type = isFloat ? TokenType::Float : TokenType::Integer;
                }
                if (m_pos < m_text.size() && isIdentifierPart(m_text[m_pos]))
                    return fail(u"Missing whitespace between literal and alias"_s, m_pos);
                token.text = m_text.mid(start, m_pos - start);
                m_afterPathElement = false;
                return true;
            }

            // Reads the body of a quoted string starting at the opening quote; escapes applied unless raw.
            // Strings and identifiers are built as UTF-8 so that \x escapes are bytes, as in GoogleSQL.
            bool readBody(int quoteAt, bool raw, bool bytes, QByteArray &out)
            {
                const QChar quote = m_text[quoteAt];
                const bool triple = quote != u'`' && at(quoteAt + 1) == quote && at(quoteAt + 2) == quote;
                int p = quoteAt + (triple ? 3 : 1);
                while (true) {
                    if (p >= m_text.size())
                        return fail(quote == u'`' ? u"Unclosed identifier literal"_s : u"Unclosed string literal"_s, quoteAt);
                    const QChar c = m_text[p];
                    if (c == quote) {
                        if (!triple) {
                            m_pos = p + 1;
                            return true;
                        }
                        if (at(p + 1) == quote && at(p + 2) == quote) {
                            m_pos = p + 3;
                            return true;
                        }
                    }
                    if (!triple && (c == u'\n' || c == u'\r'))
                        return fail(quote == u'`' ? u"Unclosed identifier literal"_s : u"Unclosed string literal"_s, quoteAt);
                    if (c == u'\\') {
                        if (p + 1 >= m_text.size())
                            return fail(u"Unclosed string literal"_s, quoteAt);
                        if (raw) {
                            // a raw string keeps the backslash, but it still escapes the quote character
                            out.append('\\');
                            p = appendChar(out, p + 1);
                            continue;
                        }
                        if (!readEscape(p, bytes, out))
                            return false;
                        continue;
                    }
                    p = appendChar(out, p);
                }
            }

            // Appends the character at p (a surrogate pair as one code point); returns the next offset.
            int appendChar(QByteArray &out, int p)
            {
                const QChar c = m_text[p];
                if (c.isHighSurrogate() && p + 1 < m_text.size() && m_text[p + 1].isLowSurrogate()) {
                    appendUtf8(out, QChar::surrogateToUcs4(c, m_text[p + 1]));
                    return p + 2;
                }
                appendUtf8(out, c.isSurrogate() ? char32_t(0xFFFD) : char32_t(c.unicode()));
                return p + 1;
            }

            bool readEscape(int &p, bool bytes, QByteArray &out)
            {
                const int start = p;
                const QChar e = m_text[p + 1];
                p += 2;
                switch (e.unicode()) {
                case 'a': out.append('\a'); return true;
                case 'b': out.append('\b'); return true;
                case 'f': out.append('\f'); return true;
                case 'n': out.append('\n'); return true;
                case 'r': out.append('\r'); return true;
                case 't': out.append('\t'); return true;
                case 'v': out.append('\v'); return true;
                case '\\': out.append('\\'); return true;
                case '?': out.append('?'); return true;
                case '"': out.append('"'); return true;
                case '\'': out.append('\''); return true;
                case '`': out.append('`'); return true;
                default: break;
                }
                if (e >= u'0' && e <= u'7') {
                    int value = 0;
                    for (int i = 0; i < 3; ++i) {
                        const QChar d = at(start + 1 + i);
                        if (d < u'0' || d > u'7')
                            return fail(u"Illegal escape sequence: Octal escape must be followed by 3 octal digits but saw: \\%1"_s.arg(m_text.mid(start + 1, 3)), start);
                        value = value * 8 + (d.unicode() - '0');
                    }
                    if (value > 0xFF)
                        return fail(u"Illegal escape sequence: Octal value out of range"_s, start);
                    out.append(char(value));
                    p = start + 4;
                    return true;
                }
                if (e == u'x' || e == u'X') {
                    const int h1 = hexValue(at(start + 2));
                    const int h2 = hexValue(at(start + 3));
                    if (h1 < 0 || h2 < 0)
                        return fail(u"Illegal escape sequence: Hex escape must be followed by 2 hex digits"_s, start);
                    out.append(char(h1 * 16 + h2));
                    p = start + 4;
                    return true;
                }
                if ((e == u'u' || e == u'U') && !bytes) {
                    const int digits = e == u'u' ? 4 : 8;
                    char32_t value = 0;
                    for (int i = 0; i < digits; ++i) {
                        const int h = hexValue(at(start + 2 + i));
                        if (h < 0)
                            return fail(u"Illegal escape sequence: Unicode escape must be followed by %1 hex digits"_s.arg(digits), start);
                        value = value * 16 + char32_t(h);
                    }
                    if (value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
                        return fail(u"Illegal escape sequence: Value of \\%1 is not a valid Unicode code point"_s.arg(m_text.mid(start + 1, digits + 1)), start);
                    appendUtf8(out, value);
                    p = start + 2 + digits;
                    return true;
                }
                return fail(u"Illegal escape sequence: \\%1"_s.arg(e.isPrint() ? QString(e) : QString()), start);
            }

            bool decodeUtf8(const QByteArray &utf8, QString &out, int at)
            {
                QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
                out = decoder.decode(utf8);
                if (decoder.hasError())
                    return fail(u"String literal contains invalid UTF-8"_s, at);
                return true;
            }

            bool readQuoted(Token &token, int quoteAt, bool raw, bool bytes)
            {
                const int start = m_pos;
                QByteArray value;
                if (!readBody(quoteAt, raw, bytes, value))
                    return false;
                if (bytes) {
                    token.type = TokenType::Bytes;
                    token.bytes = value;
                } else {
                    token.type = TokenType::String;
                    if (!decodeUtf8(value, token.text, start))
                        return false;
                }
                m_afterPathElement = false;
                return true;
            }

            bool readBacktick(Token &token)
            {
                const int start = m_pos;
                QByteArray value;
                if (!readBody(m_pos, false, false, value))
                    return false;
                if (value.isEmpty())
                    return fail(u"Invalid empty identifier"_s, start);
                token.type = TokenType::QuotedIdentifier;
                if (!decodeUtf8(value, token.text, start))
                    return false;
                m_afterPathElement = true;
                return true;
            }

            const QString &m_text;
            std::vector<int> m_lineStarts;
            int m_pos = 0;
            // after an identifier, `.5` is a path element, not a number; set by identifiers and ) ]
            bool m_afterPathElement = false;
            std::optional<ApiError> m_error;
        };
    }

    bool isReservedKeyword(const QString &upperCaseWord)
    {
        return reservedKeywords().contains(upperCaseWord);
    }

    bool Token::isKeyword(const char *keyword) const
    {
        return type == TokenType::Keyword && text == QLatin1StringView(keyword);
    }

    bool Token::isSymbol(const char *symbol) const
    {
        return type == TokenType::Symbol && text == QLatin1StringView(symbol);
    }

    bool Token::isIdentifier(const char *name) const
    {
        return type == TokenType::Identifier && text.compare(QLatin1StringView(name), Qt::CaseInsensitive) == 0;
    }

    QString Token::describe() const
    {
        switch (type) {
        case TokenType::End: return u"end of input"_s;
        case TokenType::Identifier:
        case TokenType::QuotedIdentifier: return u"identifier \"%1\""_s.arg(text);
        case TokenType::Keyword: return u"keyword %1"_s.arg(text);
        case TokenType::String: return u"string literal \"%1\""_s.arg(text.left(64));
        case TokenType::Bytes: return u"bytes literal"_s;
        case TokenType::Integer: return u"integer literal \"%1\""_s.arg(text);
        case TokenType::Float: return u"floating point literal \"%1\""_s.arg(text);
        case TokenType::NamedParameter: return u"query parameter @%1"_s.arg(text);
        case TokenType::SystemVariable: return u"system variable @@%1"_s.arg(text);
        case TokenType::PositionalParameter: return u"\"?\""_s;
        case TokenType::Symbol: return u"\"%1\""_s.arg(text);
        }
        return QString();
    }

    Result<std::vector<Token>> tokenize(const QString &text)
    {
        Lexer lexer(text);
        return lexer.run();
    }
}
