// The Dead letters page's reconciliation tab end to end, offscreen, against what `aqueduct` runs (ServeHost on a
// temporary data folder, its pipeline ingesting): the Publish page records each run's ids file; the panel
// reconciles it with the table and the error table. Then an event ID never published (missing, lost), events
// that went to the error table, a duplicated row, and ids files that cannot be read. With AQ_SCREENSHOT_DIR set,
// the window with a report is saved there as reconciliation.png.
#include <optional>

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include "core/bigquery/bigqueryclient.h"
#include "core/config/connection.h"
#include "core/localcloud/localbackend.h"
#include "core/metrics/pipelinemetrics.h"
#include "ui/deadletters/deadletterspage.h"
#include "ui/deadletters/reconciliationpanel.h"
#include "ui/mainwindow.h"
#include "ui/publish/publishpage.h"
#include "ui/publish/recordedruns.h"
#include "tests/ui/consoletesthost.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq;

namespace
{
    constexpr qint64 Events = 40;

    QList<QByteArray> linesOf(const QString &path)
    {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return {};
        QList<QByteArray> lines = file.readAll().split('\n');
        if (!lines.isEmpty() && lines.last().isEmpty())
            lines.removeLast();
        return lines;
    }

    bool writeFile(const QString &path, const QByteArray &content)
    {
        QFile file(path);
        return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(content) == content.size();
    }
}

class TestReconciliationPanel final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;   // ids files made by the tests
    Ui::Test::ConsoleTestHost m_console;
    Server::ServeHost *m_host = nullptr;
    Ui::MainWindow *m_window = nullptr;
    std::unique_ptr<Config::Connection> m_connection;
    QString m_firstRun;    // the recorded run of valid events
    QString m_brokenRun;   // the recorded run of events the table refuses

    QString runsFolder() const { return m_console.runsFolder(); }
    Ui::ReconciliationPanel *panel() const { return m_window->deadLettersPage()->reconciliationPanel(); }

    qint64 scalar(const QString &sql)
    {
        BigQuery::QueryRequest request;
        request.sql = sql;
        std::optional<Result<BigQuery::QueryPage>> page;
        m_connection->bigquery()->query(request, nullptr, [&](Result<BigQuery::QueryPage> p) { page.emplace(std::move(p)); });
        if (!QTest::qWaitFor([&] { return page.has_value(); }, 30000) || !*page || (*page)->rows.isEmpty())
            return -1;
        return (*page)->rows.first().value(0).toLongLong();
    }

    // Reconciles the file in the panel; false when it failed or took too long.
    bool reconcile(const QString &idsFile)
    {
        QSignalSpy reconciled(panel(), &Ui::ReconciliationPanel::reconciled);
        QSignalSpy failed(panel(), &Ui::ReconciliationPanel::failed);
        panel()->reconcile(idsFile);
        if (!QTest::qWaitFor([&] { return reconciled.count() + failed.count() > 0; }, 60000))
            return false;
        if (!failed.isEmpty())
            qWarning() << "reconciliation failed:" << failed.first().first().toString();
        return failed.isEmpty() && panel()->report().has_value();
    }

    // Reconciles a bad file: the message shown, or empty when it did not fail.
    QString reconcileFailure(const QString &idsFile)
    {
        QSignalSpy reconciled(panel(), &Ui::ReconciliationPanel::reconciled);
        QSignalSpy failed(panel(), &Ui::ReconciliationPanel::failed);
        panel()->reconcile(idsFile);
        if (!QTest::qWaitFor([&] { return reconciled.count() + failed.count() > 0; }, 30000) || failed.isEmpty())
            return {};
        return failed.first().first().toString();
    }

    // Publishes from the Publish page; the recorded ids file.
    QString publish(int count, bool validate)
    {
        Ui::PublishPage *page = m_window->publishPage();
        page->setCount(count);
        page->setRate(0);
        page->findChild<QCheckBox *>()->setChecked(validate);
        QSignalSpy recorded(page, &Ui::PublishPage::runRecorded);
        QSignalSpy finished(page, &Ui::PublishPage::runFinished);
        page->startPublishing();
        if (!finished.wait(30000) || finished.first().at(0).toLongLong() != count || recorded.count() != 1)
            return {};
        return recorded.first().first().toString();
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        const Status started = m_console.start();
        QVERIFY2(started, started ? "" : qPrintable(started.error().message));
        m_host = m_console.host();
        m_window = m_console.window();

        // The test's own clients, to look at the tables and for the panel.
        std::optional<Result<std::unique_ptr<Config::Connection>>> opened;
        Config::Connection::open(m_console.context().profile, m_host->localBackend(), nullptr,
                                 [&](Result<std::unique_ptr<Config::Connection>> c) { opened.emplace(std::move(c)); });
        QVERIFY(QTest::qWaitFor([&] { return opened.has_value(); }, 30000));
        QVERIFY2(*opened, *opened ? "" : qPrintable(opened->error().message));
        m_connection = std::move(opened->value());

        // What ui/mainwindow.cpp does for the console (here with this test's runs folder).
        Ui::DeadLettersPage *deadLetters = m_window->deadLettersPage();
        panel()->setRunsFolder(runsFolder());
        deadLetters->setReconcileClients(m_connection->bigquery(), m_connection->pubsub(), m_console.context().ingest);
        connect(m_window->publishPage(), &Ui::PublishPage::runRecorded, deadLetters, &Ui::DeadLettersPage::addRecordedRun);
    }

    void recordedRunsAreListedNewestFirst()
    {
        QTemporaryDir folder;
        const QDateTime t0 = QDateTime::fromString(u"2024-05-01T12:00:00.000Z"_s, Qt::ISODateWithMs);
        QVERIFY(t0.isValid());
        const QString first = Ui::RecordedRuns::newRunPath(folder.path(), t0);
        QVERIFY(first.endsWith(u"2024-05-01T12-00-00.000Z.ids"_s));
        QVERIFY(writeFile(first, "1\te1\n"));
        const QString sameMillisecond = Ui::RecordedRuns::newRunPath(folder.path(), t0);
        QVERIFY(sameMillisecond != first);
        QVERIFY(writeFile(sameMillisecond, "2\te2\n"));
        const QString later = Ui::RecordedRuns::newRunPath(folder.path(), t0.addSecs(90));
        QVERIFY(writeFile(later, "3\te3\n"));
        QVERIFY(writeFile(QDir(folder.path()).filePath(u"notes.ids"_s), "not a run\n"));

        QList<Ui::RecordedRuns::Run> runs = Ui::RecordedRuns::list(folder.path());
        QCOMPARE(runs.size(), 3);
        QCOMPARE(runs[0].path, later);
        QCOMPARE(runs[1].path, sameMillisecond);
        QCOMPARE(runs[2].path, first);
        QCOMPARE(runs[2].startedUtc, t0);
        Ui::RecordedRuns::prune(folder.path(), 2);
        runs = Ui::RecordedRuns::list(folder.path());
        QCOMPARE(runs.size(), 2);
        QVERIFY(!QFile::exists(first));
    }

    void notConnectedSaysSo()
    {
        Ui::ReconciliationPanel lonely;
        QSignalSpy failed(&lonely, &Ui::ReconciliationPanel::failed);
        lonely.reconcile(u"whatever.ids"_s);
        QCOMPARE(failed.count(), 1);
        QVERIFY(lonely.errorText().contains(u"Not connected"_s));
    }

    void publishRecordsTheRun()
    {
        m_firstRun = publish(int(Events), true);
        QVERIFY(!m_firstRun.isEmpty());
        QVERIFY(m_firstRun.startsWith(runsFolder()));
        const QList<QByteArray> lines = linesOf(m_firstRun);
        QCOMPARE(lines.size(), Events);
        for (const QByteArray &line : lines) {
            const QList<QByteArray> fields = line.split('\t');
            QCOMPARE(fields.size(), 2);
            QVERIFY(!fields[0].isEmpty());
            QCOMPARE(fields[1].size(), 36);   // the template's {{uuid}}
        }
        // The reconciliation tab lists it first and selects it.
        QCOMPARE(panel()->selectedRun(), m_firstRun);
        auto *runs = panel()->findChild<QComboBox *>();
        QVERIFY(runs);
        QCOMPARE(runs->itemData(0).toString(), m_firstRun);
    }

    void storedRunReconciles()
    {
        QTRY_VERIFY_WITH_TIMEOUT(m_host->metrics()->snapshot().total(Metrics::Stage::Inserted) >= Events, 30000);
        QVERIFY(reconcile(panel()->selectedRun()));
        const Reconcile::Reconciliation &report = *panel()->report();
        QCOMPARE(report.sent, Events);
        QCOMPARE(report.stored, Events);
        QCOMPARE(report.missing, 0);
        QCOMPARE(report.duplicated, 0);
        QCOMPARE(report.inErrorTable, 0);
        QVERIFY(report.isComplete());
        QVERIFY(panel()->errorText().isEmpty());
        QCOMPARE(panel()->findChild<QTableWidget *>()->rowCount(), 0);
    }

    void neverPublishedEventIsMissing()
    {
        const QString file = QDir(m_dir.path()).filePath(u"with-unknown.ids"_s);
        QFile::remove(file);
        QVERIFY(QFile::copy(m_firstRun, file));
        QFile append(file);
        QVERIFY(append.open(QIODevice::Append));
        append.write("999999999\tnever-published-event\n");
        append.close();

        QVERIFY(reconcile(file));
        const Reconcile::Reconciliation &report = *panel()->report();
        QCOMPARE(report.sent, Events + 1);
        QCOMPARE(report.stored, Events);
        QCOMPARE(report.missing, 1);
        QCOMPARE(report.whereabouts, Reconcile::Reconciliation::Whereabouts::Lost);
        QVERIFY(!report.isComplete());
        QCOMPARE(report.missingList.size(), 1);
        QCOMPARE(report.missingList.first().eventId, u"never-published-event"_s);
        QCOMPARE(report.missingList.first().line, Events + 1);
        auto *table = panel()->findChild<QTableWidget *>();
        QCOMPARE(table->rowCount(), 1);
        QCOMPARE(table->item(0, 1)->text(), u"never-published-event"_s);
        QCOMPARE(table->item(0, 4)->text(), u"lost"_s);
    }

    void deadLetteredAndDuplicatedAreReported()
    {
        // Events the table refuses (a timestamp that is not one): the pipeline writes them to the error table.
        Ui::PublishPage *page = m_window->publishPage();
        page->setTemplateText(u"{\"event_id\": \"{{uuid}}\", \"timestamp\": \"not a time\", \"event_type\": \"broken\"}"_s);
        m_brokenRun = publish(3, false);
        page->setTemplateText(Ui::PublishPage::defaultTemplate());
        QVERIFY(!m_brokenRun.isEmpty());
        const QString errorTable = u"`%1.analytics.events_error_records`"_s.arg(m_connection->project());
        QTRY_VERIFY_WITH_TIMEOUT(scalar(u"SELECT COUNT(*) FROM %1"_s.arg(errorTable)) >= 3, 30000);

        // One stored event gets a second row (another insertId), as a retried insert outside the pipeline would.
        const QByteArray duplicatedId = linesOf(m_firstRun).value(4).split('\t').value(1);
        QVERIFY(!duplicatedId.isEmpty());
        const QByteArray row = "{\"event_id\":\"" + duplicatedId + "\",\"event_type\":\"click\",\"timestamp\":\"2024-05-01T12:00:00Z\"}";
        std::optional<Result<BigQuery::InsertResult>> inserted;
        m_connection->bigquery()->insertRows(u"analytics"_s, u"events"_s, {{u"second-row"_s, row}}, {}, nullptr,
                                              [&](Result<BigQuery::InsertResult> r) { inserted.emplace(std::move(r)); });
        QVERIFY(QTest::qWaitFor([&] { return inserted.has_value(); }, 30000));
        QVERIFY(*inserted && (*inserted)->errors.isEmpty());

        // Both runs and an event never published, in one file opened as "any ids file".
        const QString combined = QDir(m_dir.path()).filePath(u"combined.ids"_s);
        QByteArray content;
        for (const QString &run : {m_firstRun, m_brokenRun}) {
            for (const QByteArray &line : linesOf(run))
                content += line + '\n';
        }
        content += "999999999\tnever-published-event\n";
        QVERIFY(writeFile(combined, content));
        panel()->addRun(combined);
        QCOMPARE(panel()->selectedRun(), combined);
        QVERIFY(reconcile(combined));

        const Reconcile::Reconciliation &report = *panel()->report();
        QCOMPARE(report.sent, Events + 3 + 1);
        QCOMPARE(report.stored, Events);
        QCOMPARE(report.inErrorTable, 3);
        QCOMPARE(report.missing, 1);
        QCOMPARE(report.duplicated, 1);
        QCOMPARE(report.extraRows, 1);
        QCOMPARE(report.duplicatedList.size(), 1);
        QCOMPARE(report.duplicatedList.first().eventId, QString::fromUtf8(duplicatedId));
        QCOMPARE(report.errorList.size(), 3);
        for (const Reconcile::Reconciliation::Errored &event : report.errorList)
            QVERIFY(!event.errorMessage.isEmpty());
        auto *table = panel()->findChild<QTableWidget *>();
        QCOMPARE(table->rowCount(), 5);   // 1 missing, 1 duplicated, 3 in the error table

        const QString directory = qEnvironmentVariable("AQ_SCREENSHOT_DIR");
        if (!directory.isEmpty()) {
            m_window->showPage(Ui::MainWindow::Page::DeadLetters);
            m_window->deadLettersPage()->showReconciliation();
            QTest::qWait(600);
            QDir().mkpath(directory);
            QVERIFY(m_window->grab().save(QDir(directory).filePath(u"reconciliation.png"_s)));
        }
    }

    void badIdsFilesGiveClearErrors()
    {
        const QString malformed = QDir(m_dir.path()).filePath(u"malformed.ids"_s);
        QVERIFY(writeFile(malformed, "123\tevent-1\nthis line has no tab\n"));
        QString message = reconcileFailure(malformed);
        QVERIFY2(message.contains(u"line 2"_s) && message.contains(u"MESSAGE_ID<TAB>EVENT_ID"_s), qPrintable(message));
        QVERIFY(panel()->errorText().contains(message));
        QVERIFY(!panel()->report().has_value());
        QCOMPARE(panel()->findChild<QTableWidget *>()->rowCount(), 0);

        message = reconcileFailure(QDir(m_dir.path()).filePath(u"no-such.ids"_s));
        QVERIFY2(message.contains(u"no such file"_s), qPrintable(message));

        const QString empty = QDir(m_dir.path()).filePath(u"empty.ids"_s);
        QVERIFY(writeFile(empty, {}));
        message = reconcileFailure(empty);
        QVERIFY2(message.contains(u"nothing to reconcile"_s), qPrintable(message));

        // And a good run reconciles again afterwards.
        QVERIFY(reconcile(m_firstRun));
        QVERIFY(panel()->errorText().isEmpty());
    }

    void cleanupTestCase()
    {
        // The window's pages hold the test's clients: the window goes first.
        const Status stopped = m_console.stop();
        m_connection.reset();
        QVERIFY2(stopped, stopped ? "" : qPrintable(stopped.error().message));
    }
};

QTEST_MAIN(TestReconciliationPanel)
#include "testreconciliationpanel.moc"
