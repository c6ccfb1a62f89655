#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include "core/server/servecommand.h"

using namespace Qt::Literals::StringLiterals;
using Aq::Server::parseListenAddress;
using Aq::Server::parseServeOptions;

class TestServeCommand final : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        for (const char *name : {"K_SERVICE", "PORT", "AQUEDUCT_DATA_DIR", "AQUEDUCT_LISTEN", "AQUEDUCT_DURABILITY", "AQUEDUCT_DEDUP_WINDOW"})
            qunsetenv(name);
    }

    void testListenAddresses_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("host");
        QTest::addColumn<int>("port");
        QTest::newRow("ipv4") << u"127.0.0.1:8080"_s << u"127.0.0.1"_s << 8080;
        QTest::newRow("any") << u"0.0.0.0:9000"_s << u"0.0.0.0"_s << 9000;
        QTest::newRow("ipv6") << u"[::1]:8081"_s << u"::1"_s << 8081;
        QTest::newRow("localhost") << u"localhost:0"_s << u"127.0.0.1"_s << 0;
        QTest::newRow("port only") << u"7000"_s << u"127.0.0.1"_s << 7000;
    }

    void testListenAddresses()
    {
        QFETCH(QString, text);
        QFETCH(QString, host);
        QFETCH(int, port);
        const auto parsed = parseListenAddress(text);
        QVERIFY2(parsed.hasValue(), qPrintable(parsed ? QString() : parsed.error().message));
        QCOMPARE(parsed->first.toString(), host);
        QCOMPARE(int(parsed->second), port);
    }

    void testBadValuesAreRefusedWithTheirName_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("bad port") << QStringList {u"--listen"_s, u"127.0.0.1:99999"_s} << u"--listen"_s;
        QTest::newRow("bad host") << QStringList {u"--listen"_s, u"nowhere:80"_s} << u"nowhere"_s;
        QTest::newRow("bad durability") << QStringList {u"--durability"_s, u"maybe"_s} << u"--durability"_s;
        QTest::newRow("bad window") << QStringList {u"--dedup-window"_s, u"soon"_s} << u"--dedup-window"_s;
        QTest::newRow("unknown flag") << QStringList {u"--frobnicate"_s} << u"frobnicate"_s;
        QTest::newRow("short key") << QStringList {u"--api-key"_s, u"k"_s} << u"--api-key"_s;
        QTest::newRow("keys file") << QStringList {u"--api-keys-file"_s, u"/nonexistent/keys"_s} << u"/nonexistent/keys"_s;
        QTest::newRow("probes without keys") << QStringList {u"--public-probes"_s} << u"--public-probes"_s;
        QTest::newRow("cert without key") << QStringList {u"--tls-cert"_s, u"c.pem"_s} << u"--tls-key"_s;
        QTest::newRow("cors origin") << QStringList {u"--cors-origin"_s, u"https://a.example/path"_s} << u"--cors-origin"_s;
        QTest::newRow("log format") << QStringList {u"--log-format"_s, u"xml"_s} << u"xml"_s;
        QTest::newRow("cache ttl") << QStringList {u"--cache-ttl"_s, u"forever"_s} << u"--cache-ttl"_s;
        QTest::newRow("pulls") << QStringList {u"--concurrent-pulls"_s, u"0"_s} << u"--concurrent-pulls"_s;
        QTest::newRow("outstanding") << QStringList {u"--max-outstanding"_s, u"lots"_s} << u"--max-outstanding"_s;
        QTest::newRow("unknown fields") << QStringList {u"--unknown-fields"_s, u"keep"_s} << u"keep"_s;
        QTest::newRow("contradiction") << QStringList {u"--backend"_s, u"local"_s, u"--pubsub-endpoint"_s, u"http://h:1"_s} << u"--pubsub-endpoint"_s;
        QTest::newRow("bad backend") << QStringList {u"--backend"_s, u"mars"_s} << u"mars"_s;
        QTest::newRow("stray argument") << QStringList {u"extra"_s} << u"extra"_s;
    }

    void testBadValuesAreRefusedWithTheirName()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, mentions);
        const auto parsed = parseServeOptions(QStringList {u"aqueduct"_s, u"serve"_s} + arguments);
        QVERIFY(!parsed.hasValue());
        QVERIFY2(parsed.error().message.contains(mentions), qPrintable(parsed.error().message));
    }

    void testPrecedenceFlagsOverEnvironmentOverDefaults()
    {
        auto defaults = parseServeOptions({u"aqueduct"_s, u"serve"_s});
        QVERIFY(defaults.hasValue());
        QCOMPARE(defaults->port, quint16(8080));
        QCOMPARE(defaults->host, QHostAddress(QHostAddress::LocalHost));
        QCOMPARE(defaults->dataDir, Aq::Config::defaultDataDir());
        qputenv("AQUEDUCT_LISTEN", "127.0.0.1:9999");
        qputenv("AQUEDUCT_DEDUP_WINDOW", "90s");
        auto fromEnvironment = parseServeOptions({u"aqueduct"_s, u"serve"_s});
        QCOMPARE(fromEnvironment->port, quint16(9999));
        QCOMPARE(fromEnvironment->dedupWindowMicros, 90000000LL);
        auto fromFlags = parseServeOptions({u"aqueduct"_s, u"serve"_s, u"--listen"_s, u"127.0.0.1:7777"_s, u"-v"_s});
        QCOMPARE(fromFlags->port, quint16(7777));
        QVERIFY(fromFlags->verbose);
        auto pipeline = parseServeOptions({u"aqueduct"_s, u"serve"_s, u"--concurrent-pulls"_s, u"4"_s, u"--max-outstanding"_s, u"100"_s,
                                           u"--unknown-fields"_s, u"reject"_s, u"--topic"_s, u"orders"_s, u"--no-create"_s});
        QVERIFY(pipeline.hasValue());
        QCOMPARE(pipeline->ingestSettings.subscriber.concurrentPulls, 4);
        QCOMPARE(pipeline->ingestSettings.subscriber.maxOutstandingMessages, 100);
        QVERIFY(pipeline->ingestSettings.conversion.unknownFields == Aq::Pipeline::UnknownFields::Reject);
        QCOMPARE(pipeline->ingestSettings.topic, u"orders"_s);
        QVERIFY(!pipeline->ingestSettings.createMissing);
    }

    void testCloudRunListensOnPortAndRefusesTheLocalBackend()
    {
        qputenv("K_SERVICE", "aqueduct");
        qputenv("PORT", "8088");
        const auto refused = parseServeOptions({u"aqueduct"_s, u"serve"_s});
        QVERIFY(!refused.hasValue());
        QVERIFY(refused.error().message.contains(u"--allow-local"_s));
        const auto allowed = parseServeOptions({u"aqueduct"_s, u"serve"_s, u"--allow-local"_s});
        QVERIFY(allowed.hasValue());
        QCOMPARE(allowed->host, QHostAddress(QHostAddress::AnyIPv4));
        QCOMPARE(allowed->port, quint16(8088));
    }

    void testExitCodesOfTheBinary()
    {
        const QString binary = qEnvironmentVariable("AQ_SERVER_BIN");
        QVERIFY(!binary.isEmpty());
        QProcess usage;
        usage.start(binary, {u"serve"_s, u"--tls-cert"_s, u"x"_s});
        QVERIFY(usage.waitForFinished(10000));
        QCOMPARE(usage.exitCode(), int(Aq::Server::ExitUsage));
        QVERIFY(usage.readAllStandardError().contains("--tls-key"));

        QTemporaryDir dir;
        QProcess first;
        first.start(binary, {u"serve"_s, u"--listen"_s, u"127.0.0.1:0"_s, u"--data-dir"_s, dir.path()});
        QVERIFY(first.waitForStarted());
        QByteArray firstOutput;
        QTRY_VERIFY_WITH_TIMEOUT((firstOutput += first.readAllStandardError()).contains("serving the local cloud"), 15000);
        QProcess second;
        second.start(binary, {u"serve"_s, u"--listen"_s, u"127.0.0.1:0"_s, u"--data-dir"_s, dir.path()});
        QVERIFY(second.waitForFinished(10000));
        QCOMPARE(second.exitCode(), int(Aq::Server::ExitFolderOwned));
        QVERIFY(second.readAllStandardError().contains(QByteArray::number(first.processId())));
        first.terminate();   // SIGTERM: a clean stop
        QVERIFY(first.waitForFinished(10000));
        QCOMPARE(first.exitStatus(), QProcess::NormalExit);
        QCOMPARE(first.exitCode(), int(Aq::Server::ExitOk));
    }
};

QTEST_GUILESS_MAIN(TestServeCommand)
#include "testservecommand.moc"
