#pragma once

#include <compare>

#include <QDateTime>
#include <QMetaType>
#include <QString>

namespace Aq::BigQuery
{
    // A BigQuery TIMESTAMP as a cell value: microseconds since the Unix epoch, UTC. QDateTime stops at
    // milliseconds, so a decoded cell keeps this instead; it is registered, so it travels in a QVariant
    // (QVariant::fromValue(ts), value.value<Timestamp>()) and compares there.
    struct Timestamp
    {
        qint64 microsSinceEpoch = 0;

        // "2024-05-01T12:00:00.123456Z": 0, 3 or 6 fraction digits, the fewest that are exact.
        QString toRfc3339() const;
        // "2024-05-01 12:00:00.123456 UTC": the fraction only when not zero (how cellToText prints it).
        QString toDisplayText() const;
        // UTC, truncated to milliseconds.
        QDateTime toDateTime() const;

        friend bool operator==(const Timestamp &, const Timestamp &) = default;
        friend auto operator<=>(const Timestamp &, const Timestamp &) = default;
    };
}

Q_DECLARE_METATYPE(Aq::BigQuery::Timestamp)
