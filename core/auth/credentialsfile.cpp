#include "core/auth/credentialsfile.h"

#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonParseError>

using namespace Qt::Literals::StringLiterals;

namespace Aq::Auth
{
    namespace
    {
        // Key files are about 2.3 KB; anything this large is not one.
        constexpr qint64 MAX_FILE_SIZE = 1024 * 1024;

        // Plain http would show a signed assertion or a refresh token to the network; only an endpoint on this
        // machine may use it.
        bool isAcceptableTokenUri(const QUrl &url)
        {
            if (!url.isValid() || url.host().isEmpty())
                return false;
            if (url.scheme() == u"https"_s)
                return true;
            if (url.scheme() != u"http"_s)
                return false;
            const QHostAddress address(url.host());
            return url.host() == u"localhost"_s || (!address.isNull() && address.isLoopback());
        }
    }

    CredentialsFile::CredentialsFile(QJsonObject json, QString path)
        : m_json {std::move(json)}
        , m_path {std::move(path)}
    {
    }

    Result<CredentialsFile> CredentialsFile::read(const QString &path)
    {
        if (path.isEmpty())
            return ApiError::invalidArgument(u"No credentials file was given (the path is empty)."_s);
        const QFileInfo info(path);
        if (!info.exists())
            return ApiError::notFound(u"Credentials file %1 does not exist."_s.arg(path));
        if (info.isDir())
            return invalid(path, u"it is a folder, not a JSON credentials file."_s);
        if (info.size() > MAX_FILE_SIZE)
            return invalid(path, u"it is %1 bytes long, too large to be a credentials file."_s.arg(info.size()));
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return invalid(path, u"it cannot be read (%1)."_s.arg(file.errorString()));
        const QByteArray content = file.read(MAX_FILE_SIZE + 1);
        if (file.error() != QFileDevice::NoError)
            return invalid(path, u"it cannot be read (%1)."_s.arg(file.errorString()));
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(content, &parseError);
        if (parseError.error != QJsonParseError::NoError)
            return invalid(path, u"it is not valid JSON (%1 at offset %2)."_s.arg(parseError.errorString()).arg(parseError.offset));
        if (!document.isObject())
            return invalid(path, u"it is not a JSON object."_s);
        return CredentialsFile(document.object(), path);
    }

    const QString &CredentialsFile::path() const
    {
        return m_path;
    }

    QString CredentialsFile::type() const
    {
        return m_json.value(u"type"_s).toString();
    }

    Result<QString> CredentialsFile::requiredString(QLatin1StringView key, const QString &kind) const
    {
        const QJsonValue value = m_json.value(key);
        if (value.isUndefined() || value.isNull())
            return invalid(u"the %1 has no \"%2\" field."_s.arg(kind, key));
        if (!value.isString())
            return invalid(u"the \"%1\" field of the %2 is not a string."_s.arg(key, kind));
        if (value.toString().isEmpty())
            return invalid(u"the \"%1\" field of the %2 is empty."_s.arg(key, kind));
        return value.toString();
    }

    QString CredentialsFile::optionalString(QLatin1StringView key) const
    {
        return m_json.value(key).toString();
    }

    Result<QUrl> CredentialsFile::tokenUri(const QString &kind, const QUrl &fallback) const
    {
        if (!m_json.contains(u"token_uri"_s) && !fallback.isEmpty())
            return fallback;
        Result<QString> text = requiredString("token_uri"_L1, kind);
        if (!text)
            return text.error();
        const QUrl url(*text, QUrl::StrictMode);
        if (!isAcceptableTokenUri(url))
            return invalid(u"its token_uri \"%1\" is not an https URL (plain http is accepted only to localhost)."_s.arg(*text));
        return url;
    }

    ApiError CredentialsFile::invalid(const QString &reason) const
    {
        return invalid(m_path, reason);
    }

    ApiError CredentialsFile::invalid(const QString &path, const QString &reason)
    {
        return ApiError::invalidArgument(u"Credentials file %1: %2"_s.arg(path, reason));
    }
}
