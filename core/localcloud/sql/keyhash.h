#pragma once

#include <QByteArrayView>

namespace Aq::LocalCloud
{
    // A 64-bit hash of a value's bytes (UTF-8 for text), eight bytes at a time through the SplitMix64 finalizer.
    // Key tables store it (see batchedindex.h), so it is part of the store's format: never change it without a
    // store migration that fills them again. `seed` makes the same bytes hash apart in different uses.
    quint64 keyHash(QByteArrayView bytes, quint64 seed = 0);
}
