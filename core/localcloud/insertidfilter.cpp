#include "core/localcloud/insertidfilter.h"

#include <algorithm>

#include "core/localcloud/sql/keyhash.h"

namespace Aq::LocalCloud
{
    InsertIdFilter::InsertIdFilter(int log2Bits)
        : m_words(size_t(1) << (log2Bits - 6), 0)
        , m_blockMask((quint64(1) << (log2Bits - 9)) - 1)
    {
    }

    quint64 InsertIdFilter::hash(qint64 tableId, QByteArrayView insertId)
    {
        return keyHash(insertId, quint64(tableId));
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
