#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include "core/common/apierror.h"

namespace Aq::LocalCloud
{
    // A REST request as the local cloud sees it: no sockets, so the HTTP server and the in-process
    // QNetworkAccessManager route can both hand requests in.
    struct LocalRequest
    {
        QByteArray method;                          // GET, PUT, POST, PATCH, DELETE
        QString path;                               // percent-decoded, without the query
        QList<std::pair<QString, QString>> query;   // decoded query items, in order
        QByteArray body;
        // Set by the transport when the client goes away, so a waiting pull gives its messages to others.
        std::shared_ptr<std::atomic_bool> cancelled = std::make_shared<std::atomic_bool>(false);

        QString queryValue(const QString &name, const QString &fallback = {}) const;
        bool hasQueryItem(const QString &name) const;
    };

    struct LocalResponse
    {
        int status = 200;
        QByteArray body;
        QByteArray contentType = QByteArrayLiteral("application/json; charset=utf-8");

        static LocalResponse json(const QJsonObject &object, int status = 200);
        static LocalResponse raw(QByteArray jsonBody, int status = 200);
        static LocalResponse error(const ApiError &error);
    };

    // Called exactly once, on the local cloud's thread.
    using LocalResponder = std::function<void(LocalResponse)>;
}
