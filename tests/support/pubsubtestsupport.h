#pragma once

#include <functional>
#include <optional>

#include <QElapsedTimer>
#include <QTest>

#include "core/common/result.h"
#include "core/pubsub/pubsubclient.h"

// Waiting for the asynchronous clients in a test, and the Pub/Sub set-up and pulls that several tests share.
namespace TestSupport
{
    // Runs the event loop until `start`'s callback answers (or the test gives up).
    template <typename T>
    Aq::Result<T> wait(std::function<void(std::function<void(Aq::Result<T>)>)> start, int timeoutMs = 30000)
    {
        std::optional<Aq::Result<T>> outcome;
        start([&outcome](Aq::Result<T> result) { outcome.emplace(std::move(result)); });
        if (!QTest::qWaitFor([&] { return outcome.has_value(); }, timeoutMs))
            return Aq::ApiError::internal(QStringLiteral("the test gave up waiting"));
        return *outcome;
    }

    inline QString describe(const Aq::ApiError &error)
    {
        return QStringLiteral("%1 %2: %3").arg(error.httpStatus).arg(error.status, error.message);
    }

    // For QVERIFY2, which evaluates its message even when the check passes.
    template <typename T>
    QString whyNot(const Aq::Result<T> &result)
    {
        return result ? QString() : describe(result.error());
    }

    // Creates a topic and a subscription "<topic>-sub" on it; returns the subscription's id.
    inline QString makeTopicAndSubscription(Aq::PubSub::PubSubClient *pubsub, const QString &topic, Aq::PubSub::Subscription settings,
                                            QObject *context)
    {
        const Aq::Result<QString> created = wait<QString>([&](auto done) { pubsub->createTopic(topic, context, done); });
        if (!created)
            qWarning("createTopic: %s", qPrintable(whyNot(created)));
        const QString id = topic + QStringLiteral("-sub");
        settings.topic = topic;
        const Aq::Result<Aq::PubSub::Subscription> subscription =
            wait<Aq::PubSub::Subscription>([&](auto done) { pubsub->createSubscription(id, settings, context, done); });
        if (!subscription)
            qWarning("createSubscription: %s", qPrintable(whyNot(subscription)));
        return id;
    }

    // Pulls (without acknowledging) until `expected` messages came or `timeoutMs` passed.
    inline QList<Aq::PubSub::ReceivedMessage> pullAvailable(Aq::PubSub::PubSubClient *pubsub, const QString &subscription, int expected,
                                                            int timeoutMs, QObject *context)
    {
        QList<Aq::PubSub::ReceivedMessage> received;
        QElapsedTimer clock;
        clock.start();
        while (received.size() < expected && clock.elapsed() < timeoutMs) {
            const Aq::Result<QList<Aq::PubSub::ReceivedMessage>> batch = wait<QList<Aq::PubSub::ReceivedMessage>>([&](auto done) {
                pubsub->pull(subscription, 1000, true, context, done);
            });
            if (!batch) {
                qWarning("pull: %s", qPrintable(whyNot(batch)));
                break;
            }
            received += *batch;
            if (batch->isEmpty())
                QTest::qWait(100);
        }
        return received;
    }
}
