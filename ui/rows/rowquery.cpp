#include "ui/rows/rowquery.h"

#include <QCoreApplication>
#include <QRegularExpression>

#include "core/common/timeutil.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Ui
{
    namespace
    {
        const QString EVENT_TYPE_COLUMN = u"event_type"_s;
        const QString USER_ID_COLUMN = u"user_id"_s;

        QString tr(const char *text)
        {
            return QCoreApplication::translate("Aq::Ui::RowQuery", text);
        }

        QString backticked(const QString &name)
        {
            return u'`' + name + u'`';
        }

        bool isIdentifierChar(QChar c)
        {
            return c.isLetterOrNumber() || c == u'_';
        }
    }

    bool RowFilters::isEmpty() const
    {
        return eventType.isEmpty() && userId.isEmpty() && !sinceMicros && !untilMicros && where.trimmed().isEmpty();
    }

    Status validateWhereClause(const QString &text)
    {
        // A small scanner of GoogleSQL's lexical forms (docs/SQL.md, Literals and Comments): enough to tell what
        // is inside a literal, a quoted name or a comment from what is not.
        const qsizetype n = text.size();
        int depth = 0;
        qsizetype i = 0;
        auto column = [&](qsizetype at) { return QString::number(at + 1); };
        while (i < n) {
            const QChar c = text[i];
            if (c == u'-' && i + 1 < n && text[i + 1] == u'-') {
                while (i < n && text[i] != u'\n')
                    ++i;
                continue;
            }
            if (c == u'#') {
                while (i < n && text[i] != u'\n')
                    ++i;
                continue;
            }
            if (c == u'/' && i + 1 < n && text[i + 1] == u'*') {
                const qsizetype end = text.indexOf(u"*/"_s, i + 2);
                if (end < 0)
                    return ApiError::invalidArgument(tr("The WHERE clause has a comment opened at column %1 that is never closed.").arg(column(i)));
                i = end + 2;
                continue;
            }
            // String and bytes literals, with their r/b prefixes (raw: no escapes), and `quoted names`.
            bool raw = false;
            qsizetype quoteAt = i;
            if ((c == u'r' || c == u'R' || c == u'b' || c == u'B') && (i == 0 || !isIdentifierChar(text[i - 1]))) {
                qsizetype j = i;
                while (j < n && j - i < 2 && QStringView(u"rRbB").contains(text[j]))
                    ++j;
                if (j < n && (text[j] == u'\'' || text[j] == u'"')) {
                    raw = QStringView(text).mid(i, j - i).contains(u'r', Qt::CaseInsensitive);
                    quoteAt = j;
                }
            }
            const QChar q = text[quoteAt];
            if (q == u'\'' || q == u'"' || q == u'`') {
                const bool triple = q != u'`' && quoteAt + 2 < n && text[quoteAt + 1] == q && text[quoteAt + 2] == q;
                qsizetype j = quoteAt + (triple ? 3 : 1);
                bool closed = false;
                while (j < n) {
                    if (text[j] == u'\\' && !raw) {
                        j += 2;
                        continue;
                    }
                    if (text[j] == q && (!triple || (j + 2 < n && text[j + 1] == q && text[j + 2] == q))) {
                        j += triple ? 3 : 1;
                        closed = true;
                        break;
                    }
                    if (text[j] == u'\n' && !triple && q != u'`')
                        break;
                    ++j;
                }
                if (!closed) {
                    return ApiError::invalidArgument(q == u'`' ? tr("The WHERE clause has a quoted name opened at column %1 that is never closed.").arg(column(quoteAt))
                                                               : tr("The WHERE clause has a string literal opened at column %1 that is never closed.").arg(column(quoteAt)));
                }
                i = j;
                continue;
            }
            if (c == u';')
                return ApiError::invalidArgument(tr("The WHERE clause cannot contain ';' (column %1): it is one condition, not a statement.").arg(column(i)));
            if (c == u'(') {
                ++depth;
            } else if (c == u')') {
                if (--depth < 0)
                    return ApiError::invalidArgument(tr("The WHERE clause closes a parenthesis at column %1 that it did not open.").arg(column(i)));
            }
            ++i;
        }
        if (depth > 0)
            return ApiError::invalidArgument(depth == 1 ? tr("The WHERE clause leaves a parenthesis open.")
                                                        : tr("The WHERE clause leaves %1 parentheses open.").arg(depth));
        return Ok {};
    }

    RowQuery::RowQuery(RowsTable table, RowFilters filters)
        : m_table {std::move(table)}
        , m_filters {std::move(filters)}
        , m_order {m_table.schema, m_table.timeColumn, m_table.keyColumn}
    {
    }

    Status RowQuery::validate() const
    {
        if (Status table = m_table.validate(); !table)
            return table;
        if (!m_filters.eventType.isEmpty() && !m_table.schema.field(EVENT_TYPE_COLUMN))
            return ApiError::invalidArgument(tr("The table has no event_type column to filter on."));
        if (!m_filters.userId.isEmpty() && !m_table.schema.field(USER_ID_COLUMN))
            return ApiError::invalidArgument(tr("The table has no user_id column to filter on."));
        if ((m_filters.sinceMicros || m_filters.untilMicros) && !m_table.schema.field(m_table.timeColumn))
            return ApiError::invalidArgument(tr("The table has no TIMESTAMP column \"%1\" to filter by time.").arg(m_table.timeColumn));
        if (m_filters.sinceMicros && m_filters.untilMicros && *m_filters.sinceMicros >= *m_filters.untilMicros)
            return ApiError::invalidArgument(tr("The start of the time range must be earlier than its end."));
        return validateWhereClause(m_filters.where);
    }

    SortKey RowQuery::sortKeyOf(const QVariantList &row) const
    {
        return m_order.sortKeyOf(row);
    }

    QString RowQuery::selectList() const
    {
        QStringList columns;
        for (const BigQuery::TableField &f : m_table.schema.fields)
            columns.append(backticked(f.name));
        return columns.join(u", "_s);
    }

    QString RowQuery::whereClause(QList<BigQuery::QueryParameter> &parameters, Pin pin) const
    {
        QStringList conditions;
        // On lines of their own, so that a comment in it ends there and explainError can find it.
        if (!m_filters.where.trimmed().isEmpty())
            conditions.append(u"(\n"_s + m_filters.where + u"\n)"_s);
        if (!m_filters.eventType.isEmpty()) {
            conditions.append(backticked(EVENT_TYPE_COLUMN) + u" = @aq_event_type"_s);
            parameters.append(BigQuery::QueryParameter::scalar(u"aq_event_type"_s, BigQuery::FieldType::String, m_filters.eventType));
        }
        if (!m_filters.userId.isEmpty()) {
            conditions.append(backticked(USER_ID_COLUMN) + u" = @aq_user_id"_s);
            parameters.append(BigQuery::QueryParameter::scalar(u"aq_user_id"_s, BigQuery::FieldType::String, m_filters.userId));
        }
        if (m_filters.sinceMicros) {
            conditions.append(backticked(m_table.timeColumn) + u" >= @aq_since"_s);
            parameters.append(BigQuery::QueryParameter::scalar(u"aq_since"_s, BigQuery::FieldType::Timestamp, Time::formatRfc3339(*m_filters.sinceMicros)));
        }
        if (m_filters.untilMicros) {
            conditions.append(backticked(m_table.timeColumn) + u" < @aq_until"_s);
            parameters.append(BigQuery::QueryParameter::scalar(u"aq_until"_s, BigQuery::FieldType::Timestamp, Time::formatRfc3339(*m_filters.untilMicros)));
        }
        if (m_pin && pin == Pin::Whole) {
            conditions.append(m_order.keyCondition(*m_pin, Bound::OlderOrSame, u"aq_pin"_s, parameters));
        } else if (m_pin && pin == Pin::FirstOnly) {
            const SortColumn first = sortColumns().first();
            conditions.append(first.expression + u" <= @aq_pin0"_s);
            parameters.append(BigQuery::QueryParameter::scalar(u"aq_pin0"_s, first.parameterType, m_pin->value(0)));
        }
        return conditions.join(u" AND "_s);
    }

    BigQuery::QueryRequest RowQuery::request(const QString &select, const QString &extraCondition, QList<BigQuery::QueryParameter> parameters,
                                             const QString &tail, Pin pin) const
    {
        QString where = whereClause(parameters, pin);
        if (!extraCondition.isEmpty())
            where = where.isEmpty() ? extraCondition : where + u" AND "_s + extraCondition;
        BigQuery::QueryRequest request;
        request.sql = u"SELECT %1 FROM %2"_s.arg(select, m_table.qualifiedName());
        if (!where.isEmpty())
            request.sql += u" WHERE "_s + where;
        request.sql += tail;
        request.parameters = std::move(parameters);
        return request;
    }

    BigQuery::QueryRequest RowQuery::countRequest() const
    {
        BigQuery::QueryRequest r = request(u"COUNT(*) AS row_count"_s, {}, {}, {});
        r.pageSize = 1;
        return r;
    }

    std::optional<std::pair<BigQuery::QueryRequest, BigQuery::QueryRequest>> RowQuery::splitCountRequests() const
    {
        const QList<SortColumn> columns = sortColumns();
        if (!m_pin || columns.size() < 2 || !columns.first().plainColumn)
            return std::nullopt;
        BigQuery::QueryRequest upTo = request(u"COUNT(*) AS row_count"_s, {}, {}, {}, Pin::FirstOnly);
        upTo.pageSize = 1;
        // Ties with the pin's first value that are newer than the pin: counted above, not part of the snapshot.
        QList<BigQuery::QueryParameter> parameters;
        const QString newer = m_order.keyCondition(*m_pin, Bound::Newer, u"aq_key"_s, parameters);
        BigQuery::QueryRequest ties = request(u"COUNT(*) AS row_count"_s, columns.first().expression + u" = @aq_key0 AND "_s + newer, parameters, {}, Pin::FirstOnly);
        ties.pageSize = 1;
        return std::make_pair(upTo, ties);
    }

    std::optional<BigQuery::QueryRequest> RowQuery::positionWindowRequest(qint64 offset, int before, int after) const
    {
        const QList<SortColumn> columns = sortColumns();
        if (columns.isEmpty() || !columns.first().plainColumn || before < 0 || before > offset || after < 0)
            return std::nullopt;
        const QString &first = columns.first().expression;
        BigQuery::QueryRequest r = request(first, {}, {}, u" ORDER BY %1 DESC LIMIT %2 OFFSET %3"_s.arg(first).arg(before + 1 + after).arg(offset - before),
                                           Pin::FirstOnly);
        r.pageSize = before + 1 + after;
        return r;
    }

    BigQuery::QueryRequest RowQuery::positionWindowFromEndRequest(qint64 fromEnd, int rows) const
    {
        const QString first = sortColumns().value(0).expression;
        BigQuery::QueryRequest r = request(first, {}, {}, u" ORDER BY %1 LIMIT %2 OFFSET %3"_s.arg(first).arg(rows).arg(fromEnd), Pin::FirstOnly);
        r.pageSize = rows;
        return r;
    }

    QString RowQuery::positionValueText(const QVariant &value) const
    {
        const QList<SortColumn> columns = sortColumns();
        if (columns.isEmpty())
            return {};
        QVariantList row(m_table.schema.fields.size());
        row[columns.first().fieldIndex] = value;
        return sortKeyOf(row).value(0);
    }

    BigQuery::QueryRequest RowQuery::countAboveRequest(const QString &value) const
    {
        const SortColumn first = sortColumns().value(0);
        BigQuery::QueryRequest r = request(u"COUNT(*) AS row_count"_s, first.expression + u" > @aq_at"_s, {BigQuery::QueryParameter::scalar(u"aq_at"_s, first.parameterType, value)}, {});
        r.pageSize = 1;
        return r;
    }

    BigQuery::QueryRequest RowQuery::pageFromRequest(const QString &value, qint64 skip, int limit) const
    {
        const SortColumn first = sortColumns().value(0);
        QString tail = m_order.orderBy(Direction::NewestFirst) + u" LIMIT %1"_s.arg(limit);
        if (skip > 0)
            tail += u" OFFSET %1"_s.arg(skip);
        // Below the pin's own value the pin excludes nothing; at it, it keeps out ties that came later.
        const Pin pin = m_pin && m_pin->value(0) == value ? Pin::Whole : Pin::Implied;
        BigQuery::QueryRequest r = request(selectList(), first.expression + u" <= @aq_at"_s, {BigQuery::QueryParameter::scalar(u"aq_at"_s, first.parameterType, value)}, tail, pin);
        r.pageSize = qMax(1, limit);
        return r;
    }

    BigQuery::QueryRequest RowQuery::countNewerRequest(const SortKey &key) const
    {
        QList<BigQuery::QueryParameter> parameters;
        const QString newer = m_order.keyCondition(key, Bound::Newer, u"aq_key"_s, parameters);
        BigQuery::QueryRequest r = request(u"COUNT(*) AS row_count"_s, newer, parameters, {});
        r.pageSize = 1;
        return r;
    }

    BigQuery::QueryRequest RowQuery::pageRequest(qint64 offset, int limit) const
    {
        QString tail = m_order.orderBy(Direction::NewestFirst) + u" LIMIT %1"_s.arg(limit);
        if (offset > 0)
            tail += u" OFFSET %1"_s.arg(offset);
        BigQuery::QueryRequest r = request(selectList(), {}, {}, tail);
        r.pageSize = qMax(1, limit);
        return r;
    }

    BigQuery::QueryRequest RowQuery::pageAfterRequest(const SortKey &key, int limit) const
    {
        QList<BigQuery::QueryParameter> parameters;
        const QString after = m_order.keyCondition(key, Bound::Older, u"aq_key"_s, parameters);
        // A row after `key`, a row of the snapshot, is in the snapshot.
        BigQuery::QueryRequest r = request(selectList(), after, parameters, m_order.orderBy(Direction::NewestFirst) + u" LIMIT %1"_s.arg(limit), Pin::Implied);
        r.pageSize = qMax(1, limit);
        return r;
    }

    BigQuery::QueryRequest RowQuery::pageBeforeRequest(const SortKey &key, int limit) const
    {
        QList<BigQuery::QueryParameter> parameters;
        const QString before = m_order.keyCondition(key, Bound::Newer, u"aq_key"_s, parameters);
        BigQuery::QueryRequest r = request(selectList(), before, parameters, m_order.orderBy(Direction::OldestFirst) + u" LIMIT %1"_s.arg(limit));
        r.pageSize = qMax(1, limit);
        return r;
    }

    QString RowQuery::explainError(const QString &serverMessage) const
    {
        if (m_filters.where.trimmed().isEmpty())
            return serverMessage;
        // The clause starts on line 2 of the query and ends on line 1 + its own line count.
        const int lastLine = 1 + int(m_filters.where.count(u'\n')) + 1;
        static const QRegularExpression position(u"at \\[(\\d+):(\\d+)\\]"_s);
        QString message = serverMessage;
        QRegularExpressionMatch match = position.match(message);
        if (!match.hasMatch())
            return message;
        const int line = match.captured(1).toInt();
        if (line < 2 || line > lastLine)
            return message;
        const QString mapped = u"at [%1:%2] in the WHERE clause"_s.arg(line - 1).arg(match.captured(2));
        message.replace(match.capturedStart(), match.capturedLength(), mapped);
        return message;
    }
}
