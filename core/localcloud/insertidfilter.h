#pragma once

#include <vector>

#include <QString>

namespace Aq::LocalCloud
{
    // A Bloom filter over the (table, insertId) pairs of one de-duplication generation. It answers
    // "certainly not seen", which lets insertAll skip a SQLite look-up for almost every new row; a "maybe"
    // still goes to SQLite, so a false positive costs a look-up, never a wrong answer. A filter is only
    // trusted when it has seen every id of its generation (`isComplete`): not after a restart, until the
    // generation turns over.
    class InsertIdFilter
    {
    public:
        explicit InsertIdFilter(int log2Bits = 26);   // 8 MiB: ~4 % false positives at 10 million ids

        void add(qint64 tableId, const QString &insertId);
        bool mayContain(qint64 tableId, const QString &insertId) const;
        void clear(bool complete);
        bool isComplete() const { return m_complete; }

    private:
        static constexpr int HASHES = 4;
        void positions(qint64 tableId, const QString &insertId, quint64 out[HASHES]) const;

        std::vector<quint64> m_words;
        quint64 m_mask = 0;
        bool m_complete = false;
    };
}
