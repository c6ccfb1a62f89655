#include "core/metrics/stage.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Metrics
{
    QString stageJsonKey(Stage stage)
    {
        switch (stage) {
        case Stage::Published: return u"published"_s;
        case Stage::Pulled: return u"pulled"_s;
        case Stage::Inserted: return u"inserted"_s;
        case Stage::DeadLettered: return u"deadLettered"_s;
        case Stage::Acked: return u"acked"_s;
        case Stage::Nacked: return u"nacked"_s;
        case Stage::Retried: return u"retried"_s;
        case Stage::Failed: return u"failed"_s;
        }
        Q_UNREACHABLE();
        return {};
    }

    QByteArray stagePrometheusLabel(Stage stage)
    {
        switch (stage) {
        case Stage::Published: return "published"_ba;
        case Stage::Pulled: return "pulled"_ba;
        case Stage::Inserted: return "inserted"_ba;
        case Stage::DeadLettered: return "dead_lettered"_ba;
        case Stage::Acked: return "acked"_ba;
        case Stage::Nacked: return "nacked"_ba;
        case Stage::Retried: return "retried"_ba;
        case Stage::Failed: return "failed"_ba;
        }
        Q_UNREACHABLE();
        return {};
    }
}
