// The console's client of an Aqueduct server's operator API, against a real `aqueduct-server serve` with its
// pipeline and API keys: reads, paging, publishing through a Publisher, dead letters and redrive, and errors.

#include <QEventLoop>
#include <QJsonArray>
#include <QSet>
#include <QTemporaryDir>
#include <QTimeZone>
#include <QTest>
#include <QTimer>

#include "core/pubsub/publisher.h"
#include "core/remote/operatorclient.h"
#include "tests/support/servertestprocess.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq;

namespace
{
    const QByteArray ReadKey = "read-key-for-the-console-0123456789";
    const QByteArray AdminKey = "admin-key-for-the-console-0123456789";

    // Runs an asynchronous call to its end.
    template <typename T, typename Start>
    Result<T> await(Start start)
    {
        std::optional<Result<T>> outcome;
        QEventLoop loop;
        QTimer::singleShot(30000, &loop, &QEventLoop::quit);
        start([&](Result<T> result) {
            outcome.emplace(std::move(result));
            loop.quit();
        });
        if (!outcome)
            loop.exec();
        if (!outcome)
            return ApiError::internal(u"no answer within 30 s"_s);
        return *outcome;
    }

    QByteArray eventJson(const QString &id, const QString &type)
    {
        return u"{\"event_id\":\"%1\",\"timestamp\":\"2026-11-24T10:00:00Z\",\"event_data\":{\"event_type\":\"%2\",\"user_id\":\"u1\"}}"_s.arg(id, type).toUtf8();
    }
}

class TestOperatorClient : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    ServerTestProcess m_server;

    // Publishes through the operator API, as the console's Publish page does; the message IDs.
    QStringList publish(Remote::OperatorClient &client, const QList<QByteArray> &payloads, bool validate, ApiError *error = nullptr)
    {
        PubSub::Publisher publisher(client.publishSender(validate), u"test"_s);
        QStringList ids;
        int pending = int(payloads.size());
        QEventLoop loop;
        for (const QByteArray &payload : payloads) {
            PubSub::PubsubMessage message;
            message.data = payload;
            const Status queued = publisher.publish(message, [&](Result<QString> id) {
                if (id)
                    ids.append(*id);
                else if (error)
                    *error = id.error();
                if (--pending == 0)
                    loop.quit();
            });
            if (!queued)
                return {};
        }
        publisher.flush();
        QTimer::singleShot(30000, &loop, &QEventLoop::quit);
        if (pending > 0)
            loop.exec();
        return ids;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(u"AQUEDUCT_API_KEYS"_s, QString::fromLatin1("read:" + ReadKey + "," + AdminKey));
        QVERIFY(m_server.start(m_dir.filePath(u"data"_s), {u"--cache-ttl"_s, u"0"_s}, ServerTestProcess::WithIngest, environment));
        Remote::OperatorClient client(m_server.endpoint(), ReadKey);
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 30000) {
            Result<QJsonObject> stats = await<QJsonObject>([&](auto done) { client.stats(this, done); });
            if (stats && stats->value(u"readiness"_s).toObject().value(u"ready"_s).toBool())
                break;
            QTest::qWait(200);
        }
    }

    void baseUrlsAreChecked_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("normalized");   // empty: refused
        QTest::newRow("https") << u"https://aqueduct-abc.a.run.app/"_s << u"https://aqueduct-abc.a.run.app"_s;
        QTest::newRow("prefix") << u"http://proxy:8080/aqueduct//"_s << u"http://proxy:8080/aqueduct"_s;
        QTest::newRow("no scheme") << u"localhost:8080"_s << u"http://localhost:8080"_s;
        QTest::newRow("ftp") << u"ftp://host/"_s << QString();
        QTest::newRow("query") << u"https://host/?a=b"_s << QString();
        QTest::newRow("key in url") << u"https://user:secret@host/"_s << QString();
        QTest::newRow("empty") << u"  "_s << QString();
    }

    void baseUrlsAreChecked()
    {
        QFETCH(QString, text);
        QFETCH(QString, normalized);
        const Result<QUrl> url = Remote::OperatorClient::normalizeBaseUrl(text);
        if (normalized.isEmpty()) {
            QVERIFY(!url);
            QCOMPARE(url.error().status, u"INVALID_ARGUMENT"_s);
            QVERIFY2(!url.error().message.contains(u"secret"_s), qPrintable(url.error().message));
        } else {
            QVERIFY2(url, url ? "" : qPrintable(url.error().message));
            QCOMPARE(url->toString(), normalized);
        }
    }

    void withoutAKeyTheServerRefuses()
    {
        Remote::OperatorClient client(m_server.endpoint(), {});
        const Result<QJsonObject> stats = await<QJsonObject>([&](auto done) { client.stats(this, done); });
        QVERIFY(!stats);
        QCOMPARE(stats.error().httpStatus, 401);
        QCOMPARE(stats.error().status, u"UNAUTHENTICATED"_s);
    }

    void aReadKeyCannotPublish()
    {
        Remote::OperatorClient client(m_server.endpoint(), ReadKey);
        ApiError error;
        QVERIFY(publish(client, {eventJson(u"read-only-1"_s, u"click"_s)}, true, &error).isEmpty());
        QCOMPARE(error.httpStatus, 403);
        QCOMPARE(error.status, u"PERMISSION_DENIED"_s);
    }

    void publishedEventsComeBackNewestFirstPageByPage()
    {
        Remote::OperatorClient admin(m_server.endpoint(), AdminKey);
        QList<QByteArray> payloads;
        for (int i = 0; i < 25; ++i)
            payloads.append(eventJson(u"paged-%1"_s.arg(i, 2, 10, QLatin1Char('0')), i % 5 == 0 ? u"purchase"_s : u"page_view"_s));
        const QStringList ids = publish(admin, payloads, true);
        QCOMPARE(ids.size(), 25);
        QCOMPARE(QSet<QString>(ids.begin(), ids.end()).size(), 25);

        Remote::OperatorClient reader(m_server.endpoint(), ReadKey);
        QSet<QString> seen;
        QTRY_VERIFY_WITH_TIMEOUT(([&] {
                                     Result<Remote::RemotePage> all = await<Remote::RemotePage>([&](auto done) { reader.events({}, 1000, {}, this, done); });
                                     return all && all->rows.size() >= 25;
                                 }()),
                                 30000);
        QString token;
        int pages = 0;
        do {
            Result<Remote::RemotePage> page = await<Remote::RemotePage>([&](auto done) { reader.events({}, 10, token, this, done); });
            QVERIFY2(page, page ? "" : qPrintable(page.error().message));
            QVERIFY(page->rows.size() <= 10);
            for (const QJsonObject &row : std::as_const(page->rows)) {
                QVERIFY(row.contains(u"timestamp"_s));
                seen.insert(row.value(u"event_id"_s).toString());
            }
            token = page->nextPageToken;
            ++pages;
        } while (!token.isEmpty() && pages < 100);
        QVERIFY(pages >= 3);
        for (int i = 0; i < 25; ++i)
            QVERIFY(seen.contains(u"paged-%1"_s.arg(i, 2, 10, QLatin1Char('0'))));

        Remote::EventsFilter purchases;
        purchases.eventType = u"purchase"_s;
        purchases.since = QDateTime(QDate(2026, 11, 24), QTime(9, 0), QTimeZone::utc());
        Result<Remote::RemotePage> filtered = await<Remote::RemotePage>([&](auto done) { reader.events(purchases, 1000, {}, this, done); });
        QVERIFY2(filtered, filtered ? "" : qPrintable(filtered.error().message));
        QVERIFY(filtered->rows.size() >= 5);
        for (const QJsonObject &row : std::as_const(filtered->rows))
            QCOMPARE(row.value(u"event_data"_s).toObject().value(u"event_type"_s).toString(), u"purchase"_s);
    }

    void theServerChecksTheSchemaBeforePublishing()
    {
        Remote::OperatorClient admin(m_server.endpoint(), AdminKey);
        ApiError error;
        const QStringList ids = publish(admin, {eventJson(u"valid-1"_s, u"click"_s), "{\"event_id\": 42}"}, true, &error);
        QVERIFY(ids.isEmpty());
        QCOMPARE(error.status, u"INVALID_ARGUMENT"_s);
        QVERIFY2(error.message.contains(u"schema"_s), qPrintable(error.message));
    }

    void deadLettersCanBeReadAndRedriven()
    {
        Remote::OperatorClient admin(m_server.endpoint(), AdminKey);
        QCOMPARE(publish(admin, {"this is not JSON"}, false).size(), 1);
        QJsonObject row;
        QTRY_VERIFY_WITH_TIMEOUT(([&] {
                                     Result<Remote::RemotePage> page = await<Remote::RemotePage>([&](auto done) { admin.deadLetters(100, {}, this, done); });
                                     for (const QJsonObject &r : page ? page->rows : QList<QJsonObject>()) {
                                         if (r.value(u"payloadString"_s).toString() == u"this is not JSON"_s)
                                             row = r;
                                     }
                                     return !row.isEmpty();
                                 }()),
                                 30000);
        QVERIFY(!row.value(u"errorMessage"_s).toString().isEmpty());

        // Redrive refuses what still fails the schema, and publishes a fixed payload.
        PubSub::Publisher redrive(admin.redriveSender(), u"redrive"_s);
        PubSub::PubsubMessage broken;
        broken.data = "this is not JSON";
        PubSub::PubsubMessage fixed;
        fixed.data = eventJson(u"redriven-1"_s, u"login"_s);
        std::optional<Result<QString>> brokenOutcome;
        std::optional<Result<QString>> fixedOutcome;
        QVERIFY(redrive.publish(broken, [&](Result<QString> id) { brokenOutcome.emplace(id); }));
        redrive.flush();
        QTRY_VERIFY_WITH_TIMEOUT(brokenOutcome.has_value(), 30000);
        QVERIFY(!*brokenOutcome);
        QCOMPARE(brokenOutcome->error().status, u"INVALID_ARGUMENT"_s);
        QVERIFY(redrive.publish(fixed, [&](Result<QString> id) { fixedOutcome.emplace(id); }));
        redrive.flush();
        QTRY_VERIFY_WITH_TIMEOUT(fixedOutcome.has_value(), 30000);
        QVERIFY2(*fixedOutcome, *fixedOutcome ? "" : qPrintable(fixedOutcome->error().message));
    }

    void statsAndSeriesAreObjects()
    {
        Remote::OperatorClient reader(m_server.endpoint(), ReadKey);
        Result<QJsonObject> stats = await<QJsonObject>([&](auto done) { reader.stats(this, done); });
        QVERIFY2(stats, stats ? "" : qPrintable(stats.error().message));
        QVERIFY(stats->value(u"totals"_s).toObject().value(u"published"_s).toInteger() >= 25);
        Result<QJsonObject> series = await<QJsonObject>([&](auto done) { reader.series(900, this, done); });
        QVERIFY2(series, series ? "" : qPrintable(series.error().message));
        QCOMPARE(series->value(u"window"_s).toInt(), 900);
        Result<QJsonObject> badWindow = await<QJsonObject>([&](auto done) { reader.series(61, this, done); });
        QVERIFY(!badWindow);
        QCOMPARE(badWindow.error().httpStatus, 400);
    }

    void aServerThatIsNotThereIsAClearError()
    {
        Remote::OperatorClient nowhere(QUrl(u"http://127.0.0.1:1"_s), ReadKey);
        Result<QJsonObject> stats = await<QJsonObject>([&](auto done) { nowhere.stats(this, done); });
        QVERIFY(!stats);
        QVERIFY2(stats.error().message.contains(u"127.0.0.1:1"_s), qPrintable(stats.error().message));
        QVERIFY(!stats.error().message.contains(QString::fromLatin1(ReadKey)));
    }
};

QTEST_GUILESS_MAIN(TestOperatorClient)
#include "testoperatorclient.moc"
