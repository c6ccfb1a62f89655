#include "ui/rows/rowwindowmodel.h"

#include <algorithm>
#include <memory>

#include <QGuiApplication>
#include <QPalette>

#include "core/bigquery/bigqueryclient.h"
#include "core/bigquery/cellformat.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Ui
{
    namespace
    {
        // Two requests at a time: enough to fetch a neighbour while a jump is answered, few enough that a
        // scrollbar dragged across a million rows does not queue a request per position it passes.
        constexpr int MaxRequestsInFlight = 2;
        constexpr int MaxPagesPerRequest = 4;
        // A LIMIT/OFFSET jump waits until the viewport has rested this long: dragging the scrollbar asks nothing.
        constexpr int SettleMs = 60;
        constexpr int RetryDelayMs = 2000;
        constexpr int NotFoundRetryMs = 3000;
        constexpr int MaxNotFoundRetries = 100;
        constexpr int MaxDisplayChars = 300;
        // A jump at least this far from the top finds its place by the first sort column's index (fetchByPosition);
        // the window of that column's values read before the target row finds where the target's ties begin.
        constexpr int FarOffset = 2000;
        constexpr int PositionWindow = 1000;
        constexpr int PositionSlack = 50;
        // More new rows than this at one refresh start a new browse rather than being inserted.
        constexpr int MaxRowsArrivingAtOnce = 20000;
        // Tries at counting the whole table from tables.get while rows keep arriving (countFromTableInfo).
        constexpr int MaxTableInfoCounts = 3;
        constexpr int MaxToolTipChars = 2000;
        const QString PLACEHOLDER = u"\u2026"_s;

        qint64 floorDiv(qint64 a, qint64 b)
        {
            qint64 q = a / b;
            if ((a % b != 0) && ((a < 0) != (b < 0)))
                --q;
            return q;
        }

        bool isNumeric(BigQuery::FieldType type)
        {
            switch (type) {
            case BigQuery::FieldType::Int64:
            case BigQuery::FieldType::Float64:
            case BigQuery::FieldType::Numeric:
            case BigQuery::FieldType::BigNumeric:
                return true;
            default:
                return false;
            }
        }

        QString oneLine(QString text)
        {
            if (text.size() > MaxDisplayChars) {
                text.truncate(MaxDisplayChars);
                text += PLACEHOLDER;
            }
            for (QChar &c : text) {
                if (c == u'\n' || c == u'\r' || c == u'\t')
                    c = u' ';
            }
            return text;
        }
    }

    RowWindowModel::RowWindowModel(QObject *parent)
        : QAbstractTableModel(parent)
    {
        m_fetchTimer.setSingleShot(true);
        m_fetchTimer.setInterval(0);
        connect(&m_fetchTimer, &QTimer::timeout, this, &RowWindowModel::dispatchFetches);
        m_viewportMoved.start();
    }

    RowWindowModel::RowWindowModel(BigQuery::BigQueryClient *client, const RowsTable &table, QObject *parent)
        : RowWindowModel(parent)
    {
        m_client = client;
        m_table = table;
        reload();
    }

    RowWindowModel::~RowWindowModel() = default;

    void RowWindowModel::setClient(BigQuery::BigQueryClient *client)
    {
        m_client = client;
        reload();
    }

    BigQuery::BigQueryClient *RowWindowModel::client() const
    {
        return m_client.data();
    }

    void RowWindowModel::setTable(const RowsTable &table)
    {
        // The columns change: the view must forget everything now, not when the first page arrives.
        beginResetModel();
        newGeneration();
        m_table = table;
        clearRows();
        m_query = RowQuery();
        endResetModel();
        reload();
    }

    Status RowWindowModel::setFilters(const RowFilters &filters)
    {
        if (m_table.hasSchema()) {
            if (Status valid = RowQuery(m_table, filters).validate(); !valid)
                return valid;
        } else if (Status valid = validateWhereClause(filters.where); !valid) {
            return valid;
        }
        m_filters = filters;
        reload();
        return Ok {};
    }

    void RowWindowModel::setTimeDisplay(TimeDisplay display)
    {
        if (display == m_timeDisplay)
            return;
        m_timeDisplay = display;
        ++m_textVersion;   // every cached text is stale, in O(1)
        if (m_rowCount > 0 && columnCount() > 0)
            emit dataChanged(index(0, 0), index(m_rowCount - 1, columnCount() - 1), {Qt::DisplayRole, Qt::ToolTipRole});
        emit headerDataChanged(Qt::Horizontal, 0, columnCount() - 1);
    }

    void RowWindowModel::setPageSize(int rows)
    {
        rows = qBound(10, rows, 10000);
        if (rows == m_pageSize)
            return;
        m_pageSize = rows;
        reload();
    }

    void RowWindowModel::setMaxLoadedPages(int pages)
    {
        m_maxLoadedPages = qMax(2, pages);
        evict();
    }

    void RowWindowModel::newGeneration()
    {
        ++m_generation;
        m_requestsInFlight = 0;
        m_pagesInFlight.clear();
        m_offsetOnly.clear();
        m_demandedPages.clear();
        m_awaitingTop = false;
        m_refreshing = false;
        m_sinceFailure.invalidate();
    }

    void RowWindowModel::clearRows()
    {
        m_pages.clear();
        m_base = 0;
        m_rowCount = 0;
        m_totalRows = 0;
        m_countKnown = false;
    }

    void RowWindowModel::reload()
    {
        newGeneration();
        // The last error stays (and on screen) until this browse succeeds or fails in its turn.
        if (!m_client || !m_table.hasSchema()) {
            if (!m_errorMessage.isEmpty()) {
                m_errorMessage.clear();
                emit errorOccurred(QString());
            }
            beginResetModel();
            clearRows();
            m_query = RowQuery();
            endResetModel();
            setState(State::Detached);
            return;
        }
        m_query = RowQuery(m_table, m_filters);
        if (Status valid = m_query.validate(); !valid)
            return fail(valid.error().message);
        // The rows of the previous browse stay on screen until the first page of this one arrives.
        m_awaitingTop = true;
        setState(State::Loading);
        runQuery(m_query.pageRequest(0, m_pageSize), m_pageSize, [this](Result<BigQuery::QueryPage> page) { handleTopPage(std::move(page)); });
    }

    void RowWindowModel::runQuery(const BigQuery::QueryRequest &request, int wantedRows, PageCallback done)
    {
        if (!m_client)
            return;   // the connection went away: setClient() starts a new browse
        const quint64 generation = m_generation;
        auto clock = std::make_shared<QElapsedTimer>();
        clock->start();
        ++m_requestsInFlight;
        m_client->query(request, this, [this, generation, clock, wantedRows, done = std::move(done)](Result<BigQuery::QueryPage> page) {
            if (generation != m_generation)
                return;   // stale: the filters changed, or a reload or refresh started since
            if (!page || page->rows.size() >= wantedRows || !page->hasMore() || !m_client) {
                --m_requestsInFlight;
                m_lastQueryMs = clock->elapsed();
                emit queryFinished(m_lastQueryMs);
                return done(std::move(page));
            }
            // A reply is capped at about 10 MB: wide rows may need more than one.
            collectRows(std::move(page.value()), wantedRows, generation, [this, clock, done](Result<BigQuery::QueryPage> all) {
                --m_requestsInFlight;
                m_lastQueryMs = clock->elapsed();
                emit queryFinished(m_lastQueryMs);
                done(std::move(all));
            });
        });
    }

    void RowWindowModel::collectRows(BigQuery::QueryPage page, int wantedRows, quint64 generation, PageCallback done)
    {
        const int missing = wantedRows - int(page.rows.size());
        m_client->nextQueryPage(page, missing, this, [this, page, wantedRows, generation, done](Result<BigQuery::QueryPage> next) mutable {
            if (generation != m_generation)
                return;
            if (!next)
                return done(next.error());
            page.rows += next->rows;
            page.pageToken = next->pageToken;
            page.job = next->job;
            if (page.rows.size() >= wantedRows || !page.hasMore() || next->rows.isEmpty() || !m_client)
                return done(std::move(page));
            collectRows(std::move(page), wantedRows, generation, done);
        });
    }

    void RowWindowModel::handleTopPage(Result<BigQuery::QueryPage> page)
    {
        m_awaitingTop = false;
        if (!page) {
            fail(m_query.explainError(page.error().message));
            // A table not created yet (the console starts before its pipeline has made it): look again soon.
            if (page.error().httpStatus == 404 && m_notFoundRetries++ < MaxNotFoundRetries) {
                QTimer::singleShot(NotFoundRetryMs, this, [this, generation = m_generation] {
                    if (generation == m_generation && m_state == State::Failed)
                        reload();
                });
            }
            return;
        }
        m_notFoundRetries = 0;
        if (!m_errorMessage.isEmpty()) {
            m_errorMessage.clear();
            emit errorOccurred(QString());
        }
        QList<QVariantList> rows = std::move(page->rows);
        if (rows.size() > m_pageSize)
            rows.resize(m_pageSize);
        beginResetModel();
        m_pages.clear();
        m_base = 0;
        m_query.setPin(rows.isEmpty() ? std::nullopt : std::optional<SortKey>(m_query.sortKeyOf(rows.first())));
        m_rowCount = int(rows.size());
        m_totalRows = rows.size();
        m_countKnown = rows.size() < m_pageSize;
        if (!rows.isEmpty())
            storePage(0, std::move(rows));
        endResetModel();
        if (m_countKnown) {
            setState(State::Ready);
            emit countChanged(m_totalRows);
        } else {
            countRows(m_query, [this](Result<qint64> count) { handleCount(std::move(count)); });
        }
        scheduleFetch();
    }

    void RowWindowModel::countRows(const RowQuery &query, std::function<void(Result<qint64>)> done)
    {
        const RowsTable &table = query.table();
        if (query.filters().isEmpty() && query.pin() && m_client && (table.project.isEmpty() || table.project == m_client->project()))
            return countFromTableInfo(query, MaxTableInfoCounts, std::move(done));
        countByQuery(query, std::move(done));
    }

    void RowWindowModel::countFromTableInfo(const RowQuery &query, int tries, std::function<void(Result<qint64>)> done)
    {
        // The whole table's count is metadata (tables.get's numRows: O(1) in the local cloud), less the rows newer
        // than the pin, which came after the browse began: a short range at the top of the index. Those are
        // counted before and after tables.get; rows only ever arrive, so the same number twice means none came
        // in between and the difference is exact. Otherwise try again, and in the end count with a query.
        // Counted without the pin: under it, nothing is newer than the pin.
        RowQuery unpinned = query;
        unpinned.setPin(std::nullopt);
        auto newer = [this, unpinned, pin = *query.pin()](std::function<void(Result<qint64>)> then) {
            runQuery(unpinned.countNewerRequest(pin), 1, [then](Result<BigQuery::QueryPage> page) {
                if (!page)
                    return then(page.error());
                then(page->rows.isEmpty() ? 0 : page->rows.first().value(0).toLongLong());
            });
        };
        newer([this, query, tries, done, newer, generation = m_generation](Result<qint64> before) {
            if (!before)
                return done(before.error());
            if (!m_client)
                return;
            m_client->getTable(query.table().dataset, query.table().table, this, [=, this](Result<BigQuery::TableInfo> info) {
                if (generation != m_generation)
                    return;
                // On BigQuery, rows still in the streaming buffer are not in numRows, and estimatedRows is only
                // a lower bound: COUNT(*) then, which sees them.
                if (!info || info->hasStreamingBuffer)
                    return countByQuery(query, done);
                newer([=, this](Result<qint64> after) {
                    if (!after)
                        return done(after.error());
                    if (*after != *before)
                        return tries > 1 ? countFromTableInfo(query, tries - 1, done) : countByQuery(query, done);
                    done(qMax<qint64>(0, info->numRows - *after));
                });
            });
        });
    }

    void RowWindowModel::countByQuery(const RowQuery &query, std::function<void(Result<qint64>)> done)
    {
        auto value = [](const Result<BigQuery::QueryPage> &page) { return page->rows.isEmpty() ? 0 : page->rows.first().value(0).toLongLong(); };
        const auto split = query.splitCountRequests();
        if (!split) {
            return runQuery(query.countRequest(), 1, [value, done](Result<BigQuery::QueryPage> page) {
                if (!page)
                    return done(page.error());
                done(value(page));
            });
        }
        // Two range counts instead of one that tests the whole pin on every row (about 1.6 times faster).
        auto upTo = std::make_shared<std::optional<qint64>>();
        auto ties = std::make_shared<std::optional<qint64>>();
        auto failed = std::make_shared<bool>(false);
        auto counted = [upTo, ties, failed, value, done](Result<BigQuery::QueryPage> page, bool isUpTo) {
            if (*failed)
                return;
            if (!page) {
                *failed = true;
                return done(page.error());
            }
            (isUpTo ? *upTo : *ties) = value(page);
            if (*upTo && *ties)
                done(**upTo - **ties);
        };
        runQuery(split->first, 1, [counted](Result<BigQuery::QueryPage> page) { counted(std::move(page), true); });
        runQuery(split->second, 1, [counted](Result<BigQuery::QueryPage> page) { counted(std::move(page), false); });
    }

    void RowWindowModel::handleCount(Result<qint64> total)
    {
        if (!total)
            return fail(m_query.explainError(total.error().message));
        setTotalRows(*total);
        m_countKnown = true;
        setState(State::Ready);
        emit countChanged(m_totalRows);
        scheduleFetch();
    }

    void RowWindowModel::setTotalRows(qint64 total)
    {
        m_totalRows = total;
        const int rows = int(qMin<qint64>(total, MaxRows));
        if (rows > m_rowCount) {
            beginInsertRows({}, m_rowCount, rows - 1);
            m_rowCount = rows;
            endInsertRows();
        } else if (rows < m_rowCount) {
            beginRemoveRows({}, rows, m_rowCount - 1);
            m_rowCount = rows;
            for (auto it = m_pages.begin(); it != m_pages.end();) {
                if (pageEnd(it->first) - pageStart(it->first) != int(it->second.rows.size()))
                    it = m_pages.erase(it);
                else
                    ++it;
            }
            endRemoveRows();
        }
    }

    void RowWindowModel::refresh()
    {
        if (m_refreshing || m_awaitingTop || m_state == State::Loading)
            return;
        if (m_state != State::Ready || !m_countKnown || !m_query.pin() || !m_client)
            return reload();
        // Requests in flight would land where the rows were before the new ones: ask again after.
        newGeneration();
        m_refreshing = true;
        const SortKey oldPin = *m_query.pin();
        RowQuery fresh = m_query;
        fresh.setPin(std::nullopt);
        // 1. The newest rows, which pin the new snapshot: two pages, so that up to a page of new rows needs no
        // other query.
        runQuery(fresh.pageRequest(0, 2 * m_pageSize), 2 * m_pageSize, [this, fresh, oldPin](Result<BigQuery::QueryPage> top) mutable {
            if (!top)
                return refreshFailed(fresh.explainError(top.error().message));
            if (top->rows.isEmpty()) {
                m_refreshing = false;
                return reload();
            }
            QList<QVariantList> rows = std::move(top->rows);
            fresh.setPin(fresh.sortKeyOf(rows.first()));
            // 2. Both counts under the new pin: all rows, and those newer than the old top.
            auto total = std::make_shared<std::optional<qint64>>();
            auto newer = std::make_shared<std::optional<qint64>>();
            auto failed = std::make_shared<bool>(false);
            auto counted = [this, rows, total, newer, failed, fresh](Result<qint64> count, bool isTotal) {
                if (*failed)
                    return;
                if (!count) {
                    *failed = true;
                    return refreshFailed(fresh.explainError(count.error().message));
                }
                (isTotal ? *total : *newer) = *count;
                if (*total && *newer)
                    refreshCounted(fresh, rows, **total, **newer);
            };
            countRows(fresh, [counted](Result<qint64> c) { counted(std::move(c), true); });
            runQuery(fresh.countNewerRequest(oldPin), 1, [counted](Result<BigQuery::QueryPage> c) {
                if (!c)
                    return counted(c.error(), false);
                counted(c->rows.isEmpty() ? 0 : c->rows.first().value(0).toLongLong(), false);
            });
        });
    }

    void RowWindowModel::refreshFailed(const QString &message)
    {
        m_refreshing = false;
        m_errorMessage = message;
        emit errorOccurred(m_errorMessage);
        scheduleFetch();
    }

    void RowWindowModel::refreshCounted(const RowQuery &fresh, const QList<QVariantList> &top, qint64 total, qint64 newer)
    {
        const bool onlyAtTheTop = total == m_totalRows + newer && total <= MaxRows;
        // 3. Rows that came only at the top shift every loaded page down; the pages they reach (the new rows and
        // the page that held the old top) are filled from the newest rows, so no loaded row changes its text
        // while it moves. Those rows may be more than the first page holds: fetch them, up to a limit.
        const qint64 needed = newer + m_pageSize;
        if (onlyAtTheTop && newer > 0 && needed > top.size() && newer <= MaxRowsArrivingAtOnce) {
            return runQuery(fresh.pageRequest(0, int(needed)), int(needed), [this, fresh, total, newer](Result<BigQuery::QueryPage> page) {
                if (!page)
                    return refreshFailed(fresh.explainError(page.error().message));
                if (page->rows.size() < newer + m_pageSize && page->rows.size() < total)
                    return applyRefresh(fresh, page->rows, total, -1);   // the table moved again: start over from here
                applyRefresh(fresh, page->rows, total, newer);
            });
        }
        applyRefresh(fresh, top, total, onlyAtTheTop && needed <= top.size() ? newer : (onlyAtTheTop && newer == 0 ? 0 : -1));
    }

    void RowWindowModel::applyRefresh(const RowQuery &fresh, const QList<QVariantList> &top, qint64 total, qint64 newer)
    {
        m_refreshing = false;
        if (!m_errorMessage.isEmpty()) {
            m_errorMessage.clear();
            emit errorOccurred(QString());
        }
        if (newer > 0) {
            // Page numbers stay; the base moves. The old top page (maybe partial) now also spans new rows.
            const qint64 oldTop = pageOf(0);
            const bool oldTopLoaded = m_pages.count(oldTop);
            QList<qint64> later;
            beginInsertRows({}, 0, int(newer) - 1);
            m_base += newer;
            m_rowCount += int(newer);
            m_totalRows = total;
            m_query = fresh;
            // Pages of new rows, and the old top page if it was loaded, are filled from `top` now: no row that
            // was there before changes while it moves. Old rows that were not loaded are filled after, with
            // dataChanged.
            for (qint64 p = pageOf(0); pageStart(p) < m_rowCount; ++p) {
                const bool fits = pageEnd(p) <= top.size();
                if (p < oldTop || (p == oldTop && oldTopLoaded)) {
                    if (fits)
                        storePage(p, top.mid(pageStart(p), pageEnd(p) - pageStart(p)));
                    else
                        m_pages.erase(p);
                } else if (!fits) {
                    break;
                } else if (!m_pages.count(p)) {
                    later.append(p);
                }
            }
            endInsertRows();
            for (qint64 p : std::as_const(later))
                storePage(p, top.mid(pageStart(p), pageEnd(p) - pageStart(p)));
            if (!later.isEmpty())
                emit dataChanged(index(pageStart(later.first()), 0), index(pageEnd(later.last()) - 1, columnCount() - 1));
            emit rowsArrivedAtTop(int(newer));
        } else if (newer < 0) {
            // Rows arrived inside the window (events older than the top), or the count moved otherwise: this
            // snapshot starts a new browse, with the view kept where it is.
            beginResetModel();
            m_pages.clear();
            m_base = 0;
            m_query = fresh;
            m_totalRows = total;
            m_rowCount = int(qMin<qint64>(total, MaxRows));
            for (qint64 p = 0; pageEnd(p) <= top.size() && pageEnd(p) > pageStart(p); ++p)
                storePage(p, top.mid(pageStart(p), pageEnd(p) - pageStart(p)));
            endResetModel();
        } else {
            m_query = fresh;   // nothing new: the same rows under the newer pin
        }
        m_countKnown = true;
        setState(State::Ready);
        emit countChanged(m_totalRows);
        evict();
        scheduleFetch();
    }

    void RowWindowModel::setViewport(int firstRow, int lastRow)
    {
        if (firstRow == m_viewFirst && lastRow == m_viewLast)
            return;
        m_viewFirst = firstRow;
        m_viewLast = lastRow;
        m_viewportMoved.restart();
        scheduleFetch();
    }

    void RowWindowModel::scheduleFetch() const
    {
        if (!m_fetchTimer.isActive())
            m_fetchTimer.start(0);
    }

    void RowWindowModel::dispatchFetches()
    {
        if (m_awaitingTop || m_refreshing || !m_client || m_rowCount == 0 || m_state == State::Failed)
            return;
        if (m_sinceFailure.isValid() && m_sinceFailure.elapsed() < RetryDelayMs) {
            m_fetchTimer.start(int(RetryDelayMs - m_sinceFailure.elapsed()));
            return;
        }
        int first = m_viewFirst;
        int last = m_viewLast;
        if (last < first) {
            first = 0;
            last = qMin(m_rowCount, m_pageSize) - 1;
        }
        first = qBound(0, first, m_rowCount - 1);
        last = qBound(first, last, m_rowCount - 1);
        const int margin = m_pageSize / 2;
        const qint64 focus = pageOf(first);
        // The visible pages first, then a margin on each side, then what data() was asked for elsewhere.
        while (m_requestsInFlight < MaxRequestsInFlight && dispatchOne(pageOf(first), pageOf(last), focus)) {
        }
        while (m_requestsInFlight < MaxRequestsInFlight && dispatchOne(pageOf(qMax(0, first - margin)), pageOf(qMin(m_rowCount - 1, last + margin)), focus)) {
        }
        for (auto it = m_demandedPages.begin(); it != m_demandedPages.end() && m_requestsInFlight < MaxRequestsInFlight;) {
            const qint64 page = *it;
            it = m_demandedPages.erase(it);
            if (pageEnd(page) > pageStart(page))
                dispatchOne(page, page, page);
        }
    }

    bool RowWindowModel::dispatchOne(qint64 firstWanted, qint64 lastWanted, qint64 focusPage)
    {
        auto missing = [this](qint64 p) { return !m_pages.count(p) && !m_pagesInFlight.contains(p); };
        struct Run
        {
            qint64 first = 0;
            qint64 last = -1;
            Anchor anchor = Anchor::Offset;
            qint64 distance = 0;
        };
        std::optional<Run> best;
        for (qint64 s = firstWanted; s <= lastWanted; ++s) {
            if (!missing(s))
                continue;
            qint64 e = s;
            while (e + 1 <= lastWanted && missing(e + 1))
                ++e;
            Run run;
            const bool offsetOnly = m_offsetOnly.contains(s) || m_offsetOnly.contains(e);
            if (!offsetOnly && m_pages.count(s - 1) && pageStart(s) > 0) {
                run = {s, qMin(e, s + MaxPagesPerRequest - 1), Anchor::After};
            } else if (!offsetOnly && m_pages.count(e + 1) && pageEnd(e) < m_rowCount) {
                run = {qMax(s, e - MaxPagesPerRequest + 1), e, Anchor::Before};
            } else if (!offsetOnly && ((m_pagesInFlight.contains(s - 1) && pageStart(s) > 0) || (m_pagesInFlight.contains(e + 1) && pageEnd(e) < m_rowCount))) {
                s = e;   // a neighbour is on its way: the keyset query from it will be cheaper
                continue;
            } else {
                const qint64 c = qBound(s, focusPage, e);
                run = {c, qMin(e, c + MaxPagesPerRequest - 1), Anchor::Offset};
            }
            run.distance = focusPage < run.first ? run.first - focusPage : (focusPage > run.last ? focusPage - run.last : 0);
            if (!best || run.distance < best->distance)
                best = run;
            s = e;
        }
        if (!best)
            return false;
        if (best->anchor == Anchor::Offset && m_viewportMoved.elapsed() < SettleMs) {
            m_fetchTimer.start(int(SettleMs - m_viewportMoved.elapsed()) + 1);
            return false;
        }
        int wanted = 0;
        for (qint64 p = best->first; p <= best->last; ++p) {
            wanted += pageEnd(p) - pageStart(p);
            m_pagesInFlight.insert(p);
        }
        BigQuery::QueryRequest request;
        switch (best->anchor) {
        case Anchor::After: {
            const Page &before = m_pages.at(best->first - 1);
            request = m_query.pageAfterRequest(m_query.sortKeyOf(before.rows.last()), wanted);
            break;
        }
        case Anchor::Before: {
            const Page &after = m_pages.at(best->last + 1);
            request = m_query.pageBeforeRequest(m_query.sortKeyOf(after.rows.first()), wanted);
            break;
        }
        case Anchor::Offset:
            if (pageStart(best->first) >= FarOffset && m_query.positionWindowRequest(pageStart(best->first), PositionWindow)) {
                fetchByPosition(best->first, best->last, wanted);
                return true;
            }
            request = m_query.pageRequest(pageStart(best->first), wanted);
            break;
        }
        const Run run = *best;
        runQuery(request, wanted, [this, run](Result<BigQuery::QueryPage> page) { handleRun(run.first, run.last, run.anchor, std::move(page)); });
        return true;
    }

    void RowWindowModel::fetchByPosition(qint64 firstPage, qint64 lastPage, int wanted)
    {
        const qint64 offset = pageStart(firstPage);
        const int before = PositionWindow;
        auto done = [this, firstPage, lastPage](Result<BigQuery::QueryPage> page) { handleRun(firstPage, lastPage, Anchor::Offset, std::move(page)); };
        // 1. The first sort column's values around the target, from its index alone.
        const qint64 fromEnd = m_totalRows - 1 - offset;
        if (m_countKnown && fromEnd >= 0 && fromEnd < offset) {
            // In the older half, counted from the oldest row up: the index skips fewer entries. The rows that
            // share the pin's value but came after it are at the top, so they move no position counted from
            // the end.
            const qint64 low = qMax<qint64>(0, fromEnd - PositionSlack);
            const int rows = before + 1 + int(fromEnd - low);
            return runQuery(m_query.positionWindowFromEndRequest(low, rows), rows, [this, fromEnd, low, offset, wanted, done](Result<BigQuery::QueryPage> page) {
                if (!page)
                    return done(page.error());
                QList<QVariantList> values = std::move(page->rows);
                std::reverse(values.begin(), values.end());
                seekInWindow(values, values.size() - 1 - (fromEnd - low), offset, wanted, done);
            });
        }
        // From the top, under a pin, also how many rows share the pin's value but came after it: they lead the
        // window and shift it.
        const auto ties = m_query.splitCountRequests();
        auto window = std::make_shared<std::optional<BigQuery::QueryPage>>();
        auto shift = std::make_shared<std::optional<qint64>>(ties ? std::nullopt : std::optional<qint64>(0));
        auto failed = std::make_shared<bool>(false);
        auto located = [this, offset, before, wanted, window, shift, failed, done](Result<BigQuery::QueryPage> page, bool isWindow) {
            if (*failed)
                return;
            if (!page) {
                *failed = true;
                return done(page.error());
            }
            if (isWindow)
                *window = std::move(page.value());
            else
                *shift = page->rows.isEmpty() ? 0 : page->rows.first().value(0).toLongLong();
            if (*window && *shift)
                seekInWindow((*window)->rows, before + **shift, offset, wanted, done);
        };
        runQuery(*m_query.positionWindowRequest(offset, before, PositionSlack), before + 1 + PositionSlack,
                 [located](Result<BigQuery::QueryPage> page) { located(std::move(page), true); });
        if (ties)
            runQuery(ties->second, 1, [located](Result<BigQuery::QueryPage> page) { located(std::move(page), false); });
    }

    void RowWindowModel::seekInWindow(const QList<QVariantList> &values, qint64 target, qint64 offset, int wanted, PageCallback done)
    {
        if (target < 0 || target >= values.size())   // more late ties than the slack, or fewer rows than counted
            return runQuery(m_query.pageRequest(offset, wanted), wanted, done);
        auto pageFrom = [this, wanted, done](const QString &value, qint64 skip) { runQuery(m_query.pageFromRequest(value, skip, wanted), wanted, done); };
        const QString value = m_query.positionValueText(values[target].value(0));
        qint64 first = target;
        while (first > 0 && m_query.positionValueText(values[first - 1].value(0)) == value)
            --first;
        if (first > 0)
            return pageFrom(value, target - first);   // 2. The page, from the first row with that value.
        // The whole window shares the value: count the rows above it.
        runQuery(m_query.countAboveRequest(value), 1, [offset, value, done, pageFrom](Result<BigQuery::QueryPage> above) {
            if (!above)
                return done(above.error());
            pageFrom(value, offset - (above->rows.isEmpty() ? 0 : above->rows.first().value(0).toLongLong()));
        });
    }

    void RowWindowModel::handleRun(qint64 firstPage, qint64 lastPage, Anchor anchor, Result<BigQuery::QueryPage> page)
    {
        for (qint64 p = firstPage; p <= lastPage; ++p)
            m_pagesInFlight.remove(p);
        if (!page) {
            m_errorMessage = m_query.explainError(page.error().message);
            m_sinceFailure.start();
            emit errorOccurred(m_errorMessage);
            return scheduleFetch();
        }
        if (!m_errorMessage.isEmpty()) {
            m_errorMessage.clear();
            emit errorOccurred(QString());
        }
        QList<QVariantList> rows = std::move(page->rows);
        if (anchor == Anchor::Before)
            std::reverse(rows.begin(), rows.end());
        qint64 expected = 0;
        for (qint64 p = firstPage; p <= lastPage; ++p)
            expected += pageEnd(p) - pageStart(p);
        if (rows.size() > expected)
            rows.resize(expected);
        int stored = 0;
        int from = m_rowCount;
        int to = 0;
        const bool fromTheEnd = anchor == Anchor::Before && rows.size() < expected;
        qsizetype used = 0;
        for (qint64 i = 0; i <= lastPage - firstPage; ++i) {
            const qint64 p = fromTheEnd ? lastPage - i : firstPage + i;
            const int size = pageEnd(p) - pageStart(p);
            if (rows.size() - used < size) {
                // Fewer rows than the count says: the keyset neighbour and the position disagree (rows arrived
                // inside the window, or keys repeat). Ask by position; if that is short too, count again.
                if (anchor == Anchor::Offset) {
                    m_sinceFailure.start();
                    QTimer::singleShot(RetryDelayMs, this, [this, generation = m_generation] {
                        if (generation == m_generation)
                            refresh();
                    });
                    break;
                }
                for (qint64 q = p; fromTheEnd ? q >= firstPage : q <= lastPage; q += fromTheEnd ? -1 : 1)
                    m_offsetOnly.insert(q);
                break;
            }
            const qsizetype at = fromTheEnd ? rows.size() - used - size : used;
            if (!m_pages.count(p))
                storePage(p, rows.mid(at, size));
            m_offsetOnly.remove(p);
            used += size;
            ++stored;
            from = qMin(from, pageStart(p));
            to = qMax(to, pageEnd(p));
        }
        if (stored && to > from && columnCount() > 0)
            emit dataChanged(index(from, 0), index(to - 1, columnCount() - 1));
        evict();
        scheduleFetch();
    }

    void RowWindowModel::storePage(qint64 page, QList<QVariantList> rows)
    {
        Page &stored = m_pages[page];
        stored.rows = std::move(rows);
        stored.texts.clear();
        stored.built.clear();
        stored.textVersion = -1;
    }

    void RowWindowModel::evict()
    {
        if (int(m_pages.size()) <= m_maxLoadedPages)
            return;
        int first = qBound(0, m_viewFirst, qMax(0, m_rowCount - 1));
        int last = qBound(first, m_viewLast, qMax(0, m_rowCount - 1));
        const qint64 firstVisible = pageOf(first);
        const qint64 lastVisible = pageOf(last);
        std::vector<std::pair<qint64, qint64>> byDistance;   // (distance, page)
        for (const auto &[p, unused] : m_pages) {
            if (p >= firstVisible && p <= lastVisible)
                continue;
            byDistance.emplace_back(p < firstVisible ? firstVisible - p : p - lastVisible, p);
        }
        std::sort(byDistance.begin(), byDistance.end(), std::greater<>());
        for (const auto &[distance, p] : byDistance) {
            if (int(m_pages.size()) <= m_maxLoadedPages)
                break;
            m_pages.erase(p);
            const int from = pageStart(p);
            const int to = pageEnd(p);
            if (to > from && columnCount() > 0)
                emit dataChanged(index(from, 0), index(to - 1, columnCount() - 1));
        }
    }

    void RowWindowModel::fail(const QString &message)
    {
        m_awaitingTop = false;
        m_refreshing = false;
        beginResetModel();
        clearRows();
        endResetModel();
        m_errorMessage = message;
        setState(State::Failed);
        emit errorOccurred(message);
    }

    void RowWindowModel::setState(State state)
    {
        if (state == m_state)
            return;
        m_state = state;
        emit stateChanged(state);
    }

    qint64 RowWindowModel::pageOf(int row) const
    {
        return floorDiv(row - m_base, m_pageSize);
    }

    int RowWindowModel::pageStart(qint64 page) const
    {
        return int(std::clamp<qint64>(m_base + page * m_pageSize, 0, m_rowCount));
    }

    int RowWindowModel::pageEnd(qint64 page) const
    {
        return int(std::clamp<qint64>(m_base + (page + 1) * m_pageSize, 0, m_rowCount));
    }

    const RowWindowModel::Page *RowWindowModel::pageFor(int row) const
    {
        const auto it = m_pages.find(pageOf(row));
        return it == m_pages.end() ? nullptr : &it->second;
    }

    bool RowWindowModel::isRowLoaded(int row) const
    {
        return row >= 0 && row < m_rowCount && pageFor(row);
    }

    QVariantList RowWindowModel::rowValues(int row) const
    {
        if (row < 0 || row >= m_rowCount)
            return {};
        const Page *page = pageFor(row);
        return page ? page->rows.value(row - pageStart(pageOf(row))) : QVariantList();
    }

    QString RowWindowModel::cellText(int row, int column) const
    {
        const QVariantList values = rowValues(row);
        if (values.isEmpty() || column < 0 || column >= columnCount())
            return {};
        return cellDisplayText(m_table.schema.fields[column], values.value(column), m_timeDisplay);
    }

    QString RowWindowModel::displayText(const Page &page, int rowInPage, int column) const
    {
        const int columns = columnCount();
        if (page.textVersion != m_textVersion) {
            page.texts.assign(size_t(page.rows.size()) * columns, QString());
            page.built.assign(size_t(page.rows.size()) * columns, 0);
            page.textVersion = m_textVersion;
        }
        const size_t i = size_t(rowInPage) * columns + column;
        if (!page.built[i]) {
            page.texts[i] = oneLine(cellDisplayText(m_table.schema.fields[column], page.rows[rowInPage].value(column), m_timeDisplay));
            page.built[i] = 1;
        }
        return page.texts[i];
    }

    int RowWindowModel::rowCount(const QModelIndex &parent) const
    {
        return parent.isValid() ? 0 : m_rowCount;
    }

    int RowWindowModel::columnCount(const QModelIndex &parent) const
    {
        return parent.isValid() ? 0 : int(m_table.schema.fields.size());
    }

    QVariant RowWindowModel::data(const QModelIndex &index, int role) const
    {
        if (!index.isValid() || index.row() >= m_rowCount || index.column() >= columnCount())
            return {};
        const int row = index.row();
        const int column = index.column();
        const qint64 pageNumber = pageOf(row);
        const auto it = m_pages.find(pageNumber);
        const Page *page = it == m_pages.end() ? nullptr : &it->second;
        const int rowInPage = page ? row - pageStart(pageNumber) : 0;
        switch (role) {
        case Qt::DisplayRole:
            if (!page) {
                // Outside the viewport hint (another view, a test): fetch it all the same.
                if (!m_pagesInFlight.contains(pageNumber) && m_demandedPages.size() < 16) {
                    m_demandedPages.insert(pageNumber);
                    scheduleFetch();
                }
                return PLACEHOLDER;
            }
            return displayText(*page, rowInPage, column);
        case Qt::ToolTipRole: {
            if (!page)
                return {};
            QString text = cellDisplayText(m_table.schema.fields[column], page->rows[rowInPage].value(column), m_timeDisplay);
            if (text.size() <= MaxDisplayChars)
                return {};
            if (text.size() > MaxToolTipChars)
                text = text.left(MaxToolTipChars) + PLACEHOLDER;
            return text;
        }
        case Qt::ForegroundRole:
            if (!page || page->rows[rowInPage].value(column).isNull())
                return QGuiApplication::palette().color(QPalette::PlaceholderText);
            return {};
        case Qt::TextAlignmentRole:
            if (isNumeric(m_table.schema.fields[column].type) && !m_table.schema.fields[column].isRepeated())
                return int(Qt::AlignRight | Qt::AlignVCenter);
            return {};
        case RowValuesRole:
            return page ? QVariant(page->rows[rowInPage]) : QVariant();
        case CellValueRole:
            return page ? page->rows[rowInPage].value(column) : QVariant();
        case LoadedRole:
            return page != nullptr;
        default:
            return {};
        }
    }

    QVariant RowWindowModel::headerData(int section, Qt::Orientation orientation, int role) const
    {
        if (orientation == Qt::Horizontal) {
            if (section < 0 || section >= columnCount())
                return {};
            const BigQuery::TableField &field = m_table.schema.fields[section];
            if (role == Qt::DisplayRole)
                return field.name;
            if (role == Qt::ToolTipRole) {
                QString tip = BigQuery::standardTypeName(field.type) + u", "_s + BigQuery::modeName(field.mode);
                if (field.type == BigQuery::FieldType::Timestamp && !field.isRepeated())
                    tip += m_timeDisplay == TimeDisplay::Utc ? tr(" (shown in UTC)") : tr(" (shown in local time)");
                if (field.name.compare(m_table.keyColumn, Qt::CaseInsensitive) == 0)
                    tip += tr(" (key column)");
                if (!field.description.isEmpty())
                    tip += u'\n' + field.description;
                return tip;
            }
            return {};
        }
        if (role == Qt::DisplayRole && section >= 0 && section < m_rowCount)
            return QString::number(section + 1);
        return {};
    }
}
