// BigQuery on a REST server (the local cloud): insertAll rows/s in batches of 500 into one table, then
// the latency of the newest 100 rows by query (jobs.query, ORDER BY timestamp DESC LIMIT 100).
//   benchbigquery --endpoint http://127.0.0.1:8080 [--rows 1000000] [--queries 200] [--in-flight 4]
//   benchbigquery --in-process DIR ...   the same requests through the app's in-process route (no HTTP), as
//                                        the console's own ingest pipeline reaches its embedded local cloud
#include <algorithm>
#include <cstdio>

#include <QCommandLineParser>
#include <QJsonArray>
#include <QCoreApplication>
#include <QRandomGenerator>
#include <QUuid>

#include "benchclient.h"
#include "core/localcloud/inprocessnetworkaccessmanager.h"
#include "core/localcloud/localcloud.h"

using namespace Qt::Literals::StringLiterals;

namespace
{
    const char *EVENT_TYPES[] = {"page_view", "click", "login", "form_submit", "purchase"};

    // One insertAll body of `count` seed-shaped events (~300 bytes each), unique insertIds.
    QByteArray insertBody(qint64 firstId, int count, qint64 nowSeconds)
    {
        QByteArray body;
        body.reserve(count * 360);
        body += "{\"rows\":[";
        auto *random = QRandomGenerator::global();
        for (int i = 0; i < count; ++i) {
            const QByteArray id = "evt-" + QByteArray::number(firstId + i);
            const char *type = EVENT_TYPES[random->bounded(5)];
            // a live stream: event times follow ingest order, within a minute of jitter
            const qint64 ts = nowSeconds - 86400 + (firstId + i) / 100 - random->bounded(60);
            if (i)
                body += ',';
            body += "{\"insertId\":\"" + id + "\",\"json\":{\"event_id\":\"" + id + "\",\"event_type\":\"" + type + "\",\"user_id\":\"user-"
                + QByteArray::number(random->bounded(10000)) + "\",\"timestamp\":" + QByteArray::number(ts) + ",\"event_data\":{\"page\":\"/products/"
                + QByteArray::number(random->bounded(500)) + "\",\"browser\":\"firefox\",\"country\":\"DE\",\"device\":\"desktop\",\"amount\":"
                + QByteArray::number(random->bounded(10000) / 100.0) + "},\"message_id\":\"" + QByteArray::number(firstId + i)
                + "\",\"publish_time\":" + QByteArray::number(ts) + ",\"ingest_time\":" + QByteArray::number(ts) + "}}";
        }
        body += "]}";
        return body;
    }
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addOptions({{u"endpoint"_s, u"server base URL"_s, u"url"_s},
                       {u"rows"_s, u"rows to insert"_s, u"n"_s, u"1000000"_s},
                       {u"batch"_s, u"rows per insertAll"_s, u"n"_s, u"500"_s},
                       {u"queries"_s, u"newest-100 queries to time"_s, u"n"_s, u"200"_s},
                       {u"in-flight"_s, u"requests in flight"_s, u"n"_s, u"4"_s},
                       {u"settle-ms"_s, u"pause between the inserts and the timed queries (the WAL checkpoint catches up)"_s, u"ms"_s, u"3000"_s},
                       {u"in-process"_s, u"run a local cloud in this process on DIR instead of using --endpoint"_s, u"dir"_s}});
    parser.process(app);
    const qint64 total = parser.value(u"rows"_s).toLongLong();
    const int batch = parser.value(u"batch"_s).toInt();
    std::unique_ptr<Aq::LocalCloud::LocalCloudHost> host;
    std::unique_ptr<Aq::LocalCloud::InProcessNetworkAccessManager> inProcess;
    QUrl endpoint(parser.value(u"endpoint"_s));
    if (parser.isSet(u"in-process"_s)) {
        Aq::LocalCloud::LocalCloudOptions options;
        options.dataDir = parser.value(u"in-process"_s);
        host = std::make_unique<Aq::LocalCloud::LocalCloudHost>(options);
        if (const Aq::Status s = host->start(); !s) {
            fprintf(stderr, "%s\n", qPrintable(s.error().message));
            return 1;
        }
        inProcess = std::make_unique<Aq::LocalCloud::InProcessNetworkAccessManager>(host->cloud());
        endpoint = Aq::LocalCloud::InProcessNetworkAccessManager::baseUrl();
    }
    BenchClient client(endpoint, inProcess.get());
    if (!inProcess)
        client.allowInFlight(parser.value(u"in-flight"_s).toInt());
    const QByteArray dataset = "bench_" + QUuid::createUuid().toString(QUuid::Id128).left(8).toLatin1();
    const QString base = u"/bigquery/v2/projects/bench/datasets"_s;
    client.call("POST", base, "{\"datasetReference\":{\"datasetId\":\"" + dataset + "\"}}");
    const auto table = client.call("POST", base + u'/' + QString::fromLatin1(dataset) + u"/tables"_s,
                                   R"({"tableReference":{"tableId":"events"},"schema":{"fields":[
        {"name":"event_id","type":"STRING","mode":"REQUIRED"},{"name":"event_type","type":"STRING"},{"name":"user_id","type":"STRING"},
        {"name":"timestamp","type":"TIMESTAMP","mode":"REQUIRED"},{"name":"event_data","type":"JSON"},{"name":"message_id","type":"STRING"},
        {"name":"publish_time","type":"TIMESTAMP"},{"name":"ingest_time","type":"TIMESTAMP"}]},
        "timePartitioning":{"type":"DAY","field":"timestamp"},"clustering":{"fields":["event_type"]}})");
    if (table.status != 200) {
        fprintf(stderr, "cannot create the table: %s\n", table.body.constData());
        return 1;
    }
    const QString insertPath = base + u'/' + QString::fromLatin1(dataset) + u"/tables/events/insertAll"_s;
    const qint64 nowSeconds = QDateTime::currentSecsSinceEpoch();
    qint64 sent = 0;
    qint64 inserted = 0;
    int failures = 0;
    // Up to 2 million rows, bodies are built before the clock starts (the client's JSON building is not
    // what is measured); beyond that they are built as they go, to keep the client's memory bounded.
    const bool prebuilt = total <= 2000000;
    QList<QByteArray> bodies;
    if (prebuilt) {
        for (qint64 first = 0; first < total; first += batch)
            bodies.append(insertBody(first, int(qMin<qint64>(batch, total - first)), nowSeconds));
    }
    qsizetype nextBody = 0;
    const double insertSeconds = client.drive(
        parser.value(u"in-flight"_s).toInt(),
        [&]() -> QNetworkReply * {
            if (sent >= total)
                return nullptr;
            const qint64 first = sent;
            sent += batch;
            return client.send("POST", insertPath, prebuilt ? bodies[nextBody++] : insertBody(first, int(qMin<qint64>(batch, total - first)), nowSeconds));
        },
        [&](QNetworkReply *reply) {
            const QByteArray answer = reply->readAll();
            if (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200 && !answer.contains("insertErrors"))
                inserted += batch;
            else if (failures++ == 0)
                fprintf(stderr, "insertAll failed: %s\n", answer.left(300).constData());
        });
    bodies.clear();

    const QByteArray query = "{\"query\":\"SELECT * FROM `bench." + dataset + ".events` ORDER BY timestamp DESC LIMIT 100\",\"useLegacySql\":false,"
                             "\"formatOptions\":{\"useInt64Timestamp\":true}}";
    QEventLoop settle;
    QTimer::singleShot(parser.value(u"settle-ms"_s).toInt(), &settle, &QEventLoop::quit);
    settle.exec();
    QList<double> latencies;
    for (int i = 0; i < parser.value(u"queries"_s).toInt(); ++i) {
        QElapsedTimer timer;
        timer.start();
        const auto reply = client.call("POST", u"/bigquery/v2/projects/bench/queries"_s, query);
        latencies.append(double(timer.nsecsElapsed()) / 1e6);
        if (reply.status != 200 || reply.json().value(u"rows"_s).toArray().size() != qMin<qint64>(100, inserted)) {
            fprintf(stderr, "query failed: %s\n", reply.body.left(300).constData());
            return 1;
        }
    }
    std::sort(latencies.begin(), latencies.end());
    const auto percentile = [&](double p) { return latencies.isEmpty() ? 0.0 : latencies[qMin(latencies.size() - 1, qsizetype(p * latencies.size()))]; };
    client.call("DELETE", base + u'/' + QString::fromLatin1(dataset) + u"?deleteContents=true"_s);
    printf("{\"route\":\"%s\",\"bodies\":\"%s\",\"rows\":%lld,\"batch\":%d,\"in_flight\":%d,\"insert_rows_per_s\":%.0f,\"inserted\":%lld,\"insert_failures\":%d,"
           "\"newest100_query_ms_p50\":%.2f,\"newest100_query_ms_p99\":%.2f,\"queries\":%lld}\n",
           host ? "in-process" : "http", prebuilt ? "prebuilt" : "built while sending", total, batch, parser.value(u"in-flight"_s).toInt(), inserted / insertSeconds, inserted, failures, percentile(0.5), percentile(0.99), qint64(latencies.size()));
    return failures == 0 ? 0 : 1;
}
