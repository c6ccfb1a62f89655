#pragma once

#include <QByteArrayView>

namespace Aq::LocalCloud
{
    // A 64-bit hash of a value's bytes (UTF-8 for text), eight bytes at a time through the SplitMix64 finalizer.
    // Key tables store it (see batchedindex.h), so it is part of the store's format: never change it without a
    // store migration that fills them again. `seed` makes the same bytes hash apart in different uses.
    quint64 keyHash(QByteArrayView bytes, quint64 seed = 0);

    // A hash for the key of a B-tree that values arrive at in batches: values that differ only in their last
    // GROUPED_TAIL bytes (consecutive counters, evt-1230000 to evt-1239999) share the high 32 bits, so that a batch
    // of them lands on neighbouring pages rather than on every page; the low 32 bits are of the whole value. Random
    // values (UUIDs) spread as with keyHash(). Stored too (insertId look-ups, see insertallwriter.h).
    constexpr qsizetype GROUPED_TAIL = 4;
    quint64 groupedKeyHash(QByteArrayView bytes, quint64 seed);
}
