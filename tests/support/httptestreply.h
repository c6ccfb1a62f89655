#pragma once

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>

// A finished QNetworkReply read into a value, with the look-ups the HTTP tests make (headers case-insensitively,
// Google's error envelope).
struct HttpTestReply
{
    int status = 0;
    QByteArray body;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QList<QNetworkReply::RawHeaderPair> headers;

    // Reads `reply` (which must be finished) and schedules its deletion.
    static HttpTestReply take(QNetworkReply *reply)
    {
        HttpTestReply result;
        result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        result.body = reply->readAll();
        result.error = reply->error();
        result.headers = reply->rawHeaderPairs();
        reply->deleteLater();
        return result;
    }

    bool hasHeader(const QByteArray &name) const
    {
        for (const auto &pair : headers) {
            if (pair.first.compare(name, Qt::CaseInsensitive) == 0)
                return true;
        }
        return false;
    }
    QByteArray header(const QByteArray &name) const
    {
        for (const auto &[key, value] : headers) {
            if (key.compare(name, Qt::CaseInsensitive) == 0)
                return value;
        }
        return {};
    }
    QJsonArray array() const { return QJsonDocument::fromJson(body).array(); }
    QJsonObject object() const { return QJsonDocument::fromJson(body).object(); }
    QString errorMessage() const { return object().value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString(); }
    QString errorStatus() const { return object().value(QStringLiteral("error")).toObject().value(QStringLiteral("status")).toString(); }
};
