#include <QJsonObject>
#include <QLoggingCategory>
#include <QTest>

#include "core/server/access/accesslog.h"
#include "core/server/access/logformat.h"
#include "tests/server/access/accesstestsupport.h"

using namespace Qt::Literals::StringLiterals;
using Aq::Server::AccessRecord;
using Aq::Server::LogFormat;
using Aq::Server::Test::LogCapture;

namespace
{
    AccessRecord sampleRecord()
    {
        AccessRecord record;
        record.method = "GET";
        record.target = "/events?limit=1";
        record.status = 200;
        record.responseBytes = 1234;
        record.requestBytes = 87;
        record.userAgent = "curl/7.88.1";
        record.referer = "https://console.example.com/rows";
        record.remoteIp = QHostAddress(u"127.0.0.1"_s);
        record.latencySeconds = 0.012345;
        record.protocol = "HTTP/1.1";
        return record;
    }
}

class TestAccessLog final : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        Aq::Server::setAccessLogEnabled(true);
    }

    void cleanup()
    {
        QLoggingCategory::setFilterRules(QString());
    }

    void testJsonEntry()
    {
        const LogCapture capture(LogFormat::Json);
        Aq::Server::logAccess(sampleRecord());

        QCOMPARE(capture.lines().size(), 1);
        const QJsonObject entry = capture.entry(0);
        QCOMPARE(entry.value(u"severity"_s).toString(), u"INFO"_s);
        QCOMPARE(entry.value(u"message"_s).toString(), u"GET /events 200"_s);
        QVERIFY(entry.value(u"time"_s).toString().endsWith(u'Z'));
        QCOMPARE(entry.value(u"logging.googleapis.com/labels"_s).toObject().value(u"category"_s).toString(), u"aq.server.access"_s);
        const QJsonObject http = entry.value(u"httpRequest"_s).toObject();
        QCOMPARE(http.value(u"requestMethod"_s).toString(), u"GET"_s);
        QCOMPARE(http.value(u"requestUrl"_s).toString(), u"/events?limit=1"_s);
        QCOMPARE(http.value(u"status"_s).toInt(), 200);
        QVERIFY(http.value(u"status"_s).isDouble());
        QCOMPARE(http.value(u"responseSize"_s).toString(), u"1234"_s);   // int64 fields are strings in Cloud Logging's JSON
        QCOMPARE(http.value(u"requestSize"_s).toString(), u"87"_s);
        QCOMPARE(http.value(u"userAgent"_s).toString(), u"curl/7.88.1"_s);
        QCOMPARE(http.value(u"remoteIp"_s).toString(), u"127.0.0.1"_s);
        QCOMPARE(http.value(u"referer"_s).toString(), u"https://console.example.com/rows"_s);
        QCOMPARE(http.value(u"latency"_s).toString(), u"0.012345s"_s);
        QCOMPARE(http.value(u"protocol"_s).toString(), u"HTTP/1.1"_s);
    }

    void testJsonSeverityFollowsStatus_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("severity");
        QTest::newRow("204") << 204 << u"INFO"_s;
        QTest::newRow("404") << 404 << u"INFO"_s;
        QTest::newRow("499") << 499 << u"INFO"_s;
        QTest::newRow("500") << 500 << u"ERROR"_s;
        QTest::newRow("503") << 503 << u"ERROR"_s;
    }

    void testJsonSeverityFollowsStatus()
    {
        QFETCH(int, status);
        QFETCH(QString, severity);
        const LogCapture capture(LogFormat::Json);
        AccessRecord record = sampleRecord();
        record.status = status;
        Aq::Server::logAccess(record);
        QCOMPARE(capture.entry(0).value(u"severity"_s).toString(), severity);
    }

    void testJsonLeavesOutWhatIsUnknown()
    {
        const LogCapture capture(LogFormat::Json);
        AccessRecord record;
        record.method = "POST";
        record.target = "/publish";
        record.status = 201;
        record.protocol = "HTTP/1.0";
        Aq::Server::logAccess(record);
        const QJsonObject http = capture.entry(0).value(u"httpRequest"_s).toObject();
        QCOMPARE(http.value(u"latency"_s).toString(), u"0s"_s);
        QVERIFY(!http.contains(u"userAgent"_s));
        QVERIFY(!http.contains(u"referer"_s));
        QVERIFY(!http.contains(u"remoteIp"_s));
    }

    // Keys and tokens in query strings (the request's and the referer's) never reach the log, in either format.
    void testKeysAreRedacted()
    {
        const QByteArray secret = "SecretKeyValue0123456789";
        AccessRecord record = sampleRecord();
        record.target = "/events?limit=5&key=" + secret + "&access_token=" + secret;
        record.referer = "https://console.example.com/rows?KEY=" + secret;

        {
            const LogCapture capture(LogFormat::Json);
            Aq::Server::logAccess(record);
            QCOMPARE(capture.lines().size(), 1);
            QVERIFY2(!capture.lines().first().contains(secret), capture.lines().first().constData());
            const QJsonObject http = capture.entry(0).value(u"httpRequest"_s).toObject();
            QCOMPARE(http.value(u"requestUrl"_s).toString(), u"/events?limit=5&key=REDACTED&access_token=REDACTED"_s);
            QCOMPARE(http.value(u"referer"_s).toString(), u"https://console.example.com/rows?KEY=REDACTED"_s);
        }
        const LogCapture capture(LogFormat::Text);
        Aq::Server::logAccess(record);
        QCOMPARE(capture.messages().size(), 1);
        const QString text = capture.messages().first().text;
        QVERIFY2(!text.contains(QString::fromLatin1(secret)), qPrintable(text));
        QVERIFY2(text.contains(u"key=REDACTED&access_token=REDACTED"_s), qPrintable(text));
    }

    void testRedactTarget_data()
    {
        QTest::addColumn<QByteArray>("target");
        QTest::addColumn<QByteArray>("redacted");
        QTest::newRow("no query") << "/events"_ba << "/events"_ba;
        QTest::newRow("empty query") << "/events?"_ba << "/events?"_ba;
        QTest::newRow("only key") << "/events?key=abc"_ba << "/events?key=REDACTED"_ba;
        QTest::newRow("empty key") << "/events?key="_ba << "/events?key=REDACTED"_ba;
        QTest::newRow("key without value") << "/events?key"_ba << "/events?key"_ba;
        QTest::newRow("key in the middle") << "/e?a=1&key=abc&b=2"_ba << "/e?a=1&key=REDACTED&b=2"_ba;
        QTest::newRow("capitals") << "/e?Key=abc"_ba << "/e?Key=REDACTED"_ba;
        QTest::newRow("access_token") << "/e?access_token=ya29.x"_ba << "/e?access_token=REDACTED"_ba;
        QTest::newRow("similar names kept") << "/e?monkey=1&keys=2&key_id=3&apikey=4"_ba << "/e?monkey=1&keys=2&key_id=3&apikey=4"_ba;
        QTest::newRow("empty parameters kept") << "/e?&&key=s&"_ba << "/e?&&key=REDACTED&"_ba;
        QTest::newRow("equals in value") << "/e?key=a=b&x=1"_ba << "/e?key=REDACTED&x=1"_ba;
        QTest::newRow("absolute URL") << "http://host:8080/e?key=abc"_ba << "http://host:8080/e?key=REDACTED"_ba;
    }

    void testRedactTarget()
    {
        QFETCH(QByteArray, target);
        QFETCH(QByteArray, redacted);
        QCOMPARE(Aq::Server::redactTarget(target), redacted);
    }

    void testTextLine()
    {
        const LogCapture capture(LogFormat::Text);
        AccessRecord record = sampleRecord();
        record.latencySeconds = 0.0003;
        Aq::Server::logAccess(record);
        record.remoteIp = QHostAddress(u"::1"_s);
        record.userAgent = "evil\"agent\nGET / 200";
        record.latencySeconds = 0.25;
        record.status = 503;
        Aq::Server::logAccess(record);
        record.userAgent.clear();
        record.remoteIp.clear();
        record.latencySeconds = 0.0125;
        Aq::Server::logAccess(record);

        const QList<LogCapture::Message> messages = capture.messages();
        QCOMPARE(messages.size(), 3);
        for (const LogCapture::Message &message : messages) {
            QCOMPARE(message.category, u"aq.server.access"_s);
            QCOMPARE(message.type, QtInfoMsg);
        }
        QCOMPARE(messages.at(0).text, u"127.0.0.1 \"GET /events?limit=1 HTTP/1.1\" 200 1234 0.300ms \"curl/7.88.1\""_s);
        // quotes and line breaks cannot forge a line or a field
        QCOMPARE(messages.at(1).text, u"::1 \"GET /events?limit=1 HTTP/1.1\" 503 1234 250ms \"evil\\x22agent\\x0aGET / 200\""_s);
        QCOMPARE(messages.at(2).text, u"- \"GET /events?limit=1 HTTP/1.1\" 503 1234 12.5ms \"-\""_s);
    }

    void testSwitchedOff()
    {
        const LogCapture capture(LogFormat::Json);
        Aq::Server::setAccessLogEnabled(false);
        QVERIFY(!Aq::Server::isAccessLogEnabled());
        Aq::Server::logAccess(sampleRecord());
        QCOMPARE(capture.lines().size(), 0);

        Aq::Server::setAccessLogEnabled(true);
        QLoggingCategory::setFilterRules(u"aq.server.access.info=false"_s);
        Aq::Server::logAccess(sampleRecord());
        QCOMPARE(capture.lines().size(), 0);

        QLoggingCategory::setFilterRules(QString());
        Aq::Server::logAccess(sampleRecord());
        QCOMPARE(capture.lines().size(), 1);
    }
};

QTEST_APPLESS_MAIN(TestAccessLog)
#include "testaccesslog.moc"
