#pragma once

#include <functional>

#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QUrl>

#include "core/common/result.h"
#include "core/pubsub/pubsubmessage.h"
#include "core/pubsub/subscription.h"
#include "core/rest/restrequest.h"

namespace Aq::Rest
{
    class RestCall;
    class RestClient;
}

namespace Aq::PubSub
{
    // Pub/Sub v1 over REST: topic and subscription admin, publish, pull, acknowledge, modifyAckDeadline, seek.
    // One request per call; batching and lease extension are Publisher's and Subscriber's. The same code runs
    // against Google Cloud, Google's emulator and the embedded local cloud (the RestClient decides how).
    //
    // Names may be short ("events") or full ("projects/p/topics/events"). Every callback is called once, on
    // this object's thread, unless `context` is destroyed first.
    class PubSubClient final : public QObject
    {
        Q_OBJECT

    public:
        template <typename T>
        using Callback = std::function<void(Result<T>)>;

        // `endpoint`: https://pubsub.googleapis.com, http://127.0.0.1:8085, or the in-process local cloud.
        PubSubClient(Rest::RestClient *rest, const QUrl &endpoint, const QString &project, QObject *parent = nullptr);

        QString project() const { return m_project; }
        QUrl endpoint() const { return m_endpoint; }
        QString topicPath(const QString &topic) const;
        QString subscriptionPath(const QString &subscription) const;

        void createTopic(const QString &topic, QObject *context, Callback<QString> done);   // the full name
        void getTopic(const QString &topic, QObject *context, Callback<QString> done);
        void deleteTopic(const QString &topic, QObject *context, Callback<Ok> done);
        void listTopics(QObject *context, Callback<QStringList> done);   // every page

        // `subscription.name` is ignored: `id` names it. `subscription.topic` may be short.
        void createSubscription(const QString &id, Subscription subscription, QObject *context, Callback<Subscription> done);
        void getSubscription(const QString &id, QObject *context, Callback<Subscription> done);
        // `updateMask`: the camelCase fields to change, such as "ackDeadlineSeconds" or "deadLetterPolicy".
        void patchSubscription(const QString &id, const Subscription &subscription, const QStringList &updateMask,
                               QObject *context, Callback<Subscription> done);
        void deleteSubscription(const QString &id, QObject *context, Callback<Ok> done);
        void listSubscriptions(QObject *context, Callback<QList<Subscription>> done);   // every page

        // One publish request: at most 1,000 messages and 10 MB, one ordering key (the API's rules; checked
        // here before sending). The ids come in the order of the messages.
        void publish(const QString &topic, const QList<PubsubMessage> &messages, QObject *context, Callback<QStringList> done);

        // A pull that may wait for messages (a long poll, on connections of its own) unless returnImmediately.
        QPointer<Rest::RestCall> pull(const QString &subscription, int maxMessages, bool returnImmediately, QObject *context,
                                      Callback<QList<ReceivedMessage>> done);
        // Split into requests within the API's limits; done once all have answered (the first error wins).
        void acknowledge(const QString &subscription, const QStringList &ackIds, QObject *context, Callback<Ok> done);
        // 0 is a nack: the messages are delivered again.
        void modifyAckDeadline(const QString &subscription, const QStringList &ackIds, int seconds, QObject *context, Callback<Ok> done);
        // Messages published before `timeMicros` become acknowledged, later ones unacknowledged.
        void seek(const QString &subscription, qint64 timeMicros, QObject *context, Callback<Ok> done);

        std::chrono::milliseconds adminDeadline() const { return m_adminDeadline; }
        void setAdminDeadline(std::chrono::milliseconds deadline) { m_adminDeadline = deadline; }
        // A long poll waits at most this long for an answer (Google's clients: 60 s).
        void setPullDeadline(std::chrono::milliseconds deadline) { m_pullDeadline = deadline; }

    private:
        QUrl urlFor(const QString &path, const QString &query = {}) const;
        QPointer<Rest::RestCall> callJson(Rest::RestRequest request, QObject *context, Callback<QJsonObject> done);
        void sendAckRequests(const QString &path, const QString &verb, const QStringList &ackIds, int seconds, QObject *context, Callback<Ok> done);
        template <typename Item>
        void listAll(const QString &collection, const QString &key, std::function<Result<Item>(const QJsonValue &)> parse,
                     QObject *context, Callback<QList<Item>> done);

        Rest::RestClient *m_rest;
        QUrl m_endpoint;
        QString m_project;
        std::chrono::milliseconds m_adminDeadline {30000};
        std::chrono::milliseconds m_publishDeadline {60000};
        std::chrono::milliseconds m_pullDeadline {60000};
    };
}
