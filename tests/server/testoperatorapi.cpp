// The operator HTTP API end to end: a real `aqueduct-server serve` on the embedded local cloud, with its ingest
// pipeline, driven over HTTP as an operator's scripts and the console drive it.
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUrlQuery>

#include "core/server/api/operatorapi.h"
#include "tests/support/httptestreply.h"
#include "tests/support/peerrequirement.h"
#include "tests/support/servertestprocess.h"

using namespace Qt::Literals::StringLiterals;

namespace
{
    using Reply = HttpTestReply;

    QByteArray compact(const QJsonValue &value)
    {
        return value.isArray() ? QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact)
                               : QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    }

    QJsonObject makeEvent(const QString &id, const QString &type, const QString &user, const QString &timestamp, int n)
    {
        return QJsonObject {{u"event_id"_s, id},
                            {u"event_type"_s, type},
                            {u"user_id"_s, user},
                            {u"timestamp"_s, timestamp},
                            {u"event_data"_s, QJsonObject {{u"n"_s, n}, {u"page"_s, u"/p/%1"_s.arg(n)}}}};
    }

    QStringList idsOf(const QJsonArray &events)
    {
        QStringList ids;
        for (const QJsonValue &e : events)
            ids.append(e.toObject().value(u"event_id"_s).toString());
        return ids;
    }

    // A python3 that can import `module`, or empty.
    QString pythonWith(const QString &module)
    {
        QStringList pythons {QStandardPaths::findExecutable(u"python3"_s), u"/usr/bin/python3"_s};
        pythons.removeAll(QString());
        pythons.removeDuplicates();
        for (const QString &python : std::as_const(pythons)) {
            QProcess probe;
            probe.start(python, {u"-c"_s, u"import "_s + module});
            if (probe.waitForFinished(30000) && probe.exitStatus() == QProcess::NormalExit && probe.exitCode() == 0)
                return python;
        }
        return {};
    }

    // Runs a python script with `input` on stdin; its output, or why it failed.
    std::pair<bool, QByteArray> runPython(const QString &python, const QString &script, const QByteArray &input)
    {
        QProcess process;
        process.start(python, {u"-c"_s, script});
        process.write(input);
        process.closeWriteChannel();
        if (!process.waitForFinished(60000))
            return {false, "python timed out"};
        const QByteArray out = process.readAllStandardOutput() + process.readAllStandardError();
        return {process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0, out};
    }

    // The test data: 30 events a second apart, two of them sharing a timestamp (ties go by ingest order), three
    // types and three users.
    QJsonArray seedEvents()
    {
        static const QStringList TYPES {u"click"_s, u"view"_s, u"purchase"_s};
        QJsonArray events;
        for (int i = 0; i < 30; ++i) {
            const int second = i == 29 ? 28 : i;   // e29 ties with e28
            events.append(makeEvent(u"e%1"_s.arg(i, 2, 10, QChar(u'0')), TYPES[i % 3], u"u%1"_s.arg(i % 3),
                                u"2024-05-01T12:00:%1Z"_s.arg(second, 2, 10, QChar(u'0')), i));
        }
        return events;
    }
}

class TestOperatorApi final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    ServerTestProcess m_server;
    QNetworkAccessManager m_network;
    static constexpr int CacheTtlMs = 2000;

    Reply call(const QByteArray &method, const QString &target, const QByteArray &body = {}, const QByteArray &contentType = "application/json")
    {
        QNetworkRequest request(m_server.endpoint().resolved(QUrl(target)));
        if (!body.isEmpty() || method == "POST")
            request.setHeader(QNetworkRequest::ContentTypeHeader, contentType);
        // HEAD through sendCustomRequest would wait for a body that never comes.
        QNetworkReply *reply = method == "HEAD" ? m_network.head(request) : m_network.sendCustomRequest(request, method, body);
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(60000, &loop, &QEventLoop::quit);
        loop.exec();
        return HttpTestReply::take(reply);
    }

    Reply get(const QString &target) { return call("GET", target); }

    // Polls until `done` holds (at most 30 s).
    template <typename Predicate>
    bool eventually(Predicate done)
    {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 30000) {
            if (done())
                return true;
            QTest::qWait(200);
        }
        return false;
    }

    int storedRows()
    {
        const Reply data = get(u"/data?format=ndjson"_s);
        return data.status == 200 ? int(data.body.count('\n')) : -1;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(m_server.start(m_dir.path(), {u"--cache-ttl"_s, u"%1ms"_s.arg(CacheTtlMs)}, ServerTestProcess::WithIngest));
        QVERIFY2(eventually([this] { return get(u"/readyz"_s).status == 200; }), m_server.stderrText().constData());
        const Reply published = call("POST", u"/publish"_s, compact(seedEvents()));
        QCOMPARE(published.status, 200);
        QCOMPARE(published.object().value(u"messageIds"_s).toArray().size(), 30);
        QVERIFY2(eventually([this] { return storedRows() == 30; }), "the 30 published events never reached the table");
    }

    void eventsAreNewestFirstInTheSeedsShape()
    {
        const Reply reply = get(u"/events?limit=1000"_s);
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.header("Content-Type").left(16), "application/json"_ba);
        const QJsonArray events = reply.array();
        QCOMPARE(events.size(), 30);
        QVERIFY(!reply.hasHeader("X-Next-Page-Token"));
        QString previous = u"9999"_s;
        for (const QJsonValue &value : events) {
            const QJsonObject e = value.toObject();
            const QStringList keys = e.keys();
            QCOMPARE(QSet<QString>(keys.begin(), keys.end()), (QSet<QString> {u"event_id"_s, u"timestamp"_s, u"event_data"_s}));
            const QString timestamp = e.value(u"timestamp"_s).toString();
            QVERIFY(timestamp.endsWith(u'Z'));
            QVERIFY(timestamp <= previous);
            previous = timestamp;
            QVERIFY(e.value(u"event_data"_s).isObject());
        }
        // e28 and e29 share the newest timestamp: the later ingested (then the greater key) first.
        QCOMPARE(idsOf(events).mid(0, 3), (QStringList {u"e29"_s, u"e28"_s, u"e27"_s}));
        QCOMPARE(events.last().toObject().value(u"event_data"_s).toObject().value(u"page"_s).toString(), u"/p/0"_s);
    }

    void pagesFollowTheNextPageToken()
    {
        const QStringList all = idsOf(get(u"/events?limit=1000"_s).array());
        QStringList paged;
        QString target = u"/events?limit=7"_s;
        int pages = 0;
        while (!target.isEmpty() && pages < 20) {
            const Reply reply = get(target);
            QCOMPARE(reply.status, 200);
            const QJsonArray page = reply.array();
            QVERIFY(page.size() <= 7);
            paged += idsOf(page);
            ++pages;
            const QByteArray token = reply.header("X-Next-Page-Token");
            if (token.isEmpty()) {
                QVERIFY(!reply.hasHeader("Link"));
                break;
            }
            const QByteArray link = reply.header("Link");
            QVERIFY2(link.startsWith("</events?") && link.endsWith(">; rel=\"next\"") && link.contains(QUrl::toPercentEncoding(QString::fromLatin1(token))), link.constData());
            target = QString::fromLatin1(link.mid(1, link.indexOf('>') - 1));
        }
        QCOMPARE(pages, 5);
        QCOMPARE(paged, all);
    }

    void filtersSelectRows()
    {
        const QJsonArray clicks = get(u"/events?event_type=click&limit=1000"_s).array();
        QCOMPARE(clicks.size(), 10);
        for (const QString &id : idsOf(clicks))
            QCOMPARE(id.mid(1).toInt() % 3, 0);
        const QJsonArray user1 = get(u"/events?user_id=u1&event_type=view"_s).array();
        QCOMPARE(user1.size(), 10);
        const QJsonArray window = get(u"/events?since=2024-05-01T12:00:10Z&until=2024-05-01T12:00:20Z"_s).array();
        QCOMPARE(idsOf(window).size(), 10);
        QCOMPARE(idsOf(window).first(), u"e19"_s);
        QCOMPARE(idsOf(window).last(), u"e10"_s);
        // since takes BigQuery's other TIMESTAMP forms too
        QCOMPARE(get(u"/events?since=2024-05-01%2012:00:25%20UTC"_s).array().size(), 5);
    }

    void badParametersAreNamed_data()
    {
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("named");
        QTest::newRow("limit 0") << u"/events?limit=0"_s << u"limit"_s;
        QTest::newRow("limit text") << u"/events?limit=ten"_s << u"limit"_s;
        QTest::newRow("limit too big") << u"/events?limit=1001"_s << u"limit"_s;
        QTest::newRow("since") << u"/events?since=yesterday"_s << u"since"_s;
        QTest::newRow("until") << u"/events?until=2024-13-01"_s << u"until"_s;
        QTest::newRow("since after until") << u"/events?since=2024-05-02T00:00:00Z&until=2024-05-01T00:00:00Z"_s << u"since"_s;
        QTest::newRow("page token") << u"/events?page_token=bm90IGEgdG9rZW4"_s << u"page_token"_s;
        QTest::newRow("unknown") << u"/events?color=red"_s << u"color"_s;
        QTest::newRow("twice") << u"/events?limit=1&limit=2"_s << u"limit"_s;
        QTest::newRow("long filter") << u"/events?user_id="_s + QString(2000, u'x') << u"user_id"_s;
        QTest::newRow("data format") << u"/data?format=xml"_s << u"format"_s;
        QTest::newRow("series window") << u"/stats/series?window=61"_s << u"window"_s;
        QTest::newRow("dead letters limit") << u"/dead-letters?limit=-1"_s << u"limit"_s;
        QTest::newRow("stats takes none") << u"/stats?x=1"_s << u"x"_s;
        QTest::newRow("id with parameters") << u"/api/v1/e01?x=1"_s << u"/api/v1/{id}"_s;
    }

    void badParametersAreNamed()
    {
        QFETCH(QString, target);
        QFETCH(QString, named);
        const Reply reply = get(target);
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.errorStatus(), u"INVALID_ARGUMENT"_s);
        QVERIFY2(reply.errorMessage().contains(named), qPrintable(reply.errorMessage()));
        QVERIFY(!reply.body.contains("/tmp") && !reply.body.contains(".cpp"));
    }

    void pageTokenIsBoundToItsFilters()
    {
        const Reply first = get(u"/events?event_type=click&limit=2"_s);
        const QByteArray token = first.header("X-Next-Page-Token");
        QVERIFY(!token.isEmpty());
        QCOMPARE(get(u"/events?event_type=click&limit=2&page_token="_s + QString::fromLatin1(token)).status, 200);
        const Reply other = get(u"/events?event_type=view&limit=2&page_token="_s + QString::fromLatin1(token));
        QCOMPARE(other.status, 400);
        QVERIFY(other.errorMessage().contains(u"page_token"_s));
    }

    void sqlInjectionThroughEveryFilterIsInert_data()
    {
        QTest::addColumn<QString>("value");
        QTest::newRow("quote or") << u"' OR '1'='1"_s;
        QTest::newRow("drop") << u"x'; DROP TABLE events; --"_s;
        QTest::newRow("backtick") << u"`aqueduct-local.analytics.events`"_s;
        QTest::newRow("union") << u"click' UNION SELECT * FROM events_error_records --"_s;
        QTest::newRow("backslash") << u"\\' OR 1=1 #"_s;
        QTest::newRow("parameter") << u"@event_type"_s;
    }

    void sqlInjectionThroughEveryFilterIsInert()
    {
        QFETCH(QString, value);
        const QString encoded = QString::fromLatin1(QUrl::toPercentEncoding(value));
        for (const QString &filter : {u"event_type"_s, u"user_id"_s}) {
            const Reply reply = get(u"/events?%1=%2"_s.arg(filter, encoded));
            QCOMPARE(reply.status, 200);
            QCOMPARE(reply.array().size(), 0);
        }
        for (const QString &filter : {u"since"_s, u"until"_s, u"page_token"_s}) {
            const Reply reply = get(u"/events?%1=%2"_s.arg(filter, encoded));
            QCOMPARE(reply.status, 400);
            QVERIFY(reply.errorMessage().contains(filter));
        }
        QCOMPARE(get(u"/api/v1/"_s + encoded).status, 404);
        QCOMPARE(get(u"/events?limit=1000"_s).array().size(), 30);   // the table is intact
    }

    void eventByIdComesFromTheKeyColumn()
    {
        const Reply reply = get(u"/api/v1/e05"_s);
        QCOMPARE(reply.status, 200);
        const QJsonObject e = reply.object();
        QCOMPARE(e.value(u"event_id"_s).toString(), u"e05"_s);
        QCOMPARE(e.value(u"timestamp"_s).toString(), u"2024-05-01T12:00:05Z"_s);
        QCOMPARE(e.value(u"event_data"_s).toObject().value(u"n"_s).toInt(), 5);
        QVERIFY(reply.hasHeader("Age"));

        const Reply missing = get(u"/api/v1/no-such-event"_s);
        QCOMPARE(missing.status, 404);
        QCOMPARE(missing.errorStatus(), u"NOT_FOUND"_s);
        QVERIFY(missing.errorMessage().contains(u"no-such-event"_s));
        QCOMPARE(get(u"/api/v1/a%2Fb"_s).status, 404);
        QCOMPARE(get(u"/api/v1/a/b"_s).status, 400);
    }

    // Hot reads: whatever the request rate, BigQuery sees at most one query per TTL for one first page.
    void hotReadsQueryBigQueryOncePerTtl()
    {
        const auto queriesFor = [this](const QString &limitClause) {
            const Reply jobs = get(u"/bigquery/v2/projects/aqueduct-local/jobs?maxResults=10000"_s);
            int count = 0;
            for (const QJsonValue &job : jobs.object().value(u"jobs"_s).toArray()) {
                const QString sql = job.toObject().value(u"configuration"_s).toObject().value(u"query"_s).toObject().value(u"query"_s).toString();
                if (sql.endsWith(limitClause))
                    ++count;
            }
            return count;
        };
        QCOMPARE(queriesFor(u"LIMIT 4"_s), 0);
        QElapsedTimer timer;
        timer.start();
        QList<QNetworkReply *> replies;
        for (int i = 0; i < 60; ++i)
            replies.append(m_network.get(QNetworkRequest(m_server.endpoint().resolved(QUrl(u"/events?limit=3"_s)))));
        for (QNetworkReply *reply : std::as_const(replies)) {
            if (!reply->isFinished()) {
                QEventLoop loop;
                QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
                loop.exec();
            }
            QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
            QVERIFY(reply->hasRawHeader("Age"));
            QCOMPARE(QJsonDocument::fromJson(reply->readAll()).array().size(), 3);
            reply->deleteLater();
        }
        const qint64 elapsed = timer.elapsed();
        const int queries = queriesFor(u"LIMIT 4"_s);
        QVERIFY(queries >= 1);
        QVERIFY2(queries <= elapsed / CacheTtlMs + 1, qPrintable(u"%1 queries in %2 ms"_s.arg(queries).arg(elapsed)));
        const QJsonObject cache = get(u"/stats"_s).object().value(u"responseCache"_s).toObject();
        QVERIFY(cache.value(u"hits"_s).toInteger() + cache.value(u"staleHits"_s).toInteger() >= 60 - queries);
    }

    void dataStreamsEveryRowInEachFormat()
    {
        const Reply json = get(u"/data"_s);
        QCOMPARE(json.status, 200);
        QCOMPARE(json.array().size(), 30);
        QCOMPARE(json.header("Transfer-Encoding"), "chunked"_ba);
        QCOMPARE(json.array().first().toObject().keys().size(), 3);

        const Reply ndjson = get(u"/data?format=ndjson"_s);
        QCOMPARE(ndjson.header("Content-Type"), "application/x-ndjson"_ba);
        const QList<QByteArray> lines = ndjson.body.trimmed().split('\n');
        QCOMPARE(lines.size(), 30);
        for (const QByteArray &line : lines)
            QVERIFY(QJsonDocument::fromJson(line).isObject());

        const Reply csv = get(u"/data?format=CSV"_s);
        QVERIFY(csv.header("Content-Type").startsWith("text/csv"));
        const QList<QByteArray> rows = csv.body.trimmed().split('\n');
        QCOMPARE(rows.size(), 31);
        QCOMPARE(rows.first().trimmed(), "event_id,timestamp,event_data"_ba);
        QVERIFY(rows[1].contains("\"{\"\"n\"\":"));
    }

    void publishValidatesWhenAsked()
    {
        QJsonObject bad = makeEvent(u"bad-1"_s, u"click"_s, u"u9"_s, u"yesterday"_s, 1);
        const QJsonArray batch {makeEvent(u"good-1"_s, u"click"_s, u"u9"_s, u"2024-05-02T00:00:00Z"_s, 1), bad};
        const Reply refused = call("POST", u"/publish?validate=true"_s, compact(batch));
        QCOMPARE(refused.status, 400);
        const QJsonObject error = refused.object().value(u"error"_s).toObject();
        const QJsonArray violations = error.value(u"details"_s).toArray().first().toObject().value(u"fieldViolations"_s).toArray();
        QCOMPARE(violations.size(), 1);
        QCOMPARE(violations.first().toObject().value(u"field"_s).toString(), u"messages[1]"_s);
        QVERIFY(violations.first().toObject().value(u"description"_s).toString().contains(u"timestamp"_s));
        QVERIFY(refused.errorMessage().contains(u"nothing was published"_s));

        const QJsonObject pubsubShape {{u"messages"_s, QJsonArray {QJsonObject {{u"data"_s, makeEvent(u"good-2"_s, u"view"_s, u"u9"_s, u"2024-05-02T00:00:01Z"_s, 2)},
                                                                              {u"attributes"_s, QJsonObject {{u"source"_s, u"test"_s}}}}}}};
        const Reply accepted = call("POST", u"/publish?validate=true"_s, compact(pubsubShape));
        QCOMPARE(accepted.status, 200);
        QCOMPARE(accepted.object().value(u"messageIds"_s).toArray().size(), 1);
        QVERIFY(eventually([this] { return get(u"/api/v1/good-2"_s).status == 200; }));
        // good-1 was in the refused batch: never published
        QCOMPARE(get(u"/api/v1/good-1"_s).status, 404);
    }

    void publishRefusesMalformedBodies_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("not json") << "{nope"_ba << u"not JSON"_s;
        QTest::newRow("empty array") << "[]"_ba << u"no events"_s;
        QTest::newRow("scalar in array") << "[1]"_ba << u"[0]"_s;
        QTest::newRow("messages not array") << "{\"messages\":{}}"_ba << u"messages"_s;
        QTest::newRow("bad base64") << "{\"messages\":[{\"data\":\"***\"}]}"_ba << u"base64"_s;
        QTest::newRow("unknown field") << "{\"messages\":[{\"data\":\"eA==\",\"color\":1}]}"_ba << u"color"_s;
        QTest::newRow("attribute not string") << "{\"messages\":[{\"data\":\"eA==\",\"attributes\":{\"a\":1}}]}"_ba << u"attributes"_s;
        QJsonArray many;
        for (int i = 0; i < 1001; ++i)
            many.append(QJsonObject {{u"event_id"_s, i}});
        QTest::newRow("too many") << compact(many) << u"1000"_s;
    }

    void publishRefusesMalformedBodies()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, mentions);
        const Reply reply = call("POST", u"/publish"_s, body);
        QCOMPARE(reply.status, 400);
        QVERIFY2(reply.errorMessage().contains(mentions), qPrintable(reply.errorMessage()));
    }

    void deadLettersCanBeRedriven()
    {
        const QJsonObject broken {{u"event_id"_s, u"dl-1"_s}, {u"event_type"_s, u"click"_s}, {u"timestamp"_s, u"not a time"_s}};
        QCOMPARE(call("POST", u"/publish"_s, compact(broken)).status, 200);
        QJsonObject row;
        QVERIFY(eventually([&] {
            for (const QJsonValue &value : get(u"/dead-letters?limit=100"_s).array()) {
                if (value.toObject().value(u"payloadString"_s).toString().contains(u"dl-1"_s))
                    row = value.toObject();
            }
            return !row.isEmpty();
        }));
        QVERIFY(row.value(u"errorMessage"_s).toString().contains(u"timestamp"_s));
        QVERIFY(row.contains(u"attributes"_s));

        // Redrive checks the schema by default: the broken payload as it is is refused.
        const QJsonObject asItWas {{u"messages"_s, QJsonArray {QJsonObject {{u"data"_s, broken}}}}};
        QCOMPARE(call("POST", u"/dead-letters/redrive"_s, compact(asItWas)).status, 400);
        QJsonObject fixed = broken;
        fixed.insert(u"timestamp"_s, u"2024-05-03T00:00:00Z"_s);
        const Reply redriven = call("POST", u"/dead-letters/redrive"_s, compact(QJsonObject {{u"messages"_s, QJsonArray {QJsonObject {{u"data"_s, fixed}}}}}));
        QCOMPARE(redriven.status, 200);
        QVERIFY(eventually([this] { return get(u"/api/v1/dl-1"_s).status == 200; }));
    }

    void statsAndSeries()
    {
        const Reply stats = get(u"/stats"_s);
        QCOMPARE(stats.status, 200);
        const QJsonObject object = stats.object();
        QVERIFY(object.value(u"totals"_s).toObject().value(u"published"_s).toInteger() >= 30);
        QVERIFY(object.value(u"totals"_s).toObject().value(u"inserted"_s).toInteger() >= 30);
        QCOMPARE(object.value(u"readiness"_s).toObject().value(u"ready"_s).toBool(), true);
        for (const QString &window : {u"60"_s, u"900"_s, u"3600"_s}) {
            const Reply series = get(u"/stats/series?window="_s + window);
            QCOMPARE(series.status, 200);
            QCOMPARE(series.object().value(u"window"_s).toInt(), window.toInt());
            QVERIFY(series.object().value(u"points"_s).isArray());
            if (window == u"60"_s)
                QVERIFY(!series.object().value(u"points"_s).toArray().isEmpty());
        }
    }

    void metricsParseAsPrometheusText()
    {
        const Reply metrics = get(u"/metrics"_s);
        QCOMPARE(metrics.status, 200);
        QVERIFY(metrics.header("Content-Type").startsWith("text/plain; version=0.0.4"));
        const QString python = pythonWith(u"prometheus_client"_s);
        AQ_REQUIRE_PEER(!python.isEmpty(), u"python3 with prometheus_client (Debian: python3-prometheus-client) is needed to parse /metrics"_s);
        const QString script = u"import sys\n"
                               "from prometheus_client.parser import text_string_to_metric_families\n"
                               "families = {f.name: f for f in text_string_to_metric_families(sys.stdin.read())}\n"
                               "published = [s for s in families['aqueduct_messages'].samples if s.labels.get('stage') == 'published']\n"
                               "assert published and published[0].value >= 30, published\n"
                               "assert families['aqueduct_end_to_end_latency_seconds'].type == 'summary'\n"
                               "print('ok')\n"_s;
        const auto [ok, output] = runPython(python, script, metrics.body);
        QVERIFY2(ok, output.constData());
    }

    void probes()
    {
        const Reply health = get(u"/healthz"_s);
        QCOMPARE(health.status, 200);
        const Reply ready = get(u"/readyz"_s);
        QCOMPARE(ready.status, 200);
        QCOMPARE(ready.object().value(u"pipeline"_s).toString(), u"running"_s);
        QCOMPARE(ready.object().value(u"backends"_s).toString(), u"reachable"_s);
    }

    void wrongMethodsAndUnknownRoutes()
    {
        const Reply wrong = call("DELETE", u"/events"_s);
        QCOMPARE(wrong.status, 405);
        QCOMPARE(wrong.header("Allow"), "GET, HEAD"_ba);
        QCOMPARE(call("GET", u"/publish"_s).status, 405);
        const Reply unknown = get(u"/nothing-here"_s);
        QCOMPARE(unknown.status, 404);
        QCOMPARE(unknown.errorStatus(), u"NOT_FOUND"_s);
        const Reply head = call("HEAD", u"/events?limit=2"_s);
        QCOMPARE(head.status, 200);
        QVERIFY(head.body.isEmpty());
    }

    // The document is valid OpenAPI 3; every route it lists answers, and every route the server has is listed.
    void openApiListsExactlyTheRoutes()
    {
        const Reply reply = get(u"/openapi.json"_s);
        QCOMPARE(reply.status, 200);
        const QJsonObject document = reply.object();
        QVERIFY(document.value(u"openapi"_s).toString().startsWith(u"3."_s));
        const QJsonObject paths = document.value(u"paths"_s).toObject();

        QSet<QString> listed;
        for (auto path = paths.begin(); path != paths.end(); ++path) {
            const QJsonObject operations = path.value().toObject();
            for (auto op = operations.begin(); op != operations.end(); ++op) {
                const QString method = op.key().toUpper();
                listed.insert(method + u' ' + path.key());
                const QString target = QString(path.key()).replace(u"{id}"_s, u"e01"_s);
                // An empty body: POST routes answer 400, which proves they are there.
                const Reply answer = call(method.toLatin1(), target, method == u"POST"_s ? "[]"_ba : QByteArray());
                QVERIFY2(answer.status != 404 && answer.status != 405, qPrintable(u"%1 %2 answered %3"_s.arg(method, target).arg(answer.status)));
            }
        }
        QSet<QString> served;
        for (const Aq::Server::OperatorApi::RouteInfo &route : Aq::Server::OperatorApi::routes())
            served.insert(QString::fromLatin1(route.method) + u' ' + route.path);
        QCOMPARE(listed, served);

        const QString python = pythonWith(u"openapi_spec_validator"_s);
        AQ_REQUIRE_PEER(!python.isEmpty(), u"python3 with openapi_spec_validator is needed to validate /openapi.json"_s);
        const auto [ok, output] = runPython(python,
                                            u"import sys, json\nfrom openapi_spec_validator import validate\nvalidate(json.load(sys.stdin))\nprint('ok')\n"_s,
                                            reply.body);
        QVERIFY2(ok, output.constData());
    }
};

QTEST_MAIN(TestOperatorApi)
#include "testoperatorapi.moc"
