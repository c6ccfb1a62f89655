#pragma once

#include <chrono>

#include <QString>

#include "core/bigquery/tableschema.h"
#include "core/pipeline/rowconverter.h"
#include "core/pubsub/subscriber.h"

namespace Aq::Pipeline
{
    struct IngestSettings
    {
        QString topic = QStringLiteral("events");
        QString subscription = QStringLiteral("events-ingest");
        QString deadLetterTopic = QStringLiteral("events-dead-letter");
        // The dead-letter topic's subscription, which the pipeline drains into the error table.
        QString deadLetterSubscription() const { return deadLetterTopic + QStringLiteral("-ingest"); }
        int maxDeliveryAttempts = 5;
        QString dataset = QStringLiteral("analytics");
        QString table = QStringLiteral("events");
        QString errorTable = QStringLiteral("events_error_records");
        BigQuery::TableSchema schema = RowConverter::defaultSchema();
        RowConverterOptions conversion;
        // Create what is missing (topics, subscriptions, dataset, tables); false: fail and say what is missing.
        bool createMissing = true;
        // Partition by day of `timestamp` and cluster by event_type (the design asks it on Google Cloud).
        bool partitionAndCluster = false;

        PubSub::SubscriberSettings subscriber;
        // Rows go to BigQuery in batches of at most this many, or after this long.
        int batchRows = 500;
        std::chrono::milliseconds batchLatency {50};
        int maxConcurrentInserts = 4;
        // A row whose insert keeps failing for transient reasons is nacked after this many attempts; Pub/Sub then
        // delivers it again, and dead-letters it after maxDeliveryAttempts.
        int maxInsertAttempts = 5;
        std::chrono::milliseconds initialRetryBackoff {200};
        std::chrono::milliseconds maxRetryBackoff {10000};
        // On stop(): finish in-flight work and acknowledge within this time (Cloud Run gives 10 s).
        std::chrono::milliseconds drainTime {8000};
    };
}
