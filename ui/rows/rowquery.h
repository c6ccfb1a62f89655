#pragma once

#include <optional>

#include <QList>
#include <QString>
#include <QStringList>
#include <QVariantList>

#include "core/bigquery/bigquerytypes.h"
#include "core/bigquery/newestfirstquery.h"
#include "core/common/result.h"
#include "ui/rows/rowstable.h"

namespace Aq::Ui
{
    // What the filter bar asks for. Every value but `where` travels as a query parameter, never in the SQL text.
    struct RowFilters
    {
        QString eventType;                  // empty: any
        QString userId;                     // empty: any
        std::optional<qint64> sinceMicros;  // inclusive
        std::optional<qint64> untilMicros;  // exclusive
        QString where;                      // a condition in the local cloud's SQL subset (docs/SQL.md); empty: none

        bool isEmpty() const;
        bool operator==(const RowFilters &other) const = default;
    };

    // A free WHERE condition goes into the SQL text as written, inside parentheses on lines of its own. It is the
    // user's own query on their own table, but the text must stay one condition: refused are ';' outside string
    // literals (a second statement), parentheses that close what they did not open or stay open, and unclosed
    // string literals, quoted names or comments (they would swallow the rest of the query). The server checks
    // everything else and its message is shown as it is.
    Status validateWhereClause(const QString &text);

    // One position in the "newest first" order: the sort columns' values as query parameter text (TIMESTAMP as
    // RFC 3339, the key as its text), in RowsTable's sort order.
    using SortKey = QStringList;

    // The SQL of the Rows page for one table and one set of filters: newest first, keyset-paged like GET /events,
    // in the order and with the keyset conditions of BigQuery::NewestFirstQuery.
    //
    // A snapshot pin (the first row of the newest page when the browse started) keeps rows that arrive later out
    // of every query, so the count, OFFSET pages and keyset pages of one browse agree while rows stream in.
    class RowQuery
    {
    public:
        RowQuery() = default;
        RowQuery(RowsTable table, RowFilters filters);

        // The table's descriptor and the filters, checked before anything is sent.
        Status validate() const;

        const RowsTable &table() const { return m_table; }
        const RowFilters &filters() const { return m_filters; }
        void setPin(std::optional<SortKey> pin) { m_pin = std::move(pin); }
        const std::optional<SortKey> &pin() const { return m_pin; }

        // The sort key of a row whose values are in the table's column order (as the page queries select them).
        SortKey sortKeyOf(const QVariantList &row) const;

        // SELECT COUNT(*) under the filters and the pin.
        BigQuery::QueryRequest countRequest() const;
        // The same count as two cheaper ones, when the first sort column is a plain (indexed) column: the rows up
        // to the pin's value of that column (a range of its index), and, to subtract, the rows with that very value
        // that are newer than the pin (a few ties). Nullopt when there is no pin or no such column.
        std::optional<std::pair<BigQuery::QueryRequest, BigQuery::QueryRequest>> splitCountRequests() const;
        // SELECT COUNT(*) of the rows newer than `key` (strictly before it in the order), under filters and pin.
        BigQuery::QueryRequest countNewerRequest(const SortKey &key) const;
        // Newest first from row `offset` (LIMIT/OFFSET: for a jump to a far position).
        BigQuery::QueryRequest pageRequest(qint64 offset, int limit) const;
        // The `limit` rows right after `key` (older), newest first.
        BigQuery::QueryRequest pageAfterRequest(const SortKey &key, int limit) const;
        // The `limit` rows right before `key` (newer), OLDEST FIRST: the caller reverses them.
        BigQuery::QueryRequest pageBeforeRequest(const SortKey &key, int limit) const;

        // A jump to a far position without sorting everything above it (LIMIT/OFFSET over the whole order makes
        // SQLite sort every skipped row): first the values of the first sort column alone from row
        // offset - before to row offset + after, which its index answers; then the page from the value at
        // `offset`, skipping the rows before it that share that value. Nullopt when the first sort column is not
        // plain. Under a pin, only the pin's first value bounds the window (testing the whole pin on every row
        // skipped costs twice as much): rows with that value that are newer than the pin come first in it, as
        // many as splitCountRequests()->second counts, and shift every position by that much.
        std::optional<BigQuery::QueryRequest> positionWindowRequest(qint64 offset, int before, int after = 0) const;
        // The same values counted from the oldest row: `rows` of them from row `fromEnd` (0: the oldest) up, OLDEST
        // FIRST (the caller reverses them). For a far jump into the older half of the table.
        BigQuery::QueryRequest positionWindowFromEndRequest(qint64 fromEnd, int rows) const;
        // The first sort column's value of a row of positionWindowRequest, as parameter text.
        QString positionValueText(const QVariant &value) const;
        // COUNT(*) of the rows whose first sort column is above `value` (when the window is all ties).
        BigQuery::QueryRequest countAboveRequest(const QString &value) const;
        // Newest first from the first row whose first sort column is at or below `value`, skipping `skip` rows.
        BigQuery::QueryRequest pageFromRequest(const QString &value, qint64 skip, int limit) const;

        // The server's message for a failed query, with a position inside the WHERE clause ("at [2:7]" in the
        // whole query) given in the clause's own lines ("at [1:7] in the WHERE clause").
        QString explainError(const QString &serverMessage) const;

    private:
        using Direction = BigQuery::NewestFirstQuery::Direction;
        using Bound = BigQuery::NewestFirstQuery::Bound;
        using SortColumn = BigQuery::NewestFirstQuery::Column;

        const QList<SortColumn> &sortColumns() const { return m_order.columns(); }
        QString selectList() const;
        // The conditions, the WHERE clause first (so that it starts on line 2: see explainError), and their
        // parameters.
        enum class Pin
        {
            Whole,       // at or after the pin in the full order
            FirstOnly,   // the first sort column at or below the pin's value
            Implied,     // none: the other conditions keep to the snapshot. A second upper bound on the first
                         // sort column would make SQLite start its index range at the pin, not at the anchor.
        };
        QString whereClause(QList<BigQuery::QueryParameter> &parameters, Pin pin = Pin::Whole) const;
        BigQuery::QueryRequest request(const QString &select, const QString &extraCondition, QList<BigQuery::QueryParameter> parameters,
                                       const QString &tail, Pin pin = Pin::Whole) const;

        RowsTable m_table;
        RowFilters m_filters;
        BigQuery::NewestFirstQuery m_order;
        std::optional<SortKey> m_pin;
    };
}
