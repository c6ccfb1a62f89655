#include "core/bigquery/timestamp.h"

#include "core/common/timeutil.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::BigQuery
{
    QString Timestamp::toRfc3339() const
    {
        return Time::formatRfc3339(microsSinceEpoch);
    }

    QString Timestamp::toDisplayText() const
    {
        const bool whole = microsSinceEpoch % 1000000 == 0;
        QString text = Time::formatRfc3339Fixed(microsSinceEpoch, whole ? 0 : 6);   // ...T...Z
        text.replace(u'T', u' ');
        text.chop(1);
        return text + u" UTC"_s;
    }

    QDateTime Timestamp::toDateTime() const
    {
        // floor, so that instants before the epoch truncate towards the past as they do after it
        const qint64 millis = microsSinceEpoch >= 0 ? microsSinceEpoch / 1000 : -((-microsSinceEpoch + 999) / 1000);
        return QDateTime::fromMSecsSinceEpoch(millis, Qt::UTC);
    }
}
