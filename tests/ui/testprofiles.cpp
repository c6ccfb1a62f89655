// Connection > Profiles: saved profiles (paths and names, never keys), their connection test against this console's
// local cloud, a local cloud of their own and Google's Pub/Sub emulator, a profile opened in a window of its own, and
// the startup profile of the `aqueduct` binary.

#include <csignal>

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QtTest>

#include "app/consolewindows.h"
#include "core/localcloud/datafolderlock.h"
#include "tests/support/emulatorprocess.h"
#include "tests/support/peerrequirement.h"
#include "tests/ui/consoletesthost.h"
#include "ui/connection/connectionpage.h"
#include "ui/connection/profileeditor.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq;
using Aq::Ui::ProfileEditor;

class TestProfiles final : public QObject
{
    Q_OBJECT

private:
    Ui::Test::ConsoleTestHost m_console;
    ProfileEditor *m_editor = nullptr;

    template <typename T>
    T *field(const char *name) const
    {
        T *widget = m_editor->findChild<T *>(QLatin1StringView(name));
        if (!widget)
            qFatal("the profile editor has no %s", name);
        return widget;
    }

    void type(const char *name, const QString &text)
    {
        auto *line = field<QLineEdit>(name);
        line->clear();
        QTest::keyClicks(line, text);
    }

    void chooseKind(ProfileEditor::Kind kind)
    {
        auto *kinds = field<QComboBox>("backendKind");
        kinds->setCurrentIndex(kinds->findData(int(kind)));
    }

    // Clicks Test and waits for its outcome.
    std::pair<bool, QString> runTest()
    {
        QSignalSpy tested(m_editor, &ProfileEditor::tested);
        QTest::mouseClick(field<QPushButton>("testProfile"), Qt::LeftButton);
        if (!tested.wait(30000))
            return {false, u"no outcome within 30 s"_s};
        return {tested.first().at(0).toBool(), tested.first().at(1).toString()};
    }

    static bool createEmulatorTopic(const QUrl &endpoint, const QString &project, const QString &topic)
    {
        QNetworkAccessManager network;
        QNetworkRequest request(QUrl(endpoint.toString() + u"/v1/projects/%1/topics/%2"_s.arg(project, topic)));
        request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
        QNetworkReply *reply = network.put(request, QByteArrayLiteral("{}"));
        const bool finished = QTest::qWaitFor([reply] { return reply->isFinished(); }, 10000);
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        delete reply;
        return finished && status == 200;
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);   // QSettings go to the test's own folder
        QSettings().remove(u"Profiles"_s);
        QSettings().remove(u"Console"_s);
        const Status started = m_console.start();
        QVERIFY2(started, started ? "" : qPrintable(started.error().message));
        m_console.window()->showPage(Ui::MainWindow::Page::Connection);
        m_editor = m_console.window()->connectionPage()->findChild<ProfileEditor *>();
        QVERIFY(m_editor);
    }

    void cleanupTestCase()
    {
        QVERIFY(m_console.stop());
        QSettings().remove(u"Profiles"_s);
        QSettings().remove(u"Console"_s);
    }

    void theFieldsFollowTheBackend()
    {
        m_editor->newProfile();
        chooseKind(ProfileEditor::Kind::Local);
        QVERIFY(field<QLineEdit>("dataDir")->isVisible());
        QVERIFY(!field<QLineEdit>("pubsubEndpoint")->isVisible());
        QVERIFY(!field<QLineEdit>("credentialsFile")->isVisible());

        chooseKind(ProfileEditor::Kind::Emulator);
        QVERIFY(field<QLineEdit>("pubsubEndpoint")->isVisible());
        QVERIFY2(field<QLineEdit>("dataDir")->isVisible(), "BigQuery stays on the local cloud while its endpoint is empty");
        type("bigqueryEndpoint", u"http://127.0.0.1:9050"_s);
        QVERIFY(!field<QLineEdit>("dataDir")->isVisible());

        chooseKind(ProfileEditor::Kind::Gcp);
        QVERIFY(field<QLineEdit>("credentialsFile")->isVisible());
        QVERIFY(!field<QLineEdit>("pubsubEndpoint")->isVisible());
    }

    void savesPathsAndNamesButNeverAKey()
    {
        m_editor->newProfile();
        type("profileName", u"production"_s);
        chooseKind(ProfileEditor::Kind::Gcp);
        type("credentialsFile", u"/home/op/keys/ingest-sa.json"_s);
        type("project", u"acme-prod"_s);
        type("table", u"clicks"_s);
        field<QCheckBox>("openAtStartup")->setChecked(true);
        QSignalSpy saved(m_editor, &ProfileEditor::saved);
        QTest::mouseClick(field<QPushButton>("saveProfile"), Qt::LeftButton);
        QVERIFY2(saved.count() == 1, qPrintable(field<QLabel>("profileMessage")->text()));

        const Config::ProfileStore store;
        QCOMPARE(store.names(), QStringList {u"production"_s});
        QCOMPARE(store.startupProfile(), u"production"_s);
        const std::optional<Config::SavedProfile> profile = store.find(u"production"_s);
        QVERIFY(profile);
        const QMap<QString, QString> expected {{u"backend"_s, u"gcp"_s},
                                               {u"credentialsFile"_s, u"/home/op/keys/ingest-sa.json"_s},
                                               {u"project"_s, u"acme-prod"_s},
                                               {u"table"_s, u"clicks"_s}};
        QCOMPARE(profile->settings, expected);

        // Reloaded into the fields as it was saved.
        m_editor->newProfile();
        QVERIFY(field<QLineEdit>("project")->text().isEmpty());
        field<QComboBox>("profiles")->setCurrentText(u"production"_s);
        m_editor->showProfile(*store.find(u"production"_s));
        QCOMPARE(field<QLineEdit>("credentialsFile")->text(), u"/home/op/keys/ingest-sa.json"_s);
        QVERIFY(field<QCheckBox>("openAtStartup")->isChecked());

        // A bad value is refused with the resolver's words, and nothing is written.
        type("profileName", u"broken"_s);
        chooseKind(ProfileEditor::Kind::Emulator);
        type("pubsubEndpoint", u"ftp://nowhere"_s);
        QTest::mouseClick(field<QPushButton>("saveProfile"), Qt::LeftButton);
        QVERIFY2(field<QLabel>("profileMessage")->text().contains(u"not an http(s) endpoint"_s), qPrintable(field<QLabel>("profileMessage")->text()));
        QVERIFY(!Config::ProfileStore().names().contains(u"broken"_s));
    }

    void testsAgainstThisConsolesLocalCloud()
    {
        m_editor->newProfile();
        type("profileName", u"this console"_s);
        chooseKind(ProfileEditor::Kind::Local);
        type("dataDir", m_console.context().profile.dataDir);
        const auto [ok, message] = runTest();
        QVERIFY2(ok, qPrintable(message));
        QVERIFY2(message.contains(u"local cloud"_s), qPrintable(message));
    }

    void testsAnotherFolderThroughALocalCloudOfItsOwn()
    {
        QTemporaryDir folder;
        m_editor->newProfile();
        type("profileName", u"fresh"_s);
        chooseKind(ProfileEditor::Kind::Local);
        type("dataDir", folder.path());
        const auto [ok, message] = runTest();
        QVERIFY2(!ok, qPrintable(message));
        QVERIFY2(message.contains(u"creates missing resources"_s), qPrintable(message));
        // The test's local cloud is gone once the outcome is in: the folder is free again.
        QVERIFY(QTest::qWaitFor([&] { return !LocalCloud::DataFolderLock::owner(folder.path()); }, 5000));
    }

    void testsPubSubOnGooglesEmulatorWithTheTableHere()
    {
        AQ_REQUIRE_PEER(EmulatorProcess::missingRequirement().isEmpty(), EmulatorProcess::missingRequirement());
        EmulatorProcess emulator;
        QVERIFY(emulator.start(u"emu-profile"_s));
        m_editor->newProfile();
        type("profileName", u"emulator"_s);
        chooseKind(ProfileEditor::Kind::Emulator);
        type("pubsubEndpoint", emulator.endpoint().toString());
        type("dataDir", m_console.context().profile.dataDir);   // the table is this console's

        const auto [missing, missingMessage] = runTest();
        QVERIFY2(!missing, qPrintable(missingMessage));
        QVERIFY2(missingMessage.startsWith(u"Pub/Sub:"_s) && !missingMessage.contains(u"BigQuery"_s), qPrintable(missingMessage));

        QVERIFY(createEmulatorTopic(emulator.endpoint(), u"aqueduct-local"_s, u"events"_s));
        const auto [ok, message] = runTest();
        QVERIFY2(ok, qPrintable(message));
        QVERIFY2(message.contains(emulator.endpoint().toString()), qPrintable(message));
    }

    // With AQ_SCREENSHOT_DIR set: the Connection page as connection.png, on the saved "production" profile.
    void screenshot()
    {
        const QString directory = qEnvironmentVariable("AQ_SCREENSHOT_DIR");
        if (directory.isEmpty())
            QSKIP("AQ_SCREENSHOT_DIR is not set");
        m_editor->newProfile();
        type("profileName", u"this console"_s);
        chooseKind(ProfileEditor::Kind::Local);
        type("dataDir", m_console.context().profile.dataDir);
        QTest::mouseClick(field<QPushButton>("saveProfile"), Qt::LeftButton);
        const auto [ok, message] = runTest();
        QVERIFY2(ok, qPrintable(message));
        m_console.window()->connectionPage()->testConnection();
        QTest::qWait(600);
        QDir().mkpath(directory);
        QVERIFY(m_console.window()->grab().save(QDir(directory).filePath(u"connection.png"_s)));
    }

    void opensAProfileInAWindowOfItsOwn()
    {
        QTemporaryDir folder;
        App::ConsoleWindows windows;
        const Result<Ui::MainWindow *> bad = windows.openProfile({u"bad"_s, {{u"backend"_s, u"emulator"_s}}});
        QVERIFY(!bad);
        QVERIFY2(bad.error().message.contains(u"\"bad\""_s) && bad.error().message.contains(u"endpoint"_s), qPrintable(bad.error().message));

        const Result<Ui::MainWindow *> opened = windows.openProfile({u"second"_s, {{u"backend"_s, u"local"_s}, {u"dataDir"_s, folder.path()}}});
        QVERIFY2(opened, opened ? "" : qPrintable(opened.error().message));
        Ui::MainWindow *window = *opened;
        QVERIFY(window->windowTitle().contains(u"second"_s));
        QVERIFY(QTest::qWaitFor([window] { return window->isConnected(); }, 20000));
        const std::optional<LocalCloud::DataFolderLock::Owner> owner = LocalCloud::DataFolderLock::owner(folder.path());
        QVERIFY(owner);
        QCOMPARE(owner->pid, QCoreApplication::applicationPid());
        QCOMPARE(owner->endpoint, windows.hostOf(window)->endpoint());

        // Closing the window drains its host, and the folder is free again.
        QCOMPARE(windows.hostCount(), 1);
        window->close();
        QVERIFY(QTest::qWaitFor([&] { return windows.hostCount() == 0; }, 15000));
        QVERIFY(QTest::qWaitFor([&] { return !LocalCloud::DataFolderLock::owner(folder.path()); }, 5000));
    }

    void theBinaryOpensItsStartupProfile()
    {
        const QString binary = qEnvironmentVariable("AQ_CONSOLE_BIN");
        QVERIFY2(QFileInfo(binary).isExecutable(), "AQ_CONSOLE_BIN names the aqueduct binary");
        QTemporaryDir config;
        QTemporaryDir data;
        {
            QSettings settings(config.filePath(u"Aqueduct/aqueduct.conf"_s), QSettings::IniFormat);
            QVERIFY(Config::ProfileStore(&settings).save({u"lab"_s, {{u"backend"_s, u"local"_s}, {u"dataDir"_s, data.path()}}}));
            Config::ProfileStore(&settings).setStartupProfile(u"lab"_s);
        }
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(u"XDG_CONFIG_HOME"_s, config.path());
        environment.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
        for (const QString &name : environment.keys()) {
            if (name.startsWith(u"AQUEDUCT_"_s) || name.endsWith(u"_EMULATOR_HOST"_s))
                environment.remove(name);
        }
        QProcess console;
        console.setProcessEnvironment(environment);
        console.setProcessChannelMode(QProcess::MergedChannels);
        console.start(binary, {});
        QVERIFY(console.waitForStarted(10000));
        QByteArray output;
        const bool owned = QTest::qWaitFor([&] {
            output += console.readAll();
            const std::optional<LocalCloud::DataFolderLock::Owner> owner = LocalCloud::DataFolderLock::owner(data.path());
            return owner && owner->pid == console.processId() && !owner->endpoint.isEmpty();
        }, 30000);
        QVERIFY2(owned, output.constData());
        QVERIFY2(output.contains("opening the startup profile \"lab\""), output.constData());
        ::kill(pid_t(console.processId()), SIGTERM);
        QVERIFY(console.waitForFinished(20000));
        QCOMPARE(console.exitStatus(), QProcess::NormalExit);
        QCOMPARE(console.exitCode(), 0);

        // A backend flag wins over the startup profile, which says so.
        QTemporaryDir other;
        console.start(binary, {u"--data-dir"_s, other.path()});
        QVERIFY(console.waitForStarted(10000));
        output.clear();
        QVERIFY(QTest::qWaitFor([&] {
            output += console.readAll();
            return LocalCloud::DataFolderLock::owner(other.path()).has_value();
        }, 30000));
        QVERIFY2(output.contains("the startup profile \"lab\" is not used: --data-dir chooses the backend"), output.constData());
        QVERIFY(!LocalCloud::DataFolderLock::owner(data.path()));
        ::kill(pid_t(console.processId()), SIGTERM);
        QVERIFY(console.waitForFinished(20000));
        QCOMPARE(console.exitCode(), 0);
    }
};

QTEST_MAIN(TestProfiles)
#include "testprofiles.moc"
