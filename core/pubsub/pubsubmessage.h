#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QMap>
#include <QString>

#include "core/common/result.h"

namespace Aq::PubSub
{
    struct PubsubMessage
    {
        QByteArray data;
        QMap<QString, QString> attributes;
        QString orderingKey;
        // Set by the service, never by a publisher.
        QString messageId;
        qint64 publishTimeMicros = 0;

        // What counts against the 10 MB request limit: data, attribute keys and values, the ordering key.
        qsizetype approximateSize() const;
        static Result<PubsubMessage> fromJson(const QJsonObject &json);
    };

    // A publish request's body, {"messages":[{"attributes":{...},"data":"<base64>","orderingKey":"..."}]}, byte for
    // byte what QJsonDocument wrote for it (compact, keys sorted) but written directly: building and writing that
    // document was most of what publishing cost our client.
    QByteArray publishBody(const QList<PubsubMessage> &messages);

    struct ReceivedMessage
    {
        QString ackId;
        PubsubMessage message;
        int deliveryAttempt = 0;   // 0 unless the subscription has a dead-letter policy

        static Result<ReceivedMessage> fromJson(const QJsonObject &json);
    };

    // Limits of the Pub/Sub API (gcp-rest.md §1.8).
    inline constexpr int MaxMessagesPerPublish = 1000;
    inline constexpr qsizetype MaxPublishRequestBytes = 10'000'000;
    inline constexpr int MaxAckIdsPerRequest = 2500;
    inline constexpr qsizetype MaxAckRequestBytes = 500 * 1024;
    inline constexpr int MaxAckDeadlineSeconds = 600;
}
