#include "ui/rows/rowformat.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimeZone>

#include "core/bigquery/cellformat.h"
#include "core/bigquery/timestamp.h"
#include "core/common/textencoding.h"
#include "core/common/timeutil.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Ui
{
    namespace
    {
        void appendJsonValue(const QJsonValue &value, QByteArray &out)
        {
            switch (value.type()) {
            case QJsonValue::Null:
            case QJsonValue::Undefined:
                out += "null";
                break;
            case QJsonValue::Bool:
                out += value.toBool() ? "true" : "false";
                break;
            case QJsonValue::String:
                Text::appendJsonString(value.toString(), out);
                break;
            default:
                out += Text::jsonText(value);
                break;
            }
        }

        QString oneLine(QString text)
        {
            for (QChar &c : text) {
                if (c == u'\t' || c == u'\n' || c == u'\r')
                    c = u' ';
            }
            return text;
        }
    }

    QString timestampText(qint64 micros, TimeDisplay display)
    {
        if (display == TimeDisplay::Utc)
            return BigQuery::Timestamp {micros}.toDisplayText();
        // floor, so that instants before the epoch keep a positive fraction
        const qint64 fraction = ((micros % 1000000) + 1000000) % 1000000;
        const qint64 seconds = (micros - fraction) / 1000000;
        const QDateTime local = QDateTime::fromSecsSinceEpoch(seconds, Qt::LocalTime);
        QString text = local.toString(u"yyyy-MM-dd HH:mm:ss"_s);
        if (fraction)
            text += u'.' + QString::number(fraction).rightJustified(6, u'0');
        const int offset = local.offsetFromUtc();
        const int minutes = qAbs(offset) / 60;
        text += u" %1%2:%3"_s.arg(QChar(offset < 0 ? u'-' : u'+')).arg(minutes / 60, 2, 10, QChar(u'0')).arg(minutes % 60, 2, 10, QChar(u'0'));
        return text;
    }

    Result<std::optional<qint64>> parseTimeBound(const QString &input, TimeDisplay display, qint64 nowMicros)
    {
        const QString text = input.trimmed();
        if (text.isEmpty())
            return std::optional<qint64>();
        if (text.front().isDigit() && text.back().isLetter() && !text.contains(u'-') && !text.contains(u':')) {
            if (const std::optional<qint64> ago = Time::parseHumanDuration(text))
                return std::optional<qint64>(nowMicros - *ago);
        }
        if (display == TimeDisplay::Local) {
            // No zone named: the user means the wall clock the table shows.
            static const QStringList FORMATS {u"yyyy-MM-dd HH:mm:ss.zzz"_s, u"yyyy-MM-dd HH:mm:ss"_s, u"yyyy-MM-dd HH:mm"_s,
                                              u"yyyy-MM-ddTHH:mm:ss"_s, u"yyyy-MM-ddTHH:mm"_s, u"yyyy-MM-dd"_s};
            for (const QString &format : FORMATS) {
                const QDateTime local = QDateTime::fromString(text, format);
                if (local.isValid())
                    return std::optional<qint64>(local.toMSecsSinceEpoch() * 1000);
            }
        }
        if (const std::optional<qint64> micros = Time::parseTimestamp(text))
            return std::optional<qint64>(*micros);
        return ApiError::invalidArgument(QCoreApplication::translate("Aq::Ui::RowsPage", "\"%1\" is neither a time (2024-05-01 12:00) nor a duration back from now (15m, 1h, 2d).").arg(text));
    }

    QString cellDisplayText(const BigQuery::TableField &field, const QVariant &value, TimeDisplay display)
    {
        if (display == TimeDisplay::Local && field.type == BigQuery::FieldType::Timestamp && !field.isRepeated() && !value.isNull())
            return timestampText(value.value<BigQuery::Timestamp>().microsSinceEpoch, display);
        return BigQuery::cellToText(field, value);
    }

    QByteArray csvHeader(const QList<BigQuery::TableField> &fields)
    {
        QByteArray out;
        for (qsizetype i = 0; i < fields.size(); ++i) {
            if (i)
                out += ',';
            Text::appendCsvField(fields[i].name.toUtf8(), out);
        }
        return out + "\r\n";
    }

    void appendCsvRow(const QList<BigQuery::TableField> &fields, const QVariantList &row, QByteArray &out)
    {
        for (qsizetype i = 0; i < fields.size(); ++i) {
            if (i)
                out += ',';
            const QVariant &value = row.value(i);
            if (!value.isNull())
                Text::appendCsvField(BigQuery::cellToText(fields[i], value).toUtf8(), out);
        }
        out += "\r\n";
    }

    void appendJsonRow(const QList<BigQuery::TableField> &fields, const QVariantList &row, QByteArray &out)
    {
        out += '{';
        for (qsizetype i = 0; i < fields.size(); ++i) {
            if (i)
                out += ',';
            Text::appendJsonString(fields[i].name, out);
            out += ':';
            appendJsonValue(BigQuery::cellToJson(fields[i], row.value(i)), out);
        }
        out += '}';
    }

    QString prettyJsonRow(const QList<BigQuery::TableField> &fields, const QVariantList &row)
    {
        QByteArray out = "{\n";
        for (qsizetype i = 0; i < fields.size(); ++i) {
            out += "  ";
            Text::appendJsonString(fields[i].name, out);
            out += ": ";
            const QJsonValue value = BigQuery::cellToJson(fields[i], row.value(i));
            if (value.isObject() || value.isArray()) {
                // QJsonDocument indents by 4: halve it, and shift it under the member.
                const QList<QByteArray> lines = Text::jsonText(value, true).trimmed().split('\n');
                for (qsizetype l = 0; l < lines.size(); ++l) {
                    const QByteArray &line = lines[l];
                    qsizetype spaces = 0;
                    while (spaces < line.size() && line[spaces] == ' ')
                        ++spaces;
                    if (l)
                        out += "\n  " + QByteArray(spaces / 2, ' ');
                    out += line.mid(spaces);
                }
            } else {
                appendJsonValue(value, out);
            }
            out += i + 1 < fields.size() ? ",\n" : "\n";
        }
        out += '}';
        return QString::fromUtf8(out);
    }

    QString tsvHeader(const QList<BigQuery::TableField> &fields)
    {
        QStringList names;
        for (const BigQuery::TableField &f : fields)
            names.append(f.name);
        return names.join(u'\t');
    }

    QString tsvRow(const QList<BigQuery::TableField> &fields, const QVariantList &row, TimeDisplay display)
    {
        QStringList cells;
        for (qsizetype i = 0; i < fields.size(); ++i) {
            const QVariant &value = row.value(i);
            cells.append(value.isNull() ? QString() : oneLine(cellDisplayText(fields[i], value, display)));
        }
        return cells.join(u'\t');
    }
}
