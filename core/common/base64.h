#pragma once

#include <optional>

#include <QByteArray>
#include <QByteArrayView>

namespace Aq::Base64
{
    // `bytes` in the standard alphabet, padded (as QByteArray::toBase64() writes them), appended to `out` in place:
    // toBase64() makes a copy of its own for each value.
    void append(QByteArrayView bytes, QByteArray &out);

    constexpr qsizetype encodedSize(qsizetype bytes) { return (bytes + 2) / 3 * 4; }

    // Writes encodedSize(bytes.size()) characters at `to`; returns the end of what it wrote.
    char *encode(QByteArrayView bytes, char *to);

    // The bytes of canonical base64 (standard alphabet, padded, no whitespace: what the APIs and their clients
    // write), about five times faster than QByteArray::fromBase64Encoding; nullopt for anything else (an empty
    // text too), which the caller then decodes by its own rules.
    std::optional<QByteArray> decodeCanonical(QByteArrayView text);
}
