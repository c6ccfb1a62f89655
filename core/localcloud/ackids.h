#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>

#include "core/common/result.h"

namespace Aq::LocalCloud
{
    // An ack id as pull replies write it: "SUBSCRIPTION-MESSAGE-ATTEMPT".
    struct AckId
    {
        qint64 subscriptionId = 0;
        qint64 messageId = 0;
        int attempt = 0;
    };

    // The "ackIds" of an acknowledge or modifyAckDeadline body; 400 when there are none or one is not ours.
    Result<QList<AckId>> parseAckIds(const QJsonObject &body);
    // The same from the body's text (acknowledge, the hot path), with the same errors.
    Result<QList<AckId>> parseAckIds(const QByteArray &body);
}
