// The console end to end, offscreen: what `aqueduct` runs (ServeHost on a temp data folder) and its window. Publish
// 100 events from the Publish page, then see them in Rows and on the Dashboard; dead letters; the connection test.
// With AQ_SCREENSHOT_DIR set, the Publish and Dead letters pages are saved there as PNGs
// (docs/screenshots/ in the README; the dashboard's and rows' pictures come from their pages' own tests).
#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QElapsedTimer>
#include <QDir>
#include <QListWidget>
#include <QSignalSpy>
#include <QTableView>
#include <QTableWidget>
#include <QTimer>
#include <QTemporaryDir>
#include <QTest>

#include "core/localcloud/localbackend.h"
#include "core/metrics/pipelinemetrics.h"
#include "ui/connection/connectionpage.h"
#include "ui/dashboard/dashboardpage.h"
#include "ui/deadletters/deadletterspage.h"
#include "ui/mainwindow.h"
#include "ui/publish/publishpage.h"
#include "ui/rows/rowspage.h"
#include "ui/rows/rowwindowmodel.h"
#include "ui/shortcutsdialog.h"
#include "tests/ui/consoletesthost.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq;

class TestConsole final : public QObject
{
    Q_OBJECT

private:
    Ui::Test::ConsoleTestHost m_console;
    Server::ServeHost *m_host = nullptr;
    Ui::MainWindow *m_window = nullptr;

    void saveScreenshot(Ui::MainWindow::Page page, const QString &name)
    {
        const QString directory = qEnvironmentVariable("AQ_SCREENSHOT_DIR");
        if (directory.isEmpty())
            return;
        m_window->showPage(page);
        QTest::qWait(600);   // a dashboard tick and a repaint
        QDir().mkpath(directory);
        QVERIFY(m_window->grab().save(QDir(directory).filePath(name + u".png"_s)));
    }

private slots:
    void initTestCase()
    {
        const Status started = m_console.start();
        QVERIFY2(started, started ? "" : qPrintable(started.error().message));
        m_host = m_console.host();
        m_window = m_console.window();
    }

    void keyboardShortcutsListActionsAndButtons()
    {
        QAction *help = nullptr;
        for (QAction *action : m_window->findChildren<QAction *>()) {
            if (action->shortcut() == QKeySequence(Qt::Key_F1))
                help = action;
        }
        QVERIFY(help);
        QHash<QString, QString> listed;
        QTimer::singleShot(0, this, [&listed] {
            auto *dialog = qobject_cast<Ui::ShortcutsDialog *>(QApplication::activeModalWidget());
            if (!dialog)
                return;
            const auto *table = dialog->findChild<QTableWidget *>();
            for (int row = 0; table && row < table->rowCount(); ++row)
                listed.insert(table->item(row, 0)->text(), table->item(row, 1)->text());
            dialog->reject();
        });
        help->trigger();
        QVERIFY2(!listed.isEmpty(), "the dialog opened and listed something");
        QCOMPARE(listed.value(u"Go › Rows"_s), QKeySequence(Qt::CTRL | Qt::Key_2).toString(QKeySequence::NativeText));
        QCOMPARE(listed.value(u"Connection › Test connection"_s), QKeySequence(Qt::CTRL | Qt::Key_T).toString(QKeySequence::NativeText));
        QCOMPARE(listed.value(u"Connection › Test"_s), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_T).toString(QKeySequence::NativeText));
    }

    void pagesAreReachableByKeyboard()
    {
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window));
        QTest::keyClick(m_window, Qt::Key_3, Qt::ControlModifier);
        QCOMPARE(m_window->currentPage(), Ui::MainWindow::Page::Publish);
        QTest::keyClick(m_window, Qt::Key_1, Qt::ControlModifier);
        QCOMPARE(m_window->currentPage(), Ui::MainWindow::Page::Dashboard);
    }

    void publishedEventsReachRowsAndDashboard()
    {
        Ui::PublishPage *publish = m_window->publishPage();
        m_window->showPage(Ui::MainWindow::Page::Publish);
        publish->setCount(100);
        publish->setRate(0);
        QSignalSpy finished(publish, &Ui::PublishPage::runFinished);
        publish->startPublishing();
        QVERIFY(finished.wait(30000));
        QCOMPARE(finished.first().at(0).toLongLong(), 100);
        QCOMPARE(finished.first().at(1).toLongLong(), 0);
        saveScreenshot(Ui::MainWindow::Page::Publish, u"publish"_s);

        // The pipeline stores them; the dashboard's metrics see them.
        QTRY_VERIFY_WITH_TIMEOUT(m_host->metrics()->snapshot().total(Metrics::Stage::Inserted) >= 100, 30000);
        QVERIFY(m_host->metrics()->snapshot().total(Metrics::Stage::Published) >= 100);

        Ui::RowsPage *rows = m_window->rowsPage();
        m_window->showPage(Ui::MainWindow::Page::Rows);
        QAbstractItemModelTester tester(rows->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        rows->refresh();
        QTRY_COMPARE_WITH_TIMEOUT(rows->model()->rowCount(), 100, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(!rows->model()->data(rows->model()->index(0, 0)).toString().startsWith(u"…"_s), 20000);

        // (The dashboard's picture, with an hour of data, comes from testdashboardpage.)
    }

    void deadLettersShowReasonsAndRedriveChecksTheSchema()
    {
        Ui::PublishPage *publish = m_window->publishPage();
        publish->setTemplateText(u"{\"event_id\": \"{{uuid}}\", \"timestamp\": \"not a time\", \"event_type\": \"broken\"}"_s);
        publish->setCount(3);
        QSignalSpy finished(publish, &Ui::PublishPage::runFinished);
        // The schema check is on by default: nothing is sent.
        publish->startPublishing();
        QVERIFY(finished.wait(20000));
        QCOMPARE(finished.takeFirst().at(0).toLongLong(), 0);

        Ui::DeadLettersPage *deadLetters = m_window->deadLettersPage();
        publish->findChild<QCheckBox *>()->setChecked(false);
        publish->startPublishing();
        QVERIFY(finished.wait(20000));
        QCOMPARE(finished.takeFirst().at(0).toLongLong(), 3);
        // Rows that can never be stored go to the error table at once.
        QSignalSpy refreshed(deadLetters, &Ui::DeadLettersPage::refreshed);
        QElapsedTimer timer;
        timer.start();
        while (deadLetters->rowCount() < 3 && timer.elapsed() < 30000) {
            deadLetters->refresh();
            QVERIFY(refreshed.wait(10000));
            if (deadLetters->rowCount() < 3)
                QTest::qWait(300);
        }
        QCOMPARE(deadLetters->rowCount(), 3);
        QSignalSpy redriven(deadLetters, &Ui::DeadLettersPage::redriven);
        deadLetters->redrive({0, 1, 2}, false);
        QVERIFY(redriven.count() == 1 || redriven.wait(10000));
        QCOMPARE(redriven.first().at(0).toInt(), 0);   // still broken: refused, not published
        QCOMPARE(redriven.first().at(1).toInt(), 3);
        saveScreenshot(Ui::MainWindow::Page::DeadLetters, u"dead-letters"_s);
        publish->setTemplateText(Ui::PublishPage::defaultTemplate());
    }

    void connectionTestPasses()
    {
        Ui::ConnectionPage *page = m_window->connectionPage();
        QSignalSpy tested(page, &Ui::ConnectionPage::tested);
        page->testConnection();
        QVERIFY(tested.wait(10000));
        QCOMPARE(tested.first().at(0).toBool(), true);   // connection.png comes from testprofiles (saved profiles shown)
    }

    void cleanupTestCase()
    {
        const Status stopped = m_console.stop();
        QVERIFY2(stopped, stopped ? "" : qPrintable(stopped.error().message));
    }
};

QTEST_MAIN(TestConsole)
#include "testconsole.moc"
