#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

#include "core/config/savedprofile.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq;
using namespace Aq::Config;

namespace
{
    template <typename T>
    QString whyNot(const Result<T> &result)
    {
        return result ? QString() : result.error().message;
    }

    SavedProfile emulatorProfile()
    {
        return {u"Pub/Sub emulator"_s.replace(u'/', u' '),
                {{u"pubsubBackend"_s, u"emulator"_s},
                 {u"pubsubEndpoint"_s, u"http://127.0.0.1:8085"_s},
                 {u"dataDir"_s, u"/tmp/aq-emulator-data"_s},
                 {u"project"_s, u"emu-project"_s},
                 {u"topic"_s, u"clicks"_s}}};
    }
}

class TestSavedProfile final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<QSettings> m_settings;

private slots:
    void init()
    {
        static int counter = 0;
        m_settings = std::make_unique<QSettings>(m_dir.filePath(u"settings-%1.ini"_s.arg(++counter)), QSettings::IniFormat);
    }

    void savesLoadsAndRemoves()
    {
        ProfileStore store(m_settings.get());
        QVERIFY(store.names().isEmpty());
        const SavedProfile profile = emulatorProfile();
        const Status saved = store.save(profile);
        QVERIFY2(saved, qPrintable(whyNot(saved)));
        QCOMPARE(store.names(), QStringList {profile.name});

        // Another store over the same file sees it (it went to disk).
        QSettings again(m_settings->fileName(), QSettings::IniFormat);
        const std::optional<SavedProfile> loaded = ProfileStore(&again).find(profile.name);
        QVERIFY(loaded);
        QCOMPARE(loaded->settings, profile.settings);

        store.setStartupProfile(profile.name);
        QCOMPARE(store.startupProfile(), profile.name);
        store.remove(profile.name);
        QVERIFY(store.names().isEmpty());
        QVERIFY2(store.startupProfile().isEmpty(), "removing the startup profile clears the choice");
        QVERIFY(!store.find(profile.name));
    }

    void resolvesAsTheCommandLineWould()
    {
        const SavedProfile profile = emulatorProfile();
        const Result<Profile> resolved = profile.resolve({{u"PUBSUB_EMULATOR_HOST"_s, u"elsewhere:1"_s}});
        QVERIFY2(resolved, qPrintable(whyNot(resolved)));
        QCOMPARE(resolved->pubsub.backend, Backend::Emulator);
        QCOMPARE(resolved->pubsub.endpoint, QUrl(u"http://127.0.0.1:8085"_s));
        QCOMPARE(resolved->bigquery.backend, Backend::Local);
        QCOMPARE(resolved->dataDir, u"/tmp/aq-emulator-data"_s);
        QCOMPARE(resolved->project, u"emu-project"_s);
        QCOMPARE(resolved->topic, u"clicks"_s);

        const QStringList arguments = profile.toArguments();
        QVERIFY2(arguments.contains(u"--pubsub-backend"_s) && arguments.contains(u"--data-dir"_s), qPrintable(arguments.join(u' ')));
        QCOMPARE(arguments.at(arguments.indexOf(u"--pubsub-endpoint"_s) + 1), u"http://127.0.0.1:8085"_s);
        QCOMPARE(arguments.size(), 2 * profile.settings.size());
    }

    void refusesSecretsBadNamesAndBadProfiles_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("expected");
        QTest::newRow("api key") << u"p"_s << u"apiKey"_s << u"secret"_s << u"AQUEDUCT_API_KEY"_s;
        QTest::newRow("unknown key") << u"p"_s << u"colour"_s << u"red"_s << u"no setting \"colour\""_s;
        QTest::newRow("empty name") << u" "_s << u"backend"_s << u"local"_s << u"needs a name"_s;
        QTest::newRow("slash") << u"a/b"_s << u"backend"_s << u"local"_s << u"has a /"_s;
        QTest::newRow("bad backend") << u"p"_s << u"backend"_s << u"kafka"_s << u"unknown backend"_s;
        QTest::newRow("emulator without endpoint") << u"p"_s << u"backend"_s << u"emulator"_s << u"needs an endpoint"_s;
        QTest::newRow("bad topic") << u"p"_s << u"topic"_s << u"9x"_s << u"not a Pub/Sub name"_s;
    }

    void refusesSecretsBadNamesAndBadProfiles()
    {
        QFETCH(QString, name);
        QFETCH(QString, key);
        QFETCH(QString, value);
        QFETCH(QString, expected);
        ProfileStore store(m_settings.get());
        const Status saved = store.save({name, {{key, value}}});
        QVERIFY(!saved);
        QVERIFY2(saved.error().message.contains(expected), qPrintable(saved.error().message));
        QVERIFY2(store.names().isEmpty(), "nothing was written");
        m_settings->sync();
        QFile file(m_settings->fileName());
        const QByteArray written = file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
        QVERIFY2(!written.contains(value.toUtf8()), written.constData());
    }

    void anApiKeyWrittenByHandIsNotRead()
    {
        m_settings->setValue(u"Profiles/hand/backend"_s, u"local"_s);
        m_settings->setValue(u"Profiles/hand/apiKey"_s, u"secret"_s);
        const std::optional<SavedProfile> loaded = ProfileStore(m_settings.get()).find(u"hand"_s);
        QVERIFY(loaded);
        QVERIFY(!loaded->settings.contains(u"apiKey"_s));
        QVERIFY(!loaded->toArguments().contains(u"--api-key"_s));
    }

    void startupProfileAppliesOnlyWhenNothingElseChoosesTheBackend()
    {
        QCOMPARE(backendChosenOutsideProfiles({u"aqueduct"_s}, {{u"HOME"_s, u"/home/x"_s}}), QString());
        QCOMPARE(backendChosenOutsideProfiles({u"aqueduct"_s, u"--backend"_s, u"gcp"_s}, {}), u"--backend"_s);
        QCOMPARE(backendChosenOutsideProfiles({u"aqueduct"_s, u"--data-dir=/x"_s}, {}), u"--data-dir"_s);
        QCOMPARE(backendChosenOutsideProfiles({u"aqueduct"_s}, {{u"PUBSUB_EMULATOR_HOST"_s, u"localhost:8085"_s}}), u"PUBSUB_EMULATOR_HOST"_s);
        QCOMPARE(backendChosenOutsideProfiles({u"aqueduct"_s, u"--listen"_s, u"127.0.0.1:0"_s}, {}), QString());
    }
};

QTEST_GUILESS_MAIN(TestSavedProfile)
#include "testsavedprofile.moc"
