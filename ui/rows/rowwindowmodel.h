#pragma once

#include <functional>
#include <optional>
#include <unordered_map>
#include <vector>

#include <QAbstractTableModel>
#include <QElapsedTimer>
#include <QPointer>
#include <QSet>
#include <QTimer>

#include "core/bigquery/bigquerytypes.h"
#include "core/common/result.h"
#include "ui/rows/rowformat.h"
#include "ui/rows/rowquery.h"
#include "ui/rows/rowstable.h"

namespace Aq::BigQuery
{
    class BigQueryClient;
}

namespace Aq::Ui
{
    // A window over the whole (filtered) table, newest first. It knows the full row count (the table's numRows
    // from tables.get when nothing filters it, else a COUNT(*)), and
    // holds only pages of rows around the viewport: a page missing from the view is fetched by a keyset query
    // from a loaded neighbour when there is one (as cheap deep as at the top), by LIMIT/OFFSET for a jump to a far
    // position, and pages far from the viewport are evicted, so memory stays bounded at any scroll position.
    // Rows not loaded yet read "…" until their page arrives (one dataChanged per request).
    //
    // It talks to BigQuery only through the core client, asynchronously. Replies that belong to an older browse
    // (filters changed, reload, refresh) are ignored. The first row of the first page pins the browse: rows that
    // arrive later stay out of every query until refresh(), which counts them and inserts them at the top.
    class RowWindowModel final : public QAbstractTableModel
    {
        Q_OBJECT

    public:
        enum class State
        {
            Detached,   // no client or no schema yet
            Loading,    // the first page or the count is on its way
            Ready,
            Failed,     // errorMessage() says why (the server's message for a bad WHERE clause)
        };

        enum Role
        {
            RowValuesRole = Qt::UserRole + 1,   // QVariantList of the row's decoded cells; invalid when not loaded
            CellValueRole,                      // the decoded cell (rowdecoder.h types)
            LoadedRole,                         // bool
        };

        static constexpr int DefaultPageSize = 200;
        static constexpr int DefaultMaxLoadedPages = 20;
        // Beyond this the view's pixel positions (int) would overflow; the status line says so.
        static constexpr int MaxRows = 50'000'000;

        explicit RowWindowModel(QObject *parent = nullptr);
        RowWindowModel(BigQuery::BigQueryClient *client, const RowsTable &table, QObject *parent = nullptr);
        ~RowWindowModel() override;

        // Each of these starts a new browse (when there is a client and a schema).
        void setClient(BigQuery::BigQueryClient *client);
        BigQuery::BigQueryClient *client() const;
        void setTable(const RowsTable &table);
        const RowsTable &table() const { return m_table; }
        // Refused (and nothing changes) when the filters cannot make a query: see RowQuery::validate.
        Status setFilters(const RowFilters &filters);
        const RowFilters &filters() const { return m_filters; }

        void setTimeDisplay(TimeDisplay display);
        TimeDisplay timeDisplay() const { return m_timeDisplay; }
        void setPageSize(int rows);
        int pageSize() const { return m_pageSize; }
        void setMaxLoadedPages(int pages);
        int maxLoadedPages() const { return m_maxLoadedPages; }

        // Drops every page and starts again from the top.
        void reload();
        // New rows: counts again and reloads the top. Rows that came only at the top are inserted there and the
        // loaded pages stay; anything else (rows that arrived inside the window) starts a new browse.
        void refresh();
        // The rows the view shows (inclusive); pages around them are fetched, far ones evicted.
        void setViewport(int firstRow, int lastRow);

        State state() const { return m_state; }
        QString errorMessage() const { return m_errorMessage; }
        bool isCountKnown() const { return m_countKnown; }
        // The count of the whole result; rowCount() stops at MaxRows.
        qint64 totalRows() const { return m_totalRows; }
        bool isRowLoaded(int row) const;
        QVariantList rowValues(int row) const;             // empty when not loaded
        QString cellText(int row, int column) const;        // the full display text; empty when not loaded
        int loadedPageCount() const { return int(m_pages.size()); }
        int requestsInFlight() const { return m_requestsInFlight; }
        // Milliseconds of the last query answered (page or count), as the status line shows it.
        qint64 lastQueryMs() const { return m_lastQueryMs; }
        // The query of this browse, pinned: what an export pages through.
        const RowQuery &currentQuery() const { return m_query; }

        int rowCount(const QModelIndex &parent = {}) const override;
        int columnCount(const QModelIndex &parent = {}) const override;
        QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
        QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    signals:
        void stateChanged(Aq::Ui::RowWindowModel::State state);
        // The count is known (after a load or a refresh).
        void countChanged(qint64 totalRows);
        // A page or a count came back, `elapsedMs` after it was asked for.
        void queryFinished(qint64 elapsedMs);
        // A query failed (the server's message), or, with an empty message, the failure is over.
        void errorOccurred(const QString &message);
        // refresh() inserted `count` new rows at the top.
        void rowsArrivedAtTop(int count);

    private:
        struct Page
        {
            QList<QVariantList> rows;
            // Display texts, built on first use (Wireshark's lazy column strings); stale when textVersion differs.
            mutable std::vector<QString> texts;
            mutable std::vector<char> built;
            mutable int textVersion = -1;
        };

        enum class Anchor
        {
            After,    // keyset: the rows after the last row of the page before
            Before,   // keyset: the rows before the first row of the page after
            Offset,   // LIMIT/OFFSET
        };

        using PageCallback = std::function<void(Result<BigQuery::QueryPage>)>;

        void runQuery(const BigQuery::QueryRequest &request, int wantedRows, PageCallback done);
        void collectRows(BigQuery::QueryPage page, int wantedRows, quint64 generation, PageCallback done);
        void handleTopPage(Result<BigQuery::QueryPage> page);
        // The rows of the browse (under its pin): from tables.get when nothing filters them, else by COUNT(*).
        void countRows(const RowQuery &query, std::function<void(Result<qint64>)> done);
        void countFromTableInfo(const RowQuery &query, int tries, std::function<void(Result<qint64>)> done);
        void countByQuery(const RowQuery &query, std::function<void(Result<qint64>)> done);
        void handleCount(Result<qint64> total);
        void refreshFailed(const QString &message);
        void refreshCounted(const RowQuery &fresh, const QList<QVariantList> &top, qint64 total, qint64 newer);
        // `newer` rows came at the top (0: none), or, when negative, the table changed elsewhere: a new browse.
        void applyRefresh(const RowQuery &fresh, const QList<QVariantList> &top, qint64 total, qint64 newer);
        void handleRun(qint64 firstPage, qint64 lastPage, Anchor anchor, Result<BigQuery::QueryPage> page);
        void fetchByPosition(qint64 firstPage, qint64 lastPage, int wanted);
        // The page at `offset`, from a window of the first sort column's values (newest first) in which the
        // target row is at `target`.
        void seekInWindow(const QList<QVariantList> &values, qint64 target, qint64 offset, int wanted, PageCallback done);
        void dispatchFetches();
        bool dispatchOne(qint64 firstWanted, qint64 lastWanted, qint64 focusPage);
        void scheduleFetch() const;
        void evict();
        void fail(const QString &message);
        void setState(State state);
        void newGeneration();
        void clearRows();   // inside begin/endResetModel
        void storePage(qint64 page, QList<QVariantList> rows);
        void setTotalRows(qint64 total);

        qint64 pageOf(int row) const;
        int pageStart(qint64 page) const;
        int pageEnd(qint64 page) const;   // exclusive
        const Page *pageFor(int row) const;
        QString displayText(const Page &page, int rowInPage, int column) const;

        QPointer<BigQuery::BigQueryClient> m_client;
        RowsTable m_table;
        RowFilters m_filters;
        RowQuery m_query;
        TimeDisplay m_timeDisplay = TimeDisplay::Utc;
        int m_textVersion = 0;
        int m_pageSize = DefaultPageSize;
        int m_maxLoadedPages = DefaultMaxLoadedPages;

        std::unordered_map<qint64, Page> m_pages;   // by page number: page p holds rows [m_base + p * size, ...)
        QSet<qint64> m_pagesInFlight;
        QSet<qint64> m_offsetOnly;                  // keyset from a neighbour came back short: ask by position
        mutable QSet<qint64> m_demandedPages;       // data() of rows outside the viewport hint
        qint64 m_base = 0;
        int m_rowCount = 0;
        qint64 m_totalRows = 0;
        bool m_countKnown = false;
        bool m_awaitingTop = false;
        bool m_refreshing = false;
        quint64 m_generation = 0;
        int m_requestsInFlight = 0;
        int m_notFoundRetries = 0;

        State m_state = State::Detached;
        QString m_errorMessage;
        qint64 m_lastQueryMs = -1;

        int m_viewFirst = 0;
        int m_viewLast = -1;
        QElapsedTimer m_viewportMoved;
        QElapsedTimer m_sinceFailure;
        mutable QTimer m_fetchTimer;
    };
}
