#pragma once

#include <optional>

#include <QByteArray>
#include <QList>
#include <QString>
#include <QVariantList>

#include "core/bigquery/tableschema.h"
#include "core/common/result.h"

namespace Aq::Ui
{
    // How TIMESTAMP cells read on screen (a setting of the console).
    enum class TimeDisplay
    {
        Utc,     // "2024-05-01 12:00:00.123456 UTC", as cellToText prints it
        Local,   // "2024-05-01 14:00:00.123456 +02:00"
    };

    // One cell as the table shows it: cellToText, with top-level TIMESTAMPs in the chosen zone.
    QString cellDisplayText(const BigQuery::TableField &field, const QVariant &value, TimeDisplay display);
    QString timestampText(qint64 micros, TimeDisplay display);

    // A bound of the filter bar's time range, as people type it: empty (no bound); a duration back from now
    // ("15m", "1h", "2d", docs: Time::parseHumanDuration); or an instant in any form BigQuery reads for a
    // TIMESTAMP ("2024-05-01 12:00", RFC 3339), in the display's zone when it names none.
    Result<std::optional<qint64>> parseTimeBound(const QString &text, TimeDisplay display, qint64 nowMicros);

    // Rows as files and the clipboard take them. `fields` and each row's values are in the same order.
    // CSV (RFC 4180, CRLF): the header, then cellToText of each cell; NULL is an empty field, as bq's csv writes it.
    QByteArray csvHeader(const QList<BigQuery::TableField> &fields);
    void appendCsvRow(const QList<BigQuery::TableField> &fields, const QVariantList &row, QByteArray &out);
    // One JSON object per row, members in column order, values as cellToJson gives them (event_data an object).
    void appendJsonRow(const QList<BigQuery::TableField> &fields, const QVariantList &row, QByteArray &out);
    // The same object, indented, for the detail pane.
    QString prettyJsonRow(const QList<BigQuery::TableField> &fields, const QVariantList &row);
    // Tab-separated: the header, then the display text of each cell with tabs and line breaks made spaces.
    QString tsvHeader(const QList<BigQuery::TableField> &fields);
    QString tsvRow(const QList<BigQuery::TableField> &fields, const QVariantList &row, TimeDisplay display);
}
