#include "core/pipeline/ingestpipeline.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QRandomGenerator>

#include "core/bigquery/bigqueryclient.h"
#include "core/common/timeutil.h"
#include "core/metrics/pipelinemetrics.h"
#include "core/pipeline/errorrecord.h"
#include "core/pipeline/resourcesetup.h"
#include "core/pubsub/pubsubclient.h"
#include "core/pubsub/subscriber.h"

using namespace Qt::Literals::StringLiterals;
using Aq::Metrics::Stage;

Q_LOGGING_CATEGORY(lcPipeline, "aq.pipeline", QtInfoMsg)

namespace Aq::Pipeline
{
    IngestPipeline::IngestPipeline(PubSub::PubSubClient *pubsub, BigQuery::BigQueryClient *bigquery, IngestSettings settings,
                                   Metrics::PipelineMetrics *metrics, QObject *parent)
        : QObject(parent)
        , m_pubsub {pubsub}
        , m_bigquery {bigquery}
        , m_settings {std::move(settings)}
        , m_converter {m_settings.schema, m_settings.conversion}
        , m_metrics {metrics}
    {
        m_flushTimer.setSingleShot(true);
        connect(&m_flushTimer, &QTimer::timeout, this, [this] { flush(true); });
        m_backlogTimer.setInterval(2000);
        connect(&m_backlogTimer, &QTimer::timeout, this, &IngestPipeline::refreshBacklog);
        m_retryTimer.setSingleShot(true);
        connect(&m_retryTimer, &QTimer::timeout, this, &IngestPipeline::releaseDueRetries);
        m_drainDeadline.setSingleShot(true);
        connect(&m_drainDeadline, &QTimer::timeout, this, [this] {
            qCWarning(lcPipeline) << "the drain time passed with" << m_insertsInFlight << "inserts in flight; their messages will be delivered again";
            setState(State::Stopped);
            Q_EMIT stopped();
        });
    }

    IngestPipeline::~IngestPipeline() = default;

    void IngestPipeline::setState(State state)
    {
        if (m_state == state)
            return;
        m_state = state;
        Q_EMIT stateChanged(state);
    }

    void IngestPipeline::start()
    {
        if (m_state == State::Starting || m_state == State::Running)
            return;
        setState(State::Starting);
        ensureResources(m_pubsub, m_bigquery, m_settings, this, [this](Status status) {
            if (m_state != State::Starting)
                return;   // stopped meanwhile
            if (!status) {
                m_lastError = status.error();
                qCCritical(lcPipeline).noquote() << "the ingest pipeline cannot start:" << status.error().message;
                setState(State::Failed);
                return;
            }
            startSubscribers();
        });
    }

    void IngestPipeline::startSubscribers()
    {
        m_main = new PubSub::Subscriber(m_pubsub, m_settings.subscription, m_settings.subscriber, this);
        PubSub::SubscriberSettings drain = m_settings.subscriber;
        drain.concurrentPulls = 1;
        m_deadLetters = new PubSub::Subscriber(m_pubsub, m_settings.deadLetterSubscription(), drain, this);
        connect(m_main, &PubSub::Subscriber::messagesReceived, this, [this](const QList<PubSub::ReceivedMessage> &m) { onMessages(m, false); });
        connect(m_deadLetters, &PubSub::Subscriber::messagesReceived, this, [this](const QList<PubSub::ReceivedMessage> &m) { onMessages(m, true); });
        for (PubSub::Subscriber *subscriber : {m_main, m_deadLetters}) {
            connect(subscriber, &PubSub::Subscriber::acknowledged, this, [this](int count) { m_metrics->add(Stage::Acked, count); });
            connect(subscriber, &PubSub::Subscriber::failed, this, [](const ApiError &error) {
                qCWarning(lcPipeline).noquote() << error.message;
            });
            connect(subscriber, &PubSub::Subscriber::stopped, this, [this] {
                if (m_state == State::Draining && --m_subscribersToStop == 0) {
                    m_drainDeadline.stop();
                    setState(State::Stopped);
                    Q_EMIT stopped();
                }
            });
            subscriber->start();
        }
        qCInfo(lcPipeline).noquote() << "ingesting" << m_pubsub->subscriptionPath(m_settings.subscription) << "into"
                                     << u"%1.%2.%3"_s.arg(m_bigquery->project(), m_settings.dataset, m_settings.table);
        setState(State::Running);
        m_backlogTimer.start();
        refreshBacklog();
    }

    void IngestPipeline::refreshBacklog()
    {
        // The local cloud tells a subscription's backlog; Google's emulator and Google Cloud do not (there it is the
        // Cloud Monitoring metric pubsub.googleapis.com/subscription/num_undelivered_messages).
        m_pubsub->getSubscription(m_settings.subscription, this, [this](Result<PubSub::Subscription> subscription) {
            if (subscription)
                m_metrics->setBacklog(subscription->backlog);
        });
    }

    void IngestPipeline::stop()
    {
        if (m_state == State::Starting || m_state == State::Idle || m_state == State::Failed) {
            setState(State::Stopped);
            Q_EMIT stopped();
            return;
        }
        if (m_state != State::Running)
            return;
        setState(State::Draining);
        m_backlogTimer.stop();
        m_drainDeadline.start(m_settings.drainTime);
        m_main->stopPulling();
        m_deadLetters->stopPulling();
        m_retryTimer.stop();
        flush(true);
        maybeFinishDrain();
    }

    void IngestPipeline::onMessages(const QList<PubSub::ReceivedMessage> &messages, bool fromDeadLetters)
    {
        m_metrics->add(Stage::Pulled, messages.size());
        const qint64 now = Time::nowMicros();
        for (const PubSub::ReceivedMessage &received : messages) {
            Item item;
            item.ackId = received.ackId;
            item.fromDeadLetters = fromDeadLetters;
            item.publishTimeMicros = received.message.publishTimeMicros;
            item.message = received.message;
            if (fromDeadLetters) {
                const QString attempts = received.message.attributes.value(u"CloudPubSubDeadLetterSourceDeliveryCount"_s);
                toErrorTable(std::move(item),
                             u"not stored after %1 delivery attempts; Pub/Sub moved it to the dead-letter topic %2"_s
                                 .arg(attempts.isEmpty() ? QString::number(m_settings.maxDeliveryAttempts) : attempts, m_settings.deadLetterTopic),
                             u"dead-letter topic"_s);
                continue;
            }
            Result<ConvertedRow> row = m_converter.convert(received.message, m_pubsub->topicPath(m_settings.topic), now);
            if (!row) {
                toErrorTable(std::move(item), row.error().message, u"validation against the table schema"_s);
                continue;
            }
            item.insertId = row->insertId;
            item.json = std::move(row->json);
            enqueue(Target::Table, std::move(item));
        }
        flush(false);
    }

    void IngestPipeline::toErrorTable(Item item, const QString &reason, const QString &stage)
    {
        item.json = errorRecordJson(item.message, reason, stage, Time::nowMicros());
        // The message id de-duplicates error records of redelivered messages.
        item.insertId = u"error:"_s + item.message.messageId;
        item.attempts = 0;
        enqueue(Target::ErrorTable, std::move(item));
    }

    void IngestPipeline::enqueue(Target target, Item item)
    {
        queue(target).push_back(std::move(item));
    }

    void IngestPipeline::flush(bool partial)
    {
        for (Target target : {Target::Table, Target::ErrorTable}) {
            std::deque<Item> &items = queue(target);
            while (!items.empty() && m_insertsInFlight < m_settings.maxConcurrentInserts
                   && (partial || m_state == State::Draining || int(items.size()) >= m_settings.batchRows)) {
                sendBatch(target);
            }
        }
        const bool waiting = !m_tableQueue.empty() || !m_errorQueue.empty();
        if (waiting && !m_flushTimer.isActive())
            m_flushTimer.start(m_settings.batchLatency);
    }

    void IngestPipeline::sendBatch(Target target)
    {
        std::deque<Item> &items = queue(target);
        std::vector<Item> batch;
        const std::size_t count = std::min<std::size_t>(items.size(), std::size_t(m_settings.batchRows));
        batch.reserve(count);
        QList<BigQuery::InsertRow> rows;
        rows.reserve(qsizetype(count));
        for (std::size_t i = 0; i < count; ++i) {
            rows.append({items.front().insertId, items.front().json});
            batch.push_back(std::move(items.front()));
            items.pop_front();
        }
        ++m_insertsInFlight;
        BigQuery::InsertOptions options;
        options.skipInvalidRows = true;   // one bad row must not hold back the others
        options.maxRows = m_settings.batchRows;
        const QString table = target == Target::Table ? m_settings.table : m_settings.errorTable;
        auto shared = std::make_shared<std::vector<Item>>(std::move(batch));
        m_bigquery->insertRows(m_settings.dataset, table, rows, options, this, [this, target, shared](Result<BigQuery::InsertResult> result) {
            --m_insertsInFlight;
            onInserted(target, std::move(*shared), result);
            flush(false);
            maybeFinishDrain();
        });
    }

    void IngestPipeline::onInserted(Target target, std::vector<Item> batch, const Result<BigQuery::InsertResult> &result)
    {
        if (!result) {
            // insertRows reports request failures per row; a failure here is of another kind.
            m_metrics->add(Stage::Failed);
            for (Item &item : batch)
                retryLater(target, std::move(item));
            return;
        }
        std::vector<const BigQuery::RowError *> errors(batch.size(), nullptr);
        for (const BigQuery::RowError &error : result->errors) {
            if (error.index >= 0 && std::size_t(error.index) < batch.size())
                errors[std::size_t(error.index)] = &error;
        }
        bool requestFailed = false;
        const qint64 now = Time::nowMicros();
        qint64 stored = 0;
        for (std::size_t i = 0; i < batch.size(); ++i) {
            Item &item = batch[i];
            const BigQuery::RowError *error = errors[i];
            if (!error) {
                ++stored;
                if (target == Target::Table && item.publishTimeMicros > 0)
                    m_metrics->recordEndToEndLatency(now - item.publishTimeMicros);
                acknowledge(item);
                continue;
            }
            if (error->retryable) {
                requestFailed = requestFailed || error->reason != u"stopped"_s;
                retryLater(target, std::move(item));
            } else if (target == Target::Table) {
                toErrorTable(std::move(item), u"BigQuery refused the row: %1"_s.arg(error->message), u"insert into %1"_s.arg(m_settings.table));
            } else {
                // Not even the error table takes it: let Pub/Sub keep it rather than lose it.
                qCCritical(lcPipeline).noquote() << "the error table refused a record of message" << item.message.messageId << ":" << error->message;
                nack(item);
            }
        }
        if (requestFailed)
            m_metrics->add(Stage::Failed);
        m_metrics->add(target == Target::Table ? Stage::Inserted : Stage::DeadLettered, stored);
    }

    void IngestPipeline::retryLater(Target target, Item item)
    {
        ++item.attempts;
        if (item.attempts >= m_settings.maxInsertAttempts || m_state == State::Draining) {
            // Pub/Sub brings it back (and dead-letters it after maxDeliveryAttempts).
            nack(item);
            return;
        }
        m_metrics->add(Stage::Retried);
        const qint64 base = qMin<qint64>(m_settings.maxRetryBackoff.count(), m_settings.initialRetryBackoff.count() << (item.attempts - 1));
        const qint64 wait = base / 2 + QRandomGenerator::global()->bounded(base / 2 + 1);
        m_retries.push_back({QDateTime::currentMSecsSinceEpoch() + wait, target, std::move(item)});
        if (!m_retryTimer.isActive() || m_retryTimer.remainingTime() > wait)
            m_retryTimer.start(std::chrono::milliseconds(wait));
    }

    void IngestPipeline::releaseDueRetries()
    {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const bool draining = m_state == State::Draining || m_state == State::Stopped;
        qint64 nextDue = std::numeric_limits<qint64>::max();
        std::vector<Retry> waiting;
        for (Retry &retry : m_retries) {
            if (draining)
                nack(retry.item);   // no time left to wait: Pub/Sub delivers it again
            else if (retry.dueMs <= now)
                enqueue(retry.target, std::move(retry.item));
            else {
                nextDue = qMin(nextDue, retry.dueMs);
                waiting.push_back(std::move(retry));
            }
        }
        m_retries = std::move(waiting);
        if (!m_retries.empty())
            m_retryTimer.start(std::chrono::milliseconds(qMax<qint64>(1, nextDue - now)));
        if (!draining)
            flush(false);
    }

    void IngestPipeline::acknowledge(const Item &item)
    {
        (item.fromDeadLetters ? m_deadLetters : m_main)->acknowledge(item.ackId);
    }

    void IngestPipeline::nack(const Item &item)
    {
        m_metrics->add(Stage::Nacked);
        (item.fromDeadLetters ? m_deadLetters : m_main)->nack(item.ackId);
    }

    void IngestPipeline::maybeFinishDrain()
    {
        if (m_state != State::Draining || m_insertsInFlight > 0 || !m_tableQueue.empty() || !m_errorQueue.empty() || m_subscribersToStop > 0)
            return;
        if (!m_retries.empty())
            releaseDueRetries();   // nacks them all while draining
        m_subscribersToStop = 2;
        m_main->stop();
        m_deadLetters->stop();
    }
}
