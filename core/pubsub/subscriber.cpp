#include "core/pubsub/subscriber.h"

#include <QLoggingCategory>

#include "core/pubsub/pubsubclient.h"
#include "core/rest/restcall.h"

using namespace Qt::Literals::StringLiterals;

Q_LOGGING_CATEGORY(lcSubscriber, "aq.pubsub.subscriber")

namespace Aq::PubSub
{
    namespace
    {
        // Extend a lease when it has less than this left: room for a slow request.
        qint64 renewalMarginMs(int leaseSeconds)
        {
            return qMax<qint64>(2000, leaseSeconds * 1000 / 5);
        }
    }

    Subscriber::Subscriber(PubSubClient *client, const QString &subscription, SubscriberSettings settings, QObject *parent)
        : QObject(parent)
        , m_client {client}
        , m_subscription {subscription}
        , m_settings {settings}
    {
        m_settings.concurrentPulls = qMax(1, m_settings.concurrentPulls);
        m_settings.maxMessagesPerPull = qBound(1, m_settings.maxMessagesPerPull, 1000);
        m_settings.leaseSeconds = qBound(10, m_settings.leaseSeconds, MaxAckDeadlineSeconds);
        m_clock.start();
        m_ackTimer.setSingleShot(true);
        connect(&m_ackTimer, &QTimer::timeout, this, &Subscriber::flushAcks);
        m_leaseTimer.setInterval(1000);
        connect(&m_leaseTimer, &QTimer::timeout, this, &Subscriber::extendLeases);
        m_backoffTimer.setSingleShot(true);
        connect(&m_backoffTimer, &QTimer::timeout, this, &Subscriber::fillPulls);
    }

    Subscriber::~Subscriber()
    {
        for (const QPointer<Rest::RestCall> &pull : std::as_const(m_pulls)) {
            if (pull)
                pull->abort();
        }
    }

    void Subscriber::start()
    {
        if (m_running)
            return;
        m_running = true;
        m_stopping = false;
        // The subscription's own deadline is the first lease of every message; learn it before pulling.
        m_client->getSubscription(m_subscription, this, [this](Result<Subscription> subscription) {
            if (subscription && subscription->ackDeadlineSeconds > 0)
                m_initialDeadlineSeconds = subscription->ackDeadlineSeconds;
            else if (!subscription)
                Q_EMIT failed(subscription.error());
            m_leaseTimer.start();
            fillPulls();
        });
    }

    void Subscriber::stopPulling()
    {
        if (!m_running)
            return;
        m_running = false;
        m_backoffTimer.stop();
        const QList<QPointer<Rest::RestCall>> pulls = std::exchange(m_pulls, {});
        for (const QPointer<Rest::RestCall> &pull : pulls) {
            if (pull)
                pull->abort();
        }
    }

    void Subscriber::stop()
    {
        stopPulling();
        m_leaseTimer.stop();
        m_stopping = true;
        flushAcks();
        maybeFinishStop();
    }

    void Subscriber::fillPulls()
    {
        if (!m_running || m_backoffTimer.isActive())
            return;
        m_pulls.removeAll(nullptr);
        while (m_pulls.size() < m_settings.concurrentPulls) {
            const int room = m_settings.maxOutstandingMessages - int(m_leases.size());
            if (room <= 0 || m_outstandingBytes >= m_settings.maxOutstandingBytes)
                return;
            // Share the room between the pulls that may be answered at once.
            const int ask = qMin(m_settings.maxMessagesPerPull, qMax(1, room / m_settings.concurrentPulls));
            auto handle = std::make_shared<QPointer<Rest::RestCall>>();
            *handle = m_client->pull(m_subscription, ask, false, this, [this, handle](Result<QList<ReceivedMessage>> messages) {
                onPulled(*handle, std::move(messages));
            });
            m_pulls.append(*handle);
        }
    }

    void Subscriber::onPulled(QPointer<Rest::RestCall> call, Result<QList<ReceivedMessage>> messages)
    {
        m_pulls.removeAll(call);
        m_pulls.removeAll(nullptr);
        if (!m_running)
            return;   // stopped: whatever came back is left to its lease
        if (!messages) {
            if (messages.error().status == u"CANCELLED"_s)
                return;
            if (messages.error().status == u"DEADLINE_EXCEEDED"_s) {
                // A long poll that nothing answered: Google's emulator holds an empty pull for about 90 s, past
                // the pull deadline. Nothing came; pull again.
                fillPulls();
                return;
            }
            ++m_consecutiveFailures;
            const int waitMs = qMin(30000, 250 << qMin(m_consecutiveFailures, 7));
            qCWarning(lcSubscriber).noquote() << "pull from" << m_subscription << "failed:" << messages.error().message
                                              << "- trying again in" << waitMs << "ms";
            Q_EMIT failed(messages.error());
            m_backoffTimer.start(waitMs);
            return;
        }
        m_consecutiveFailures = 0;
        const qint64 now = m_clock.elapsed();
        for (const ReceivedMessage &received : std::as_const(*messages)) {
            const qsizetype bytes = received.message.approximateSize();
            auto [it, inserted] = m_leases.try_emplace(received.ackId, Lease {now, now + m_initialDeadlineSeconds * 1000LL, bytes});
            if (inserted)
                m_outstandingBytes += bytes;
        }
        if (!messages->isEmpty())
            Q_EMIT messagesReceived(*messages);
        fillPulls();
    }

    void Subscriber::acknowledge(const QString &ackId)
    {
        release(ackId);
        m_pendingAcks.append(ackId);
        if (m_pendingAcks.size() >= MaxAckIdsPerRequest)
            flushAcks();
        else if (!m_ackTimer.isActive())
            m_ackTimer.start(m_settings.ackFlushInterval);
    }

    void Subscriber::nack(const QString &ackId)
    {
        release(ackId);
        m_pendingNacks.append(ackId);
        if (m_pendingNacks.size() >= MaxAckIdsPerRequest)
            flushAcks();
        else if (!m_ackTimer.isActive())
            m_ackTimer.start(m_settings.ackFlushInterval);
    }

    void Subscriber::release(const QString &ackId)
    {
        auto it = m_leases.find(ackId);
        if (it == m_leases.end())
            return;
        m_outstandingBytes -= it->second.bytes;
        m_leases.erase(it);
        if (m_running && !m_backoffTimer.isActive())
            fillPulls();
    }

    void Subscriber::flushAcks()
    {
        m_ackTimer.stop();
        if (!m_pendingAcks.isEmpty())
            sendAcknowledgements(std::exchange(m_pendingAcks, {}), -1);
        if (!m_pendingNacks.isEmpty())
            sendAcknowledgements(std::exchange(m_pendingNacks, {}), 0);
    }

    void Subscriber::sendAcknowledgements(const QStringList &ackIds, int deadlineSeconds)
    {
        ++m_ackRequestsInFlight;
        auto done = [this, count = int(ackIds.size()), deadlineSeconds](Result<Ok> result) {
            --m_ackRequestsInFlight;
            if (!result) {
                qCWarning(lcSubscriber).noquote() << (deadlineSeconds < 0 ? "acknowledging" : "nacking") << count << "messages of"
                                                  << m_subscription << "failed:" << result.error().message;
                Q_EMIT failed(result.error());
            } else if (deadlineSeconds < 0) {
                Q_EMIT acknowledged(count);
            }
            maybeFinishStop();
        };
        if (deadlineSeconds < 0)
            m_client->acknowledge(m_subscription, ackIds, this, done);
        else
            m_client->modifyAckDeadline(m_subscription, ackIds, deadlineSeconds, this, done);
    }

    void Subscriber::extendLeases()
    {
        const qint64 now = m_clock.elapsed();
        const qint64 limitMs = qint64(m_settings.maxLeaseExtension.count()) * 1000;
        QStringList renew;
        for (auto it = m_leases.begin(); it != m_leases.end();) {
            Lease &lease = it->second;
            if (now - lease.receivedMs >= limitMs) {
                // Held too long: let Pub/Sub deliver it again rather than hold it forever.
                m_outstandingBytes -= lease.bytes;
                it = m_leases.erase(it);
                continue;
            }
            if (lease.expiresMs - now <= renewalMarginMs(m_settings.leaseSeconds)) {
                renew.append(it->first);
                lease.expiresMs = now + m_settings.leaseSeconds * 1000LL;
            }
            ++it;
        }
        if (renew.isEmpty())
            return;
        m_client->modifyAckDeadline(m_subscription, renew, m_settings.leaseSeconds, this, [this](Result<Ok> result) {
            if (!result)
                Q_EMIT failed(result.error());
        });
    }

    void Subscriber::maybeFinishStop()
    {
        if (m_stopping && m_ackRequestsInFlight == 0 && m_pendingAcks.isEmpty() && m_pendingNacks.isEmpty()) {
            m_stopping = false;
            Q_EMIT stopped();
        }
    }
}
