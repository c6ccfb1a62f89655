#include "core/pipeline/eventtemplate.h"

#include <charconv>
#include <cmath>
#include <vector>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "core/pipeline/eventrandom.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Pipeline
{
    struct EventTemplate::Compiled
    {
        enum class Kind : quint8
        {
            Literal,
            Uuid,
            Now,
            Choice,
            Int,
            Float,
            Seq,
            KeyBegin,   // the key field's value starts here in the output
            KeyEnd,
        };

        struct Op
        {
            Kind kind = Kind::Literal;
            QByteArray text;              // Literal: JSON text, ready to append
            QList<QByteArray> choices;    // Choice: each escaped for a JSON string
            qint64 min = 0;               // Int; Seq: the first number
            qint64 max = 0;
            double low = 0;               // Float
            double high = 0;
            int decimals = -1;            // Float: -1 is the shortest exact form
        };

        std::vector<Op> ops;
        bool usesNow = false;
        QString keyField;
    };

    namespace
    {
        using Kind = EventTemplate::Compiled::Kind;
        using Op = EventTemplate::Compiled::Op;

        const QString KnownPlaceholders = u"uuid, now, choice:a,b,c, int:MIN:MAX, float:MIN:MAX[:DECIMALS], seq[:START]"_s;

        Op makeOp(Kind kind, QByteArray text = {})
        {
            Op op;
            op.kind = kind;
            op.text = std::move(text);
            return op;
        }

        bool isNumeric(Kind kind)
        {
            return kind == Kind::Int || kind == Kind::Float || kind == Kind::Seq;
        }

        void appendInteger(QByteArray &out, qint64 value)
        {
            char buffer[24];
            const std::to_chars_result end = std::to_chars(buffer, buffer + sizeof buffer, value);
            out.append(buffer, end.ptr - buffer);
        }

        void appendDouble(QByteArray &out, double value, int decimals)
        {
            char buffer[400];   // fixed notation of a double near 1e308 with 17 decimals still fits
            const std::to_chars_result end = decimals < 0 ? std::to_chars(buffer, buffer + sizeof buffer, value)
                                                          : std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, decimals);
            out.append(buffer, end.ptr - buffer);
        }

        // The content of a JSON string (between its quotes, escapes and all) as text.
        QString decodeJsonString(QByteArrayView raw)
        {
            if (!raw.contains('\\'))
                return QString::fromUtf8(raw);
            const QByteArray document = "[\"" + raw.toByteArray() + "\"]";
            return QJsonDocument::fromJson(document).array().at(0).toString();
        }

        QByteArray encodeJsonString(const QString &text)
        {
            const QByteArray document = QJsonDocument(QJsonArray {text}).toJson(QJsonDocument::Compact);
            return document.mid(2, document.size() - 4);   // [" ... "]
        }

        // Walks the template's JSON text (already known to be valid) and emits literal text and placeholders.
        class Compiler
        {
        public:
            Compiler(const QByteArray &text, const QString &source, QString keyField)
                : m_text {text}
                , m_source {source}
                , m_keyField {std::move(keyField)}
            {
            }

            Result<std::vector<Op>> run()
            {
                if (Status status = value(0); !status)
                    return status.error();
                return std::move(m_ops);
            }

            bool usesNow() const { return m_usesNow; }

        private:
            void skipSpace()
            {
                while (m_position < m_text.size() && (m_text[m_position] == ' ' || m_text[m_position] == '\t' || m_text[m_position] == '\n'
                                                      || m_text[m_position] == '\r'))
                    ++m_position;
            }

            void literal(QByteArrayView text)
            {
                if (!m_ops.empty() && m_ops.back().kind == Kind::Literal)
                    m_ops.back().text.append(text);
                else
                    m_ops.push_back(makeOp(Kind::Literal, text.toByteArray()));
            }

            // The raw content of the string that starts at m_position (at its quote); m_position moves past it.
            QByteArrayView stringToken()
            {
                const qsizetype start = ++m_position;
                while (m_text[m_position] != '"')
                    m_position += m_text[m_position] == '\\' ? 2 : 1;
                return QByteArrayView(m_text).sliced(start, m_position++ - start);
            }

            QString where(qsizetype offset) const
            {
                int line = 1;
                qsizetype lineStart = 0;
                for (qsizetype i = 0; i < offset; ++i) {
                    if (m_text[i] == '\n') {
                        ++line;
                        lineStart = i + 1;
                    }
                }
                const int column = QString::fromUtf8(QByteArrayView(m_text).sliced(lineStart, offset - lineStart)).size() + 1;
                const QString path = m_path.isEmpty() ? QString() : u" (at %1)"_s.arg(m_path.join(QString()).mid(m_path.first().startsWith(u'.') ? 1 : 0));
                return u"%1, line %2, column %3%4"_s.arg(m_source).arg(line).arg(column).arg(path);
            }

            ApiError error(qsizetype offset, const QString &placeholder, const QString &message) const
            {
                return ApiError::invalidArgument(u"template %1: {{%2}}: %3"_s.arg(where(offset), placeholder, message));
            }

            Status value(int depth)
            {
                skipSpace();
                const char c = m_text[m_position];
                if (c == '{')
                    return object(depth + 1);
                if (c == '[')
                    return array(depth + 1);
                if (c == '"')
                    return string();
                const qsizetype start = m_position;
                while (m_position < m_text.size() && !QByteArrayView(",]} \t\r\n").contains(m_text[m_position]))
                    ++m_position;
                literal(QByteArrayView(m_text).sliced(start, m_position - start));
                return Ok {};
            }

            Status object(int depth)
            {
                ++m_position;
                literal("{");
                skipSpace();
                bool first = true;
                while (m_text[m_position] != '}') {
                    if (!first) {
                        ++m_position;   // ','
                        literal(",");
                        skipSpace();
                    }
                    first = false;
                    const qsizetype keyOffset = m_position;
                    const QByteArrayView key = stringToken();
                    const QString name = decodeJsonString(key);
                    if (key.contains("{{")) {
                        return ApiError::invalidArgument(u"template %1: the key \"%2\" holds a placeholder; placeholders are expanded in string values only"_s
                                                             .arg(where(keyOffset), name));
                    }
                    literal("\"");
                    literal(key);
                    literal("\":");
                    skipSpace();
                    ++m_position;   // ':'
                    m_path.append(u"."_s + name);
                    const bool isKey = depth == 1 && !m_keyField.isEmpty() && name == m_keyField;
                    if (isKey)
                        m_ops.push_back(makeOp(Kind::KeyBegin));
                    if (Status status = value(depth); !status)
                        return status;
                    if (isKey)
                        m_ops.push_back(makeOp(Kind::KeyEnd));
                    m_path.removeLast();
                    skipSpace();
                }
                ++m_position;
                literal("}");
                return Ok {};
            }

            Status array(int depth)
            {
                ++m_position;
                literal("[");
                skipSpace();
                int index = 0;
                while (m_text[m_position] != ']') {
                    if (index > 0) {
                        ++m_position;
                        literal(",");
                        skipSpace();
                    }
                    m_path.append(u"[%1]"_s.arg(index++));
                    if (Status status = value(depth); !status)
                        return status;
                    m_path.removeLast();
                    skipSpace();
                }
                ++m_position;
                literal("]");
                return Ok {};
            }

            Status string()
            {
                const qsizetype contentOffset = m_position + 1;
                const QByteArrayView raw = stringToken();
                std::vector<Op> parts;
                qsizetype at = 0;
                while (at < raw.size()) {
                    const qsizetype open = raw.indexOf("{{", at);
                    if (open < 0) {
                        parts.push_back(makeOp(Kind::Literal, raw.sliced(at).toByteArray()));
                        break;
                    }
                    if (open > at)
                        parts.push_back(makeOp(Kind::Literal, raw.sliced(at, open - at).toByteArray()));
                    const qsizetype close = raw.indexOf("}}", open + 2);
                    if (close < 0) {
                        return ApiError::invalidArgument(u"template %1: \"{{\" opens a placeholder that no \"}}\" closes; write \\u007b{ for a literal {{"_s
                                                             .arg(where(contentOffset + open)));
                    }
                    Result<Op> op = placeholder(decodeJsonString(raw.sliced(open + 2, close - open - 2)), contentOffset + open);
                    if (!op)
                        return op.error();
                    parts.push_back(std::move(*op));
                    at = close + 2;
                }
                // "{{int:1:9}}" alone is a number; in any other company, text.
                const bool bare = parts.size() == 1 && isNumeric(parts.front().kind);
                if (!bare)
                    literal("\"");
                for (Op &part : parts) {
                    if (part.kind == Kind::Literal)
                        literal(part.text);
                    else
                        m_ops.push_back(std::move(part));
                }
                if (!bare)
                    literal("\"");
                return Ok {};
            }

            Result<Op> placeholder(const QString &body, qsizetype offset)
            {
                const QString text = body.trimmed();
                const qsizetype colon = text.indexOf(u':');
                const QString name = (colon < 0 ? text : text.left(colon)).trimmed();
                const QString arguments = colon < 0 ? QString() : text.mid(colon + 1);
                const bool hasArguments = colon >= 0;
                const auto fail = [&](const QString &message) { return error(offset, body, message); };
                const auto integer = [](const QString &part, qint64 *value) {
                    bool ok = false;
                    *value = part.trimmed().toLongLong(&ok);
                    return ok;
                };

                Op op;
                if (name == u"uuid"_s || name == u"now"_s) {
                    if (hasArguments)
                        return fail(u"%1 takes no arguments"_s.arg(name));
                    op.kind = name == u"uuid"_s ? Kind::Uuid : Kind::Now;
                    m_usesNow = m_usesNow || op.kind == Kind::Now;
                    return op;
                }
                if (name == u"choice"_s) {
                    const QStringList values = arguments.split(u',');
                    if (!hasArguments || arguments.trimmed().isEmpty())
                        return fail(u"give the values to choose from, separated by commas: {{choice:a,b,c}}"_s);
                    op.kind = Kind::Choice;
                    for (qsizetype i = 0; i < values.size(); ++i) {
                        const QString value = values[i].trimmed();
                        if (value.isEmpty())
                            return fail(u"value %1 of %2 is empty (a stray comma?)"_s.arg(i + 1).arg(values.size()));
                        op.choices.append(encodeJsonString(value));
                    }
                    return op;
                }
                if (name == u"int"_s) {
                    const QStringList parts = arguments.split(u':');
                    op.kind = Kind::Int;
                    if (!hasArguments || parts.size() != 2 || !integer(parts[0], &op.min) || !integer(parts[1], &op.max))
                        return fail(u"give two integers, the smallest and the largest value: {{int:MIN:MAX}}, e.g. {{int:1:100}}"_s);
                    if (op.min > op.max)
                        return fail(u"MIN (%1) is greater than MAX (%2)"_s.arg(op.min).arg(op.max));
                    return op;
                }
                if (name == u"float"_s) {
                    const QStringList parts = arguments.split(u':');
                    op.kind = Kind::Float;
                    bool lowOk = false;
                    bool highOk = false;
                    if (hasArguments && (parts.size() == 2 || parts.size() == 3)) {
                        op.low = parts[0].trimmed().toDouble(&lowOk);
                        op.high = parts[1].trimmed().toDouble(&highOk);
                    }
                    if (!lowOk || !highOk || !std::isfinite(op.low) || !std::isfinite(op.high))
                        return fail(u"give two numbers and, if you like, the decimals: {{float:MIN:MAX}} or {{float:MIN:MAX:DECIMALS}}, e.g. {{float:0:100:2}}"_s);
                    if (op.low > op.high)
                        return fail(u"MIN (%1) is greater than MAX (%2)"_s.arg(parts[0].trimmed(), parts[1].trimmed()));
                    if (!std::isfinite(op.high - op.low))
                        return fail(u"the range from MIN to MAX is wider than a double can hold"_s);
                    if (parts.size() == 3) {
                        qint64 decimals = -1;
                        if (!integer(parts[2], &decimals) || decimals < 0 || decimals > 17)
                            return fail(u"DECIMALS \"%1\" is not a number from 0 to 17"_s.arg(parts[2].trimmed()));
                        op.decimals = int(decimals);
                    }
                    return op;
                }
                if (name == u"seq"_s) {
                    op.kind = Kind::Seq;
                    op.min = 1;
                    if (hasArguments && !integer(arguments, &op.min))
                        return fail(u"START \"%1\" is not an integer: {{seq}} counts from 1, {{seq:START}} from START"_s.arg(arguments.trimmed()));
                    return op;
                }
                return fail(u"unknown placeholder \"%1\"; the placeholders are %2"_s.arg(name, KnownPlaceholders));
            }

            const QByteArray &m_text;
            QString m_source;
            QString m_keyField;
            qsizetype m_position = 0;
            QStringList m_path;
            std::vector<Op> m_ops;
            bool m_usesNow = false;
        };
    }

    EventTemplate::EventTemplate(std::shared_ptr<const Compiled> compiled)
        : m_compiled {std::move(compiled)}
    {
    }

    Result<EventTemplate> EventTemplate::parse(const QByteArray &json, const QString &source, const QStringList &keyFields)
    {
        const QByteArray text = json.startsWith("\xEF\xBB\xBF") ? json.mid(3) : json;
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(text, &parseError);
        if (parseError.error != QJsonParseError::NoError) {
            const QByteArrayView before = QByteArrayView(text).first(qBound(qsizetype(0), qsizetype(parseError.offset), text.size()));
            const qsizetype line = before.count('\n') + 1;
            const qsizetype column = QString::fromUtf8(before.sliced(before.lastIndexOf('\n') + 1)).size() + 1;
            return ApiError::invalidArgument(u"template %1 is not valid JSON: %2 at line %3, column %4"_s
                                                 .arg(source, parseError.errorString()).arg(line).arg(column));
        }
        if (!document.isObject()) {
            return ApiError::invalidArgument(u"template %1 holds a JSON %2; a template is one JSON object, the event"_s
                                                 .arg(source, document.isArray() ? u"array"_s : u"value"_s));
        }
        QString keyField;
        for (const QString &field : keyFields) {
            if (document.object().contains(field)) {
                keyField = field;
                break;
            }
        }
        Compiler compiler(text, source, keyField);
        Result<std::vector<Op>> ops = compiler.run();
        if (!ops)
            return ops.error();
        auto compiled = std::make_shared<Compiled>();
        compiled->ops = std::move(*ops);
        compiled->usesNow = compiler.usesNow();
        compiled->keyField = keyField;
        return EventTemplate(std::move(compiled));
    }

    Result<EventTemplate> EventTemplate::load(const QString &fileName, const QStringList &keyFields)
    {
        QFile file(fileName);
        if (!file.open(QIODevice::ReadOnly))
            return ApiError::invalidArgument(u"cannot read the template %1: %2"_s.arg(fileName, file.errorString()));
        return parse(file.readAll(), fileName, keyFields);
    }

    void EventTemplate::render(QByteArray &out, EventRandom &random, qint64 eventIndex, QByteArrayView now, QByteArray *eventId) const
    {
        qsizetype keyBegin = -1;
        qsizetype keyEnd = -1;
        for (const Op &op : m_compiled->ops) {
            switch (op.kind) {
            case Kind::Literal: out.append(op.text); break;
            case Kind::Uuid: random.appendUuid(out); break;
            case Kind::Now: out.append(now); break;
            case Kind::Choice: out.append(op.choices.at(random.index(op.choices.size()))); break;
            case Kind::Int: appendInteger(out, random.between(op.min, op.max)); break;
            case Kind::Float: appendDouble(out, random.uniform(op.low, op.high), op.decimals); break;
            case Kind::Seq: appendInteger(out, op.min + eventIndex); break;
            case Kind::KeyBegin: keyBegin = out.size(); break;
            case Kind::KeyEnd: keyEnd = out.size(); break;
            }
        }
        if (!eventId)
            return;
        eventId->clear();
        if (keyBegin < 0 || keyEnd < keyBegin)
            return;
        QByteArrayView value = QByteArrayView(out).sliced(keyBegin, keyEnd - keyBegin);
        if (value.startsWith('"') && value.size() >= 2) {
            value = value.sliced(1, value.size() - 2);
            *eventId = value.contains('\\') ? decodeJsonString(value).toUtf8() : value.toByteArray();
        } else {
            *eventId = value.toByteArray();
        }
    }

    bool EventTemplate::usesNow() const
    {
        return m_compiled->usesNow;
    }

    QString EventTemplate::keyField() const
    {
        return m_compiled->keyField;
    }
}
