#pragma once

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QTimer>

#include "core/common/result.h"
#include "core/localcloud/localrequest.h"
#include "core/localcloud/publishbody.h"
#include "core/localcloud/sqlitedatabase.h"

namespace Aq::LocalCloud
{
    // Pub/Sub v1 semantics on the local cloud's SQLite store: topics, subscriptions, publish with fan-out,
    // pull with leases (ack deadlines), acknowledge, modifyAckDeadline (0 = nack, with retryPolicy backoff),
    // dead-lettering after maxDeliveryAttempts, ordering keys, seek to a time, retention.
    // Lives on the local cloud's thread; every write is one transaction, committed before the reply.
    class PubSubService final : public QObject
    {
        Q_OBJECT

    public:
        struct Options
        {
            int maxPullWaitMs = 10000;      // a pull with no messages waits this long at most (Node times out at 60 s)
            qint64 maxPublishBytes = 10000000;
        };

        PubSubService(SqliteDatabase &db, Options options, QObject *parent = nullptr);
        Status load();

        Result<QJsonObject> createTopic(const QString &project, const QString &topic, const QJsonObject &body);
        Result<QJsonObject> getTopic(const QString &project, const QString &topic) const;
        Result<QJsonObject> patchTopic(const QString &project, const QString &topic, const QJsonObject &body);
        Result<QJsonObject> deleteTopic(const QString &project, const QString &topic);
        Result<QJsonObject> listTopics(const QString &project, const LocalRequest &request) const;
        Result<QJsonObject> listTopicSubscriptions(const QString &project, const QString &topic, const LocalRequest &request) const;
        // The reply body is built by hand: publish is the hot path.
        Result<QByteArray> publish(const QString &project, const QString &topic, const QByteArray &body);

        Result<QJsonObject> createSubscription(const QString &project, const QString &subscription, const QJsonObject &body);
        Result<QJsonObject> getSubscription(const QString &project, const QString &subscription) const;
        Result<QJsonObject> patchSubscription(const QString &project, const QString &subscription, const QJsonObject &body);
        Result<QJsonObject> deleteSubscription(const QString &project, const QString &subscription);
        Result<QJsonObject> listSubscriptions(const QString &project, const LocalRequest &request) const;
        void pull(const QString &project, const QString &subscription, const QJsonObject &body,
                  std::shared_ptr<std::atomic_bool> cancelled, LocalResponder respond);
        Result<QJsonObject> acknowledge(const QString &project, const QString &subscription, const QByteArray &body);
        Result<QJsonObject> modifyAckDeadline(const QString &project, const QString &subscription, const QJsonObject &body);
        Result<QJsonObject> seek(const QString &project, const QString &subscription, const QJsonObject &body);
        Result<QJsonObject> detach(const QString &project, const QString &subscription);

        // 3 to 255 characters from [A-Za-z0-9-_.~+%], starting with a letter, not with "goog": else 400,
        // on every method, as Google's emulator and service answer.
        static Status validateName(const QString &project, const QString &id, const char *collection);

        // Unacked messages of a subscription (what a console shows as backlog).
        Result<qint64> backlog(const QString &project, const QString &subscription);
        // Expires retained messages and leases nothing else; run on a timer.
        void collectGarbage();

    private:
        struct Topic
        {
            qint64 id = 0;
            QString project;
            QString name;
            QJsonObject resource;
            qint64 retentionMicros = 0;
            QList<qint64> subscriptionIds;
        };

        struct Subscription
        {
            qint64 id = 0;
            QString project;
            QString name;
            qint64 topicId = 0;             // 0 when the topic was deleted
            QJsonObject resource;
            int ackDeadlineSeconds = 10;
            int maxDeliveryAttempts = 0;    // 0: no dead-letter policy
            QString deadLetterTopic;        // full name
            qint64 retentionMicros = 7LL * 86400 * 1000000;
            bool hasRetryPolicy = false;
            qint64 minimumBackoffMicros = 10000000;
            qint64 maximumBackoffMicros = 600000000;
            bool ordering = false;
            bool retainAcked = false;
            bool detached = false;
            // Every message of the topic with an id up to this one has been leased at least once (it has a
            // ps_deliveries row until acknowledged) or was skipped by a seek; later ones were never delivered.
            qint64 deliveredThrough = 0;
        };

        struct PullWaiter
        {
            qint64 subscriptionId = 0;
            int maxMessages = 0;
            qint64 deadlineMicros = 0;
            std::shared_ptr<std::atomic_bool> cancelled;
            LocalResponder respond;
        };

        struct PulledMessage
        {
            qint64 messageId = 0;
            int attempt = 0;
            qint64 publishTime = 0;
            QString orderingKey;
            QByteArray attributes;  // JSON object text
            QByteArray data;
        };

        static QString topicPath(const QString &project, const QString &topic);
        static QString subscriptionPath(const QString &project, const QString &subscription);
        Topic *findTopic(const QString &project, const QString &name);
        const Topic *findTopic(const QString &project, const QString &name) const;
        Topic *findTopicByPath(const QString &path);
        Subscription *findSubscription(const QString &project, const QString &name);
        const Subscription *findSubscription(const QString &project, const QString &name) const;
        Result<Subscription> subscriptionFromResource(const QString &project, const QString &name, const QJsonObject &body, bool creating) const;
        QJsonObject subscriptionResource(const Subscription &subscription) const;
        Status saveSubscription(const Subscription &subscription);

        Result<QList<qint64>> insertMessages(Topic &topic, const QList<PublishedMessage> &messages);
        Result<QList<PulledMessage>> leaseMessages(Subscription &subscription, int maxMessages);
        Result<QList<PulledMessage>> leaseOrderedMessages(Subscription &subscription, int maxMessages, qint64 now);
        Result<qint64> leaseFreshMessages(const Subscription &subscription, int maxMessages, qint64 leaseEnd, QList<PulledMessage> &out);
        Result<qint64> materializeFreshMessages(const Subscription &subscription);
        Status saveCursor(qint64 subscriptionId, qint64 deliveredThrough);
        Result<qint64> lastMessageId();
        Result<qint64> advanceIdleCursor(Subscription &subscription);
        Status deadLetter(Subscription &subscription, const PulledMessage &message);
        QByteArray pullReply(const Subscription &subscription, const QList<PulledMessage> &messages) const;
        void serveWaiters(const QList<qint64> &subscriptionIds);
        void handleWaiterTick();
        qint64 nackBackoffMicros(const Subscription &subscription, int attempts) const;
        Result<qint64> firstMessageIdAtOrAfter(qint64 micros);

        SqliteDatabase &m_db;
        Options m_options;
        QHash<qint64, Topic> m_topics;
        QHash<qint64, Subscription> m_subscriptions;
        QHash<QString, qint64> m_topicIds;          // "project/name" -> id
        QHash<QString, qint64> m_subscriptionIds;
        QList<PullWaiter> m_waiters;
        QHash<qsizetype, QByteArray> m_insertMessagesSql;   // rows -> "INSERT ... VALUES(...),(...)" text
        // Per subscription, its topic's messages past its cursor (never delivered), once backlog() has counted them:
        // publishes and pulls keep it, and whatever moves a cursor otherwise (seek, retention) drops it.
        QHash<qint64, qint64> m_freshCounts;
        QTimer m_waiterTimer;
    };
}
