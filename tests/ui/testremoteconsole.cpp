// A console window on a remote `aqueduct serve` (a real aqueduct-server process with API keys and its pipeline),
// offscreen: it connects through the operator API, publishes 40 events from the Publish page (POST /publish), sees
// them in Rows (GET /events, under QAbstractItemModelTester) and on the Dashboard (GET /stats), reads and redrives
// dead letters, follows the UTC/local setting, and never writes the API key into its settings.
// With AQ_SCREENSHOT_DIR set, the Rows page of the remote window is saved there as remote.png.
#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include "core/remote/operatorclient.h"
#include "ui/connection/connectionpage.h"
#include "ui/connection/remoteserverdialog.h"
#include "ui/dashboard/dashboardpage.h"
#include "ui/dashboard/metricsfeed.h"
#include "ui/deadletters/deadletterspage.h"
#include "ui/mainwindow.h"
#include "ui/publish/publishpage.h"
#include "ui/remote/remoteeventsmodel.h"
#include "ui/remote/remoteeventspage.h"
#include "tests/support/servertestprocess.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq;

namespace
{
    const QByteArray ReadKey = "remote-console-read-key-0123456789";
    const QByteArray AdminKey = "remote-console-admin-key-0123456789";
}

class TestRemoteConsole final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    ServerTestProcess m_server;
    std::unique_ptr<Remote::OperatorClient> m_client;
    std::unique_ptr<Ui::MainWindow> m_window;

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);   // QSettings and runs go to the test's own folders
        QSettings().clear();
        QVERIFY(m_dir.isValid());
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(u"AQUEDUCT_API_KEYS"_s, QString::fromLatin1("read:" + ReadKey + "," + AdminKey));
        QVERIFY(m_server.start(m_dir.filePath(u"data"_s), {u"--cache-ttl"_s, u"0"_s}, ServerTestProcess::WithIngest, environment));

        m_client = std::make_unique<Remote::OperatorClient>(m_server.endpoint(), AdminKey);
        Ui::ConsoleContext context;
        context.remote = m_client.get();
        context.endpoint = m_server.endpoint();
        context.backendDescription = u"sent as a bearer token (not shown)"_s;
        m_window = std::make_unique<Ui::MainWindow>(context);
        m_window->publishPage()->setRunsFolder(m_dir.filePath(u"runs"_s));
        QVERIFY(m_window->isRemote());
        QVERIFY(!m_window->rowsPage());
        QVERIFY(m_window->remoteEventsPage());
        m_window->show();
        QSignalSpy connected(m_window.get(), &Ui::MainWindow::connected);
        m_window->connectToBackends();
        QVERIFY(connected.wait(20000));
        QVERIFY(m_window->isConnected());
    }

    void cleanupTestCase()
    {
        m_window.reset();
        m_client.reset();
    }

    void publishedEventsShowInRowsAndOnTheDashboard()
    {
        Ui::PublishPage *publish = m_window->publishPage();
        m_window->showPage(Ui::MainWindow::Page::Publish);
        publish->setCount(40);
        publish->setRate(0);
        QSignalSpy finished(publish, &Ui::PublishPage::runFinished);
        publish->startPublishing();
        QVERIFY(finished.wait(30000));
        QCOMPARE(finished.first().at(0).toLongLong(), 40);
        QCOMPARE(finished.first().at(1).toLongLong(), 0);

        Ui::RemoteEventsPage *rows = m_window->remoteEventsPage();
        Ui::RemoteEventsModel *model = rows->model();
        QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m_window->showPage(Ui::MainWindow::Page::Rows);
        QTRY_VERIFY_WITH_TIMEOUT(([&] {
                                     if (model->rowCount() >= 40)
                                         return true;
                                     if (!model->isLoading())
                                         model->reload();
                                     return false;
                                 }()),
                                 30000);
        // Newest first, every row with its id and type; scrolling to the end fetches more when there is more.
        QVERIFY(!model->data(model->index(0, Ui::RemoteEventsModel::EventIdColumn)).toString().isEmpty());
        QVERIFY(!model->data(model->index(0, Ui::RemoteEventsModel::EventTypeColumn)).toString().isEmpty());
        const QString first = model->data(model->index(0, Ui::RemoteEventsModel::TimeColumn)).toString();
        const QString last = model->data(model->index(model->rowCount() - 1, Ui::RemoteEventsModel::TimeColumn)).toString();
        QVERIFY2(first >= last, qPrintable(first + u" < "_s + last));
        QVERIFY(first.endsWith(u"UTC"_s));

        // A filter goes to the server: only that event type comes back.
        const QString type = model->data(model->index(0, Ui::RemoteEventsModel::EventTypeColumn)).toString();
        rows->setFilterText(type, {}, u"1h"_s);
        QVERIFY(rows->applyFilters());
        QTRY_VERIFY_WITH_TIMEOUT(!model->isLoading() && model->rowCount() > 0, 20000);
        for (int r = 0; r < model->rowCount(); ++r)
            QCOMPARE(model->data(model->index(r, Ui::RemoteEventsModel::EventTypeColumn)).toString(), type);
        rows->setFilterText({}, {}, u"not a time"_s);
        QVERIFY(!rows->applyFilters());
        rows->setFilterText({}, {});
        QVERIFY(rows->applyFilters());
        QTRY_VERIFY_WITH_TIMEOUT(!model->isLoading() && model->rowCount() >= 40, 20000);

        // Local time: the model shows offsets instead of UTC, and back.
        m_window->connectionPage()->setUtc(false);
        QVERIFY(!model->data(model->index(0, Ui::RemoteEventsModel::TimeColumn)).toString().endsWith(u"UTC"_s));
        m_window->connectionPage()->setUtc(true);

        const QString directory = qEnvironmentVariable("AQ_SCREENSHOT_DIR");
        if (!directory.isEmpty()) {
            rows->view()->selectRow(0);
            QTest::qWait(300);
            QDir().mkpath(directory);
            QVERIFY(m_window->grab().save(QDir(directory).filePath(u"remote.png"_s)));
        }

        // The dashboard reads the server's /stats: its publish count includes these 40.
        Ui::MetricsFeed *feed = m_window->dashboardPage()->feed();
        QTRY_VERIFY_WITH_TIMEOUT(feed->snapshot().total(Metrics::Stage::Published) >= 40, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(feed->snapshot().total(Metrics::Stage::Inserted) >= 40, 30000);
    }

    void exportWritesEveryEventTheFiltersMatch()
    {
        Ui::RemoteEventsPage *rows = m_window->remoteEventsPage();
        Ui::RemoteEventsModel *model = rows->model();
        rows->setFilterText({}, {});
        QVERIFY(rows->applyFilters());
        QTRY_VERIFY_WITH_TIMEOUT(!model->isLoading() && model->rowCount() >= 40 && !model->hasMore(), 20000);
        QStringList shownIds;
        for (int r = 0; r < model->rowCount(); ++r)
            shownIds.append(model->event(r).value(u"event_id"_s).toString());

        // JSON, pages of 7 events: every event once, newest first, as the server gave them.
        QTemporaryDir folder;
        const QString jsonPath = folder.filePath(u"events.json"_s);
        QSignalSpy finished(rows, &Ui::RemoteEventsPage::exportFinished);
        QVERIFY(rows->startExport(jsonPath, Ui::RowExporter::Format::Json, 7));
        QVERIFY(finished.wait(30000));
        QCOMPARE(finished.first().at(0).value<Ui::RowExporter::Outcome>(), Ui::RowExporter::Outcome::Completed);
        QFile json(jsonPath);
        QVERIFY(json.open(QIODevice::ReadOnly));
        const QJsonArray exported = QJsonDocument::fromJson(json.readAll()).array();
        QStringList exportedIds;
        for (const QJsonValue &event : exported)
            exportedIds.append(event.toObject().value(u"event_id"_s).toString());
        QCOMPARE(exportedIds, shownIds);

        // CSV with an event_type filter: the header, then only that type's events.
        const QString type = model->data(model->index(0, Ui::RemoteEventsModel::EventTypeColumn)).toString();
        int ofType = 0;
        for (int r = 0; r < model->rowCount(); ++r)
            ofType += model->data(model->index(r, Ui::RemoteEventsModel::EventTypeColumn)).toString() == type;
        rows->setFilterText(type, {});
        QVERIFY(rows->applyFilters());
        QTRY_VERIFY_WITH_TIMEOUT(!model->isLoading(), 20000);
        const QString csvPath = folder.filePath(u"events.csv"_s);
        finished.clear();
        QVERIFY(rows->startExport(csvPath, Ui::RowExporter::Format::Csv, 5));
        QVERIFY(finished.wait(30000));
        QFile csv(csvPath);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = csv.readAll().split('\n');
        QCOMPARE(lines.first(), QByteArray("event_id,timestamp,event_data\r"));
        QCOMPARE(lines.size() - 2, ofType);   // the header, and the empty piece after the last CRLF
        for (qsizetype i = 1; i + 1 < lines.size(); ++i)
            QVERIFY2(lines[i].contains(type.toUtf8()), lines[i].constData());

        // Cancelled: no file at all.
        const QString cancelledPath = folder.filePath(u"cancelled.csv"_s);
        finished.clear();
        QVERIFY(rows->startExport(cancelledPath, Ui::RowExporter::Format::Csv, 1));
        rows->cancelExport();
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.first().at(0).value<Ui::RowExporter::Outcome>(), Ui::RowExporter::Outcome::Cancelled);
        QTest::qWait(200);
        QVERIFY(!QFile::exists(cancelledPath));
        rows->setFilterText({}, {});
        QVERIFY(rows->applyFilters());
    }

    void deadLettersComeFromTheServerAndRedriveIsChecked()
    {
        PubSub::Publisher raw(m_client->publishSender(false), u"raw"_s);
        PubSub::PubsubMessage broken;
        broken.data = "{\"event_id\": \"remote-broken-1\", \"timestamp\": \"not a time\"}";
        bool sent = false;
        QVERIFY(raw.publish(broken, [&](Result<QString> id) { sent = id.hasValue(); }));
        raw.flush();
        QTRY_VERIFY_WITH_TIMEOUT(sent, 20000);

        Ui::DeadLettersPage *deadLetters = m_window->deadLettersPage();
        m_window->showPage(Ui::MainWindow::Page::DeadLetters);
        QSignalSpy refreshed(deadLetters, &Ui::DeadLettersPage::refreshed);
        QTRY_VERIFY_WITH_TIMEOUT(([&] {
                                     deadLetters->refresh();
                                     return refreshed.wait(10000) && deadLetters->rowCount() >= 1;
                                 }()),
                                 30000);
        QSignalSpy redriven(deadLetters, &Ui::DeadLettersPage::redriven);
        deadLetters->redrive({0}, false);
        QVERIFY(redriven.count() == 1 || redriven.wait(10000));
        QCOMPARE(redriven.first().at(0).toInt(), 0);   // refused by the schema check: nothing sent
        QCOMPARE(redriven.first().at(1).toInt(), 1);
    }

    void theConnectionTestAsksTheServer()
    {
        Ui::ConnectionPage *page = m_window->connectionPage();
        QSignalSpy tested(page, &Ui::ConnectionPage::tested);
        page->testConnection();
        QVERIFY(tested.wait(10000));
        QCOMPARE(tested.first().at(0).toBool(), true);
    }

    void aWrongKeyIsAClearFailure()
    {
        Remote::OperatorClient wrong(m_server.endpoint(), "not-a-key-of-this-server");
        Ui::ConsoleContext context;
        context.remote = &wrong;
        context.endpoint = m_server.endpoint();
        Ui::MainWindow window(context);
        QSignalSpy failed(&window, &Ui::MainWindow::connectionFailed);
        window.connectToBackends();
        QVERIFY(failed.wait(20000));
        const QString message = failed.first().at(0).toString();
        QVERIFY2(message.contains(u"401"_s) || message.contains(u"API key"_s, Qt::CaseInsensitive), qPrintable(message));
        QVERIFY(!message.contains(u"not-a-key-of-this-server"_s));
        QVERIFY(!window.isConnected());
    }

    void theDialogChecksTheUrlAndKeepsTheKeyOutOfSettings()
    {
        Ui::RemoteServerDialog dialog;
        QSignalSpy chosen(&dialog, &Ui::RemoteServerDialog::serverChosen);
        dialog.setServer(u"ftp://nowhere"_s);
        dialog.setApiKey(ReadKey);
        dialog.accept();
        QCOMPARE(chosen.count(), 0);   // refused, the dialog stays open
        dialog.setServer(m_server.endpoint().toString());
        dialog.setApiKey(ReadKey);
        dialog.accept();
        QCOMPARE(chosen.count(), 1);
        QCOMPARE(chosen.first().at(0).toUrl(), m_server.endpoint());
        QCOMPARE(chosen.first().at(1).toByteArray(), ReadKey);
        QTest::qWait(500);   // the keychain's answer (stored, or no keychain on this machine)

        QSettings settings;
        QVERIFY(settings.value(u"Remote/recent"_s).toStringList().contains(m_server.endpoint().toString()));
        settings.sync();
        QFile file(settings.fileName());
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        QVERIFY(text.contains("Remote"));
        QVERIFY(!text.contains(ReadKey));
    }
};

QTEST_MAIN(TestRemoteConsole)
#include "testremoteconsole.moc"
