#pragma once

#include <QJsonObject>
#include <QString>

#include "core/common/result.h"

namespace Aq::PubSub
{
    // A subscription's settings as Aqueduct uses them. Zero or empty means "the service's default".
    struct Subscription
    {
        QString name;                       // full name: projects/p/subscriptions/s
        QString topic;                      // full name
        int ackDeadlineSeconds = 0;
        QString deadLetterTopic;            // full name; empty: no dead-letter policy
        int maxDeliveryAttempts = 0;
        qint64 minimumBackoffMicros = -1;   // retryPolicy when both are >= 0
        qint64 maximumBackoffMicros = -1;
        qint64 messageRetentionMicros = 0;
        bool retainAckedMessages = false;   // what seek needs to replay acknowledged messages
        bool enableMessageOrdering = false;
        // Read only: unacknowledged messages, when the server tells (the local cloud's numUndeliveredMessages
        // extension); -1 otherwise. Google Cloud tells it through Cloud Monitoring instead.
        qint64 backlog = -1;

        bool hasDeadLetterPolicy() const { return !deadLetterTopic.isEmpty(); }
        bool hasRetryPolicy() const { return minimumBackoffMicros >= 0 && maximumBackoffMicros >= 0; }
        // The body of subscriptions.create (and of patch's "subscription").
        QJsonObject toJson() const;
        static Result<Subscription> fromJson(const QJsonObject &json);
    };
}
