#include "core/server/access/apikeyring.h"

#include <algorithm>
#include <cstring>

#include <openssl/crypto.h>

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

using namespace Qt::Literals::StringLiterals;

namespace Aq::Server
{
    namespace
    {
        // Larger than any sensible list of keys; stops a mistaken path (a log, /dev/zero) from being read whole.
        constexpr qint64 MAX_KEYS_FILE_SIZE = 1024 * 1024;

        const QString KEY_RULES = u"a key is 16 to 256 characters of A-Z a-z 0-9 . _ ~ + / = - (make one with: openssl rand -base64 32)"_s;

        bool isKeyCharacter(QChar c)
        {
            const char16_t u = c.unicode();
            return (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9') || u == u'.' || u == u'_' || u == u'~'
                || u == u'+' || u == u'/' || u == u'=' || u == u'-';
        }

        // Says what kind of character it is, never which: a character of a key is a piece of the secret.
        QString describeCharacter(QChar c)
        {
            if (c == u' ' || c == u'\t')
                return u"a space"_s;
            if (c == u',')
                return u"a comma"_s;
            if (c == u':')
                return u"a colon"_s;
            if (c.unicode() < 0x20 || c.unicode() == 0x7f)
                return u"a control character"_s;
            if (c.unicode() > 0x7f)
                return u"a non-ASCII character"_s;
            return u"a punctuation character"_s;
        }

        ApiError badEntry(const QString &source, const QString &problem)
        {
            return ApiError::invalidArgument(u"API key from %1: %2."_s.arg(source, problem));
        }

        Status checkKey(QStringView key, const QString &source)
        {
            if (key.isEmpty())
                return badEntry(source, u"the key is empty; "_s + KEY_RULES);
            if (key.size() < ApiKeyRing::MIN_KEY_LENGTH || key.size() > ApiKeyRing::MAX_KEY_LENGTH)
                return badEntry(source, u"the key is %1 characters long; "_s.arg(key.size()) + KEY_RULES);
            const auto bad = std::find_if_not(key.begin(), key.end(), isKeyCharacter);
            if (bad != key.end()) {
                const qsizetype position = bad - key.begin() + 1;
                return badEntry(source, u"character %1 of the key (%2 characters long) is %3, which a key cannot contain; "_s
                                            .arg(position)
                                            .arg(key.size())
                                            .arg(describeCharacter(*bad))
                                        + KEY_RULES);
            }
            return Ok {};
        }
    }

    QString scopeName(ApiScope scope)
    {
        return scope == ApiScope::Admin ? u"admin"_s : u"read"_s;
    }

    Result<ApiKeyRing> ApiKeyRing::load(const QStringList &commandLineKeys, const QString &keysFile, const QString &environmentValue)
    {
        ApiKeyRing ring;
        for (qsizetype i = 0; i < commandLineKeys.size(); ++i) {
            const QString source = commandLineKeys.size() == 1 ? u"--api-key"_s : u"--api-key (%1 of %2)"_s.arg(i + 1).arg(commandLineKeys.size());
            if (Status s = ring.addEntry(QStringView(commandLineKeys.at(i)).trimmed(), source); !s)
                return s.error();
        }
        if (!keysFile.isEmpty()) {
            if (Status s = ring.loadFile(keysFile); !s)
                return s.error();
        }
        const QStringList entries = environmentValue.split(QRegularExpression(u"[,\\s]+"_s), Qt::SkipEmptyParts);
        for (qsizetype i = 0; i < entries.size(); ++i) {
            if (Status s = ring.addEntry(entries.at(i), u"AQUEDUCT_API_KEYS entry %1"_s.arg(i + 1)); !s)
                return s.error();
        }
        return ring;
    }

    Status ApiKeyRing::loadFile(const QString &path)
    {
        const QFileInfo info(path);
        if (!info.exists())
            return ApiError::invalidArgument(u"The API keys file %1 does not exist: check --api-keys-file."_s.arg(path));
        if (info.isDir())
            return ApiError::invalidArgument(u"The API keys file %1 is a directory: give --api-keys-file a file with one key per line."_s.arg(path));
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return ApiError::invalidArgument(u"Cannot read the API keys file %1: %2."_s.arg(path, file.errorString()));
        const QByteArray content = file.read(MAX_KEYS_FILE_SIZE + 1);
        if (content.size() > MAX_KEYS_FILE_SIZE)
            return ApiError::invalidArgument(u"The API keys file %1 is larger than 1 MiB: it should hold one key per line."_s.arg(path));

        QString text = QString::fromUtf8(content);
        if (text.startsWith(u'\uFEFF'))   // saved by an editor that writes a byte order mark
            text.remove(0, 1);
        const QList<QStringView> lines = QStringView(text).split(u'\n');
        int entryCount = 0;
        for (qsizetype i = 0; i < lines.size(); ++i) {
            const QStringView line = lines.at(i).trimmed();
            if (line.isEmpty() || line.startsWith(u'#'))
                continue;
            ++entryCount;
            if (Status s = addEntry(line, u"%1, line %2"_s.arg(path).arg(i + 1)); !s)
                return s;
        }
        // An empty keys file (a secret mounted empty, a wrong path) must not quietly leave the API open.
        if (entryCount == 0)
            return ApiError::invalidArgument(u"The API keys file %1 holds no keys: write one per line (KEY, read:KEY or admin:KEY), or leave out --api-keys-file."_s.arg(path));
        return Ok {};
    }

    Status ApiKeyRing::addEntry(QStringView entry, const QString &source)
    {
        ApiScope scope = ApiScope::Admin;
        QStringView key = entry;
        const qsizetype colon = entry.indexOf(u':');
        if (colon >= 0) {
            const QStringView prefix = entry.left(colon).trimmed();
            if (prefix.compare(u"read", Qt::CaseInsensitive) == 0) {
                scope = ApiScope::Read;
            } else if (prefix.compare(u"admin", Qt::CaseInsensitive) == 0) {
                scope = ApiScope::Admin;
            } else {
                // The prefix may be the start of a key that contains ':', so only its length is shown.
                return badEntry(source, u"the %1 characters before ':' are not a scope; write KEY, read:KEY or admin:KEY (a key cannot contain ':')"_s.arg(prefix.size()));
            }
            key = entry.mid(colon + 1).trimmed();
        }
        if (Status s = checkKey(key, source); !s)
            return s;

        Entry added;
        added.scope = scope;
        added.source = source;
        const QByteArray digest = QCryptographicHash::hash(key.toLatin1(), QCryptographicHash::Sha256);
        std::memcpy(added.digest.data(), digest.constData(), added.digest.size());
        for (const Entry &existing : m_entries) {
            if (existing.digest != added.digest)
                continue;
            if (existing.scope == scope)
                return Ok {};
            return badEntry(source, u"this key has the %1 scope here and the %2 scope in %3; give each key one scope"_s
                                           .arg(scopeName(scope), scopeName(existing.scope), existing.source));
        }
        m_entries.push_back(added);
        return Ok {};
    }

    bool ApiKeyRing::isEmpty() const
    {
        return m_entries.empty();
    }

    int ApiKeyRing::size() const
    {
        return int(m_entries.size());
    }

    std::optional<ApiScope> ApiKeyRing::scopeOf(QByteArrayView presentedKey) const
    {
        // Comparing digests rather than keys makes the comparison independent of how much of a key was guessed right,
        // and visiting every entry without an early exit hides which one (if any) matched.
        const QByteArray presented = QCryptographicHash::hash(presentedKey, QCryptographicHash::Sha256);
        unsigned matched = 0;
        unsigned admin = 0;
        for (const Entry &entry : m_entries) {
            const unsigned equal = unsigned(CRYPTO_memcmp(presented.constData(), entry.digest.data(), entry.digest.size()) == 0);
            matched |= equal;
            admin |= equal & unsigned(entry.scope == ApiScope::Admin);
        }
        if (!matched)
            return std::nullopt;
        return admin ? ApiScope::Admin : ApiScope::Read;
    }
}
