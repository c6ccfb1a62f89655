#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include "core/common/result.h"

namespace Aq::LocalCloud
{
    // One message of a topics.publish request, checked against the API's limits.
    struct PublishedMessage
    {
        QByteArray data;
        QByteArray attributes;   // compact JSON object text, keys sorted as QJsonDocument writes them; empty if none
        QString orderingKey;
    };

    // A topics.publish body ({"messages":[{"data":"<base64>","attributes":{...},"orderingKey":"..."}]}) decoded
    // and checked: at most `maxMessages` messages and `maxBytes` of data, attributes and ordering keys, each
    // message with data or attributes; 400 naming the first message that breaks a rule.
    Result<QList<PublishedMessage>> parsePublishBody(const QByteArray &body, int maxMessages, qint64 maxBytes);
}
