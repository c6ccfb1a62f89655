#include "core/common/base64.h"

#include <array>
#include <cstring>

#include <QtEndian>

namespace Aq::Base64
{
    namespace
    {
        constexpr char ALPHABET[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

        // The two characters of every 12-bit value.
        constexpr std::array<std::array<char, 2>, 4096> PAIRS = [] {
            std::array<std::array<char, 2>, 4096> pairs {};
            for (int i = 0; i < 4096; ++i)
                pairs[i] = {ALPHABET[i >> 6], ALPHABET[i & 63]};
            return pairs;
        }();

        constexpr std::array<int, 256> VALUES = [] {
            std::array<int, 256> values {};
            values.fill(-1);
            for (int i = 0; i < 64; ++i)
                values[uchar(ALPHABET[i])] = i;
            return values;
        }();
    }

    void append(QByteArrayView bytes, QByteArray &out)
    {
        const qsizetype start = out.size();
        out.resize(start + encodedSize(bytes.size()));
        encode(bytes, out.data() + start);
    }

    char *encode(QByteArrayView bytes, char *to)
    {
        const auto *in = reinterpret_cast<const uchar *>(bytes.data());
        const qsizetype size = bytes.size();
        qsizetype i = 0;
        // Six bytes at a time from one 8-byte big-endian read: two 24-bit groups, four 12-bit pair lookups.
        for (; i + 8 <= size; i += 6) {
            quint64 word;
            std::memcpy(&word, in + i, 8);
            word = qFromBigEndian(word);
            const uint first = uint(word >> 40);
            const uint second = uint(word >> 16) & 0xffffff;
            std::memcpy(to, PAIRS[first >> 12].data(), 2);
            std::memcpy(to + 2, PAIRS[first & 0xfff].data(), 2);
            std::memcpy(to + 4, PAIRS[second >> 12].data(), 2);
            std::memcpy(to + 6, PAIRS[second & 0xfff].data(), 2);
            to += 8;
        }
        for (; i + 3 <= size; i += 3) {
            const uint triple = (uint(in[i]) << 16) | (uint(in[i + 1]) << 8) | in[i + 2];
            std::memcpy(to, PAIRS[triple >> 12].data(), 2);
            std::memcpy(to + 2, PAIRS[triple & 0xfff].data(), 2);
            to += 4;
        }
        if (const qsizetype rest = size - i) {
            const uint triple = (uint(in[i]) << 16) | (rest == 2 ? uint(in[i + 1]) << 8 : 0);
            *to++ = ALPHABET[triple >> 18];
            *to++ = ALPHABET[(triple >> 12) & 63];
            *to++ = rest == 2 ? ALPHABET[(triple >> 6) & 63] : '=';
            *to++ = '=';
        }
        return to;
    }

    std::optional<QByteArray> decodeCanonical(QByteArrayView text)
    {
        const qsizetype size = text.size();
        if (size == 0 || size % 4 != 0)
            return std::nullopt;
        const qsizetype padding = text[size - 1] != '=' ? 0 : text[size - 2] != '=' ? 1 : 2;
        QByteArray out(size / 4 * 3 - padding, Qt::Uninitialized);
        char *to = out.data();
        const auto *in = reinterpret_cast<const uchar *>(text.data());
        const qsizetype whole = padding ? size - 4 : size;
        for (qsizetype i = 0; i < whole; i += 4) {
            const int a = VALUES[in[i]];
            const int b = VALUES[in[i + 1]];
            const int c = VALUES[in[i + 2]];
            const int d = VALUES[in[i + 3]];
            if ((a | b | c | d) < 0)
                return std::nullopt;
            const uint triple = (uint(a) << 18) | (uint(b) << 12) | (uint(c) << 6) | uint(d);
            *to++ = char(triple >> 16);
            *to++ = char(triple >> 8);
            *to++ = char(triple);
        }
        if (padding) {
            const int a = VALUES[in[whole]];
            const int b = VALUES[in[whole + 1]];
            const int c = padding == 1 ? VALUES[in[whole + 2]] : 0;
            if ((a | b | c) < 0)
                return std::nullopt;
            const uint triple = (uint(a) << 18) | (uint(b) << 12) | (uint(c) << 6);
            *to++ = char(triple >> 16);
            if (padding == 1)
                *to++ = char(triple >> 8);
        }
        return out;
    }
}
