#pragma once

#include <chrono>
#include <unordered_map>

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QTimer>

#include "core/pubsub/pubsubmessage.h"

namespace Aq::Rest
{
    class RestCall;
}

namespace Aq::PubSub
{
    class PubSubClient;

    struct SubscriberSettings
    {
        int concurrentPulls = 2;
        int maxMessagesPerPull = 1000;
        // Flow control: no pull is sent while this many received messages are neither acked nor nacked.
        int maxOutstandingMessages = 5000;
        qsizetype maxOutstandingBytes = 100 * 1024 * 1024;
        // Leases of messages still being worked on are extended by this much, shortly before they expire,
        // for at most maxLeaseExtension after receipt (then Pub/Sub delivers them again).
        int leaseSeconds = 60;
        std::chrono::seconds maxLeaseExtension {3600};
        // Acks and nacks are sent in batches at least this often.
        std::chrono::milliseconds ackFlushInterval {50};
    };

    // Pulls a subscription continuously (several long polls at once, on their own connections), hands the
    // messages out, extends their leases while they are being worked on, and sends acks and nacks in batches.
    // The unary Pull RPC is what Google offers over REST (StreamingPull is gRPC only).
    class Subscriber final : public QObject
    {
        Q_OBJECT

    public:
        Subscriber(PubSubClient *client, const QString &subscription, SubscriberSettings settings = {}, QObject *parent = nullptr);
        ~Subscriber() override;

        void start();
        // Stops pulling (long polls are aborted); acks and nacks may still be given.
        void stopPulling();
        // Stops pulling and sends the acks and nacks given so far; then stopped(). May be called again after
        // more acks (each call ends with stopped()). Messages still outstanding are left to their leases (Pub/Sub
        // delivers them again).
        void stop();
        bool isRunning() const { return m_running; }

        void acknowledge(const QString &ackId);
        void nack(const QString &ackId);
        // Sends the batched acks and nacks now.
        void flushAcks();

        int outstandingMessages() const { return int(m_leases.size()); }
        QString subscription() const { return m_subscription; }

    Q_SIGNALS:
        void messagesReceived(const QList<Aq::PubSub::ReceivedMessage> &messages);
        // A pull, ack or lease extension failed after the client's retries; pulling goes on with backoff.
        void failed(const Aq::ApiError &error);
        void acknowledged(int count);
        void stopped();

    private:
        struct Lease
        {
            qint64 receivedMs = 0;
            qint64 expiresMs = 0;
            qsizetype bytes = 0;
        };

        void fillPulls();
        void onPulled(QPointer<Rest::RestCall> call, Result<QList<ReceivedMessage>> messages);
        void extendLeases();
        void release(const QString &ackId);
        void sendAcknowledgements(const QStringList &ackIds, int deadlineSeconds);
        void maybeFinishStop();

        PubSubClient *m_client;
        QString m_subscription;
        SubscriberSettings m_settings;
        QElapsedTimer m_clock;
        std::unordered_map<QString, Lease> m_leases;
        qsizetype m_outstandingBytes = 0;
        QList<QPointer<Rest::RestCall>> m_pulls;
        QStringList m_pendingAcks;
        QStringList m_pendingNacks;
        QTimer m_ackTimer;
        QTimer m_leaseTimer;
        QTimer m_backoffTimer;
        int m_initialDeadlineSeconds = 10;
        int m_consecutiveFailures = 0;
        int m_ackRequestsInFlight = 0;
        bool m_running = false;
        bool m_stopping = false;
    };
}
