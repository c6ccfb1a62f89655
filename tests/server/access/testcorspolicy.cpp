#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include "core/server/access/corspolicy.h"
#include "core/server/http/httprequest.h"
#include "tests/server/access/accesstestsupport.h"

using namespace Qt::Literals::StringLiterals;
using Aq::Result;
using Aq::Server::CorsPolicy;
using Aq::Server::HttpHeaders;
using Aq::Server::HttpRequest;
using Aq::Server::HttpResponse;

namespace
{
    const QByteArray CONSOLE = "https://console.example.com";

    CorsPolicy policyOf(const QStringList &origins)
    {
        const Result<CorsPolicy> policy = CorsPolicy::fromOrigins(origins);
        if (!policy)
            qFatal("%s", qPrintable(policy.error().message));
        return *policy;
    }

    // From `origin` (none when empty); with `requestMethod`, an OPTIONS of that kind is a preflight.
    HttpRequest request(const QByteArray &method, const QByteArray &origin, const QByteArray &requestMethod = {})
    {
        QList<QByteArray> headers;
        if (!origin.isEmpty())
            headers.append("Origin: " + origin);
        if (!requestMethod.isEmpty())
            headers.append("Access-Control-Request-Method: " + requestMethod);
        return Aq::Server::Test::makeRequest(method, "/events", headers);
    }
}

class TestCorsPolicy final : public QObject
{
    Q_OBJECT

private slots:
    void testOriginsAreNormalised_data()
    {
        QTest::addColumn<QStringList>("given");
        QTest::addColumn<QList<QByteArray>>("origins");
        QTest::newRow("plain") << QStringList {u"https://console.example.com"_s} << QList<QByteArray> {CONSOLE};
        QTest::newRow("upper case") << QStringList {u"HTTPS://Console.Example.COM"_s} << QList<QByteArray> {CONSOLE};
        QTest::newRow("default port") << QStringList {u"https://console.example.com:443"_s} << QList<QByteArray> {CONSOLE};
        QTest::newRow("http default port") << QStringList {u"http://localhost:80"_s} << QList<QByteArray> {"http://localhost"};
        QTest::newRow("other port") << QStringList {u"http://localhost:5173"_s} << QList<QByteArray> {"http://localhost:5173"};
        QTest::newRow("https on port 80") << QStringList {u"https://a.example:80"_s} << QList<QByteArray> {"https://a.example:80"};
        QTest::newRow("IPv6") << QStringList {u"http://[::1]:8080"_s} << QList<QByteArray> {"http://[::1]:8080"};
        QTest::newRow("IDN to punycode") << QStringList {u"https://b\u00fccher.example"_s} << QList<QByteArray> {"https://xn--bcher-kva.example"};
        QTest::newRow("spaces trimmed, duplicates dropped")
            << QStringList {u" https://console.example.com "_s, u"https://console.example.com:443"_s, u"http://127.0.0.1:3000"_s}
            << QList<QByteArray> {CONSOLE, "http://127.0.0.1:3000"};
        QTest::newRow("any") << QStringList {u"*"_s} << QList<QByteArray> {"*"};
        QTest::newRow("none") << QStringList {} << QList<QByteArray> {};
    }

    void testOriginsAreNormalised()
    {
        QFETCH(QStringList, given);
        QFETCH(QList<QByteArray>, origins);
        const Result<CorsPolicy> policy = CorsPolicy::fromOrigins(given);
        QVERIFY2(policy.hasValue(), qPrintable(policy ? QString() : policy.error().message));
        QCOMPARE(policy->origins(), origins);
        QCOMPARE(policy->isEnabled(), !origins.isEmpty());
    }

    void testBadOriginsAreRefused_data()
    {
        QTest::addColumn<QStringList>("given");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("no scheme") << QStringList {u"console.example.com"_s} << u"no scheme"_s;
        QTest::newRow("trailing slash") << QStringList {u"https://console.example.com/"_s} << u"'/'"_s;
        QTest::newRow("path") << QStringList {u"https://console.example.com/app"_s} << u"no path"_s;
        QTest::newRow("query") << QStringList {u"https://console.example.com?x=1"_s} << u"query"_s;
        QTest::newRow("fragment") << QStringList {u"https://console.example.com#top"_s} << u"fragment"_s;
        QTest::newRow("user") << QStringList {u"https://me@console.example.com"_s} << u"user name"_s;
        QTest::newRow("ftp") << QStringList {u"ftp://files.example.com"_s} << u"http or https"_s;
        QTest::newRow("wildcard subdomain") << QStringList {u"https://*.example.com"_s} << u"wildcards"_s;
        QTest::newRow("bad port") << QStringList {u"https://console.example.com:99999"_s} << u"not a valid URL"_s;
        QTest::newRow("no host") << QStringList {u"https://"_s} << u"host"_s;
        QTest::newRow("empty") << QStringList {u""_s} << u"empty"_s;
        QTest::newRow("star and a list") << QStringList {u"*"_s, u"https://console.example.com"_s} << u"either"_s;
        QTest::newRow("second is bad") << QStringList {u"https://console.example.com"_s, u"https://x.example/y"_s} << u"https://x.example/y"_s;
    }

    void testBadOriginsAreRefused()
    {
        QFETCH(QStringList, given);
        QFETCH(QString, mentions);
        const Result<CorsPolicy> policy = CorsPolicy::fromOrigins(given);
        QVERIFY(!policy.hasValue());
        QVERIFY2(policy.error().message.contains(u"--cors-origin"_s), qPrintable(policy.error().message));
        QVERIFY2(policy.error().message.contains(mentions), qPrintable(policy.error().message));
    }

    void testOffAddsNothing()
    {
        const CorsPolicy off;
        QVERIFY(!off.isEnabled());
        const HttpRequest preflight = request("OPTIONS", CONSOLE, "POST");
        QVERIFY(!off.isPreflight(preflight));
        QVERIFY(!off.isOriginAllowed(CONSOLE));
        HttpHeaders headers;
        off.decorate(request("GET", CONSOLE), headers);
        QVERIFY(headers.isEmpty());
    }

    void testIsPreflight()
    {
        const CorsPolicy policy = policyOf({QString::fromLatin1(CONSOLE)});
        QVERIFY(policy.isPreflight(request("OPTIONS", CONSOLE, "POST")));
        QVERIFY(policy.isPreflight(request("OPTIONS", "https://evil.example", "POST")));   // answered, with a 403
        QVERIFY(!policy.isPreflight(request("OPTIONS", CONSOLE)));
        QVERIFY(!policy.isPreflight(request("OPTIONS", {}, "POST")));
        QVERIFY(!policy.isPreflight(request("GET", CONSOLE, "POST")));
    }

    void testPreflightFromAnAllowedOrigin()
    {
        const CorsPolicy policy = policyOf({QString::fromLatin1(CONSOLE), u"http://localhost:5173"_s});
        const HttpResponse response = policy.preflightResponse(request("OPTIONS", "http://localhost:5173", "POST"));
        QCOMPARE(response.statusCode(), 204);
        QVERIFY(response.body().isEmpty());
        const HttpHeaders &headers = response.headers();
        QCOMPARE(headers.value("Access-Control-Allow-Origin"), "http://localhost:5173"_ba);
        QCOMPARE(headers.value("Access-Control-Allow-Methods"), "GET, HEAD, POST, OPTIONS"_ba);
        QCOMPARE(headers.value("Access-Control-Allow-Headers"), "Authorization, Content-Type, x-goog-api-key"_ba);
        QCOMPARE(headers.value("Access-Control-Max-Age"), "600"_ba);
        QCOMPARE(headers.value("Vary"), "Origin"_ba);
    }

    void testPreflightFromAnyOrigin()
    {
        const CorsPolicy policy = policyOf({u"*"_s});
        const HttpResponse response = policy.preflightResponse(request("OPTIONS", "https://anyone.example", "GET"));
        QCOMPARE(response.statusCode(), 204);
        QCOMPARE(response.headers().value("Access-Control-Allow-Origin"), "*"_ba);
    }

    void testPreflightFromAnotherOriginIsForbidden()
    {
        const CorsPolicy policy = policyOf({QString::fromLatin1(CONSOLE)});
        for (const QByteArray &origin : {"https://evil.example"_ba, "https://console.example.com.evil.example"_ba, "http://console.example.com"_ba}) {
            const HttpResponse response = policy.preflightResponse(request("OPTIONS", origin, "POST"));
            QCOMPARE(response.statusCode(), 403);
            QVERIFY(!response.headers().contains("Access-Control-Allow-Origin"));
            QCOMPARE(response.contentType(), HttpResponse::JSON_CONTENT_TYPE);
            const QJsonObject error = QJsonDocument::fromJson(response.body()).object().value(u"error"_s).toObject();
            QCOMPARE(error.value(u"code"_s).toInt(), 403);
            QCOMPARE(error.value(u"status"_s).toString(), u"PERMISSION_DENIED"_s);
            QVERIFY2(error.value(u"message"_s).toString().contains(u"--cors-origin"_s), response.body().constData());
        }
    }

    void testDecorate_data()
    {
        QTest::addColumn<QStringList>("allowed");
        QTest::addColumn<QByteArray>("origin");
        QTest::addColumn<QByteArray>("existingVary");
        QTest::addColumn<QByteArray>("allowOrigin");   // empty: none
        QTest::addColumn<QList<QByteArray>>("vary");
        const QStringList console {QString::fromLatin1(CONSOLE)};
        QTest::newRow("allowed") << console << CONSOLE << QByteArray() << CONSOLE << QList<QByteArray> {"Origin"};
        QTest::newRow("allowed, other case") << console << "https://CONSOLE.example.com"_ba << QByteArray() << "https://CONSOLE.example.com"_ba
                                             << QList<QByteArray> {"Origin"};
        QTest::newRow("not allowed") << console << "https://evil.example"_ba << QByteArray() << QByteArray() << QList<QByteArray> {"Origin"};
        QTest::newRow("no Origin") << console << QByteArray() << QByteArray() << QByteArray() << QList<QByteArray> {"Origin"};
        QTest::newRow("null origin") << console << "null"_ba << QByteArray() << QByteArray() << QList<QByteArray> {"Origin"};
        QTest::newRow("any") << QStringList {u"*"_s} << "https://anyone.example"_ba << QByteArray() << "*"_ba << QList<QByteArray> {"Origin"};
        QTest::newRow("Vary kept") << console << CONSOLE << "Accept-Encoding"_ba << CONSOLE << QList<QByteArray> {"Accept-Encoding", "Origin"};
        QTest::newRow("Vary origin not repeated") << console << CONSOLE << "accept, origin"_ba << CONSOLE << QList<QByteArray> {"accept, origin"};
    }

    void testDecorate()
    {
        QFETCH(QStringList, allowed);
        QFETCH(QByteArray, origin);
        QFETCH(QByteArray, existingVary);
        QFETCH(QByteArray, allowOrigin);
        QFETCH(QList<QByteArray>, vary);
        const CorsPolicy policy = policyOf(allowed);
        HttpHeaders headers;
        headers.append("X-Next-Page-Token", "abc");
        if (!existingVary.isEmpty())
            headers.append("Vary", existingVary);
        policy.decorate(request("GET", origin), headers);

        QCOMPARE(headers.values("Vary"), vary);
        QCOMPARE(headers.value("X-Next-Page-Token"), "abc"_ba);
        if (allowOrigin.isEmpty()) {
            QVERIFY(!headers.contains("Access-Control-Allow-Origin"));
            QVERIFY(!headers.contains("Access-Control-Expose-Headers"));
            return;
        }
        QCOMPARE(headers.values("Access-Control-Allow-Origin"), QList<QByteArray> {allowOrigin});
        QCOMPARE(headers.value("Access-Control-Expose-Headers"), "X-Next-Page-Token, Link, Age, Content-Type"_ba);
        QVERIFY(!headers.contains("Access-Control-Allow-Credentials"));
    }
};

QTEST_APPLESS_MAIN(TestCorsPolicy)
#include "testcorspolicy.moc"
