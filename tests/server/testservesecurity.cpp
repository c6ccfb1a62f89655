// `serve` exposed beyond localhost: API keys with read and admin scopes on the operator API and the local cloud's
// routes, --public-probes, TLS, CORS, the 10 MB body limit, and JSON logs with an access entry per request that
// never carry a key.
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include "tests/support/httptestreply.h"
#include "tests/support/peerrequirement.h"
#include "tests/support/servertestprocess.h"

using namespace Qt::Literals::StringLiterals;

namespace
{
    const QByteArray READ_KEY = "read-key-0123456789abcdef";
    const QByteArray ADMIN_KEY = "admin-key-0123456789abcdef";
    const QByteArray ORIGIN = "https://console.example.com";

    using Reply = HttpTestReply;
}

class TestServeSecurity final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    ServerTestProcess m_server;
    QNetworkAccessManager m_network;
    QSslConfiguration m_tls;

    Reply call(const QByteArray &method, const QString &target, const QByteArray &key = {}, const QByteArray &body = {},
               const QList<std::pair<QByteArray, QByteArray>> &headers = {})
    {
        QNetworkRequest request(m_server.endpoint().resolved(QUrl(target)));
        request.setSslConfiguration(m_tls);
        if (!key.isEmpty())
            request.setRawHeader("Authorization", "Bearer " + key);
        if (method == "POST")
            request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
        for (const auto &[name, value] : headers)
            request.setRawHeader(name, value);
        QNetworkReply *reply = m_network.sendCustomRequest(request, method, body);
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(30000, &loop, &QEventLoop::quit);
        loop.exec();
        return HttpTestReply::take(reply);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QString openssl = QStandardPaths::findExecutable(u"openssl"_s);
        AQ_REQUIRE_PEER(!openssl.isEmpty(), u"the openssl command is needed to make a test certificate"_s);
        const QString cert = m_dir.filePath(u"cert.pem"_s);
        const QString key = m_dir.filePath(u"key.pem"_s);
        QProcess make;
        make.start(openssl, {u"req"_s, u"-x509"_s, u"-newkey"_s, u"rsa:2048"_s, u"-nodes"_s, u"-keyout"_s, key, u"-out"_s, cert, u"-days"_s, u"1"_s,
                             u"-subj"_s, u"/CN=127.0.0.1"_s, u"-addext"_s, u"subjectAltName=IP:127.0.0.1"_s});
        QVERIFY(make.waitForFinished(60000));
        QCOMPARE(make.exitCode(), 0);
        m_tls = QSslConfiguration::defaultConfiguration();
        m_tls.setCaCertificates(QSslCertificate::fromPath(cert));

        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(u"AQUEDUCT_API_KEYS"_s, QString::fromLatin1("read:" + READ_KEY + ", " + ADMIN_KEY));
        QVERIFY(m_server.start(m_dir.filePath(u"data"_s),
                               {u"--public-probes"_s, u"--tls-cert"_s, cert, u"--tls-key"_s, key, u"--cors-origin"_s, QString::fromLatin1(ORIGIN),
                                u"--log-format"_s, u"json"_s},
                               ServerTestProcess::WithIngest, environment));
        QCOMPARE(m_server.endpoint().scheme(), u"https"_s);
        QElapsedTimer timer;
        timer.start();
        while (call("GET", u"/readyz"_s).status != 200 && timer.elapsed() < 30000)
            QTest::qWait(200);
        QCOMPARE(call("GET", u"/readyz"_s).status, 200);
    }

    void withoutAKeyOnlyProbesAnswer()
    {
        const Reply denied = call("GET", u"/events"_s);
        QCOMPARE(denied.status, 401);
        QCOMPARE(denied.errorStatus(), u"UNAUTHENTICATED"_s);
        QVERIFY(denied.header("WWW-Authenticate").startsWith("Bearer"));
        QCOMPARE(call("GET", u"/stats"_s).status, 401);
        QCOMPARE(call("GET", u"/v1/projects/aqueduct-local/topics"_s).status, 401);
        QCOMPARE(call("GET", u"/healthz"_s).status, 200);
        QCOMPARE(call("GET", u"/readyz"_s).status, 200);    // --public-probes
        QCOMPARE(call("GET", u"/metrics"_s).status, 200);
        const Reply wrong = call("GET", u"/events"_s, "not-a-key-but-long-enough");
        QCOMPARE(wrong.status, 401);
        QVERIFY(!wrong.body.contains("not-a-key"));
    }

    void readKeysReadAndAdminKeysWrite()
    {
        QCOMPARE(call("GET", u"/events"_s, READ_KEY).status, 200);
        QCOMPARE(call("GET", u"/v1/projects/aqueduct-local/topics"_s, READ_KEY).status, 200);
        const QByteArray event = "{\"event_id\":\"k1\",\"timestamp\":\"2024-05-01T00:00:00Z\"}";
        const Reply forbidden = call("POST", u"/publish"_s, READ_KEY, event);
        QCOMPARE(forbidden.status, 403);
        QCOMPARE(forbidden.errorStatus(), u"PERMISSION_DENIED"_s);
        QCOMPARE(call("POST", u"/dead-letters/redrive"_s, READ_KEY, event).status, 403);
        const QByteArray publishBody = "{\"messages\":[{\"data\":\"eyJ9\"}]}";
        QCOMPARE(call("POST", u"/v1/projects/aqueduct-local/topics/events:publish"_s, READ_KEY, publishBody).status, 403);
        // A query only reads: a read key may run it.
        QCOMPARE(call("POST", u"/bigquery/v2/projects/aqueduct-local/queries"_s, READ_KEY, "{\"query\":\"SELECT 1\",\"useLegacySql\":false}").status, 200);

        QCOMPARE(call("POST", u"/publish"_s, ADMIN_KEY, event).status, 200);
        QCOMPARE(call("POST", u"/v1/projects/aqueduct-local/topics/events:publish"_s, ADMIN_KEY, publishBody).status, 200);
        // Google's other header for keys
        QCOMPARE(call("GET", u"/stats"_s, {}, {}, {{"x-goog-api-key", READ_KEY}}).status, 200);
    }

    void corsOnlyForTheGivenOrigin()
    {
        const Reply preflight = call("OPTIONS", u"/events"_s, {}, {}, {{"Origin", ORIGIN}, {"Access-Control-Request-Method", "GET"}});
        QCOMPARE(preflight.status, 204);
        QCOMPARE(preflight.header("Access-Control-Allow-Origin"), ORIGIN);
        QVERIFY(preflight.header("Access-Control-Allow-Headers").contains("Authorization"));
        const Reply allowed = call("GET", u"/events"_s, READ_KEY, {}, {{"Origin", ORIGIN}});
        QCOMPARE(allowed.header("Access-Control-Allow-Origin"), ORIGIN);
        QVERIFY(allowed.header("Access-Control-Expose-Headers").contains("X-Next-Page-Token"));
        // errors carry it too, so that a page can read why
        QCOMPARE(call("GET", u"/events"_s, {}, {}, {{"Origin", ORIGIN}}).header("Access-Control-Allow-Origin"), ORIGIN);
        const Reply other = call("GET", u"/events"_s, READ_KEY, {}, {{"Origin", "https://evil.example"}});
        QCOMPARE(other.status, 200);
        QVERIFY(other.header("Access-Control-Allow-Origin").isEmpty());
    }

    void plainHttpIsNotServedOverTheTlsPort()
    {
        QNetworkRequest request(QUrl(u"http://127.0.0.1:%1/healthz"_s.arg(m_server.endpoint().port())));
        QNetworkReply *reply = m_network.get(request);
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(20000, &loop, &QEventLoop::quit);
        loop.exec();
        QVERIFY(reply->error() != QNetworkReply::NoError);
        QVERIFY(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() != 200);
        reply->deleteLater();
    }

    // 413 as soon as the head says the body is too large: the body is never read.
    void oversizedBodiesAreRefusedBeforeTheyAreRead()
    {
        QSslSocket socket;
        socket.setSslConfiguration(m_tls);
        socket.connectToHostEncrypted(u"127.0.0.1"_s, quint16(m_server.endpoint().port()));
        QVERIFY(socket.waitForEncrypted(10000));
        socket.write("POST /publish HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ADMIN_KEY +
                     "\r\nContent-Type: application/json\r\nContent-Length: 11000000\r\n\r\n");
        QByteArray answer;
        QElapsedTimer timer;
        timer.start();
        while (!answer.contains("\r\n\r\n") && timer.elapsed() < 10000) {
            socket.waitForReadyRead(500);
            answer += socket.readAll();
        }
        QVERIFY2(answer.startsWith("HTTP/1.1 413"), answer.constData());
    }

    void jsonLogsCarryRequestsButNoKeys()
    {
        QCOMPARE(call("GET", u"/events?limit=2"_s, READ_KEY).status, 200);
        QTest::qWait(300);
        const QByteArray log = m_server.stderrText();
        QVERIFY(!log.contains(READ_KEY) && !log.contains(ADMIN_KEY));
        bool sawAccess = false;
        int jsonLines = 0;
        for (const QByteArray &line : log.split('\n')) {
            if (!line.startsWith('{'))
                continue;
            const QJsonObject entry = QJsonDocument::fromJson(line).object();
            QVERIFY2(!entry.isEmpty(), line.constData());
            QVERIFY(entry.contains(u"severity"_s) && entry.contains(u"message"_s));
            ++jsonLines;
            const QJsonObject http = entry.value(u"httpRequest"_s).toObject();
            if (http.value(u"requestUrl"_s).toString() == u"/events?limit=2"_s) {
                QCOMPARE(http.value(u"requestMethod"_s).toString(), u"GET"_s);
                QCOMPARE(http.value(u"status"_s).toInt(), 200);
                QVERIFY(http.value(u"latency"_s).toString().endsWith(u's'));
                sawAccess = true;
            }
        }
        QVERIFY(jsonLines > 3);
        QVERIFY2(sawAccess, log.right(3000).constData());
    }
};

QTEST_MAIN(TestServeSecurity)
#include "testservesecurity.moc"
