#include "core/pubsub/subscription.h"

#include "core/common/timeutil.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::PubSub
{
    QJsonObject Subscription::toJson() const
    {
        QJsonObject json {{u"topic"_s, topic}};
        if (ackDeadlineSeconds > 0)
            json.insert(u"ackDeadlineSeconds"_s, ackDeadlineSeconds);
        if (hasDeadLetterPolicy()) {
            QJsonObject policy {{u"deadLetterTopic"_s, deadLetterTopic}};
            if (maxDeliveryAttempts > 0)
                policy.insert(u"maxDeliveryAttempts"_s, maxDeliveryAttempts);
            json.insert(u"deadLetterPolicy"_s, policy);
        }
        if (hasRetryPolicy()) {
            json.insert(u"retryPolicy"_s, QJsonObject {{u"minimumBackoff"_s, Time::formatDuration(minimumBackoffMicros)},
                                                       {u"maximumBackoff"_s, Time::formatDuration(maximumBackoffMicros)}});
        }
        if (messageRetentionMicros > 0)
            json.insert(u"messageRetentionDuration"_s, Time::formatDuration(messageRetentionMicros));
        if (retainAckedMessages)
            json.insert(u"retainAckedMessages"_s, true);
        if (enableMessageOrdering)
            json.insert(u"enableMessageOrdering"_s, true);
        return json;
    }

    Result<Subscription> Subscription::fromJson(const QJsonObject &json)
    {
        Subscription subscription;
        subscription.name = json.value(u"name"_s).toString();
        subscription.topic = json.value(u"topic"_s).toString();
        // int32 fields may come as numbers or strings (gcp-rest.md §0.2).
        const auto toInt = [](const QJsonValue &value) { return value.isString() ? value.toString().toInt() : value.toInt(); };
        subscription.ackDeadlineSeconds = toInt(json.value(u"ackDeadlineSeconds"_s));
        const QJsonObject deadLetter = json.value(u"deadLetterPolicy"_s).toObject();
        subscription.deadLetterTopic = deadLetter.value(u"deadLetterTopic"_s).toString();
        subscription.maxDeliveryAttempts = toInt(deadLetter.value(u"maxDeliveryAttempts"_s));
        const auto duration = [&](const QJsonValue &value, qint64 *out) -> Status {
            if (value.isUndefined() || value.isNull())
                return Ok {};
            const std::optional<qint64> micros = Time::parseDuration(value.toString());
            if (!micros)
                return ApiError::invalidArgument(u"subscription %1 has a duration that is not one: %2"_s.arg(subscription.name, value.toString()));
            *out = *micros;
            return Ok {};
        };
        const QJsonObject retry = json.value(u"retryPolicy"_s).toObject();
        if (!retry.isEmpty()) {
            // An empty minimumBackoff/maximumBackoff means the defaults, 10 s and 600 s.
            subscription.minimumBackoffMicros = 10'000'000;
            subscription.maximumBackoffMicros = 600'000'000;
        }
        for (const Status &status : {duration(retry.value(u"minimumBackoff"_s), &subscription.minimumBackoffMicros),
                                     duration(retry.value(u"maximumBackoff"_s), &subscription.maximumBackoffMicros),
                                     duration(json.value(u"messageRetentionDuration"_s), &subscription.messageRetentionMicros)}) {
            if (!status)
                return status.error();
        }
        subscription.retainAckedMessages = json.value(u"retainAckedMessages"_s).toBool();
        const QJsonValue backlog = json.value(u"numUndeliveredMessages"_s);
        if (backlog.isString() || backlog.isDouble())
            subscription.backlog = backlog.isString() ? backlog.toString().toLongLong() : qint64(backlog.toDouble());
        subscription.enableMessageOrdering = json.value(u"enableMessageOrdering"_s).toBool();
        return subscription;
    }
}
