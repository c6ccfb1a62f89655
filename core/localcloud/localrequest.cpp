#include "core/localcloud/localrequest.h"

#include <QJsonDocument>

namespace Aq::LocalCloud
{
    QString LocalRequest::queryValue(const QString &name, const QString &fallback) const
    {
        for (const auto &item : query) {
            if (item.first == name)
                return item.second;
        }
        return fallback;
    }

    bool LocalRequest::hasQueryItem(const QString &name) const
    {
        for (const auto &item : query) {
            if (item.first == name)
                return true;
        }
        return false;
    }

    LocalResponse LocalResponse::json(const QJsonObject &object, int status)
    {
        return raw(QJsonDocument(object).toJson(QJsonDocument::Compact), status);
    }

    LocalResponse LocalResponse::raw(QByteArray jsonBody, int status)
    {
        LocalResponse response;
        response.status = status;
        response.body = std::move(jsonBody);
        return response;
    }

    LocalResponse LocalResponse::error(const ApiError &error)
    {
        return raw(error.toJsonBytes(), error.httpStatus);
    }
}
