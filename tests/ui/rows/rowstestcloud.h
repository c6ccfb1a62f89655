#pragma once

// A real local cloud in this process (LocalBackend, as the console runs it) on a temporary data folder, with
// helpers to create events tables of the default schema, insert rows with BigQueryClient::insertRows and ask
// direct queries to compare the Rows page with. Header-only: each test executable includes it once.

#include <memory>
#include <optional>

#include <QTemporaryDir>
#include <QtTest>

#include "core/bigquery/bigqueryclient.h"
#include "core/common/timeutil.h"
#include "core/config/connection.h"
#include "core/localcloud/localbackend.h"
#include "core/pipeline/rowconverter.h"
#include "ui/rows/rowstable.h"
#include "ui/rows/rowwindowmodel.h"

namespace Aq::Ui::Test
{
    using namespace Qt::Literals::StringLiterals;

    // One events row; ingestMicros 0 leaves ingest_time NULL.
    struct EventRow
    {
        QString id;
        QString type;
        QString user;
        qint64 timestampMicros = 0;
        qint64 ingestMicros = 0;
        int n = 0;   // event_data.n

        QByteArray json() const
        {
            QByteArray out = "{\"event_id\":\"" + id.toUtf8() + "\",\"event_type\":\"" + type.toUtf8() + "\",\"user_id\":\"" + user.toUtf8()
                + "\",\"timestamp\":\"" + Time::formatRfc3339(timestampMicros).toUtf8() + "\",\"event_data\":{\"n\":" + QByteArray::number(n)
                + ",\"page\":\"/products/" + QByteArray::number(n % 97) + "\",\"note\":\"a \\\"quoted\\\", comma, value\"}"
                + ",\"message_id\":\"" + QByteArray::number(1000000 + n) + "\"";
            if (ingestMicros)
                out += ",\"ingest_time\":\"" + Time::formatRfc3339(ingestMicros).toUtf8() + "\"";
            return out + '}';
        }
    };

    // 2024-05-01T12:00:00Z
    constexpr qint64 BaseMicros = 1714564800LL * 1000000;

    // Row i of a generated table: three rows share each second (ties), ingest order follows i.
    inline EventRow generatedRow(int i, qint64 firstIngestMicros = BaseMicros + 3600LL * 1000000)
    {
        static const char *TYPES[] = {"page_view", "click", "purchase"};
        EventRow row;
        row.id = u"e-%1"_s.arg(i, 7, 10, QChar(u'0'));
        row.type = QString::fromLatin1(TYPES[i % 3]);
        row.user = u"user_%1"_s.arg(i % 25, 4, 10, QChar(u'0'));
        row.timestampMicros = BaseMicros + qint64(i / 3) * 1000000;
        row.ingestMicros = firstIngestMicros + qint64(i) * 1000;
        row.n = i;
        return row;
    }

    // Rows first .. end - 1 of a generated table.
    inline QList<EventRow> generatedRows(int first, int end)
    {
        QList<EventRow> rows;
        rows.reserve(end - first);
        for (int i = first; i < end; ++i)
            rows.append(generatedRow(i));
        return rows;
    }

    // Until the model has its first page and its count, or failed (false then).
    inline bool waitReady(RowWindowModel &model, int timeoutMs = 30000)
    {
        return QTest::qWaitFor([&] { return model.state() == RowWindowModel::State::Ready || model.state() == RowWindowModel::State::Failed; },
                               timeoutMs)
            && model.state() == RowWindowModel::State::Ready;
    }

    inline bool waitLoaded(RowWindowModel &model, int first, int last, int timeoutMs = 30000)
    {
        return QTest::qWaitFor(
            [&] {
                for (int row = first; row <= last; ++row) {
                    if (!model.isRowLoaded(row))
                        return false;
                }
                return true;
            },
            timeoutMs);
    }

    class TestCloud
    {
    public:
        Status open()
        {
            if (!m_dir.isValid())
                return ApiError::internal(u"no temporary folder"_s);
            Result<Config::Profile> profile = Config::resolveProfile({{{u"data-dir"_s, m_dir.path()}}, {}});
            if (!profile)
                return profile.error();
            std::optional<Result<std::unique_ptr<Config::Connection>>> outcome;
            Config::Connection::open(*profile, m_local.get(), nullptr, [&](Result<std::unique_ptr<Config::Connection>> c) { outcome.emplace(std::move(c)); });
            if (!QTest::qWaitFor([&] { return outcome.has_value(); }, 30000))
                return ApiError::internal(u"no connection within 30 s"_s);
            if (!*outcome)
                return outcome->error();
            m_connection = std::move(outcome->value());
            std::optional<Result<Ok>> dataset;
            client()->createDataset(u"analytics"_s, {}, nullptr, [&](Result<Ok> r) { dataset.emplace(std::move(r)); });
            if (!QTest::qWaitFor([&] { return dataset.has_value(); }, 30000))
                return ApiError::internal(u"no answer to createDataset"_s);
            return *dataset;
        }

        BigQuery::BigQueryClient *client() const { return m_connection->bigquery(); }
        QString project() const { return m_connection->project(); }

        // An events table as the pipeline creates it: the default schema, partitioned by timestamp (so indexed),
        // clustered by event_type then the key column (core/pipeline/resourcesetup.cpp).
        Status createTable(const QString &table)
        {
            BigQuery::TableOptions options;
            options.timePartitioningField = u"timestamp"_s;
            options.clusteringFields = {u"event_type"_s, u"event_id"_s};
            std::optional<Result<BigQuery::TableInfo>> created;
            client()->createTable(u"analytics"_s, table, Pipeline::RowConverter::defaultSchema(), options, nullptr,
                                  [&](Result<BigQuery::TableInfo> r) { created.emplace(std::move(r)); });
            if (!QTest::qWaitFor([&] { return created.has_value(); }, 30000))
                return ApiError::internal(u"no answer to createTable"_s);
            if (!*created)
                return created->error();
            return Ok {};
        }

        // A new table with generated rows 0 .. rows - 1.
        Status createFilled(const QString &table, int rows)
        {
            if (Status created = createTable(table); !created)
                return created;
            return insert(table, generatedRows(0, rows));
        }

        Status insert(const QString &table, const QList<EventRow> &rows, int chunkRows = 500)
        {
            QList<BigQuery::InsertRow> insert;
            insert.reserve(rows.size());
            for (const EventRow &row : rows)
                insert.append({row.id, row.json()});
            return insertRaw(table, insert, chunkRows);
        }

        Status insertRaw(const QString &table, const QList<BigQuery::InsertRow> &rows, int chunkRows = 500)
        {
            BigQuery::InsertOptions options;
            options.maxRows = chunkRows;
            options.maxConcurrentRequests = 4;
            std::optional<Result<BigQuery::InsertResult>> result;
            client()->insertRows(u"analytics"_s, table, rows, options, nullptr, [&](Result<BigQuery::InsertResult> r) { result.emplace(std::move(r)); });
            if (!QTest::qWaitFor([&] { return result.has_value(); }, 300000))
                return ApiError::internal(u"no answer to insertRows"_s);
            if (!*result)
                return result->error();
            if (!(*result)->errors.isEmpty())
                return ApiError::internal(u"%1 rows not inserted: %2"_s.arg((*result)->errors.size()).arg((*result)->errors.first().message));
            return Ok {};
        }

        Result<BigQuery::QueryPage> query(const QString &sql, int pageSize = 100000)
        {
            BigQuery::QueryRequest request;
            request.sql = sql;
            request.pageSize = pageSize;
            std::optional<Result<BigQuery::QueryPage>> page;
            client()->query(request, nullptr, [&](Result<BigQuery::QueryPage> p) { page.emplace(std::move(p)); });
            if (!QTest::qWaitFor([&] { return page.has_value(); }, 60000))
                return ApiError::internal(u"no answer to the query"_s);
            return *page;
        }

        qint64 scalar(const QString &sql)
        {
            Result<BigQuery::QueryPage> page = query(sql);
            if (!page || page->rows.isEmpty())
                return -1;
            return page->rows.first().first().toLongLong();
        }

        // The event_ids of the table in the Rows page's order.
        QStringList orderedIds(const QString &table, const QString &where = {}, qint64 offset = 0, qint64 limit = -1)
        {
            QString sql = u"SELECT event_id FROM %1"_s.arg(qualified(table));
            if (!where.isEmpty())
                sql += u" WHERE "_s + where;
            sql += u" ORDER BY timestamp DESC, COALESCE(ingest_time, TIMESTAMP '1970-01-01 00:00:00 UTC') DESC, event_id DESC"_s;
            if (limit >= 0)
                sql += u" LIMIT %1 OFFSET %2"_s.arg(limit).arg(offset);
            Result<BigQuery::QueryPage> page = query(sql, 1000000);
            QStringList ids;
            if (page) {
                for (const QVariantList &row : std::as_const(page->rows))
                    ids.append(row.value(0).toString());
            }
            return ids;
        }

        QString qualified(const QString &table) const { return u"`%1.analytics.%2`"_s.arg(project(), table); }

        RowsTable rowsTable(const QString &table) const
        {
            RowsTable t;
            t.project = project();
            t.dataset = u"analytics"_s;
            t.table = table;
            t.schema = Pipeline::RowConverter::defaultSchema();
            t.keyColumn = u"event_id"_s;
            return t;
        }

    private:
        QTemporaryDir m_dir;
        std::unique_ptr<LocalCloud::LocalBackend> m_local = std::make_unique<LocalCloud::LocalBackend>();
        std::unique_ptr<Config::Connection> m_connection;
    };
}
