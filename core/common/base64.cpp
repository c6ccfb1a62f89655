#include "core/common/base64.h"

#include <array>
#include <cstring>

#include <QtEndian>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

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

#if defined(__x86_64__)
    namespace
    {
        // 32 characters to 24 bytes at a time, by the AVX2 method of Muła and Lemire ("Faster Base64 Encoding and
        // Decoding Using AVX2 Instructions", 2018) with aqrit's validation. Stops at the first block holding
        // anything but the 64 letters ('=' included) and leaves it to the scalar loop; writes 32 bytes per block,
        // so the caller keeps 8 bytes of room past the block's 24. Returns the characters it consumed.
        __attribute__((target("avx2"))) qsizetype decodeBlocksAvx2(const uchar *in, qsizetype size, char *out)
        {
            const __m256i lutLow = _mm256_setr_epi8(0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1A, 0x1B, 0x1B, 0x1B, 0x1A,
                                                    0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1A, 0x1B, 0x1B, 0x1B, 0x1A);
            const __m256i lutHigh = _mm256_setr_epi8(0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
                                                     0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10);
            const __m256i lutRoll = _mm256_setr_epi8(0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0,
                                                     0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0);
            const __m256i mask2F = _mm256_set1_epi8(0x2f);
            const __m256i packPairs = _mm256_set1_epi32(0x01400140);
            const __m256i packQuads = _mm256_set1_epi32(0x00011000);
            const __m256i bytesInOrder = _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1,
                                                          2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
            const __m256i lanesTogether = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 7, 7);
            qsizetype i = 0;
            for (; i + 32 <= size; i += 32, out += 24) {
                __m256i text = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(in + i));
                const __m256i highNibbles = _mm256_and_si256(_mm256_srli_epi32(text, 4), mask2F);
                const __m256i lowNibbles = _mm256_and_si256(text, mask2F);
                const __m256i low = _mm256_shuffle_epi8(lutLow, lowNibbles);
                const __m256i high = _mm256_shuffle_epi8(lutHigh, highNibbles);
                if (!_mm256_testz_si256(low, high))
                    break;
                const __m256i isSlash = _mm256_cmpeq_epi8(text, mask2F);
                const __m256i roll = _mm256_shuffle_epi8(lutRoll, _mm256_add_epi8(isSlash, highNibbles));
                text = _mm256_add_epi8(text, roll);
                __m256i bytes = _mm256_madd_epi16(_mm256_maddubs_epi16(text, packPairs), packQuads);
                bytes = _mm256_shuffle_epi8(bytes, bytesInOrder);
                bytes = _mm256_permutevar8x32_epi32(bytes, lanesTogether);
                _mm256_storeu_si256(reinterpret_cast<__m256i *>(out), bytes);
            }
            return i;
        }

        const bool HAS_AVX2 = __builtin_cpu_supports("avx2");
    }
#endif

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
        qsizetype i = 0;
#if defined(__x86_64__)
        // Blocks while at least 8 bytes of output room remain past each block's 24.
        if (HAS_AVX2 && whole >= 44) {
            i = decodeBlocksAvx2(in, whole - 12, to);
            to += i / 4 * 3;
        }
#endif
        for (; i < whole; i += 4) {
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
