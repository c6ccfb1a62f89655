#include "core/localcloud/insertidfilter.h"

#include <algorithm>
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

    InsertIdFilter::InsertIdFilter(int log2Bits)
        : m_words(size_t(1) << (log2Bits - 6), 0)
        , m_blockMask((quint64(1) << (log2Bits - 9)) - 1)
    {
    }

    quint64 InsertIdFilter::hash(qint64 tableId, QByteArrayView insertId)
    {
        // eight bytes at a time; the length and the table make different pairs of the same bytes differ
        quint64 h = mix(quint64(tableId) ^ (quint64(insertId.size()) << 48) ^ 0x9e3779b97f4a7c15ULL);
        const char *p = insertId.data();
        qsizetype n = insertId.size();
        for (; n >= 8; p += 8, n -= 8) {
            quint64 word;
            std::memcpy(&word, p, 8);
            h = mix(h ^ word);
        }
        if (n > 0) {
            quint64 word = 0;
            std::memcpy(&word, p, size_t(n));
            h = mix(h ^ word ^ 0xff51afd7ed558ccdULL);
        }
        return h;
    }

    size_t InsertIdFilter::block(quint64 hash) const
    {
        // the block from the high bits; the bit positions come from the low ones
        return size_t((hash >> 36) & m_blockMask) * WORDS_PER_BLOCK;
    }

    void InsertIdFilter::masks(quint64 hash, quint64 out[WORDS_PER_BLOCK])
    {
        std::fill(out, out + WORDS_PER_BLOCK, 0);
        for (int i = 0; i < HASHES; ++i) {
            const unsigned bit = unsigned(hash >> (9 * i)) & 511;
            out[bit >> 6] |= quint64(1) << (bit & 63);
        }
    }

    void InsertIdFilter::add(quint64 hash)
    {
        quint64 *words = m_words.data() + block(hash);
        quint64 bits[WORDS_PER_BLOCK];
        masks(hash, bits);
        for (int w = 0; w < WORDS_PER_BLOCK; ++w)
            words[w] |= bits[w];
    }

    bool InsertIdFilter::addIfNew(quint64 hash)
    {
        quint64 *words = m_words.data() + block(hash);
        quint64 bits[WORDS_PER_BLOCK];
        masks(hash, bits);
        bool isNew = false;
        for (int w = 0; w < WORDS_PER_BLOCK; ++w) {
            isNew = isNew || (words[w] & bits[w]) != bits[w];
            words[w] |= bits[w];
        }
        return isNew;
    }

    bool InsertIdFilter::mayContain(quint64 hash) const
    {
        const quint64 *words = m_words.data() + block(hash);
        quint64 bits[WORDS_PER_BLOCK];
        masks(hash, bits);
        for (int w = 0; w < WORDS_PER_BLOCK; ++w) {
            if ((words[w] & bits[w]) != bits[w])
                return false;
        }
        return true;
    }

    void InsertIdFilter::clear(bool complete)
    {
        std::fill(m_words.begin(), m_words.end(), 0);
        m_complete = complete;
    }
}
