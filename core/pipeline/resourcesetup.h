#pragma once

#include <functional>

#include <QObject>
#include <QStringList>

#include "core/common/result.h"
#include "core/pipeline/ingestsettings.h"

namespace Aq::PubSub
{
    class PubSubClient;
}

namespace Aq::BigQuery
{
    class BigQueryClient;
}

namespace Aq::Pipeline
{
    // The differences between an existing table's schema and the one asked for, one line each; empty when equal.
    QStringList schemaDifferences(const BigQuery::TableSchema &existing, const BigQuery::TableSchema &wanted);

    // Makes sure what the pipeline needs exists: the topic, the dead-letter topic, the subscription (with the
    // design's dead-letter policy), the dead-letter topic's subscription, the dataset, the table and the error
    // table. Creates what is missing unless settings.createMissing is false, in which case a missing resource is
    // an error that names it. An existing table whose schema differs from settings.schema is an error that shows
    // the difference, never a silent change.
    void ensureResources(PubSub::PubSubClient *pubsub, BigQuery::BigQueryClient *bigquery, const IngestSettings &settings,
                         QObject *context, std::function<void(Status)> done);
}
