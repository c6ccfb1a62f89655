#include "core/localcloud/localcloud.h"

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSemaphore>

#include "core/localcloud/jsonfields.h"

using namespace Qt::Literals::StringLiterals;

Q_LOGGING_CATEGORY(lcLocalCloud, "aq.localcloud")

namespace Aq::LocalCloud
{
    namespace
    {
        LocalResponse toResponse(const Result<QJsonObject> &result)
        {
            return result ? LocalResponse::json(*result) : LocalResponse::error(result.error());
        }

        LocalResponse toResponse(const Result<QByteArray> &result)
        {
            return result ? LocalResponse::raw(*result) : LocalResponse::error(result.error());
        }

        ApiError noRoute(const LocalRequest &request)
        {
            return ApiError::notFound(u"No such method: %1 %2 is not a Pub/Sub v1 or BigQuery v2 method that the local cloud serves."_s
                                          .arg(QString::fromLatin1(request.method), request.path));
        }

        ApiError wrongMethod(const LocalRequest &request, const char *allowed)
        {
            ApiError e = ApiError::unimplemented(u"%1 is not allowed on %2; use %3."_s.arg(QString::fromLatin1(request.method), request.path, QLatin1StringView(allowed)));
            e.httpStatus = 405;
            return e;
        }
    }

    LocalCloud::LocalCloud(LocalCloudOptions options, QObject *parent)
        : QObject(parent)
        , m_options {std::move(options)}
        , m_garbageTimer {this}
        , m_checkpointTimer {this}
    {
        m_garbageTimer.setInterval(m_options.garbageCollectionIntervalMs);
        connect(&m_garbageTimer, &QTimer::timeout, this, &LocalCloud::collectGarbage);
        m_checkpointTimer.setInterval(500);
        connect(&m_checkpointTimer, &QTimer::timeout, this, &LocalCloud::startCheckpoint);
    }

    LocalCloud::~LocalCloud()
    {
        close();
    }

    Status LocalCloud::open()
    {
        if (Status s = LocalStore::open(m_db, m_options.dataDir, m_options.durability); !s)
            return s;
        PubSubService::Options pubSubOptions;
        pubSubOptions.maxPullWaitMs = m_options.maxPullWaitMs;
        m_pubSub = std::make_unique<PubSubService>(m_db, pubSubOptions);
        if (Status s = m_pubSub->load(); !s)
            return s;
        BigQueryService::Options bigQueryOptions;
        bigQueryOptions.dedupWindowMicros = m_options.dedupWindowMicros;
        bigQueryOptions.indexBatchRows = m_options.indexBatchRows;
        bigQueryOptions.indexIdleMs = m_options.indexIdleMs;
        m_bigQuery = std::make_unique<BigQueryService>(m_db, m_options.dataDir, bigQueryOptions);
        if (Status s = m_bigQuery->load(); !s)
            return s;
        m_garbageTimer.start();
        m_checkpointTimer.start();
        qCInfo(lcLocalCloud) << "local cloud store open at" << LocalStore::databasePath(m_options.dataDir);
        return Ok {};
    }

    void LocalCloud::close()
    {
        m_garbageTimer.stop();
        m_checkpointTimer.stop();
        if (m_bigQuery)
            m_bigQuery->queryRunner().waitForDone();
        m_bigQuery.reset();
        m_pubSub.reset();
        m_db.close();
    }

    void LocalCloud::collectGarbage()
    {
        if (m_pubSub)
            m_pubSub->collectGarbage();
        if (m_bigQuery)
            m_bigQuery->collectGarbage();
    }

    void LocalCloud::startCheckpoint()
    {
        if (m_checkpointRunning || !m_bigQuery)
            return;
        m_checkpointRunning = true;
        m_bigQuery->queryRunner().run<Status>([dataDir = m_options.dataDir] { return LocalStore::checkpoint(dataDir); },
                                             [this](Status status) {
                                                 m_checkpointRunning = false;
                                                 if (!status)
                                                     qCWarning(lcLocalCloud) << "WAL checkpoint failed:" << status.error().message;
                                             });
    }

    void LocalCloud::post(LocalRequest request, LocalResponder respond)
    {
        QMetaObject::invokeMethod(this, [this, request = std::move(request), respond = std::move(respond)]() mutable {
            handle(request, std::move(respond));
        }, Qt::QueuedConnection);
    }

    void LocalCloud::handle(const LocalRequest &request, LocalResponder respond)
    {
        if (!m_pubSub || !m_bigQuery)
            return respond(LocalResponse::error(ApiError::unavailable(u"The local cloud is not open."_s)));
        QStringList segments = request.path.split(u'/', Qt::SkipEmptyParts);
        if (segments.size() >= 3 && segments[0] == u"v1"_s && segments[1] == u"projects"_s)
            return handlePubSub(request, segments[2], segments.mid(3), std::move(respond));
        if (segments.size() >= 2 && segments[0] == u"bigquery"_s && segments[1] == u"v2"_s)
            segments = segments.mid(2);
        if (segments.size() >= 2 && segments[0] == u"projects"_s)
            return handleBigQuery(request, segments[1], segments.mid(2), std::move(respond));
        respond(LocalResponse::error(noRoute(request)));
    }

    void LocalCloud::handlePubSub(const LocalRequest &request, const QString &project, const QStringList &rest, LocalResponder respond)
    {
        PubSubService &ps = *m_pubSub;
        const QByteArray &method = request.method;
        if (rest.isEmpty())
            return respond(LocalResponse::error(noRoute(request)));
        const QString collection = rest[0];
        if (rest.size() == 1) {
            if (method != "GET")
                return respond(LocalResponse::error(wrongMethod(request, "GET")));
            if (collection == u"topics"_s)
                return respond(toResponse(ps.listTopics(project, request)));
            if (collection == u"subscriptions"_s)
                return respond(toResponse(ps.listSubscriptions(project, request)));
            if (collection == u"snapshots"_s || collection == u"schemas"_s)
                return respond(LocalResponse::error(ApiError::unimplemented(u"%1 are not supported by the local cloud."_s.arg(collection))));
            return respond(LocalResponse::error(noRoute(request)));
        }
        QString id = rest[1];
        QString verb;
        if (const qsizetype colon = id.lastIndexOf(u':'); colon > 0 && rest.size() == 2) {
            verb = id.mid(colon + 1);
            id = id.left(colon);
        }
        if (collection == u"topics"_s || collection == u"subscriptions"_s) {
            if (Status s = PubSubService::validateName(project, id, collection == u"topics"_s ? "topics" : "subscriptions"); !s)
                return respond(LocalResponse::error(s.error()));
        }
        // publish and acknowledge, the hot paths, read their bodies themselves.
        const bool readsOwnBody = verb == u"publish"_s || verb == u"acknowledge"_s;
        Result<QJsonObject> body = readsOwnBody ? Result<QJsonObject>(QJsonObject()) : JsonFields::parseObject(request.body);
        if (!body && method != "GET" && method != "DELETE")
            return respond(LocalResponse::error(body.error()));
        const QJsonObject json = body ? *body : QJsonObject();

        if (collection == u"topics"_s) {
            if (rest.size() == 3 && rest[2] == u"subscriptions"_s) {
                if (method != "GET")
                    return respond(LocalResponse::error(wrongMethod(request, "GET")));
                return respond(toResponse(ps.listTopicSubscriptions(project, id, request)));
            }
            if (rest.size() != 2)
                return respond(LocalResponse::error(noRoute(request)));
            if (verb == u"publish"_s) {
                if (method != "POST")
                    return respond(LocalResponse::error(wrongMethod(request, "POST")));
                return respond(toResponse(ps.publish(project, id, request.body)));
            }
            if (!verb.isEmpty())
                return respond(LocalResponse::error(noRoute(request)));
            if (method == "PUT")
                return respond(toResponse(ps.createTopic(project, id, json)));
            if (method == "GET")
                return respond(toResponse(ps.getTopic(project, id)));
            if (method == "PATCH")
                return respond(toResponse(ps.patchTopic(project, id, json)));
            if (method == "DELETE")
                return respond(toResponse(ps.deleteTopic(project, id)));
            return respond(LocalResponse::error(wrongMethod(request, "PUT, GET, PATCH or DELETE")));
        }
        if (collection == u"subscriptions"_s && rest.size() == 2) {
            if (!verb.isEmpty() && method != "POST")
                return respond(LocalResponse::error(wrongMethod(request, "POST")));
            if (verb == u"pull"_s)
                return ps.pull(project, id, json, request.cancelled, std::move(respond));
            if (verb == u"acknowledge"_s)
                return respond(toResponse(ps.acknowledge(project, id, request.body)));
            if (verb == u"modifyAckDeadline"_s)
                return respond(toResponse(ps.modifyAckDeadline(project, id, json)));
            if (verb == u"seek"_s)
                return respond(toResponse(ps.seek(project, id, json)));
            if (verb == u"detach"_s)
                return respond(toResponse(ps.detach(project, id)));
            if (verb == u"modifyPushConfig"_s)
                return respond(LocalResponse::error(ApiError::invalidArgument(u"Push subscriptions are not supported by the local cloud."_s)));
            if (!verb.isEmpty())
                return respond(LocalResponse::error(noRoute(request)));
            if (method == "PUT")
                return respond(toResponse(ps.createSubscription(project, id, json)));
            if (method == "GET") {
                Result<QJsonObject> resource = ps.getSubscription(project, id);
                // An extension (clients ignore unknown fields): the backlog, which Google Cloud tells through
                // Cloud Monitoring (pubsub.googleapis.com/subscription/num_undelivered_messages) instead.
                if (resource) {
                    if (const Result<qint64> backlog = ps.backlog(project, id))
                        resource->insert(u"numUndeliveredMessages"_s, QString::number(*backlog));
                }
                return respond(toResponse(resource));
            }
            if (method == "PATCH")
                return respond(toResponse(ps.patchSubscription(project, id, json)));
            if (method == "DELETE")
                return respond(toResponse(ps.deleteSubscription(project, id)));
            return respond(LocalResponse::error(wrongMethod(request, "PUT, GET, PATCH or DELETE")));
        }
        if (collection == u"snapshots"_s || collection == u"schemas"_s)
            return respond(LocalResponse::error(ApiError::unimplemented(u"%1 are not supported by the local cloud."_s.arg(collection))));
        respond(LocalResponse::error(noRoute(request)));
    }

    void LocalCloud::handleBigQuery(const LocalRequest &request, const QString &project, const QStringList &rest, LocalResponder respond)
    {
        BigQueryService &bq = *m_bigQuery;
        const QByteArray &method = request.method;
        const qsizetype n = rest.size();
        // insertAll parses its own (large) body on the pool: never parse it here
        const bool isInsertAll = n == 5 && rest[0] == u"datasets"_s && rest[2] == u"tables"_s && rest[4] == u"insertAll"_s;
        const bool hasBody = !isInsertAll && (method == "POST" || method == "PUT" || method == "PATCH");
        Result<QJsonObject> body = hasBody ? JsonFields::parseObject(request.body) : Result<QJsonObject>(QJsonObject());
        if (!body)
            return respond(LocalResponse::error(body.error()));
        const QJsonObject json = *body;
        if (n == 0)
            return respond(LocalResponse::error(noRoute(request)));
        const QString collection = rest[0];
        if (collection == u"datasets"_s) {
            if (n == 1) {
                if (method == "GET")
                    return respond(toResponse(bq.listDatasets(project, request)));
                if (method == "POST")
                    return respond(toResponse(bq.insertDataset(project, json)));
                return respond(LocalResponse::error(wrongMethod(request, "GET or POST")));
            }
            const QString dataset = rest[1];
            if (n == 2) {
                if (method == "GET")
                    return respond(toResponse(bq.getDataset(project, dataset)));
                if (method == "PATCH" || method == "PUT")
                    return respond(toResponse(bq.patchDataset(project, dataset, json)));
                if (method == "DELETE")
                    return respond(toResponse(bq.deleteDataset(project, dataset, request.queryValue(u"deleteContents"_s) == u"true"_s)));
                return respond(LocalResponse::error(wrongMethod(request, "GET, PATCH, PUT or DELETE")));
            }
            if (rest[2] != u"tables"_s)
                return respond(LocalResponse::error(noRoute(request)));
            if (n == 3) {
                if (method == "GET")
                    return respond(toResponse(bq.listTables(project, dataset, request)));
                if (method == "POST")
                    return respond(toResponse(bq.insertTable(project, dataset, json)));
                return respond(LocalResponse::error(wrongMethod(request, "GET or POST")));
            }
            const QString table = rest[3];
            if (n == 4) {
                if (method == "GET")
                    return respond(toResponse(bq.getTable(project, dataset, table)));
                if (method == "PATCH" || method == "PUT")
                    return respond(toResponse(bq.patchTable(project, dataset, table, json)));
                if (method == "DELETE")
                    return respond(toResponse(bq.deleteTable(project, dataset, table)));
                return respond(LocalResponse::error(wrongMethod(request, "GET, PATCH, PUT or DELETE")));
            }
            if (n == 5 && rest[4] == u"insertAll"_s) {
                if (method != "POST")
                    return respond(LocalResponse::error(wrongMethod(request, "POST")));
                return bq.insertAll(project, dataset, table, request.body, std::move(respond));
            }
            if (n == 5 && rest[4] == u"data"_s) {
                if (method != "GET")
                    return respond(LocalResponse::error(wrongMethod(request, "GET")));
                return bq.listTableData(project, dataset, table, request, std::move(respond));
            }
            return respond(LocalResponse::error(noRoute(request)));
        }
        if (collection == u"queries"_s) {
            if (n == 1 && method == "POST")
                return bq.query(project, json, std::move(respond));
            if (n == 2 && method == "GET")
                return bq.getQueryResults(project, rest[1], request, std::move(respond));
            return respond(LocalResponse::error(noRoute(request)));
        }
        if (collection == u"jobs"_s) {
            if (n == 1 && method == "POST")
                return bq.insertJob(project, json, std::move(respond));
            if (n == 1 && method == "GET")
                return respond(toResponse(bq.listJobs(project, request)));
            if (n == 2 && method == "GET")
                return respond(toResponse(bq.getJob(project, rest[1])));
            if (n == 3 && rest[2] == u"cancel"_s && method == "POST")
                return respond(toResponse(bq.cancelJob(project, rest[1])));
            return respond(LocalResponse::error(noRoute(request)));
        }
        respond(LocalResponse::error(noRoute(request)));
    }

    LocalCloudHost::LocalCloudHost(LocalCloudOptions options)
        : m_options {std::move(options)}
    {
        m_thread.setObjectName(u"localcloud"_s);
    }

    LocalCloudHost::~LocalCloudHost()
    {
        stop();
    }

    Status LocalCloudHost::start()
    {
        m_cloud = new LocalCloud(m_options);
        m_cloud->moveToThread(&m_thread);
        m_thread.start();
        Status result = Ok {};
        QMetaObject::invokeMethod(m_cloud, [this, &result] { result = m_cloud->open(); }, Qt::BlockingQueuedConnection);
        if (!result)
            stop();
        return result;
    }

    void LocalCloudHost::stop()
    {
        if (!m_cloud)
            return;
        // Close and delete on the cloud's own thread, then end it: the SQLite connection belongs there.
        QMetaObject::invokeMethod(m_cloud, [this] { delete m_cloud; }, Qt::BlockingQueuedConnection);
        m_cloud = nullptr;
        m_thread.quit();
        m_thread.wait();
    }
}
