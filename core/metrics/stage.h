#pragma once

#include <array>

#include <QByteArray>
#include <QString>

namespace Aq::Metrics
{
    // The hops a message passes. DeadLettered: rows written to the error table (they can never be stored, or came
    // from the dead-letter topic). Failed: transient failures, such as a failed insert request.
    enum class Stage
    {
        Published,
        Pulled,
        Inserted,
        DeadLettered,
        Acked,
        Nacked,
        Retried,
        Failed
    };

    inline constexpr int StageCount = 8;
    inline constexpr std::array<Stage, StageCount> AllStages {
        Stage::Published,
        Stage::Pulled,
        Stage::Inserted,
        Stage::DeadLettered,
        Stage::Acked,
        Stage::Nacked,
        Stage::Retried,
        Stage::Failed
    };

    using StageCounts = std::array<qint64, StageCount>;

    // "deadLettered": the key in the JSON of GET /stats and GET /stats/series.
    QString stageJsonKey(Stage stage);
    // "dead_lettered": the value of the stage label in GET /metrics (Prometheus names are snake_case).
    QByteArray stagePrometheusLabel(Stage stage);
}
