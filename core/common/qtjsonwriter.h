#pragma once

#include <cstring>
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

    namespace Detail
    {
        // Eight bytes of printable ASCII with no '"' or '\\' in them (SWAR: each test flags a byte in its high bit).
        constexpr bool isPlainWord(quint64 word)
        {
            constexpr quint64 Ones = 0x0101010101010101ULL;
            constexpr quint64 Highs = 0x8080808080808080ULL;
            const auto hasZeroByte = [](quint64 v) { return ((v - Ones) & ~v & Highs) != 0; };
            const bool below0x20 = ((word - Ones * 0x20) & ~word & Highs) != 0;
            return (word & Highs) == 0 && !below0x20 && !hasZeroByte(word ^ (Ones * 0x7f)) && !hasZeroByte(word ^ (Ones * '"'))
                && !hasZeroByte(word ^ (Ones * '\\'));
        }
    }

    // Printable ASCII text as a JSON string the way QJsonDocument writes it: true; false, with nothing written, when
    // the text holds anything else.
    template <typename Char>
    bool appendPlainString(QByteArray &out, const Char *text, qsizetype size)
    {
        qsizetype escapes = 0;
        qsizetype i = 0;
        if constexpr (sizeof(Char) == 1) {
            // Eight bytes at a time while they need no look of their own: the common case, ids and event text.
            for (; i + 8 <= size; i += 8) {
                quint64 word;
                std::memcpy(&word, text + i, 8);
                if (!Detail::isPlainWord(word))
                    break;
            }
        }
        for (; i < size; ++i) {
            const auto c = std::make_unsigned_t<Char>(text[i]);
            if (c < 0x20 || c > 0x7e)
                return false;
            escapes += c == '"' || c == '\\';
        }
        const qsizetype start = out.size();
        out.resize(start + size + escapes + 2);
        char *cursor = out.data() + start;
        *cursor++ = '"';
        if constexpr (sizeof(Char) == 1) {
            if (escapes == 0) {
                std::memcpy(cursor, text, size_t(size));
                cursor[size] = '"';
                return true;
            }
        }
        for (i = 0; i < size; ++i) {
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
