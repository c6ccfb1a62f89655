#include "core/rest/replyerror.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "core/rest/retrypolicy.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Rest
{
    namespace
    {
        QString bodyExcerpt(const QByteArray &body)
        {
            const QString text = QString::fromUtf8(body.left(300)).simplified();
            return body.size() > 300 ? text + u"…"_s : text;
        }
    }

    QString describeEndpoint(const QUrl &url)
    {
        return url.adjusted(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment | QUrl::RemoveUserInfo).toString();
    }

    ApiError errorFromHttpReply(int httpStatus, const QByteArray &body, const QUrl &url)
    {
        ApiError error;
        error.httpStatus = httpStatus;
        error.retryable = RetryPolicy::isRetryableHttpStatus(httpStatus);
        const QJsonDocument document = QJsonDocument::fromJson(body);
        const QJsonValue envelope = document.object().value(u"error"_s);
        if (envelope.isObject()) {
            const QJsonObject object = envelope.toObject();
            error.message = object.value(u"message"_s).toString();
            error.status = object.value(u"status"_s).toString();
            const QJsonArray details = object.value(u"errors"_s).toArray();
            if (!details.isEmpty())
                error.reason = details.first().toObject().value(u"reason"_s).toString();
        } else if (envelope.isString()) {
            // OAuth2 token endpoints: {"error":"invalid_grant","error_description":"..."}
            error.reason = envelope.toString();
            const QString description = document.object().value(u"error_description"_s).toString();
            error.message = description.isEmpty() ? error.reason : error.reason + u": "_s + description;
        }
        if (error.status.isEmpty())
            error.status = ApiError::statusForHttp(httpStatus);
        if (error.reason.isEmpty())
            error.reason = ApiError::reasonForHttp(httpStatus);
        if (error.message.isEmpty()) {
            const QString excerpt = bodyExcerpt(body);
            error.message = u"HTTP %1 from %2%3"_s.arg(httpStatus).arg(describeEndpoint(url), excerpt.isEmpty() ? QString() : u": "_s + excerpt);
        }
        return error;
    }

    ApiError errorFromNetworkFailure(QNetworkReply::NetworkError networkError, const QString &errorString, const QUrl &url)
    {
        ApiError error = ApiError::unavailable(u"cannot reach %1: %2"_s.arg(describeEndpoint(url), errorString));
        error.httpStatus = 0;   // no HTTP status was received
        switch (networkError) {
        case QNetworkReply::HostNotFoundError:
        case QNetworkReply::SslHandshakeFailedError:
        case QNetworkReply::ProtocolUnknownError:
        case QNetworkReply::ProtocolInvalidOperationError:
            // Not transient: a wrong host name or a TLS mismatch does not fix itself.
            error.retryable = false;
            break;
        default:
            error.retryable = true;
        }
        return error;
    }

    ApiError deadlineExceeded(const QUrl &url, qint64 deadlineMs)
    {
        ApiError error;
        error.httpStatus = 504;
        error.status = u"DEADLINE_EXCEEDED"_s;
        error.reason = u"timeout"_s;
        error.message = u"no answer from %1 within %2 ms"_s.arg(describeEndpoint(url)).arg(deadlineMs);
        error.retryable = true;
        return error;
    }
}
