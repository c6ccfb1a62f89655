#include "core/localcloud/insertidfilter.h"

#include <algorithm>

#include <QHashFunctions>

namespace Aq::LocalCloud
{
    InsertIdFilter::InsertIdFilter(int log2Bits)
        : m_words(size_t(1) << (log2Bits - 6), 0)
        , m_mask((quint64(1) << log2Bits) - 1)
    {
    }

    void InsertIdFilter::positions(qint64 tableId, const QString &insertId, quint64 out[HASHES]) const
    {
        // double hashing (Kirsch and Mitzenmacher): k positions from two independent hashes
        const quint64 h1 = qHash(insertId, size_t(0x9e3779b97f4a7c15ULL ^ quint64(tableId)));
        const quint64 h2 = qHash(insertId, size_t(0xc2b2ae3d27d4eb4fULL + quint64(tableId))) | 1;
        for (int i = 0; i < HASHES; ++i)
            out[i] = (h1 + quint64(i) * h2) & m_mask;
    }

    void InsertIdFilter::add(qint64 tableId, const QString &insertId)
    {
        quint64 bits[HASHES];
        positions(tableId, insertId, bits);
        for (quint64 bit : bits)
            m_words[bit >> 6] |= quint64(1) << (bit & 63);
    }

    bool InsertIdFilter::mayContain(qint64 tableId, const QString &insertId) const
    {
        quint64 bits[HASHES];
        positions(tableId, insertId, bits);
        for (quint64 bit : bits) {
            if (!(m_words[bit >> 6] & (quint64(1) << (bit & 63))))
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
