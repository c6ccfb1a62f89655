#include "core/localcloud/sql/keyhash.h"

#include <cstring>

namespace Aq::LocalCloud
{
    namespace
    {
        quint64 mix(quint64 x)
        {
            // the finalizer of SplitMix64 / MurmurHash3: every input bit reaches every output bit
            x ^= x >> 30;
            x *= 0xbf58476d1ce4e5b9ULL;
            x ^= x >> 27;
            x *= 0x94d049bb133111ebULL;
            x ^= x >> 31;
            return x;
        }
    }

    quint64 keyHash(QByteArrayView bytes, quint64 seed)
    {
        // the length and the seed make different values of the same bytes differ
        quint64 h = mix(seed ^ (quint64(bytes.size()) << 48) ^ 0x9e3779b97f4a7c15ULL);
        const char *p = bytes.data();
        qsizetype n = bytes.size();
        for (; n >= 8; p += 8, n -= 8) {
            quint64 word;
            std::memcpy(&word, p, 8);   // little-endian, as on every machine Aqueduct is built for
            h = mix(h ^ word);
        }
        if (n > 0) {
            quint64 word = 0;
            std::memcpy(&word, p, size_t(n));
            h = mix(h ^ word ^ 0xff51afd7ed558ccdULL);
        }
        return h;
    }

    quint64 groupedKeyHash(QByteArrayView bytes, quint64 seed)
    {
        const QByteArrayView group = bytes.first(qMax<qsizetype>(0, bytes.size() - GROUPED_TAIL));
        return (keyHash(group, seed) & 0xffffffff00000000ULL) | (keyHash(bytes, seed) >> 32);
    }
}
