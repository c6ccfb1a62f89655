#include "core/bigquery/bigqueryclient.h"

#include <memory>

#include <QJsonArray>
#include <QJsonDocument>
#include <QUrlQuery>
#include <QUuid>

#include "core/bigquery/rowdecoder.h"
#include "core/common/textencoding.h"
#include "core/rest/replyerror.h"
#include "core/rest/restclient.h"

using namespace Qt::Literals::StringLiterals;
using Aq::Rest::Idempotency;
using Aq::Rest::RestRequest;

namespace Aq::BigQuery
{
    namespace
    {
        QByteArray compact(const QJsonObject &json)
        {
            return QJsonDocument(json).toJson(QJsonDocument::Compact);
        }

        qint64 int64Field(const QJsonObject &json, const QString &key, qint64 fallback = 0)
        {
            const QJsonValue value = json.value(key);
            if (value.isString())
                return value.toString().toLongLong();
            return value.isDouble() ? qint64(value.toDouble()) : fallback;
        }

        Result<TableInfo> tableFromJson(const QJsonObject &json)
        {
            TableInfo info;
            const QJsonObject reference = json.value(u"tableReference"_s).toObject();
            info.dataset = reference.value(u"datasetId"_s).toString();
            info.table = reference.value(u"tableId"_s).toString();
            if (json.contains(u"schema"_s)) {
                Result<TableSchema> schema = TableSchema::fromJson(json.value(u"schema"_s));
                if (!schema)
                    return ApiError::internal(u"table %1.%2 has a schema this client cannot read: %3"_s.arg(info.dataset, info.table, schema.error().message));
                info.schema = std::move(*schema);
            }
            info.numRows = int64Field(json, u"numRows"_s);
            if (json.contains(u"streamingBuffer"_s)) {
                info.hasStreamingBuffer = true;
                info.streamingBufferEstimatedRows = int64Field(json.value(u"streamingBuffer"_s).toObject(), u"estimatedRows"_s);
            }
            info.timePartitioningField = json.value(u"timePartitioning"_s).toObject().value(u"field"_s).toString();
            for (const QJsonValue &field : json.value(u"clustering"_s).toObject().value(u"fields"_s).toArray())
                info.clusteringFields.append(field.toString());
            return info;
        }

        JobReference jobFromJson(const QJsonObject &json)
        {
            return {json.value(u"projectId"_s).toString(), json.value(u"jobId"_s).toString(), json.value(u"location"_s).toString()};
        }

        // A JSON string literal; insertIds are nearly always plain, so the common case copies.
        // Collects the outcome of an insertRows call's requests.
        class InsertLatch
        {
        public:
            InsertLatch(int requests, int rows, BigQueryClient::Callback<InsertResult> done)
                : m_remaining {requests}, m_rows {rows}, m_done {std::move(done)}
            {
            }

            void requestDone(int firstIndex, int rowCount, const Result<QJsonObject> &reply)
            {
                if (!reply) {
                    for (int i = 0; i < rowCount; ++i)
                        m_result.errors.append({firstIndex + i, reply.error().reason, {}, reply.error().message, reply.error().retryable});
                } else {
                    for (const QJsonValue &entry : reply->value(u"insertErrors"_s).toArray()) {
                        const QJsonObject object = entry.toObject();
                        const int index = int(int64Field(object, u"index"_s, -1));
                        if (index < 0 || index >= rowCount)
                            continue;
                        const QJsonArray errors = object.value(u"errors"_s).toArray();
                        // A row's own problem first; "stopped" only says another row failed the request.
                        QJsonObject chosen = errors.isEmpty() ? QJsonObject {} : errors.first().toObject();
                        for (const QJsonValue &error : errors) {
                            if (error.toObject().value(u"reason"_s).toString() != u"stopped"_s) {
                                chosen = error.toObject();
                                break;
                            }
                        }
                        const QString reason = chosen.value(u"reason"_s).toString();
                        const bool retryable = reason == u"stopped"_s || reason == u"backendError"_s || reason == u"internalError"_s
                            || reason == u"timeout"_s;
                        m_result.errors.append({firstIndex + index, reason, chosen.value(u"location"_s).toString(),
                                                chosen.value(u"message"_s).toString(), retryable});
                    }
                }
                if (--m_remaining == 0) {
                    std::sort(m_result.errors.begin(), m_result.errors.end(), [](const RowError &a, const RowError &b) { return a.index < b.index; });
                    m_result.insertedRows = m_rows - int(m_result.errors.size());
                    m_done(std::move(m_result));
                }
            }

        private:
            int m_remaining;
            int m_rows;
            BigQueryClient::Callback<InsertResult> m_done;
            InsertResult m_result;
        };
    }

    BigQueryClient::BigQueryClient(Rest::RestClient *rest, const QUrl &endpoint, const QString &project, QObject *parent)
        : QObject(parent)
        , m_rest {rest}
        , m_endpoint {endpoint}
        , m_project {project}
    {
    }

    QUrl BigQueryClient::urlFor(const QString &path, const QList<std::pair<QString, QString>> &query) const
    {
        QUrl url = m_endpoint;
        url.setPath(u"/bigquery/v2/projects/%1/%2"_s.arg(m_project, path));
        if (!query.isEmpty()) {
            QUrlQuery items;
            for (const auto &[key, value] : query)
                items.addQueryItem(key, QString::fromLatin1(QUrl::toPercentEncoding(value)));
            url.setQuery(items);
        }
        return url;
    }

    void BigQueryClient::callJson(RestRequest request, QObject *context, Callback<QJsonObject> done)
    {
        const QUrl url = request.url;
        m_rest->send(std::move(request), context, [done = std::move(done), url](Result<QByteArray> body) {
            if (!body) {
                done(body.error());
                return;
            }
            if (body->isEmpty()) {   // deletes answer 204 with no body
                done(QJsonObject {});
                return;
            }
            const QJsonDocument document = QJsonDocument::fromJson(*body);
            if (!document.isObject()) {
                done(ApiError::internal(u"%1 answered with something that is not a JSON object"_s.arg(Rest::describeEndpoint(url))));
                return;
            }
            done(document.object());
        });
    }

    template <typename Item>
    void BigQueryClient::listAll(const QString &path, const QString &key, std::function<Item(const QJsonObject &)> parse, QObject *context,
                                 Callback<QList<Item>> done)
    {
        auto items = std::make_shared<QList<Item>>();
        auto fetchPage = std::make_shared<std::function<void(const QString &)>>();
        std::weak_ptr<std::function<void(const QString &)>> weakFetch = fetchPage;
        *fetchPage = [this, path, key, parse, context, done, items, weakFetch](const QString &pageToken) {
            QList<std::pair<QString, QString>> query {{u"maxResults"_s, u"1000"_s}};
            if (!pageToken.isEmpty())
                query.append({u"pageToken"_s, pageToken});
            auto keepAlive = weakFetch.lock();
            callJson({"GET", urlFor(path, query), {}, Idempotency::Safe, Rest::Channel::Default, m_adminDeadline}, context,
                     [key, parse, done, items, keepAlive](Result<QJsonObject> reply) {
                         if (!reply) {
                             done(reply.error());
                             return;
                         }
                         for (const QJsonValue &value : reply->value(key).toArray())
                             items->append(parse(value.toObject()));
                         const QString next = reply->value(u"nextPageToken"_s).toString();
                         next.isEmpty() ? done(*items) : (*keepAlive)(next);
                     });
        };
        (*fetchPage)(QString());
    }

    void BigQueryClient::createDataset(const QString &dataset, const QString &location, QObject *context, Callback<Ok> done)
    {
        QJsonObject body {{u"datasetReference"_s, QJsonObject {{u"projectId"_s, m_project}, {u"datasetId"_s, dataset}}}};
        if (!location.isEmpty())
            body.insert(u"location"_s, location);
        callJson({"POST", urlFor(u"datasets"_s), compact(body), Idempotency::Unsafe, Rest::Channel::Default, m_adminDeadline}, context,
                 [done](Result<QJsonObject> reply) { reply ? done(Ok {}) : done(reply.error()); });
    }

    void BigQueryClient::getDataset(const QString &dataset, QObject *context, Callback<Ok> done)
    {
        callJson({"GET", urlFor(u"datasets/"_s + dataset), {}, Idempotency::Safe, Rest::Channel::Default, m_adminDeadline}, context,
                 [done](Result<QJsonObject> reply) { reply ? done(Ok {}) : done(reply.error()); });
    }

    void BigQueryClient::deleteDataset(const QString &dataset, bool deleteContents, QObject *context, Callback<Ok> done)
    {
        QList<std::pair<QString, QString>> query;
        if (deleteContents)
            query.append({u"deleteContents"_s, u"true"_s});
        callJson({"DELETE", urlFor(u"datasets/"_s + dataset, query), {}, Idempotency::Unsafe, Rest::Channel::Default, m_adminDeadline},
                 context, [done](Result<QJsonObject> reply) { reply ? done(Ok {}) : done(reply.error()); });
    }

    void BigQueryClient::listDatasets(QObject *context, Callback<QStringList> done)
    {
        listAll<QString>(u"datasets"_s, u"datasets"_s, [](const QJsonObject &json) {
            return json.value(u"datasetReference"_s).toObject().value(u"datasetId"_s).toString();
        }, context, [done](Result<QList<QString>> names) { names ? done(QStringList(*names)) : done(names.error()); });
    }

    void BigQueryClient::createTable(const QString &dataset, const QString &table, const TableSchema &schema, const TableOptions &options,
                                     QObject *context, Callback<TableInfo> done)
    {
        QJsonObject body {
            {u"tableReference"_s, QJsonObject {{u"projectId"_s, m_project}, {u"datasetId"_s, dataset}, {u"tableId"_s, table}}},
            {u"schema"_s, schema.toJson()},
        };
        if (!options.timePartitioningField.isEmpty())
            body.insert(u"timePartitioning"_s, QJsonObject {{u"type"_s, u"DAY"_s}, {u"field"_s, options.timePartitioningField}});
        if (!options.clusteringFields.isEmpty())
            body.insert(u"clustering"_s, QJsonObject {{u"fields"_s, QJsonArray::fromStringList(options.clusteringFields)}});
        if (!options.description.isEmpty())
            body.insert(u"description"_s, options.description);
        callJson({"POST", urlFor(u"datasets/%1/tables"_s.arg(dataset)), compact(body), Idempotency::Unsafe, Rest::Channel::Default, m_adminDeadline},
                 context, [done](Result<QJsonObject> reply) { reply ? done(tableFromJson(*reply)) : done(reply.error()); });
    }

    void BigQueryClient::getTable(const QString &dataset, const QString &table, QObject *context, Callback<TableInfo> done)
    {
        callJson({"GET", urlFor(u"datasets/%1/tables/%2"_s.arg(dataset, table)), {}, Idempotency::Safe, Rest::Channel::Default, m_adminDeadline},
                 context, [done](Result<QJsonObject> reply) { reply ? done(tableFromJson(*reply)) : done(reply.error()); });
    }

    void BigQueryClient::patchTableSchema(const QString &dataset, const QString &table, const TableSchema &schema, QObject *context,
                                          Callback<TableInfo> done)
    {
        const QJsonObject body {{u"schema"_s, schema.toJson()}};
        callJson({"PATCH", urlFor(u"datasets/%1/tables/%2"_s.arg(dataset, table)), compact(body), Idempotency::Safe, Rest::Channel::Default,
                  m_adminDeadline},
                 context, [done](Result<QJsonObject> reply) { reply ? done(tableFromJson(*reply)) : done(reply.error()); });
    }

    void BigQueryClient::deleteTable(const QString &dataset, const QString &table, QObject *context, Callback<Ok> done)
    {
        callJson({"DELETE", urlFor(u"datasets/%1/tables/%2"_s.arg(dataset, table)), {}, Idempotency::Unsafe, Rest::Channel::Default,
                  m_adminDeadline},
                 context, [done](Result<QJsonObject> reply) { reply ? done(Ok {}) : done(reply.error()); });
    }

    void BigQueryClient::listTables(const QString &dataset, QObject *context, Callback<QStringList> done)
    {
        listAll<QString>(u"datasets/%1/tables"_s.arg(dataset), u"tables"_s, [](const QJsonObject &json) {
            return json.value(u"tableReference"_s).toObject().value(u"tableId"_s).toString();
        }, context, [done](Result<QList<QString>> names) { names ? done(QStringList(*names)) : done(names.error()); });
    }

    void BigQueryClient::insertRows(const QString &dataset, const QString &table, const QList<InsertRow> &rows, const InsertOptions &options,
                                    QObject *context, Callback<InsertResult> done)
    {
        if (rows.isEmpty()) {
            done(InsertResult {});
            return;
        }
        const QByteArray head = QByteArrayLiteral("{\"skipInvalidRows\":") + (options.skipInvalidRows ? "true" : "false")
            + ",\"ignoreUnknownValues\":" + (options.ignoreUnknownValues ? "true" : "false") + ",\"rows\":[";
        struct Chunk
        {
            int first = 0;
            int count = 0;
            QByteArray body;
            bool allHaveInsertIds = true;
        };
        QList<Chunk> chunks;
        const int maxRows = qMax(1, options.maxRows);
        for (int i = 0; i < rows.size(); ++i) {
            const InsertRow &row = rows[i];
            const qsizetype rowBytes = row.json.size() + row.insertId.size() + 32;
            if (chunks.isEmpty() || chunks.last().count >= maxRows || (chunks.last().count > 0 && chunks.last().body.size() + rowBytes > options.maxBytes)) {
                chunks.append(Chunk {i, 0, head, true});
                chunks.last().body.reserve(qMin<qsizetype>(options.maxBytes, rowBytes * maxRows) + 64);
            }
            Chunk &chunk = chunks.last();
            if (chunk.count > 0)
                chunk.body += ',';
            chunk.body += '{';
            if (!row.insertId.isEmpty()) {
                chunk.body += "\"insertId\":";
                Text::appendJsonString(row.insertId, chunk.body);
                chunk.body += ',';
            } else {
                chunk.allHaveInsertIds = false;
            }
            chunk.body += "\"json\":";
            chunk.body += row.json.isEmpty() ? QByteArrayLiteral("{}") : row.json;
            chunk.body += '}';
            ++chunk.count;
        }
        auto latch = std::make_shared<InsertLatch>(int(chunks.size()), int(rows.size()), std::move(done));
        const QUrl url = urlFor(u"datasets/%1/tables/%2/insertAll"_s.arg(dataset, table));
        // Send at most maxConcurrentRequests at a time; each answer starts the next.
        auto pending = std::make_shared<QList<Chunk>>(std::move(chunks));
        auto sendNext = std::make_shared<std::function<void()>>();
        std::weak_ptr<std::function<void()>> weakSend = sendNext;
        *sendNext = [this, pending, latch, url, context, weakSend]() {
            if (pending->isEmpty())
                return;
            Chunk chunk = pending->takeFirst();
            chunk.body += "]}";
            // With an insertId on every row a repeat is de-duplicated, so the request is safe to retry.
            RestRequest request {"POST", url, chunk.body, chunk.allHaveInsertIds ? Idempotency::Safe : Idempotency::Unsafe,
                                 Rest::Channel::Default, m_insertDeadline};
            auto keepAlive = weakSend.lock();
            callJson(request, context, [latch, keepAlive, first = chunk.first, count = chunk.count](Result<QJsonObject> reply) {
                latch->requestDone(first, count, reply);
                (*keepAlive)();
            });
        };
        for (int i = 0; i < qMax(1, options.maxConcurrentRequests); ++i)
            (*sendNext)();
    }

    void BigQueryClient::query(const QueryRequest &request, QObject *context, Callback<QueryPage> done)
    {
        QJsonObject body {
            {u"query"_s, request.sql},
            {u"useLegacySql"_s, false},
            {u"maxResults"_s, request.pageSize},
            {u"timeoutMs"_s, request.timeoutMs},
            // Makes the call idempotent for 15 minutes, so it can be retried.
            {u"requestId"_s, QUuid::createUuid().toString(QUuid::WithoutBraces)},
            {u"formatOptions"_s, QJsonObject {{u"useInt64Timestamp"_s, true}}},
        };
        if (!request.parameters.isEmpty()) {
            body.insert(u"parameterMode"_s, u"NAMED"_s);
            body.insert(u"queryParameters"_s, queryParametersToJson(request.parameters));
        }
        if (request.maximumBytesBilled > 0)
            body.insert(u"maximumBytesBilled"_s, QString::number(request.maximumBytesBilled));
        if (request.dryRun)
            body.insert(u"dryRun"_s, true);
        if (!request.location.isEmpty())
            body.insert(u"location"_s, request.location);
        const int pageSize = request.pageSize;
        const int timeoutMs = request.timeoutMs;
        m_rest->send({"POST", urlFor(u"queries"_s), compact(body), Idempotency::Safe, Rest::Channel::Default, m_queryDeadline}, context,
                     [this, pageSize, timeoutMs, context, done](Result<QByteArray> reply) {
                         handleQueryReply(std::move(reply), pageSize, timeoutMs, context, done);
                     });
    }

    void BigQueryClient::handleQueryReply(Result<QByteArray> body, int pageSize, int timeoutMs, QObject *context, Callback<QueryPage> done)
    {
        if (!body) {
            done(body.error());
            return;
        }
        Result<DecodedReply> decoded = decodeReply(*body);
        if (!decoded) {
            done(decoded.error());
            return;
        }
        const QJsonObject &other = decoded->other;
        QueryPage page;
        page.job = jobFromJson(other.value(u"jobReference"_s).toObject());
        if (!other.value(u"jobComplete"_s).toBool(true)) {
            // Not finished within timeoutMs: ask again, waiting up to timeoutMs each time.
            getQueryResults(page.job, {}, pageSize, qMax(timeoutMs, 1000), context, done);
            return;
        }
        page.fields = std::move(decoded->fields);
        page.rows = std::move(decoded->rows);
        page.totalRows = int64Field(other, u"totalRows"_s, page.rows.size());
        page.pageToken = other.value(u"pageToken"_s).toString();
        page.totalBytesProcessed = int64Field(other, u"totalBytesProcessed"_s);
        page.cacheHit = other.value(u"cacheHit"_s).toBool();
        page.dmlAffectedRows = int64Field(other, u"numDmlAffectedRows"_s, -1);
        done(std::move(page));
    }

    void BigQueryClient::getQueryResults(const JobReference &job, const QString &pageToken, int pageSize, int timeoutMs, QObject *context,
                                         Callback<QueryPage> done)
    {
        QList<std::pair<QString, QString>> query {{u"maxResults"_s, QString::number(pageSize)},
                                                  {u"timeoutMs"_s, QString::number(timeoutMs)},
                                                  {u"formatOptions.useInt64Timestamp"_s, u"true"_s}};
        if (!job.location.isEmpty())
            query.append({u"location"_s, job.location});
        if (!pageToken.isEmpty())
            query.append({u"pageToken"_s, pageToken});
        QUrl url = urlFor(u"queries/"_s + job.jobId, query);
        // A job of another project (queries may name one) is read where it ran.
        if (!job.projectId.isEmpty() && job.projectId != m_project)
            url.setPath(u"/bigquery/v2/projects/%1/queries/%2"_s.arg(job.projectId, job.jobId));
        m_rest->send({"GET", url, {}, Idempotency::Safe, Rest::Channel::Default, m_queryDeadline}, context,
                     [this, pageSize, timeoutMs, context, done](Result<QByteArray> reply) {
                         handleQueryReply(std::move(reply), pageSize, timeoutMs, context, done);
                     });
    }

    void BigQueryClient::nextQueryPage(const QueryPage &previous, int pageSize, QObject *context, Callback<QueryPage> done)
    {
        if (!previous.hasMore()) {
            done(ApiError::invalidArgument(u"there is no page after the last one"_s));
            return;
        }
        getQueryResults(previous.job, previous.pageToken, pageSize, 10000, context, std::move(done));
    }

    void BigQueryClient::listRows(const QString &dataset, const QString &table, const QList<TableField> &fields, const QString &pageToken,
                                  int pageSize, QObject *context, Callback<QueryPage> done)
    {
        QList<std::pair<QString, QString>> query {{u"maxResults"_s, QString::number(pageSize)},
                                                  {u"formatOptions.useInt64Timestamp"_s, u"true"_s}};
        if (!pageToken.isEmpty())
            query.append({u"pageToken"_s, pageToken});
        m_rest->send({"GET", urlFor(u"datasets/%1/tables/%2/data"_s.arg(dataset, table), query), {}, Idempotency::Safe, Rest::Channel::Default,
                      m_queryDeadline},
                     context, [fields, done](Result<QByteArray> body) {
                         if (!body) {
                             done(body.error());
                             return;
                         }
                         Result<DecodedReply> decoded = decodeReply(*body, fields);
                         if (!decoded) {
                             done(decoded.error());
                             return;
                         }
                         QueryPage page;
                         page.fields = std::move(decoded->fields);
                         page.rows = std::move(decoded->rows);
                         page.totalRows = int64Field(decoded->other, u"totalRows"_s, page.rows.size());
                         page.pageToken = decoded->other.value(u"pageToken"_s).toString();
                         done(std::move(page));
                     });
    }
}
