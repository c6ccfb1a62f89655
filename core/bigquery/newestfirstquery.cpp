#include "core/bigquery/newestfirstquery.h"

#include "core/bigquery/cellformat.h"
#include "core/bigquery/timestamp.h"
#include "core/common/timeutil.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::BigQuery
{
    namespace
    {
        const QString EPOCH_LITERAL = u"TIMESTAMP '1970-01-01 00:00:00 UTC'"_s;
        const QString EPOCH_TEXT = u"1970-01-01T00:00:00Z"_s;
        const QString INGEST_TIME_COLUMN = u"ingest_time"_s;

        QString backticked(const QString &name)
        {
            return u'`' + name + u'`';
        }
    }

    NewestFirstQuery::NewestFirstQuery(const TableSchema &schema, const QString &timeColumn, const QString &keyColumn)
        : m_schema {schema}
    {
        const QList<TableField> &fields = schema.fields;
        const int time = schema.indexOf(timeColumn);
        const int key = schema.indexOf(keyColumn);
        const int ingest = schema.indexOf(INGEST_TIME_COLUMN);
        auto timestampColumn = [&](int index) {
            Column c;
            c.fieldIndex = index;
            c.parameterType = FieldType::Timestamp;
            c.nullValue = EPOCH_TEXT;
            c.plainColumn = fields[index].isRequired();
            c.expression = c.plainColumn ? backticked(fields[index].name) : u"COALESCE(%1, %2)"_s.arg(backticked(fields[index].name), EPOCH_LITERAL);
            return c;
        };
        if (time >= 0 && time != key && fields[time].type == FieldType::Timestamp)
            m_columns.append(timestampColumn(time));
        if (ingest >= 0 && ingest != time && ingest != key && fields[ingest].type == FieldType::Timestamp && !fields[ingest].isRepeated())
            m_columns.append(timestampColumn(ingest));
        if (key < 0)
            return;
        const TableField &f = fields[key];
        Column c;
        c.fieldIndex = key;
        c.expression = backticked(f.name);
        switch (f.type) {
        case FieldType::Int64:
            c.parameterType = FieldType::Int64;
            c.nullValue = u"-9223372036854775808"_s;
            if (!f.isRequired())
                c.expression = u"COALESCE(%1, -9223372036854775808)"_s.arg(backticked(f.name));
            break;
        case FieldType::Numeric:
        case FieldType::Timestamp:
            c.parameterType = f.type;
            break;
        default:
            c.parameterType = FieldType::String;
            if (f.type == FieldType::String && !f.isRequired()) {
                c.expression = u"COALESCE(%1, '')"_s.arg(backticked(f.name));
                c.nullValue = QString(u""_s);
            }
            break;
        }
        c.plainColumn = c.expression == backticked(f.name);
        m_columns.append(c);
    }

    QString NewestFirstQuery::orderBy(Direction direction) const
    {
        QStringList keys;
        for (const Column &c : m_columns)
            keys.append(c.expression + (direction == Direction::NewestFirst ? u" DESC"_s : QString()));
        return keys.isEmpty() ? QString() : u" ORDER BY "_s + keys.join(u", "_s);
    }

    QString NewestFirstQuery::keyCondition(const QStringList &key, Bound bound, const QString &prefix, QList<QueryParameter> &parameters) const
    {
        if (m_columns.isEmpty())
            return u"TRUE"_s;
        const QString strict = bound == Bound::Newer ? u" > "_s : u" < "_s;
        // Built from the last column outwards.
        QString condition;
        for (qsizetype i = m_columns.size() - 1; i >= 0; --i) {
            const QString name = u"@%1%2"_s.arg(prefix).arg(i);
            parameters.append(QueryParameter::scalar(name.mid(1), m_columns[i].parameterType, key.value(i)));
            const QString &e = m_columns[i].expression;
            if (condition.isEmpty())
                condition = e + (bound == Bound::OlderOrSame ? u" <= "_s : strict) + name;
            else
                condition = u"%1%2%3 OR (%1 = %3 AND (%4))"_s.arg(e, strict, name, condition);
        }
        if (m_columns.first().plainColumn && m_columns.size() > 1) {
            const QString op = bound == Bound::Newer ? u" >= "_s : u" <= "_s;
            return u"%1%2@%3%4 AND (%5)"_s.arg(m_columns.first().expression, op, prefix, u"0"_s, condition);
        }
        return u'(' + condition + u')';
    }

    QStringList NewestFirstQuery::sortKeyOf(const QVariantList &row) const
    {
        QStringList key;
        for (const Column &c : m_columns) {
            const QVariant &value = row.value(c.fieldIndex);
            if (value.isNull())
                key.append(c.nullValue);
            else if (c.parameterType == FieldType::Timestamp)
                key.append(Time::formatRfc3339(value.value<Timestamp>().microsSinceEpoch));
            else if (c.parameterType == FieldType::Int64)
                key.append(QString::number(value.toLongLong()));
            else
                key.append(cellToText(m_schema.fields[c.fieldIndex], value));
        }
        return key;
    }
}
