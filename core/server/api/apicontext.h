#pragma once

#include <chrono>

#include <QObject>
#include <QPointer>

#include "core/bigquery/tableschema.h"
#include "core/config/profile.h"
#include "core/pipeline/rowconverter.h"
#include "core/server/api/eventsquery.h"
#include "core/server/api/responsecache.h"

namespace Aq::BigQuery
{
    class BigQueryClient;
}

namespace Aq::PubSub
{
    class PubSubClient;
    class Publisher;
}

namespace Aq::Metrics
{
    class PipelineMetrics;
}

namespace Aq::Server
{
    class ServeState;

    struct OperatorApiSettings
    {
        Config::Profile profile;
        BigQuery::TableSchema schema = Pipeline::RowConverter::defaultSchema();   // the events table's
        Pipeline::RowConverterOptions conversion;
        std::chrono::milliseconds cacheTtl {1000};
    };

    // What the operator API's routes share. Lives on the HTTP thread; the clients are null until the API's
    // connection is open.
    struct ApiContext
    {
        ApiContext(const OperatorApiSettings &settings, Metrics::PipelineMetrics *metrics, ServeState *state, QObject *owner);

        OperatorApiSettings settings;
        EventsTable eventsTable;
        EventsTable errorTable;
        Pipeline::RowConverter converter;
        Metrics::PipelineMetrics *metrics;
        ServeState *state;
        QObject *owner;                            // the context object of every asynchronous call
        BigQuery::BigQueryClient *bigquery = nullptr;
        PubSub::PubSubClient *pubsub = nullptr;
        PubSub::Publisher *publisher = nullptr;
        ResponseCache cache;

        // An ApiError unless the connection is open.
        Status requireConnection() const;
    };
}
