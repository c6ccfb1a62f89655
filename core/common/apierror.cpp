#include "core/common/apierror.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::Literals::StringLiterals;

namespace Aq
{
    namespace
    {
        ApiError make(int http, const QString &status, const QString &reason, const QString &message, bool retryable = false)
        {
            ApiError e;
            e.httpStatus = http;
            e.status = status;
            e.reason = reason;
            e.message = message;
            e.retryable = retryable;
            return e;
        }
    }

    ApiError ApiError::invalidArgument(const QString &message, const QString &reason)
    {
        return make(400, u"INVALID_ARGUMENT"_s, reason, message);
    }

    ApiError ApiError::notFound(const QString &message)
    {
        return make(404, u"NOT_FOUND"_s, u"notFound"_s, message);
    }

    ApiError ApiError::alreadyExists(const QString &message)
    {
        return make(409, u"ALREADY_EXISTS"_s, u"duplicate"_s, message);
    }

    ApiError ApiError::failedPrecondition(const QString &message)
    {
        return make(400, u"FAILED_PRECONDITION"_s, u"failedPrecondition"_s, message);
    }

    ApiError ApiError::unimplemented(const QString &message)
    {
        return make(501, u"UNIMPLEMENTED"_s, u"notImplemented"_s, message);
    }

    ApiError ApiError::internal(const QString &message)
    {
        return make(500, u"INTERNAL"_s, u"internalError"_s, message, true);
    }

    ApiError ApiError::unavailable(const QString &message)
    {
        return make(503, u"UNAVAILABLE"_s, u"backendError"_s, message, true);
    }

    ApiError ApiError::payloadTooLarge(const QString &message)
    {
        return make(413, u"INVALID_ARGUMENT"_s, u"invalid"_s, message);
    }

    ApiError ApiError::unauthenticated(const QString &message)
    {
        return make(401, u"UNAUTHENTICATED"_s, u"unauthorized"_s, message);
    }

    ApiError ApiError::permissionDenied(const QString &message)
    {
        return make(403, u"PERMISSION_DENIED"_s, u"accessDenied"_s, message);
    }

    QJsonObject ApiError::toJson() const
    {
        QJsonObject detail {{u"message"_s, message}, {u"domain"_s, u"global"_s}, {u"reason"_s, reason.isEmpty() ? reasonForHttp(httpStatus) : reason}};
        QJsonObject error {
            {u"code"_s, httpStatus},
            {u"message"_s, message},
            {u"status"_s, status.isEmpty() ? statusForHttp(httpStatus) : status},
            {u"errors"_s, QJsonArray {detail}},
        };
        return QJsonObject {{u"error"_s, error}};
    }

    QByteArray ApiError::toJsonBytes() const
    {
        return QJsonDocument(toJson()).toJson(QJsonDocument::Compact);
    }

    QString ApiError::statusForHttp(int httpStatus)
    {
        switch (httpStatus) {
        case 400: return u"INVALID_ARGUMENT"_s;
        case 401: return u"UNAUTHENTICATED"_s;
        case 403: return u"PERMISSION_DENIED"_s;
        case 404: return u"NOT_FOUND"_s;
        case 405: return u"UNIMPLEMENTED"_s;
        case 409: return u"ALREADY_EXISTS"_s;
        case 411: return u"INVALID_ARGUMENT"_s;
        case 413: return u"INVALID_ARGUMENT"_s;
        case 414: return u"INVALID_ARGUMENT"_s;
        case 429: return u"RESOURCE_EXHAUSTED"_s;
        case 431: return u"INVALID_ARGUMENT"_s;
        case 499: return u"CANCELLED"_s;
        case 501: return u"UNIMPLEMENTED"_s;
        case 503: return u"UNAVAILABLE"_s;
        case 504: return u"DEADLINE_EXCEEDED"_s;
        default: return httpStatus >= 500 ? u"INTERNAL"_s : u"UNKNOWN"_s;
        }
    }

    QString ApiError::reasonForHttp(int httpStatus)
    {
        switch (httpStatus) {
        case 400: return u"invalid"_s;
        case 401: return u"unauthorized"_s;
        case 403: return u"accessDenied"_s;
        case 404: return u"notFound"_s;
        case 409: return u"duplicate"_s;
        case 429: return u"rateLimitExceeded"_s;
        case 501: return u"notImplemented"_s;
        default: return httpStatus >= 500 ? u"backendError"_s : u"invalid"_s;
        }
    }
}
