// The console's Rows page (issue 5, sections 2 and 7): RowWindowModel over a table of a million rows in the
// embedded local cloud, in this process, as the console runs it.
//
//   benchrows [--rows 1000000] [--data-dir DIR] [--runs 7] [--repaints 2000]
//   benchrows --data-dir DIR --time-sql "SELECT COUNT(*) FROM TABLE"     one query, timed --runs times
//
// 1. Fills the table (the default events schema, partitioned by timestamp and clustered by event_type then event_id, as the
//    pipeline creates it) with BigQueryClient::insertRows, 100,000 rows per call in requests of 10,000, 4 in
//    flight. With --data-dir, a table that already holds --rows rows is reused.
// 2. Time to first page (target, issue 5: under 200 ms): a new model on the client, until its first 40 rows are
//    loaded (what the view shows), and until the row count is known; --runs times, a new model each.
// 3. A jump to row 500,000 (LIMIT/OFFSET), then the next page down (keyset from the page above), then a jump to
//    the last rows; --runs times, each on a new model.
// 4. data() over a viewport of 40 rows x 8 columns once its page is loaded: DisplayRole only, with the display
//    texts cached (what every repaint after the first costs) and just after they were dropped (the first paint of
//    a page); and every role QStyledItemDelegate asks for (Display, Decoration, Font, TextAlignment, Foreground,
//    Background, CheckState). Mean of --repaints passes. Then a whole QTableView repaint, 1280x800, offscreen.
// Prints one JSON line; times in ms, "median/min/max" over the runs.
#include <algorithm>
#include <cstdio>
#include <optional>

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QHeaderView>
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>
#include <QRandomGenerator>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>
#include <QUuid>

#include "core/bigquery/bigqueryclient.h"
#include "core/common/timeutil.h"
#include "core/config/connection.h"
#include "core/localcloud/localbackend.h"
#include "core/pipeline/rowconverter.h"
#include "ui/rows/rowwindowmodel.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq;

namespace
{
    constexpr int ViewportRows = 40;
    const char *EVENT_TYPES[] = {"page_view", "click", "login", "form_submit", "purchase"};

    // Runs the event loop until `done` holds (checked whenever the model says something, and every ms).
    template <typename Predicate>
    bool waitFor(QAbstractItemModel *model, Predicate done, int timeoutMs)
    {
        if (done())
            return true;
        QEventLoop loop;
        auto check = [&] {
            if (done())
                loop.quit();
        };
        QList<QMetaObject::Connection> connections;
        if (model) {
            connections.append(QObject::connect(model, &QAbstractItemModel::dataChanged, &loop, check));
            connections.append(QObject::connect(model, &QAbstractItemModel::modelReset, &loop, check));
            connections.append(QObject::connect(model, &QAbstractItemModel::rowsInserted, &loop, check));
        }
        QTimer poll;
        QObject::connect(&poll, &QTimer::timeout, &loop, check);
        poll.start(1);
        QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
        loop.exec();
        for (const QMetaObject::Connection &c : connections)
            QObject::disconnect(c);
        return done();
    }

    bool loaded(const Ui::RowWindowModel &model, int first, int last)
    {
        if (last >= model.rowCount())
            return false;
        for (int row = first; row <= last; ++row) {
            if (!model.isRowLoaded(row))
                return false;
        }
        return true;
    }

    QJsonObject stats(QList<double> values)
    {
        std::sort(values.begin(), values.end());
        const qsizetype n = values.size();
        const double median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
        auto round = [](double v) { return qRound(v * 100) / 100.0; };
        return {{u"median"_s, round(median)}, {u"min"_s, round(values.first())}, {u"max"_s, round(values.last())}};
    }

    double ms(const QElapsedTimer &timer)
    {
        return double(timer.nsecsElapsed()) / 1e6;
    }

    QByteArray rowJson(qint64 i, qint64 baseMicros)
    {
        auto *random = QRandomGenerator::global();
        const qint64 ts = baseMicros + i * 1000000 + random->bounded(1000000);
        return "{\"event_id\":\"" + QUuid::createUuid().toByteArray(QUuid::WithoutBraces) + "\",\"event_type\":\"" + EVENT_TYPES[random->bounded(5)]
            + "\",\"user_id\":\"user-" + QByteArray::number(random->bounded(10000)) + "\",\"timestamp\":\"" + Time::formatRfc3339(ts).toLatin1()
            + "\",\"event_data\":{\"page\":\"/products/" + QByteArray::number(random->bounded(500))
            + "\",\"browser\":\"firefox\",\"country\":\"DE\",\"device\":\"desktop\",\"amount\":" + QByteArray::number(random->bounded(10000) / 100.0)
            + ",\"items\":[{\"sku\":\"A" + QByteArray::number(random->bounded(90)) + "\",\"qty\":2}]},\"message_id\":\"" + QByteArray::number(9000000000000000LL + i)
            + "\",\"publish_time\":\"" + Time::formatRfc3339(ts + 20000).toLatin1() + "\",\"ingest_time\":\"" + Time::formatRfc3339(ts + 150000).toLatin1() + "\"}";
    }

    class Bench
    {
    public:
        explicit Bench(const QCommandLineParser &parser)
            : m_parser {parser}
        {
        }

        int run();

    private:
        Status open();
        Status fill(qint64 rows);
        std::optional<qint64> count();
        Ui::RowsTable table() const;

        const QCommandLineParser &m_parser;
        QTemporaryDir m_tempDir;
        std::unique_ptr<LocalCloud::LocalBackend> m_local = std::make_unique<LocalCloud::LocalBackend>();
        std::unique_ptr<Config::Connection> m_connection;
    };

    Status Bench::open()
    {
        const QString dir = m_parser.value(u"data-dir"_s).isEmpty() ? m_tempDir.path() : m_parser.value(u"data-dir"_s);
        Result<Config::Profile> profile = Config::resolveProfile({{{u"data-dir"_s, dir}}, {}});
        if (!profile)
            return profile.error();
        std::optional<Result<std::unique_ptr<Config::Connection>>> outcome;
        Config::Connection::open(*profile, m_local.get(), nullptr, [&](Result<std::unique_ptr<Config::Connection>> c) { outcome.emplace(std::move(c)); });
        if (!waitFor(nullptr, [&] { return outcome.has_value(); }, 30000))
            return ApiError::internal(u"no connection within 30 s"_s);
        if (!*outcome)
            return outcome->error();
        m_connection = std::move(outcome->value());
        BigQuery::BigQueryClient *client = m_connection->bigquery();
        std::optional<Status> dataset;
        client->createDataset(u"analytics"_s, {}, nullptr, [&](Result<Ok> r) { dataset.emplace(std::move(r)); });
        waitFor(nullptr, [&] { return dataset.has_value(); }, 30000);
        BigQuery::TableOptions options;
        options.timePartitioningField = u"timestamp"_s;
        options.clusteringFields = {u"event_type"_s, u"event_id"_s};
        std::optional<Result<BigQuery::TableInfo>> created;
        client->createTable(u"analytics"_s, u"events"_s, Pipeline::RowConverter::defaultSchema(), options, nullptr,
                            [&](Result<BigQuery::TableInfo> r) { created.emplace(std::move(r)); });
        waitFor(nullptr, [&] { return created.has_value(); }, 30000);
        if (!created || (!*created && created->error().status != u"ALREADY_EXISTS"_s))
            return created ? created->error() : ApiError::internal(u"no answer to createTable"_s);
        return Ok {};
    }

    std::optional<qint64> Bench::count()
    {
        BigQuery::QueryRequest request;
        request.sql = u"SELECT COUNT(*) FROM `%1.analytics.events`"_s.arg(m_connection->project());
        std::optional<Result<BigQuery::QueryPage>> page;
        m_connection->bigquery()->query(request, nullptr, [&](Result<BigQuery::QueryPage> p) { page.emplace(std::move(p)); });
        if (!waitFor(nullptr, [&] { return page.has_value(); }, 60000) || !*page || (*page)->rows.isEmpty())
            return std::nullopt;
        return (*page)->rows.first().first().toLongLong();
    }

    Status Bench::fill(qint64 rows)
    {
        const qint64 have = count().value_or(0);
        if (have >= rows)
            return Ok {};
        // Events over the last `rows` seconds, one a second with jitter, in ingest order.
        const qint64 base = Time::nowMicros() - rows * 1000000;
        BigQuery::InsertOptions options;
        options.maxRows = 10000;
        options.maxConcurrentRequests = 4;
        QElapsedTimer clock;
        clock.start();
        for (qint64 start = have; start < rows; start += 100000) {
            QList<BigQuery::InsertRow> chunk;
            const qint64 end = qMin(rows, start + 100000);
            chunk.reserve(end - start);
            for (qint64 i = start; i < end; ++i)
                chunk.append({QString(), rowJson(i, base)});
            std::optional<Result<BigQuery::InsertResult>> result;
            m_connection->bigquery()->insertRows(u"analytics"_s, u"events"_s, chunk, options, nullptr,
                                                 [&](Result<BigQuery::InsertResult> r) { result.emplace(std::move(r)); });
            if (!waitFor(nullptr, [&] { return result.has_value(); }, 600000))
                return ApiError::internal(u"insertRows did not answer"_s);
            if (!*result)
                return result->error();
            if (!(*result)->errors.isEmpty())
                return ApiError::internal((*result)->errors.first().message);
        }
        fprintf(stderr, "benchrows: inserted %lld rows in %.1f s\n", rows - have, double(clock.elapsed()) / 1000.0);
        return Ok {};
    }

    Ui::RowsTable Bench::table() const
    {
        Ui::RowsTable t;
        t.project = m_connection->project();
        t.dataset = u"analytics"_s;
        t.table = u"events"_s;
        t.schema = Pipeline::RowConverter::defaultSchema();
        return t;
    }

    int Bench::run()
    {
        if (Status opened = open(); !opened) {
            fprintf(stderr, "benchrows: %s\n", qPrintable(opened.error().message));
            return 1;
        }
        const qint64 rows = m_parser.value(u"rows"_s).toLongLong();
        const int runs = qMax(1, m_parser.value(u"runs"_s).toInt());
        const int repaints = qMax(1, m_parser.value(u"repaints"_s).toInt());
        QElapsedTimer fillClock;
        fillClock.start();
        if (Status filled = fill(rows); !filled) {
            fprintf(stderr, "benchrows: %s\n", qPrintable(filled.error().message));
            return 1;
        }
        const double fillSeconds = double(fillClock.elapsed()) / 1000.0;
        if (m_parser.isSet(u"time-sql"_s)) {
            // Where a figure comes from: any query on the same table, timed through the same client.
            const QString sql = m_parser.value(u"time-sql"_s).replace(u"TABLE"_s, u"`%1.analytics.events`"_s.arg(m_connection->project()));
            QList<double> times;
            qsizetype rowsBack = 0;
            for (int run = 0; run < runs; ++run) {
                BigQuery::QueryRequest request;
                request.sql = sql;
                request.pageSize = 1000;
                std::optional<Result<BigQuery::QueryPage>> page;
                QElapsedTimer clock;
                clock.start();
                m_connection->bigquery()->query(request, nullptr, [&](Result<BigQuery::QueryPage> p) { page.emplace(std::move(p)); });
                waitFor(nullptr, [&] { return page.has_value(); }, 600000);
                times.append(ms(clock));
                if (!page || !*page) {
                    fprintf(stderr, "benchrows: %s\n", page ? qPrintable(page->error().message) : "no answer");
                    return 1;
                }
                rowsBack = (*page)->rows.size();
            }
            printf("%s\n", QJsonDocument(QJsonObject {{u"sql"_s, sql}, {u"rows"_s, rowsBack}, {u"ms"_s, stats(times)}}).toJson(QJsonDocument::Compact).constData());
            return 0;
        }
        const qint64 tableRows = count().value_or(-1);
        if (tableRows < rows) {
            fprintf(stderr, "benchrows: the table holds %lld rows, not %lld\n", tableRows, rows);
            return 1;
        }

        // 2 and 3: a new model each run, as the page makes one per browse.
        QList<double> firstPage;
        QList<double> counted;
        QList<double> jump;
        QList<double> nextPage;
        QList<double> jumpToEnd;
        const int middle = int(qMin<qint64>(tableRows, Ui::RowWindowModel::MaxRows) / 2);
        for (int run = 0; run < runs; ++run) {
            QElapsedTimer clock;
            clock.start();
            Ui::RowWindowModel model(m_connection->bigquery(), table());
            model.setViewport(0, ViewportRows - 1);
            if (!waitFor(&model, [&] { return loaded(model, 0, ViewportRows - 1); }, 30000)) {
                fprintf(stderr, "benchrows: no first page: %s\n", qPrintable(model.errorMessage()));
                return 1;
            }
            firstPage.append(ms(clock));
            if (!waitFor(&model, [&] { return model.isCountKnown(); }, 60000)) {
                fprintf(stderr, "benchrows: no count: %s\n", qPrintable(model.errorMessage()));
                return 1;
            }
            counted.append(ms(clock));

            clock.restart();
            model.setViewport(middle, middle + ViewportRows - 1);
            if (!waitFor(&model, [&] { return loaded(model, middle, middle + ViewportRows - 1); }, 60000))
                return 1;
            jump.append(ms(clock));
            // The next page down: keyset from the loaded page above.
            const int below = middle + model.pageSize();
            clock.restart();
            model.setViewport(below, below + ViewportRows - 1);
            if (!waitFor(&model, [&] { return loaded(model, below, below + ViewportRows - 1); }, 60000))
                return 1;
            nextPage.append(ms(clock));
            clock.restart();
            model.setViewport(model.rowCount() - ViewportRows, model.rowCount() - 1);
            if (!waitFor(&model, [&] { return loaded(model, model.rowCount() - ViewportRows, model.rowCount() - 1); }, 60000))
                return 1;
            jumpToEnd.append(ms(clock));
        }

        // 4: data() over a loaded viewport in the middle of the table.
        Ui::RowWindowModel model(m_connection->bigquery(), table());
        model.setViewport(0, ViewportRows - 1);
        waitFor(&model, [&] { return model.isCountKnown(); }, 60000);
        model.setViewport(middle, middle + ViewportRows - 1);
        if (!waitFor(&model, [&] { return loaded(model, middle, middle + ViewportRows - 1); }, 60000))
            return 1;
        const int columns = model.columnCount();
        qint64 characters = 0;
        auto displayPass = [&] {
            for (int row = middle; row < middle + ViewportRows; ++row) {
                for (int column = 0; column < columns; ++column)
                    characters += model.data(model.index(row, column), Qt::DisplayRole).toString().size();
            }
        };
        const QList<int> delegateRoles {Qt::DisplayRole, Qt::DecorationRole, Qt::FontRole, Qt::TextAlignmentRole, Qt::ForegroundRole,
                                        Qt::BackgroundRole, Qt::CheckStateRole};
        auto delegatePass = [&] {
            for (int row = middle; row < middle + ViewportRows; ++row) {
                for (int column = 0; column < columns; ++column) {
                    const QModelIndex index = model.index(row, column);
                    for (int role : delegateRoles)
                        characters += model.data(index, role).isValid() ? 1 : 0;
                }
            }
        };
        QList<double> firstPaint;
        for (int i = 0; i < 50; ++i) {
            // Switching the zone back and forth drops every cached text in O(1): the next pass builds them.
            model.setTimeDisplay(i % 2 ? Ui::TimeDisplay::Utc : Ui::TimeDisplay::Local);
            QElapsedTimer clock;
            clock.start();
            displayPass();
            firstPaint.append(ms(clock));
        }
        model.setTimeDisplay(Ui::TimeDisplay::Utc);
        displayPass();
        QElapsedTimer clock;
        clock.start();
        for (int i = 0; i < repaints; ++i)
            displayPass();
        const double cachedPass = ms(clock) / repaints;
        clock.restart();
        for (int i = 0; i < repaints; ++i)
            delegatePass();
        const double delegateRolesPass = ms(clock) / repaints;

        // A whole view repaint, offscreen, at the size of the screenshots.
        QTableView view;
        view.setModel(&model);
        view.verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
        view.verticalHeader()->setDefaultSectionSize(view.fontMetrics().height() + 8);
        view.resize(1280, 800);
        view.show();
        view.scrollTo(model.index(middle, 0), QAbstractItemView::PositionAtTop);
        const int visibleFirst = view.rowAt(0);
        const int visibleLast = view.rowAt(view.viewport()->height() - 1);
        model.setViewport(visibleFirst, visibleLast);
        waitFor(&model, [&] { return loaded(model, visibleFirst, visibleLast); }, 60000);
        QImage image(view.viewport()->size(), QImage::Format_ARGB32_Premultiplied);
        QList<double> paint;
        for (int i = 0; i < 50; ++i) {
            QPainter painter(&image);
            QElapsedTimer paintClock;
            paintClock.start();
            view.viewport()->render(&painter);
            paint.append(ms(paintClock));
        }

        QFile status(u"/proc/self/status"_s);
        double rssMb = -1;
        if (status.open(QIODevice::ReadOnly)) {
            for (const QByteArray &line : status.readAll().split('\n')) {
                if (line.startsWith("VmRSS:"))
                    rssMb = line.mid(6).trimmed().split(' ').first().toDouble() / 1024.0;
            }
        }
        QFile loadavg(u"/proc/loadavg"_s);
        const QByteArray load = loadavg.open(QIODevice::ReadOnly) ? loadavg.readAll().split(' ').first() : QByteArray("null");

        QJsonObject result {
            {u"bench"_s, u"rows"_s},
            {u"table_rows"_s, tableRows},
            {u"fill_s"_s, qRound(fillSeconds * 10) / 10.0},
            {u"page_size"_s, model.pageSize()},
            {u"runs"_s, runs},
            {u"first_page_ms"_s, stats(firstPage)},
            {u"count_known_ms"_s, stats(counted)},
            {u"jump_to_%1_ms"_s.arg(middle), stats(jump)},
            {u"next_page_by_keyset_ms"_s, stats(nextPage)},
            {u"jump_to_end_ms"_s, stats(jumpToEnd)},
            {u"viewport_cells"_s, ViewportRows * columns},
            {u"data_display_cached_ms_per_viewport"_s, qRound(cachedPass * 10000) / 10000.0},
            {u"data_display_first_paint_ms_per_viewport"_s, stats(firstPaint)},
            {u"data_delegate_roles_ms_per_viewport"_s, qRound(delegateRolesPass * 10000) / 10000.0},
            {u"view_repaint_1280x800_ms"_s, stats(paint)},
            {u"visible_rows"_s, visibleLast - visibleFirst + 1},
            {u"loaded_pages"_s, model.loadedPageCount()},
            {u"rss_mb"_s, qRound(rssMb)},
            {u"load_average_1m"_s, QString::fromLatin1(load)},
        };
        printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
        return characters > 0 ? 0 : 1;
    }
}

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOptions({{u"rows"_s, u"rows in the table"_s, u"n"_s, u"1000000"_s},
                       {u"data-dir"_s, u"the local cloud's data folder (default: a temporary one); a table already full is reused"_s, u"dir"_s},
                       {u"runs"_s, u"timed runs of the first page and the jumps (median, min, max)"_s, u"n"_s, u"7"_s},
                       {u"repaints"_s, u"data() passes over the viewport"_s, u"n"_s, u"2000"_s},
                       {u"time-sql"_s, u"only time this query (TABLE stands for the table), --runs times"_s, u"sql"_s}});
    parser.process(app);
    Bench bench(parser);
    return bench.run();
}
