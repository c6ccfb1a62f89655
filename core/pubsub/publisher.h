#pragma once

#include <chrono>
#include <functional>
#include <map>

#include <QObject>
#include <QSet>
#include <QTimer>

#include "core/pubsub/pubsubmessage.h"

namespace Aq::PubSub
{
    class PubSubClient;

    struct PublisherSettings
    {
        // A batch is sent when it has maxMessages, or maxBytes, or has waited maxLatency. Capped at the API's
        // 1,000 messages and (like Google's Node client) 9 MiB per request.
        int maxMessages = 100;
        qsizetype maxBytes = 1024 * 1024;
        std::chrono::milliseconds maxLatency {10};
        // Flow control: publish() refuses a message while this many are unanswered (0: no limit).
        int maxOutstandingMessages = 0;
        qsizetype maxOutstandingBytes = 0;
        // Requests in flight at once for messages without an ordering key.
        int maxConcurrentRequests = 8;
    };

    // Batches messages into publish requests. Messages with an ordering key are sent in order: one request at
    // a time per key, and after a failure the key is paused (its later messages fail at once) until
    // resumePublishing(key), as Google's clients do, so that order is never broken silently.
    class Publisher final : public QObject
    {
        Q_OBJECT

    public:
        using Done = std::function<void(Result<QString>)>;   // the message id, or why it was not published
        // Sends one batch (at most 1,000 messages, 10 MB) and calls back with one message ID per message, in order,
        // or the error; `context` is the publisher.
        using BatchSender = std::function<void(const QList<PubsubMessage> &messages, QObject *context, std::function<void(Result<QStringList>)> done)>;

        Publisher(PubSubClient *client, const QString &topic, PublisherSettings settings = {}, QObject *parent = nullptr);
        // Publishes through something other than a topic's publish call (an Aqueduct server's POST /publish);
        // `destination` names it, for topic().
        Publisher(BatchSender sender, const QString &destination, PublisherSettings settings = {}, QObject *parent = nullptr);
        ~Publisher() override;

        // Queues a message. Refused at once (RESOURCE_EXHAUSTED) when flow control is full: wait for
        // capacityAvailable(). Invalid messages (no data and no attributes, over 10 MB) are refused too.
        Status publish(PubsubMessage message, Done done);
        // Sends what is batched now instead of waiting for maxLatency.
        void flush();
        void resumePublishing(const QString &orderingKey);

        bool hasCapacity() const;
        int outstandingMessages() const { return m_outstandingMessages; }
        qsizetype outstandingBytes() const { return m_outstandingBytes; }
        QString topic() const { return m_topic; }

    Q_SIGNALS:
        // Flow control was full and has room again (whether or not a publish() was refused meanwhile).
        void capacityAvailable();
        // Every message published so far has been answered.
        void drained();

    private:
        struct Pending
        {
            PubsubMessage message;
            qsizetype bytes = 0;
            Done done;
        };

        struct KeyQueue
        {
            std::vector<Pending> pending;
            qsizetype pendingBytes = 0;
            int inFlight = 0;
            bool paused = false;
        };

        void sendReady(bool force);
        bool canSend(const QString &orderingKey, const KeyQueue &queue) const;
        void sendBatch(const QString &orderingKey, KeyQueue &queue);
        void finishBatch(const QString &orderingKey, std::vector<Pending> batch, const Result<QStringList> &ids);
        void release(qsizetype messages, qsizetype bytes);

        BatchSender m_send;
        QString m_topic;
        PublisherSettings m_settings;
        std::map<QString, KeyQueue> m_queues;   // "" is the unordered queue
        QTimer m_latencyTimer;
        int m_outstandingMessages = 0;
        qsizetype m_outstandingBytes = 0;
    };
}
