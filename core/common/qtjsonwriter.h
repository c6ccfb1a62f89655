#pragma once

#include <type_traits>

#include <QByteArray>
#include <QJsonValue>

#include <simdjson.h>

// Writing JSON text byte for byte as QJsonDocument's compact writer does (object keys sorted, Qt's number forms,
// only '"' and '\\' escaped in printable ASCII), from a simdjson view when that can be done exactly, so that fast
// paths store the very text the QJsonDocument paths store.
namespace Aq::QtJson
{
    // Any value as QJsonDocument writes it (scalars too).
    QByteArray text(const QJsonValue &value);

    // Printable ASCII text as a JSON string the way QJsonDocument writes it: true; false, with nothing written, when
    // the text holds anything else.
    template <typename Char>
    bool appendPlainString(QByteArray &out, const Char *text, qsizetype size)
    {
        qsizetype escapes = 0;
        for (qsizetype i = 0; i < size; ++i) {
            const auto c = std::make_unsigned_t<Char>(text[i]);
            if (c < 0x20 || c > 0x7e)
                return false;
            escapes += c == '"' || c == '\\';
        }
        const qsizetype start = out.size();
        out.resize(start + size + escapes + 2);
        char *cursor = out.data() + start;
        *cursor++ = '"';
        for (qsizetype i = 0; i < size; ++i) {
            const char c = char(text[i]);
            if (c == '"' || c == '\\')
                *cursor++ = '\\';
            *cursor++ = c;
        }
        *cursor = '"';
        return true;
    }

    // `value` as QJsonDocument writes it, when that is sure to be exact: printable ASCII strings, no duplicate keys,
    // integers within 2^53, at most 64 levels deep. False otherwise (`out` may then hold part of the text): the
    // caller takes the QJsonDocument path.
    bool append(QByteArray &out, simdjson::dom::element value);
}
