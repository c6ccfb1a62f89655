#include "core/server/api/apicontext.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Server
{
    ApiContext::ApiContext(const OperatorApiSettings &settings, Metrics::PipelineMetrics *metrics, ServeState *state, QObject *owner)
        : settings {settings}
        , converter {settings.schema, settings.conversion}
        , metrics {metrics}
        , state {state}
        , owner {owner}
        , cache {settings.cacheTtl}
    {
        eventsTable = {settings.profile.project, settings.profile.dataset, settings.profile.table, settings.schema, settings.conversion.keyColumn};
        errorTable = {settings.profile.project, settings.profile.dataset, settings.profile.errorTable, Pipeline::RowConverter::errorTableSchema(), {}};
    }

    Status ApiContext::requireConnection() const
    {
        if (!bigquery || !pubsub)
            return ApiError::unavailable(u"The server is still connecting to its backends; try again in a moment."_s);
        return Ok {};
    }
}
