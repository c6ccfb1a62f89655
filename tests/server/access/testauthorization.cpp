#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include "core/common/apierror.h"
#include "core/server/access/authorization.h"
#include "core/server/http/httprequest.h"
#include "tests/server/access/accesstestsupport.h"

using namespace Qt::Literals::StringLiterals;
using Aq::ApiError;
using Aq::Status;
using Aq::Server::AccessPolicy;
using Aq::Server::ApiKeyRing;
using Aq::Server::ApiScope;
using Aq::Server::Test::makeRequest;

Q_DECLARE_METATYPE(ApiScope)

namespace
{
    const QByteArray READ_KEY = "read-key-0123456789abcdef";
    const QByteArray ADMIN_KEY = "admin-key-0123456789abcdef";
    const QByteArray UNKNOWN_KEY = "unknown-key-0123456789abcd";

    AccessPolicy policyWithKeys(bool publicProbes = false)
    {
        AccessPolicy policy;
        const auto keys = ApiKeyRing::load({u"read:"_s + QString::fromLatin1(READ_KEY), QString::fromLatin1(ADMIN_KEY)}, {}, {});
        if (!keys)
            qFatal("%s", qPrintable(keys.error().message));
        policy.keys = *keys;
        policy.publicProbes = publicProbes;
        return policy;
    }
}

class TestAuthorization final : public QObject
{
    Q_OBJECT

private slots:
    void testRequiredScope_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("path");
        QTest::addColumn<ApiScope>("scope");
        const ApiScope read = ApiScope::Read;
        const ApiScope admin = ApiScope::Admin;
        // operator API
        QTest::newRow("GET /events") << "GET"_ba << u"/events"_s << read;
        QTest::newRow("HEAD /data") << "HEAD"_ba << u"/data"_s << read;
        QTest::newRow("GET /dead-letters") << "GET"_ba << u"/dead-letters"_s << read;
        QTest::newRow("GET anything") << "GET"_ba << u"/no/such/route"_s << read;
        QTest::newRow("POST /publish") << "POST"_ba << u"/publish"_s << admin;
        QTest::newRow("POST /dead-letters/redrive") << "POST"_ba << u"/dead-letters/redrive"_s << admin;
        QTest::newRow("POST elsewhere") << "POST"_ba << u"/events"_s << admin;
        QTest::newRow("DELETE elsewhere") << "DELETE"_ba << u"/events"_s << admin;
        QTest::newRow("lower-case get is not GET") << "get"_ba << u"/events"_s << admin;
        // Pub/Sub
        QTest::newRow("topics.get") << "GET"_ba << u"/v1/projects/p/topics/t"_s << read;
        QTest::newRow("publish") << "POST"_ba << u"/v1/projects/p/topics/t:publish"_s << admin;
        QTest::newRow("pull") << "POST"_ba << u"/v1/projects/p/subscriptions/s:pull"_s << admin;
        QTest::newRow("acknowledge") << "POST"_ba << u"/v1/projects/p/subscriptions/s:acknowledge"_s << admin;
        QTest::newRow("modifyAckDeadline") << "POST"_ba << u"/v1/projects/p/subscriptions/s:modifyAckDeadline"_s << admin;
        QTest::newRow("topics.create") << "PUT"_ba << u"/v1/projects/p/topics/t"_s << admin;
        QTest::newRow("subscriptions.delete") << "DELETE"_ba << u"/v1/projects/p/subscriptions/s"_s << admin;
        QTest::newRow("subscriptions.patch") << "PATCH"_ba << u"/v1/projects/p/subscriptions/s"_s << admin;
        QTest::newRow("queries under Pub/Sub") << "POST"_ba << u"/v1/projects/p/queries"_s << admin;
        // BigQuery, both prefixes
        QTest::newRow("jobs.query") << "POST"_ba << u"/bigquery/v2/projects/p/queries"_s << read;
        QTest::newRow("jobs.query short") << "POST"_ba << u"/projects/p/queries"_s << read;
        QTest::newRow("POST queries/JOB") << "POST"_ba << u"/bigquery/v2/projects/p/queries/job_1"_s << read;
        QTest::newRow("getQueryResults") << "GET"_ba << u"/projects/p/queries/job_1"_s << read;
        QTest::newRow("jobs.insert") << "POST"_ba << u"/bigquery/v2/projects/p/jobs"_s << read;
        QTest::newRow("jobs.insert short") << "POST"_ba << u"/projects/p/jobs"_s << read;
        QTest::newRow("jobs.cancel") << "POST"_ba << u"/bigquery/v2/projects/p/jobs/j/cancel"_s << admin;
        QTest::newRow("POST jobs/JOB") << "POST"_ba << u"/projects/p/jobs/j"_s << admin;
        QTest::newRow("queries/JOB/more") << "POST"_ba << u"/projects/p/queries/j/x"_s << admin;
        QTest::newRow("empty project") << "POST"_ba << u"/projects//queries"_s << admin;
        QTest::newRow("trailing slash") << "POST"_ba << u"/projects/p/queries/"_s << admin;
        QTest::newRow("PUT queries") << "PUT"_ba << u"/projects/p/queries"_s << admin;
        QTest::newRow("insertAll") << "POST"_ba << u"/bigquery/v2/projects/p/datasets/d/tables/t/insertAll"_s << admin;
        QTest::newRow("tables.insert") << "POST"_ba << u"/bigquery/v2/projects/p/datasets/d/tables"_s << admin;
        QTest::newRow("tables.patch") << "PATCH"_ba << u"/projects/p/datasets/d/tables/t"_s << admin;
        QTest::newRow("datasets.delete") << "DELETE"_ba << u"/projects/p/datasets/d"_s << admin;
        QTest::newRow("tabledata.list") << "GET"_ba << u"/bigquery/v2/projects/p/datasets/d/tables/t/data"_s << read;
    }

    void testRequiredScope()
    {
        QFETCH(QByteArray, method);
        QFETCH(QString, path);
        QFETCH(ApiScope, scope);
        QCOMPARE(Aq::Server::requiredScope(method, path), scope);
    }

    void testAuthorize_data()
    {
        QTest::addColumn<bool>("withKeys");
        QTest::addColumn<bool>("publicProbes");
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("target");
        QTest::addColumn<QList<QByteArray>>("headers");
        QTest::addColumn<int>("status");   // 0: allowed
        QTest::addColumn<QString>("mentions");

        const QList<QByteArray> none;
        const QList<QByteArray> readBearer {"Authorization: Bearer " + READ_KEY};
        const QList<QByteArray> adminBearer {"Authorization: Bearer " + ADMIN_KEY};
        const QString sendBearer = u"\"Authorization: Bearer <key>\""_s;

        QTest::newRow("no keys: everything open") << false << false << "POST"_ba << "/publish"_ba << none << 0 << QString();
        QTest::newRow("no keys: junk header ignored") << false << false << "GET"_ba << "/events"_ba << QList<QByteArray> {"Authorization: Basic abc"} << 0 << QString();

        QTest::newRow("healthz open") << true << false << "GET"_ba << "/healthz"_ba << none << 0 << QString();
        QTest::newRow("healthz with query open") << true << false << "GET"_ba << "/healthz?verbose=1"_ba << none << 0 << QString();
        QTest::newRow("healthz/x closed") << true << false << "GET"_ba << "/healthz/x"_ba << none << 401 << sendBearer;
        QTest::newRow("metrics closed") << true << false << "GET"_ba << "/metrics"_ba << none << 401 << sendBearer;
        QTest::newRow("readyz closed") << true << false << "GET"_ba << "/readyz"_ba << none << 401 << sendBearer;
        QTest::newRow("public metrics") << true << true << "GET"_ba << "/metrics"_ba << none << 0 << QString();
        QTest::newRow("public readyz HEAD") << true << true << "HEAD"_ba << "/readyz"_ba << none << 0 << QString();
        QTest::newRow("public probes: POST /metrics closed") << true << true << "POST"_ba << "/metrics"_ba << none << 401 << sendBearer;
        QTest::newRow("public probes: /events closed") << true << true << "GET"_ba << "/events"_ba << none << 401 << sendBearer;
        QTest::newRow("preflight open")
            << true << false << "OPTIONS"_ba << "/publish"_ba
            << QList<QByteArray> {"Origin: https://console.example.com", "Access-Control-Request-Method: POST"} << 0 << QString();

        QTest::newRow("no key") << true << false << "GET"_ba << "/events"_ba << none << 401 << sendBearer;
        QTest::newRow("read key reads") << true << false << "GET"_ba << "/events?limit=1"_ba << readBearer << 0 << QString();
        QTest::newRow("bearer in lower case") << true << false << "GET"_ba << "/events"_ba << QList<QByteArray> {"authorization: bearer " + READ_KEY} << 0 << QString();
        QTest::newRow("BEARER in capitals, extra spaces")
            << true << false << "GET"_ba << "/events"_ba << QList<QByteArray> {"AUTHORIZATION: BEARER    " + READ_KEY + "  "} << 0 << QString();
        QTest::newRow("tab after Bearer") << true << false << "GET"_ba << "/events"_ba << QList<QByteArray> {"Authorization: Bearer\t" + READ_KEY} << 0 << QString();
        QTest::newRow("Basic scheme") << true << false << "GET"_ba << "/events"_ba << QList<QByteArray> {"Authorization: Basic " + READ_KEY} << 401 << sendBearer;
        QTest::newRow("key without scheme") << true << false << "GET"_ba << "/events"_ba << QList<QByteArray> {"Authorization: " + READ_KEY} << 401 << sendBearer;
        QTest::newRow("Bearer without key") << true << false << "GET"_ba << "/events"_ba << QList<QByteArray> {"Authorization: Bearer"} << 401 << sendBearer;
        QTest::newRow("Bearerkey glued") << true << false << "GET"_ba << "/events"_ba << QList<QByteArray> {"Authorization: Bearer" + READ_KEY} << 401 << sendBearer;
        QTest::newRow("two Authorization headers")
            << true << false << "GET"_ba << "/events"_ba << QList<QByteArray> {"Authorization: Bearer " + READ_KEY, "Authorization: Bearer " + ADMIN_KEY} << 401
            << u"2 Authorization headers"_s;
        QTest::newRow("unknown key") << true << false << "GET"_ba << "/events"_ba << QList<QByteArray> {"Authorization: Bearer " + UNKNOWN_KEY} << 401 << u"not valid"_s;
        QTest::newRow("prefix of a key")
            << true << false << "GET"_ba << "/events"_ba << QList<QByteArray> {"Authorization: Bearer " + ADMIN_KEY.chopped(1)} << 401 << u"not valid"_s;
        QTest::newRow("query key= is not accepted") << true << false << "GET"_ba << QByteArray("/events?key=" + READ_KEY) << none << 401 << sendBearer;

        QTest::newRow("x-goog-api-key") << true << false << "GET"_ba << "/events"_ba << QList<QByteArray> {"x-goog-api-key: " + READ_KEY} << 0 << QString();
        QTest::newRow("X-Goog-Api-Key admin") << true << false << "POST"_ba << "/publish"_ba << QList<QByteArray> {"X-Goog-Api-Key: " + ADMIN_KEY} << 0 << QString();
        QTest::newRow("x-goog-api-key unknown") << true << false << "GET"_ba << "/events"_ba << QList<QByteArray> {"x-goog-api-key: " + UNKNOWN_KEY} << 401 << u"not valid"_s;
        QTest::newRow("x-goog-api-key empty") << true << false << "GET"_ba << "/events"_ba << QList<QByteArray> {"x-goog-api-key: "} << 401 << sendBearer;

        QTest::newRow("read key cannot publish") << true << false << "POST"_ba << "/publish"_ba << readBearer << 403 << u"POST /publish needs an admin API key"_s;
        QTest::newRow("read key cannot redrive")
            << true << false << "POST"_ba << "/dead-letters/redrive"_ba << readBearer << 403 << u"POST /dead-letters/redrive needs an admin API key"_s;
        QTest::newRow("read x-goog-api-key cannot publish")
            << true << false << "POST"_ba << "/publish"_ba << QList<QByteArray> {"x-goog-api-key: " + READ_KEY} << 403 << u"admin"_s;
        QTest::newRow("admin key publishes") << true << false << "POST"_ba << "/publish?validate=true"_ba << adminBearer << 0 << QString();
        QTest::newRow("admin key reads") << true << false << "GET"_ba << "/stats"_ba << adminBearer << 0 << QString();
        QTest::newRow("read key queries BigQuery") << true << false << "POST"_ba << "/bigquery/v2/projects/p/queries"_ba << readBearer << 0 << QString();
        QTest::newRow("read key inserts a query job") << true << false << "POST"_ba << "/projects/p/jobs"_ba << readBearer << 0 << QString();
        QTest::newRow("read key cannot insertAll")
            << true << false << "POST"_ba << "/bigquery/v2/projects/p/datasets/d/tables/t/insertAll"_ba << readBearer << 403 << u"admin"_s;
        QTest::newRow("read key cannot pull")
            << true << false << "POST"_ba << "/v1/projects/p/subscriptions/s:pull"_ba << readBearer << 403 << u"/v1/projects/p/subscriptions/s:pull"_s;
        QTest::newRow("read key cannot delete a topic") << true << false << "DELETE"_ba << "/v1/projects/p/topics/t"_ba << readBearer << 403 << u"DELETE"_s;
        QTest::newRow("read key gets a topic") << true << false << "GET"_ba << "/v1/projects/p/topics/t"_ba << readBearer << 0 << QString();
    }

    void testAuthorize()
    {
        QFETCH(bool, withKeys);
        QFETCH(bool, publicProbes);
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, target);
        QFETCH(QList<QByteArray>, headers);
        QFETCH(int, status);
        QFETCH(QString, mentions);

        const AccessPolicy policy = withKeys ? policyWithKeys(publicProbes) : AccessPolicy {};
        const Status result = Aq::Server::authorize(policy, makeRequest(method, target, headers));
        if (status == 0) {
            QVERIFY2(result.hasValue(), qPrintable(result ? QString() : result.error().message));
            return;
        }
        QVERIFY(!result.hasValue());
        const ApiError &error = result.error();
        QCOMPARE(error.httpStatus, status);
        QCOMPARE(error.status, status == 401 ? u"UNAUTHENTICATED"_s : u"PERMISSION_DENIED"_s);
        QVERIFY2(error.message.contains(mentions), qPrintable(error.message));
        for (const QByteArray &key : {READ_KEY, ADMIN_KEY, UNKNOWN_KEY, ADMIN_KEY.chopped(1)})
            QVERIFY2(!error.message.contains(QString::fromLatin1(key)), qPrintable(error.message));
    }

    void testUnauthenticatedResponseAsksForABearerToken()
    {
        const Status denied = Aq::Server::authorize(policyWithKeys(), makeRequest("GET", "/events"));
        QVERIFY(!denied.hasValue());
        const Aq::Server::HttpResponse response = Aq::Server::accessDeniedResponse(denied.error());
        QCOMPARE(response.statusCode(), 401);
        QCOMPARE(response.headers().value("WWW-Authenticate"), "Bearer realm=\"aqueduct\""_ba);
        QCOMPARE(response.contentType(), Aq::Server::HttpResponse::JSON_CONTENT_TYPE);
        const QJsonObject error = QJsonDocument::fromJson(response.body()).object().value(u"error"_s).toObject();
        QCOMPARE(error.value(u"code"_s).toInt(), 401);
        QCOMPARE(error.value(u"status"_s).toString(), u"UNAUTHENTICATED"_s);
    }

    void testForbiddenResponseHasNoChallenge()
    {
        const Status denied = Aq::Server::authorize(policyWithKeys(), makeRequest("POST", "/publish", {"Authorization: Bearer " + READ_KEY}));
        QVERIFY(!denied.hasValue());
        const Aq::Server::HttpResponse response = Aq::Server::accessDeniedResponse(denied.error());
        QCOMPARE(response.statusCode(), 403);
        QVERIFY(!response.headers().contains("WWW-Authenticate"));
        const QJsonObject error = QJsonDocument::fromJson(response.body()).object().value(u"error"_s).toObject();
        QCOMPARE(error.value(u"status"_s).toString(), u"PERMISSION_DENIED"_s);
    }
};

QTEST_APPLESS_MAIN(TestAuthorization)
#include "testauthorization.moc"
