#pragma once

#include <QByteArray>
#include <QNetworkReply>
#include <QUrl>

#include "core/common/apierror.h"

namespace Aq::Rest
{
    // A failed HTTP reply as one ApiError: Google's envelope ({"error":{"code","message","status","errors"}})
    // when the body has it, OAuth2's {"error","error_description"}, else the status line and the start of
    // the body. `retryable` says whether the failure is transient (429, 5xx but 501, network errors).
    ApiError errorFromHttpReply(int httpStatus, const QByteArray &body, const QUrl &url);
    // A reply that never got an HTTP status: refused, reset, DNS, TLS.
    ApiError errorFromNetworkFailure(QNetworkReply::NetworkError error, const QString &errorString, const QUrl &url);
    ApiError deadlineExceeded(const QUrl &url, qint64 deadlineMs);
    // "https://pubsub.googleapis.com" or "http://127.0.0.1:8085": where a request went, without path or query
    // (queries may carry keys).
    QString describeEndpoint(const QUrl &url);
}
