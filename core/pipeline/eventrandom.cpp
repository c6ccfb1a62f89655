#include "core/pipeline/eventrandom.h"

#include <QRandomGenerator>

namespace Aq::Pipeline
{
    EventRandom::EventRandom(quint64 seed)
        : m_engine {seed}
    {
    }

    quint64 EventRandom::randomSeed()
    {
        return QRandomGenerator::system()->generate64();
    }

    qint64 EventRandom::between(qint64 min, qint64 max)
    {
        const quint64 span = quint64(max) - quint64(min) + 1;   // 0: the whole 64-bit range
        if (span == 0)
            return qint64(next());
        // Rejection sampling: drop the few draws below 2^64 mod span, which would favour small values.
        const quint64 threshold = (0 - span) % span;
        quint64 draw = next();
        while (draw < threshold)
            draw = next();
        return qint64(quint64(min) + draw % span);
    }

    double EventRandom::uniform(double min, double max)
    {
        const double unit = double(next() >> 11) * 0x1.0p-53;   // 53 random bits: every double in [0, 1) is equally likely
        return min + unit * (max - min);
    }

    void EventRandom::appendUuid(QByteArray &out)
    {
        static constexpr char Hex[] = "0123456789abcdef";
        quint64 high = next();
        quint64 low = next();
        high = (high & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;   // version 4
        low = (low & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;     // variant 10xx (RFC 4122)
        char text[36];
        int position = 0;
        const auto put = [&](quint64 bits, int nibbles) {
            for (int i = nibbles - 1; i >= 0; --i)
                text[position++] = Hex[(bits >> (i * 4)) & 0xf];
        };
        put(high >> 32, 8);
        text[position++] = '-';
        put(high >> 16, 4);
        text[position++] = '-';
        put(high, 4);
        text[position++] = '-';
        put(low >> 48, 4);
        text[position++] = '-';
        put(low, 12);
        out.append(text, 36);
    }
}
