#include "core/pubsub/publisher.h"

#include <QPointer>

#include "core/pubsub/pubsubclient.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::PubSub
{
    namespace
    {
        constexpr qsizetype MaxBatchBytes = 9 * 1024 * 1024;

        // What a message adds to the request body: base64 data, attributes, ordering key, JSON punctuation.
        qsizetype encodedSize(const PubsubMessage &message)
        {
            qsizetype size = (message.data.size() + 2) / 3 * 4 + message.orderingKey.size() + 48;
            for (auto it = message.attributes.cbegin(); it != message.attributes.cend(); ++it)
                size += it.key().size() + it.value().size() + 8;
            return size;
        }
    }

    Publisher::Publisher(PubSubClient *client, const QString &topic, PublisherSettings settings, QObject *parent)
        : Publisher(
              [client, topic](const QList<PubsubMessage> &messages, QObject *context, std::function<void(Result<QStringList>)> done) {
                  client->publish(topic, messages, context, std::move(done));
              },
              topic, settings, parent)
    {
    }

    Publisher::Publisher(BatchSender sender, const QString &destination, PublisherSettings settings, QObject *parent)
        : QObject(parent)
        , m_send {std::move(sender)}
        , m_topic {destination}
        , m_settings {settings}
    {
        m_settings.maxMessages = qBound(1, m_settings.maxMessages, MaxMessagesPerPublish);
        m_settings.maxBytes = qBound<qsizetype>(1, m_settings.maxBytes, MaxBatchBytes);
        m_settings.maxConcurrentRequests = qMax(1, m_settings.maxConcurrentRequests);
        m_latencyTimer.setSingleShot(true);
        connect(&m_latencyTimer, &QTimer::timeout, this, [this] { sendReady(true); });
    }

    Publisher::~Publisher() = default;

    bool Publisher::hasCapacity() const
    {
        return (m_settings.maxOutstandingMessages <= 0 || m_outstandingMessages < m_settings.maxOutstandingMessages)
            && (m_settings.maxOutstandingBytes <= 0 || m_outstandingBytes < m_settings.maxOutstandingBytes);
    }

    Status Publisher::publish(PubsubMessage message, Done done)
    {
        if (message.data.isEmpty() && message.attributes.isEmpty())
            return ApiError::invalidArgument(u"a message needs data or at least one attribute"_s);
        const qsizetype bytes = encodedSize(message);
        if (bytes > MaxBatchBytes)
            return ApiError::invalidArgument(u"a message of %1 bytes (encoded) is over the %2-byte request limit"_s.arg(bytes).arg(MaxBatchBytes));
        if (!hasCapacity()) {
            ApiError error = ApiError::invalidArgument(u"publisher flow control: %1 messages (%2 bytes) are waiting for an answer; wait for capacity"_s
                                                           .arg(m_outstandingMessages).arg(m_outstandingBytes));
            error.httpStatus = 429;
            error.status = u"RESOURCE_EXHAUSTED"_s;
            error.retryable = true;
            return error;
        }
        KeyQueue &queue = m_queues[message.orderingKey];
        if (queue.paused) {
            return ApiError::failedPrecondition(u"ordering key \"%1\" is paused after a failed publish; resume it to publish again"_s
                                                    .arg(message.orderingKey));
        }
        ++m_outstandingMessages;
        m_outstandingBytes += bytes;
        if (queue.pendingBytes + bytes > m_settings.maxBytes && !queue.pending.empty())
            sendReady(false);
        queue.pending.push_back({std::move(message), bytes, std::move(done)});
        queue.pendingBytes += bytes;
        if (int(queue.pending.size()) >= m_settings.maxMessages || queue.pendingBytes >= m_settings.maxBytes)
            sendReady(false);
        else if (!m_latencyTimer.isActive())
            m_latencyTimer.start(m_settings.maxLatency);
        return Ok {};
    }

    void Publisher::flush()
    {
        m_latencyTimer.stop();
        sendReady(true);
    }

    void Publisher::resumePublishing(const QString &orderingKey)
    {
        auto it = m_queues.find(orderingKey);
        if (it != m_queues.end())
            it->second.paused = false;
    }

    bool Publisher::canSend(const QString &orderingKey, const KeyQueue &queue) const
    {
        if (queue.pending.empty() || queue.paused)
            return false;
        return orderingKey.isEmpty() ? queue.inFlight < m_settings.maxConcurrentRequests : queue.inFlight == 0;
    }

    // Sends full batches; with `force`, partial ones too.
    void Publisher::sendReady(bool force)
    {
        for (auto &[key, queue] : m_queues) {
            while (canSend(key, queue)
                   && (force || int(queue.pending.size()) >= m_settings.maxMessages || queue.pendingBytes >= m_settings.maxBytes)) {
                sendBatch(key, queue);
            }
        }
        const bool waiting = std::any_of(m_queues.begin(), m_queues.end(), [](const auto &entry) { return !entry.second.pending.empty(); });
        if (waiting && !m_latencyTimer.isActive())
            m_latencyTimer.start(m_settings.maxLatency);
    }

    void Publisher::sendBatch(const QString &orderingKey, KeyQueue &queue)
    {
        std::vector<Pending> batch;
        qsizetype bytes = 0;
        std::size_t taken = 0;
        while (taken < queue.pending.size() && int(taken) < m_settings.maxMessages
               && (taken == 0 || bytes + queue.pending[taken].bytes <= m_settings.maxBytes)) {
            bytes += queue.pending[taken].bytes;
            ++taken;
        }
        batch.reserve(taken);
        std::move(queue.pending.begin(), queue.pending.begin() + qsizetype(taken), std::back_inserter(batch));
        queue.pending.erase(queue.pending.begin(), queue.pending.begin() + qsizetype(taken));
        queue.pendingBytes -= bytes;
        ++queue.inFlight;

        QList<PubsubMessage> messages;
        messages.reserve(qsizetype(batch.size()));
        for (const Pending &pending : batch)
            messages.append(pending.message);
        auto shared = std::make_shared<std::vector<Pending>>(std::move(batch));
        m_send(messages, this, [this, orderingKey, shared](Result<QStringList> ids) {
            finishBatch(orderingKey, std::move(*shared), ids);
        });
    }

    void Publisher::finishBatch(const QString &orderingKey, std::vector<Pending> batch, const Result<QStringList> &ids)
    {
        KeyQueue &queue = m_queues[orderingKey];
        --queue.inFlight;
        qsizetype bytes = 0;
        for (std::size_t i = 0; i < batch.size(); ++i) {
            bytes += batch[i].bytes;
            if (batch[i].done)
                ids ? batch[i].done(ids->at(qsizetype(i))) : batch[i].done(ids.error());
        }
        if (!ids && !orderingKey.isEmpty()) {
            // Later messages of this key must not overtake the failed ones.
            queue.paused = true;
            const ApiError paused = ApiError::failedPrecondition(u"not published: an earlier message of ordering key \"%1\" failed (%2)"_s
                                                                     .arg(orderingKey, ids.error().message));
            std::vector<Pending> dropped = std::move(queue.pending);
            queue.pending.clear();
            queue.pendingBytes = 0;
            for (Pending &pending : dropped) {
                bytes += pending.bytes;
                if (pending.done)
                    pending.done(paused);
            }
            release(qsizetype(batch.size() + dropped.size()), bytes);
        } else {
            release(qsizetype(batch.size()), bytes);
        }
        sendReady(false);
        if (queue.inFlight == 0 && queue.pending.empty() && !orderingKey.isEmpty() && !queue.paused)
            m_queues.erase(orderingKey);
    }

    void Publisher::release(qsizetype messages, qsizetype bytes)
    {
        const bool wasFull = !hasCapacity();
        m_outstandingMessages -= int(messages);
        m_outstandingBytes -= bytes;
        if (wasFull && hasCapacity())
            Q_EMIT capacityAvailable();
        if (m_outstandingMessages == 0)
            Q_EMIT drained();
    }
}
