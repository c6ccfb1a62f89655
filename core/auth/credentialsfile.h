#pragma once

#include <QJsonObject>
#include <QLatin1StringView>
#include <QString>
#include <QUrl>

#include "core/common/result.h"

namespace Aq::Auth
{
    // A JSON credentials file (a service account key, gcloud's application_default_credentials.json), read and
    // checked for the fields a kind of credentials needs. Every error names the file and never quotes a value.
    class CredentialsFile
    {
    public:
        CredentialsFile(QJsonObject json, QString path);

        // NOT_FOUND when the file is missing; INVALID_ARGUMENT when it is unreadable, too large, or not a JSON object.
        static Result<CredentialsFile> read(const QString &path);

        const QString &path() const;
        QString type() const;

        // INVALID_ARGUMENT naming the field when it is missing, empty or not a string; `kind` says what the file
        // should be ("service account key").
        Result<QString> requiredString(QLatin1StringView key, const QString &kind) const;
        QString optionalString(QLatin1StringView key) const;
        // The "token_uri" field: an https URL, or http to a loopback host (tests, a local proxy). When the field is
        // absent, `fallback`, or an error if there is none.
        Result<QUrl> tokenUri(const QString &kind, const QUrl &fallback = {}) const;

        // "Credentials file /path/key.json: <reason>"
        ApiError invalid(const QString &reason) const;
        static ApiError invalid(const QString &path, const QString &reason);

    private:
        QJsonObject m_json;
        QString m_path;
    };
}
