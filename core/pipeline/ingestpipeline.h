#pragma once

#include <deque>

#include <QObject>
#include <QTimer>

#include "core/bigquery/bigquerytypes.h"
#include "core/common/result.h"
#include "core/pipeline/ingestsettings.h"
#include "core/pipeline/rowconverter.h"

namespace Aq::PubSub
{
    class PubSubClient;
    class Subscriber;
}

namespace Aq::BigQuery
{
    class BigQueryClient;
}

namespace Aq::Metrics
{
    class PipelineMetrics;
}

namespace Aq::Pipeline
{
    // What Dataflow or a Cloud Function does in the systems Aqueduct replaces: pulls the subscription, converts
    // each message to a row of the table (RowConverter), inserts rows in batches with insertId = the key column,
    // and acknowledges a message only once its row is stored: in the table, or in the error table with the reason
    // when it can never be stored. Transient failures are retried with backoff; past the limit the message is
    // nacked, comes back, and after maxDeliveryAttempts Pub/Sub moves it to the dead-letter topic, whose
    // subscription this pipeline drains into the error table too: everything unstored ends in one place.
    //
    // Lives on one thread with its clients. stop() drains: no more pulls, in-flight rows finish and are
    // acknowledged, then stopped(), within settings.drainTime.
    class IngestPipeline final : public QObject
    {
        Q_OBJECT

    public:
        enum class State
        {
            Idle,
            Starting,    // making sure the topics, subscriptions and tables exist
            Running,
            Draining,
            Stopped,
            Failed,      // could not start: lastError() says why
        };
        Q_ENUM(State)

        IngestPipeline(PubSub::PubSubClient *pubsub, BigQuery::BigQueryClient *bigquery, IngestSettings settings,
                       Metrics::PipelineMetrics *metrics, QObject *parent = nullptr);
        ~IngestPipeline() override;

        void start();
        void stop();

        State state() const { return m_state; }
        ApiError lastError() const { return m_lastError; }
        const IngestSettings &settings() const { return m_settings; }

    Q_SIGNALS:
        void stateChanged(Aq::Pipeline::IngestPipeline::State state);
        void stopped();

    private:
        enum class Target
        {
            Table,
            ErrorTable,
        };

        struct Item
        {
            QString ackId;
            bool fromDeadLetters = false;
            qint64 publishTimeMicros = 0;
            QString insertId;
            QByteArray json;          // the row for its target
            PubSub::PubsubMessage message;   // kept for an error record if the table refuses the row
            int attempts = 0;
        };

        void setState(State state);
        void startSubscribers();
        void onMessages(const QList<PubSub::ReceivedMessage> &messages, bool fromDeadLetters);
        void enqueue(Target target, Item item);
        void flush(bool partial);
        void sendBatch(Target target);
        void onInserted(Target target, std::vector<Item> batch, const Result<BigQuery::InsertResult> &result);
        void retryLater(Target target, Item item);
        void releaseDueRetries();
        void toErrorTable(Item item, const QString &reason, const QString &stage);
        void acknowledge(const Item &item);
        void nack(const Item &item);
        void maybeFinishDrain();
        void refreshBacklog();
        std::deque<Item> &queue(Target target) { return target == Target::Table ? m_tableQueue : m_errorQueue; }

        PubSub::PubSubClient *m_pubsub;
        BigQuery::BigQueryClient *m_bigquery;
        IngestSettings m_settings;
        RowConverter m_converter;
        Metrics::PipelineMetrics *m_metrics;
        PubSub::Subscriber *m_main = nullptr;
        PubSub::Subscriber *m_deadLetters = nullptr;
        std::deque<Item> m_tableQueue;
        std::deque<Item> m_errorQueue;
        QTimer m_flushTimer;
        QTimer m_drainDeadline;
        QTimer m_backlogTimer;
        int m_insertsInFlight = 0;
        struct Retry
        {
            qint64 dueMs = 0;
            Target target = Target::Table;
            Item item;
        };
        std::vector<Retry> m_retries;   // rows waiting out their backoff
        QTimer m_retryTimer;
        int m_subscribersToStop = 0;
        State m_state = State::Idle;
        ApiError m_lastError;
    };
}
