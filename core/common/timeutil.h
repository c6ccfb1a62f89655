#pragma once

#include <optional>

#include <QJsonValue>
#include <QString>

namespace Aq::Time
{
    // All instants are microseconds since the Unix epoch, UTC (BigQuery's TIMESTAMP precision).
    qint64 nowMicros();

    // RFC 3339 ("2024-05-01T12:00:00.123Z", offsets allowed) and BigQuery's other TIMESTAMP forms:
    // "2024-05-01 12:00:00[.ffffff][ UTC| +hh:mm|Z]", a date alone, or a JSON number of seconds since the epoch.
    std::optional<qint64> parseTimestamp(const QString &text);
    std::optional<qint64> parseTimestamp(const QJsonValue &value);

    // "2024-05-01T12:00:00.123456Z"; fraction digits: 0, 3, 6 (the fewest that are exact) unless fixed.
    QString formatRfc3339(qint64 micros);
    QString formatRfc3339Fixed(qint64 micros, int fractionDigits);

    // Protobuf Duration "600s" / "10.5s" to microseconds.
    std::optional<qint64> parseDuration(const QString &text);
    QString formatDuration(qint64 micros);
    // What people type on a command line: "500ms", "90s", "10m", "1h", "2d", or plain seconds ("30").
    std::optional<qint64> parseHumanDuration(const QString &text);

    // BigQuery civil types, canonical text forms; nullopt when not valid.
    std::optional<QString> normalizeDate(const QString &text);       // YYYY-MM-DD
    std::optional<QString> normalizeTime(const QString &text);       // HH:MM:SS[.ffffff]
    std::optional<QString> normalizeDatetime(const QString &text);   // YYYY-MM-DDTHH:MM:SS[.ffffff]
}
