#pragma once

#include <vector>

#include <QByteArrayView>

namespace Aq::LocalCloud
{
    // A Bloom filter over the (table, insertId) pairs of one de-duplication generation. It answers
    // "certainly not seen", which lets insertAll skip a SQLite look-up for almost every new row; a "maybe"
    // still goes to SQLite, so a false positive costs a look-up, never a wrong answer. A filter is only
    // trusted when it has seen every id of its generation (`isComplete`): not after a restart, until the
    // generation turns over.
    //
    // Blocked: all the bits of one pair lie in one 64-byte block, so a look-up or an insertion touches one
    // cache line, not one per bit (with an 8 MiB filter each of those was a miss to memory). The hash is not
    // keyed: ids chosen to collide only cost look-ups.
    class InsertIdFilter
    {
    public:
        explicit InsertIdFilter(int log2Bits = 26);   // 8 MiB: ~4.3 % false positives at 10 million ids

        // The pair's hash, computed once and asked of both generations' filters. The id is UTF-8.
        static quint64 hash(qint64 tableId, QByteArrayView insertId);

        void add(quint64 hash);
        // Adds the pair; true when it was certainly not there before.
        bool addIfNew(quint64 hash);
        bool mayContain(quint64 hash) const;
        // Starts loading the pair's block into the cache, so that asking many pairs overlaps the misses.
        void prefetch(quint64 hash) const { __builtin_prefetch(m_words.data() + block(hash)); }
        void clear(bool complete);
        bool isComplete() const { return m_complete; }

    private:
        static constexpr int HASHES = 4;
        static constexpr int WORDS_PER_BLOCK = 8;   // 512 bits, one cache line
        // The first word of the pair's block, and the pair's bits in each word of it.
        size_t block(quint64 hash) const;
        static void masks(quint64 hash, quint64 out[WORDS_PER_BLOCK]);

        std::vector<quint64> m_words;
        quint64 m_blockMask = 0;
        bool m_complete = false;
    };
}
