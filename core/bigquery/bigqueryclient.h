#pragma once

#include <functional>

#include <QObject>
#include <QUrl>

#include "core/bigquery/bigquerytypes.h"
#include "core/common/result.h"
#include "core/rest/restrequest.h"

namespace Aq::Rest
{
    class RestClient;
}

namespace Aq::BigQuery
{
    // BigQuery v2 over REST: dataset and table admin, insertAll in batches with per-row errors, queries with
    // named parameters, paged results decoded to typed values. The same code runs against Google Cloud, any
    // BigQuery-compatible emulator and the embedded local cloud (the RestClient decides how).
    //
    // Every callback is called once, on this object's thread, unless `context` is destroyed first.
    class BigQueryClient final : public QObject
    {
        Q_OBJECT

    public:
        template <typename T>
        using Callback = std::function<void(Result<T>)>;

        // `endpoint`: https://bigquery.googleapis.com, an emulator's http://host:port, or the in-process local
        // cloud; /bigquery/v2 is appended.
        BigQueryClient(Rest::RestClient *rest, const QUrl &endpoint, const QString &project, QObject *parent = nullptr);

        QString project() const { return m_project; }
        QUrl endpoint() const { return m_endpoint; }

        void createDataset(const QString &dataset, const QString &location, QObject *context, Callback<Ok> done);
        void getDataset(const QString &dataset, QObject *context, Callback<Ok> done);   // NOT_FOUND when missing
        void deleteDataset(const QString &dataset, bool deleteContents, QObject *context, Callback<Ok> done);
        void listDatasets(QObject *context, Callback<QStringList> done);                 // every page

        void createTable(const QString &dataset, const QString &table, const TableSchema &schema, const TableOptions &options,
                         QObject *context, Callback<TableInfo> done);
        void getTable(const QString &dataset, const QString &table, QObject *context, Callback<TableInfo> done);
        // Additive schema changes only (new NULLABLE columns), as BigQuery allows.
        void patchTableSchema(const QString &dataset, const QString &table, const TableSchema &schema, QObject *context,
                              Callback<TableInfo> done);
        void deleteTable(const QString &dataset, const QString &table, QObject *context, Callback<Ok> done);
        void listTables(const QString &dataset, QObject *context, Callback<QStringList> done);   // every page

        // insertAll, split into requests of at most options.maxRows rows and maxBytes bytes, sent concurrently.
        // A request that fails as a whole marks each of its rows with that error; row indexes are those of `rows`.
        void insertRows(const QString &dataset, const QString &table, const QList<InsertRow> &rows, const InsertOptions &options,
                        QObject *context, Callback<InsertResult> done);

        // jobs.query; while the job is not complete, getQueryResults is polled. The first page.
        void query(const QueryRequest &request, QObject *context, Callback<QueryPage> done);
        // The page after `previous` (jobs.getQueryResults with its pageToken).
        void nextQueryPage(const QueryPage &previous, int pageSize, QObject *context, Callback<QueryPage> done);
        // tabledata.list: `fields` are the table's (its rows carry no schema).
        void listRows(const QString &dataset, const QString &table, const QList<TableField> &fields, const QString &pageToken,
                      int pageSize, QObject *context, Callback<QueryPage> done);

        void setAdminDeadline(std::chrono::milliseconds deadline) { m_adminDeadline = deadline; }

    private:
        QUrl urlFor(const QString &path, const QList<std::pair<QString, QString>> &query = {}) const;
        void callJson(Rest::RestRequest request, QObject *context, Callback<QJsonObject> done);
        void getQueryResults(const JobReference &job, const QString &pageToken, int pageSize, int timeoutMs, QObject *context,
                             Callback<QueryPage> done);
        void handleQueryReply(Result<QByteArray> body, int pageSize, int timeoutMs, QObject *context, Callback<QueryPage> done);
        template <typename Item>
        void listAll(const QString &path, const QString &key, std::function<Item(const QJsonObject &)> parse, QObject *context,
                     Callback<QList<Item>> done);

        Rest::RestClient *m_rest;
        QUrl m_endpoint;
        QString m_project;
        std::chrono::milliseconds m_adminDeadline {30000};
        std::chrono::milliseconds m_insertDeadline {60000};
        std::chrono::milliseconds m_queryDeadline {240000};
    };
}
