#pragma once

#include <QJsonObject>
#include <QString>

namespace Aq
{
    // One error type for every failure that crosses a layer: a REST reply from Google or the local
    // cloud, a validation failure, a storage failure. It renders as Google's JSON error envelope.
    struct ApiError
    {
        int httpStatus = 500;
        QString status;         // google.rpc code name: NOT_FOUND, INVALID_ARGUMENT, ...
        QString message;
        QString reason;         // BigQuery's legacy reason (notFound, duplicate, invalid, invalidQuery, ...)
        bool retryable = false;

        static ApiError invalidArgument(const QString &message, const QString &reason = QStringLiteral("invalid"));
        static ApiError notFound(const QString &message);
        static ApiError alreadyExists(const QString &message);
        static ApiError failedPrecondition(const QString &message);
        static ApiError unimplemented(const QString &message);
        static ApiError internal(const QString &message);
        static ApiError unavailable(const QString &message);
        static ApiError payloadTooLarge(const QString &message);
        static ApiError unauthenticated(const QString &message);
        static ApiError permissionDenied(const QString &message);

        // {"error":{"code":...,"message":...,"status":...,"errors":[{"message","domain","reason"}]}}
        QJsonObject toJson() const;
        QByteArray toJsonBytes() const;
        static QString statusForHttp(int httpStatus);
        static QString reasonForHttp(int httpStatus);
    };
}
