#pragma once

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QTimer>

#include "core/bigquery/tableschema.h"
#include "core/common/result.h"
#include "core/localcloud/insertallwriter.h"
#include "core/localcloud/localrequest.h"
#include "core/localcloud/queryrunner.h"
#include "core/localcloud/sql/sqltranslator.h"
#include "core/localcloud/sqlitedatabase.h"

namespace Aq::LocalCloud
{
    // BigQuery v2 semantics on the local cloud's SQLite store: datasets, tables (one SQLite table each),
    // insertAll with exact insertId de-duplication within a window, tabledata.list, and query jobs
    // through the GoogleSQL-subset translator. Reads run on the QueryRunner's pool.
    class BigQueryService final : public QObject
    {
        Q_OBJECT

    public:
        struct Options
        {
            qint64 dedupWindowMicros = 10LL * 60 * 1000000;
            qint64 maxInsertAllBytes = 10LL * 1024 * 1024;
            int maxJobsKept = 10000;
            // A table's batched key indexes (see batchedindex.h) take its new rows once this many wait, or once
            // inserts pause for indexIdleMs.
            qint64 indexBatchRows = 65536;
            int indexIdleMs = 1000;
        };

        BigQueryService(SqliteDatabase &db, const QString &dataDir, Options options, QObject *parent = nullptr);
        Status load();

        Result<QJsonObject> insertDataset(const QString &project, const QJsonObject &body);
        Result<QJsonObject> getDataset(const QString &project, const QString &dataset) const;
        Result<QJsonObject> patchDataset(const QString &project, const QString &dataset, const QJsonObject &body);
        Result<QJsonObject> listDatasets(const QString &project, const LocalRequest &request) const;
        Result<QJsonObject> deleteDataset(const QString &project, const QString &dataset, bool deleteContents);

        Result<QJsonObject> insertTable(const QString &project, const QString &dataset, const QJsonObject &body);
        Result<QJsonObject> getTable(const QString &project, const QString &dataset, const QString &table) const;
        Result<QJsonObject> patchTable(const QString &project, const QString &dataset, const QString &table, const QJsonObject &body);
        Result<QJsonObject> listTables(const QString &project, const QString &dataset, const LocalRequest &request) const;
        Result<QJsonObject> deleteTable(const QString &project, const QString &dataset, const QString &table);

        // The body is parsed and checked on a pool thread; only the storing happens on the writer's.
        void insertAll(const QString &project, const QString &dataset, const QString &table, const QByteArray &body, LocalResponder respond);
        void listTableData(const QString &project, const QString &dataset, const QString &table, const LocalRequest &request, LocalResponder respond);

        void query(const QString &project, const QJsonObject &body, LocalResponder respond);
        void getQueryResults(const QString &project, const QString &jobId, const LocalRequest &request, LocalResponder respond);
        void insertJob(const QString &project, const QJsonObject &body, LocalResponder respond);
        Result<QJsonObject> getJob(const QString &project, const QString &jobId) const;
        Result<QJsonObject> cancelJob(const QString &project, const QString &jobId);
        Result<QJsonObject> listJobs(const QString &project, const LocalRequest &request) const;

        void collectGarbage();
        QueryRunner &queryRunner() { return m_runner; }

    private:
        struct Table
        {
            qint64 id = 0;
            QString project;
            QString dataset;
            QString name;
            QJsonObject resource;       // as given, normalized, without the volatile fields
            BigQuery::TableSchema schema;
            qint64 rowCount = 0;        // rows are append-only, so this is MAX(_aq_seq)
            qint64 lastModified = 0;    // ms
            QList<SqlBatchedIndex> batchedIndexes;
            qint64 indexedThrough = 0;  // rows up to this _aq_seq are in the batched indexes' key tables
            QByteArray sqliteName() const { return "bq_t" + QByteArray::number(id); }
        };

        struct Dataset
        {
            QString project;
            QString name;
            QJsonObject resource;
        };

        enum class JobState
        {
            Running,
            Done,
        };

        struct Job
        {
            QString project;
            QString jobId;
            QString location;
            QJsonObject configuration;
            JobState state = JobState::Running;
            std::optional<ApiError> error;
            TranslatedQuery query;
            qint64 totalRows = 0;
            // Rows from 0, read by the job's own run, for the response that asked for them (jobs.query's first
            // page); dropped once sent.
            std::optional<RowPage> firstPage;
            qint64 firstPageRows = 0;
            RowCodec::TimestampFormat firstPageFormat = RowCodec::TimestampFormat::FloatSeconds;
            bool dryRun = false;
            qint64 creationTime = 0;    // ms
            qint64 startTime = 0;
            qint64 endTime = 0;
            QList<std::function<void()>> whenDone;
            qint64 sequence = 0;
        };

        // An insertAll request decoded on the pool, waiting for the writer.
        struct PendingInsert
        {
            QString tableKey;
            qint64 tableId = 0;
            BigQuery::TableSchema schema;   // the one it was decoded with
            QByteArray body;
            Result<RowCodec::DecodedInsert> decoded;
            LocalResponder respond;
        };

        Table *findTable(const QString &project, const QString &dataset, const QString &table);
        const Table *findTable(const QString &project, const QString &dataset, const QString &table) const;
        QJsonObject tableResource(const Table &table) const;
        Status createSqliteTable(const Table &table);
        // CREATE INDEX IF NOT EXISTS on (first clustering column, partition column); empty when there is none.
        static QByteArray clusteringPartitionIndex(const Table &table);
        // The job's one run reads its first `firstPageRows` rows and counts the result (totalRows).
        Result<Job *> startJob(const QString &project, const QString &jobId, const QString &location, const QJsonObject &queryConfig, bool dryRun,
                               qint64 firstPageRows = 0, RowCodec::TimestampFormat format = RowCodec::TimestampFormat::FloatSeconds);
        void finishJob(Job &job, std::optional<ApiError> error, qint64 totalRows);
        void whenJobDone(Job &job, int timeoutMs, std::function<void()> callback);
        QJsonObject jobResource(const Job &job) const;
        static PageRequest pageRequest(const Job &job, qint64 offset, qint64 maxRows, RowCodec::TimestampFormat format);
        void respondWithPage(Job &job, const QString &kind, qint64 offset, qint64 maxRows, RowCodec::TimestampFormat format, LocalResponder respond);
        Job *findJob(const QString &project, const QString &jobId);
        void storePendingInserts();
        // Adds the table's rows stored since the last time to its batched key indexes.
        Status indexNewRows(Table &table);
        // The same, where a failure only waits for the next try: look-ups scan the rows not yet indexed.
        void indexNewRowsOrWarn(Table &table);
        void indexAllNewRows();

        SqliteDatabase &m_db;
        QString m_dataDir;
        Options m_options;
        QueryRunner m_runner;
        QHash<QString, Dataset> m_datasets;     // "project/dataset"
        QHash<QString, Table> m_tables;         // "project/dataset/table"
        QHash<QString, Job> m_jobs;             // "project/jobId"
        QHash<QString, QString> m_requestIds;   // requestId -> job key
        qint64 m_jobSequence = 0;
        InsertAllWriter m_writer;
        std::vector<PendingInsert> m_pendingInserts;
        bool m_storeScheduled = false;
        QTimer *m_indexTimer = nullptr;
    };
}
