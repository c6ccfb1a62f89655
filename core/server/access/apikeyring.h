#pragma once

#include <array>
#include <optional>
#include <vector>

#include <QByteArrayView>
#include <QString>
#include <QStringList>

#include "core/common/result.h"

namespace Aq::Server
{
    // What a key may do on the operator API (DESIGN.md, Keys): read, or also publish, redrive and write through the
    // local cloud routes.
    enum class ApiScope
    {
        Read,
        Admin
    };

    // "read" or "admin", for messages.
    QString scopeName(ApiScope scope);

    // The API keys `serve` accepts. Entries are "KEY", "read:KEY" or "admin:KEY" (a bare key is an admin key); a key
    // is 16 to 256 characters of A-Z a-z 0-9 . _ ~ + / = -. Only SHA-256 digests of the keys are kept, and a
    // presented key is compared with every one of them in constant time, so neither the keys nor the time a lookup
    // takes reveals them. Messages name where a bad entry came from and never contain the key.
    class ApiKeyRing
    {
    public:
        ApiKeyRing() = default;   // no keys: the API is open

        // Merges the keys of --api-key (repeatable), --api-keys-file (one entry per line, blank lines and lines
        // starting with # ignored; empty: none) and AQUEDUCT_API_KEYS (entries separated by commas and/or
        // whitespace). The same key may appear twice with the same scope, not with two scopes.
        static Result<ApiKeyRing> load(const QStringList &commandLineKeys, const QString &keysFile, const QString &environmentValue);

        bool isEmpty() const;
        int size() const;
        // The scope of that key, or nullopt when it is not one of ours. Takes the same time whichever stored key
        // (if any) it matches.
        std::optional<ApiScope> scopeOf(QByteArrayView presentedKey) const;

        static constexpr int MIN_KEY_LENGTH = 16;
        static constexpr int MAX_KEY_LENGTH = 256;

    private:
        using Digest = std::array<unsigned char, 32>;

        struct Entry
        {
            Digest digest {};
            ApiScope scope = ApiScope::Admin;
            QString source;
        };

        Status addEntry(QStringView entry, const QString &source);
        Status loadFile(const QString &path);

        std::vector<Entry> m_entries;
    };
}
