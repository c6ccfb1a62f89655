#include <thread>
#include <vector>

#include <QJsonObject>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

#include "core/server/access/logformat.h"
#include "tests/server/access/accesstestsupport.h"

using namespace Qt::Literals::StringLiterals;
using Aq::Result;
using Aq::Server::LogFormat;
using Aq::Server::Test::LogCapture;

Q_DECLARE_METATYPE(LogFormat)

namespace
{
    const QRegularExpression RFC3339_UTC(u"^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z$"_s);
}

class TestLogFormat final : public QObject
{
    Q_OBJECT

private slots:
    void testParse_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<LogFormat>("format");
        QTest::newRow("text") << u"text"_s << true << LogFormat::Text;
        QTest::newRow("json") << u"json"_s << true << LogFormat::Json;
        QTest::newRow("JSON") << u"JSON"_s << true << LogFormat::Json;
        QTest::newRow("spaces") << u" json "_s << true << LogFormat::Json;
        QTest::newRow("yaml") << u"yaml"_s << false << LogFormat::Text;
        QTest::newRow("empty") << QString() << false << LogFormat::Text;
    }

    void testParse()
    {
        QFETCH(QString, text);
        QFETCH(bool, valid);
        QFETCH(LogFormat, format);
        const Result<LogFormat> parsed = Aq::Server::parseLogFormat(text);
        QCOMPARE(parsed.hasValue(), valid);
        if (valid) {
            QCOMPARE(*parsed, format);
            return;
        }
        const QString message = parsed.error().message;
        QVERIFY2(message.contains(u"text or json"_s) && message.contains(u'"' + text + u'"'), qPrintable(message));
    }

    void testJsonSeverities_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<QString>("severity");
        QTest::newRow("debug") << int(QtDebugMsg) << u"DEBUG"_s;
        QTest::newRow("info") << int(QtInfoMsg) << u"INFO"_s;
        QTest::newRow("warning") << int(QtWarningMsg) << u"WARNING"_s;
        QTest::newRow("critical") << int(QtCriticalMsg) << u"ERROR"_s;
    }

    void testJsonSeverities()
    {
        QFETCH(int, type);
        QFETCH(QString, severity);
        const LogCapture capture(LogFormat::Json);
        QMessageLogger logger(nullptr, 0, nullptr, "aq.test.severity");
        switch (QtMsgType(type)) {
        case QtDebugMsg:
            logger.debug("a message");
            break;
        case QtInfoMsg:
            logger.info("a message");
            break;
        case QtWarningMsg:
            logger.warning("a message");
            break;
        default:
            logger.critical("a message");
            break;
        }
        QCOMPARE(capture.lines().size(), 1);
        QCOMPARE(capture.entry(0).value(u"severity"_s).toString(), severity);
        QCOMPARE(capture.entry(0).value(u"message"_s).toString(), u"a message"_s);
    }

    void testJsonFields()
    {
        const LogCapture capture(LogFormat::Json);
        QCOMPARE(Aq::Server::installedLogFormat(), LogFormat::Json);
        const QString awkward = u"quote \" backslash \\ newline \n tab \t and \u00e9"_s;
        QMessageLogger(__FILE__, 42, "void f()", "aq.test.fields").warning().noquote() << awkward;
        QMessageLogger(nullptr, 0, nullptr).info("no context, no category");

        const QList<QByteArray> lines = capture.lines();
        QCOMPARE(lines.size(), 2);
        for (const QByteArray &line : lines)
            QVERIFY2(!line.contains('\n'), line.constData());

        const QJsonObject first = capture.entry(0);
        QCOMPARE(first.value(u"severity"_s).toString(), u"WARNING"_s);
        QCOMPARE(first.value(u"message"_s).toString(), awkward);
        QVERIFY2(RFC3339_UTC.match(first.value(u"time"_s).toString()).hasMatch(), lines.at(0).constData());
        const QJsonObject location = first.value(u"logging.googleapis.com/sourceLocation"_s).toObject();
        QCOMPARE(location.value(u"file"_s).toString(), QString::fromUtf8(__FILE__));
        QCOMPARE(location.value(u"line"_s).toString(), u"42"_s);
        QCOMPARE(location.value(u"function"_s).toString(), u"void f()"_s);
        QCOMPARE(first.value(u"logging.googleapis.com/labels"_s).toObject().value(u"category"_s).toString(), u"aq.test.fields"_s);

        const QJsonObject second = capture.entry(1);
        QCOMPARE(second.value(u"severity"_s).toString(), u"INFO"_s);
        QCOMPARE(second.value(u"message"_s).toString(), u"no context, no category"_s);
        QVERIFY(!second.contains(u"logging.googleapis.com/sourceLocation"_s));
        QVERIFY(!second.contains(u"logging.googleapis.com/labels"_s));   // the "default" category is no label
    }

    void testJsonCategoryFilterStillApplies()
    {
        const LogCapture capture(LogFormat::Json);
        const QLoggingCategory quiet("aq.test.quiet");
        QLoggingCategory::setFilterRules(u"aq.test.quiet.info=false"_s);
        qCInfo(quiet) << "hidden";
        qCWarning(quiet) << "shown";
        QLoggingCategory::setFilterRules(QString());
        QCOMPARE(capture.lines().size(), 1);
        QCOMPARE(capture.entry(0).value(u"message"_s).toString(), u"shown"_s);
    }

    // Messages from several threads at once come out as whole lines, each valid JSON.
    void testJsonLinesFromManyThreads()
    {
        const LogCapture capture(LogFormat::Json);
        constexpr int threadCount = 4;
        constexpr int perThread = 250;
        std::vector<std::thread> threads;
        for (int t = 0; t < threadCount; ++t) {
            threads.emplace_back([t] {
                for (int i = 0; i < perThread; ++i)
                    QMessageLogger(nullptr, 0, nullptr, "aq.test.threads").info("thread %d message %d", t, i);
            });
        }
        for (std::thread &thread : threads)
            thread.join();
        QCOMPARE(capture.lines().size(), threadCount * perThread);
        QSet<QString> messages;
        for (qsizetype i = 0; i < threadCount * perThread; ++i)
            messages.insert(capture.entry(i).value(u"message"_s).toString());
        QCOMPARE(messages.size(), threadCount * perThread);
        QVERIFY(messages.contains(u"thread 3 message 249"_s));
    }

    void testWriteJsonLogEntry()
    {
        const LogCapture capture(LogFormat::Json);
        Aq::Server::writeJsonLogEntry(QJsonObject {{u"severity"_s, u"NOTICE"_s}, {u"message"_s, u"m"_s}, {u"time"_s, u"2024-05-01T12:00:00Z"_s}},
                                      "aq.test.entry");
        QCOMPARE(capture.lines().size(), 1);
        const QJsonObject entry = capture.entry(0);
        QCOMPARE(entry.value(u"severity"_s).toString(), u"NOTICE"_s);
        QCOMPARE(entry.value(u"time"_s).toString(), u"2024-05-01T12:00:00Z"_s);   // a given time is kept
        QCOMPARE(entry.value(u"logging.googleapis.com/labels"_s).toObject().value(u"category"_s).toString(), u"aq.test.entry"_s);
    }

    void testTextPattern()
    {
        const LogCapture capture(LogFormat::Text);
        QCOMPARE(Aq::Server::installedLogFormat(), LogFormat::Text);
        QMessageLogger(nullptr, 0, nullptr, "aq.test.text").warning("careful");
        QMessageLogger(nullptr, 0, nullptr).critical("broken");
        QCOMPARE(capture.lines().size(), 0);   // text goes through Qt's handler, not the JSON writer
        const QList<LogCapture::Message> messages = capture.messages();
        QCOMPARE(messages.size(), 2);
        const QRegularExpression first(u"^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\S+ WARNING aq\\.test\\.text: careful$"_s);
        QVERIFY2(first.match(messages.at(0).formatted).hasMatch(), qPrintable(messages.at(0).formatted));
        const QRegularExpression second(u"^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\S+ ERROR broken$"_s);
        QVERIFY2(second.match(messages.at(1).formatted).hasMatch(), qPrintable(messages.at(1).formatted));
    }
};

QTEST_APPLESS_MAIN(TestLogFormat)
#include "testlogformat.moc"
