#include <QCommandLineParser>
#include <QTemporaryDir>
#include <QtTest>

#include "core/config/profile.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq;
using namespace Aq::Config;

namespace
{
    Result<Profile> resolve(QHash<QString, QString> options, QHash<QString, QString> environment = {})
    {
        return resolveProfile(ProfileInputs {std::move(options), std::move(environment)});
    }

    template <typename T>
    QString whyNot(const Result<T> &result)
    {
        return result ? QString() : result.error().message;
    }
}

class TestProfile final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString writeConfig(const QByteArray &text)
    {
        static int counter = 0;
        const QString path = m_dir.filePath(u"config-%1.ini"_s.arg(++counter));
        QFile file(path);
        file.open(QIODevice::WriteOnly);
        file.write(text);
        return path;
    }

private slots:
    void defaultsAreTheLocalCloudAndTheDesignsNames()
    {
        const Result<Profile> profile = resolve({});
        QVERIFY2(profile, qPrintable(whyNot(profile)));
        QCOMPARE(profile->pubsub.backend, Backend::Local);
        QCOMPARE(profile->bigquery.backend, Backend::Local);
        QCOMPARE(profile->project, u"aqueduct-local"_s);
        QCOMPARE(profile->topic, u"events"_s);
        QCOMPARE(profile->subscription, u"events-ingest"_s);
        QCOMPARE(profile->deadLetterTopic, u"events-dead-letter"_s);
        QCOMPARE(profile->dataset, u"analytics"_s);
        QCOMPARE(profile->table, u"events"_s);
        QCOMPARE(profile->errorTable, u"events_error_records"_s);
        QCOMPARE(profile->keyColumn, u"event_id"_s);
        QCOMPARE(profile->dataDir, defaultDataDir());
        QVERIFY(profile->warnings.isEmpty());
    }

    void emulatorVariablesSwitchTheirServiceOnly()
    {
        const Result<Profile> profile = resolve({}, {{u"PUBSUB_EMULATOR_HOST"_s, u"localhost:8085"_s}});
        QVERIFY2(profile, qPrintable(whyNot(profile)));
        QCOMPARE(profile->pubsub.backend, Backend::Emulator);
        QCOMPARE(profile->pubsub.endpoint, QUrl(u"http://localhost:8085"_s));
        QCOMPARE(profile->bigquery.backend, Backend::Local);

        const Result<Profile> both = resolve({}, {{u"PUBSUB_EMULATOR_HOST"_s, u"localhost:8085"_s},
                                                  {u"BIGQUERY_EMULATOR_HOST"_s, u"http://127.0.0.1:9050"_s},
                                                  {u"PUBSUB_PROJECT_ID"_s, u"emu-project"_s}});
        QVERIFY(both);
        QCOMPARE(both->bigquery.backend, Backend::Emulator);
        QCOMPARE(both->bigquery.endpoint, QUrl(u"http://127.0.0.1:9050"_s));
        QCOMPARE(both->project, u"emu-project"_s);
    }

    void anExplicitBackendIgnoresEmulatorVariablesWithAWarning()
    {
        const Result<Profile> profile = resolve({{u"backend"_s, u"local"_s}}, {{u"PUBSUB_EMULATOR_HOST"_s, u"localhost:8085"_s}});
        QVERIFY(profile);
        QCOMPARE(profile->pubsub.backend, Backend::Local);
        QCOMPARE(profile->warnings.size(), 1);
        QVERIFY2(profile->warnings.first().contains(u"PUBSUB_EMULATOR_HOST"_s), qPrintable(profile->warnings.first()));
    }

    void eachServiceCanHaveItsOwnBackend()
    {
        // Pub/Sub on Google's emulator, BigQuery on the local cloud, without any environment variable.
        const Result<Profile> mixed = resolve({{u"pubsub-backend"_s, u"emulator"_s}, {u"pubsub-endpoint"_s, u"http://127.0.0.1:8085"_s}});
        QVERIFY2(mixed, qPrintable(whyNot(mixed)));
        QCOMPARE(mixed->pubsub.backend, Backend::Emulator);
        QCOMPARE(mixed->pubsub.endpoint, QUrl(u"http://127.0.0.1:8085"_s));
        QCOMPARE(mixed->pubsub.source, u"--pubsub-endpoint"_s);
        QCOMPARE(mixed->bigquery.backend, Backend::Local);
        QVERIFY(mixed->usesLocal());

        // The service's own backend wins over the common one, and takes its emulator variable.
        const Result<Profile> over = resolve({{u"backend"_s, u"gcp"_s}, {u"bigquery-backend"_s, u"emulator"_s}},
                                             {{u"BIGQUERY_EMULATOR_HOST"_s, u"127.0.0.1:9050"_s}});
        QVERIFY2(over, qPrintable(whyNot(over)));
        QCOMPARE(over->pubsub.backend, Backend::Gcp);
        QCOMPARE(over->bigquery.backend, Backend::Emulator);
        QCOMPARE(over->bigquery.endpoint, QUrl(u"http://127.0.0.1:9050"_s));
        QVERIFY2(over->warnings.isEmpty(), qPrintable(over->warnings.join(u"; "_s)));

        const Result<Profile> bad = resolve({{u"pubsub-backend"_s, u"kafka"_s}});
        QVERIFY(!bad);
        QVERIFY2(bad.error().message.contains(u"--pubsub-backend"_s) && bad.error().message.contains(u"local, emulator or gcp"_s),
                 qPrintable(bad.error().message));
    }

    void emulatorBackendNeedsEndpoints()
    {
        const Result<Profile> missing = resolve({{u"backend"_s, u"emulator"_s}}, {{u"PUBSUB_EMULATOR_HOST"_s, u"localhost:8085"_s}});
        QVERIFY(!missing);
        QVERIFY2(missing.error().message.contains(u"BIGQUERY_EMULATOR_HOST"_s), qPrintable(missing.error().message));

        const Result<Profile> given = resolve({{u"backend"_s, u"emulator"_s}, {u"bigquery-endpoint"_s, u"http://127.0.0.1:8080"_s}},
                                              {{u"PUBSUB_EMULATOR_HOST"_s, u"localhost:8085"_s}});
        QVERIFY2(given, qPrintable(whyNot(given)));
        QCOMPARE(given->bigquery.endpoint, QUrl(u"http://127.0.0.1:8080"_s));
    }

    void gcpUsesGoogleUnlessAnEndpointIsOverridden()
    {
        const Result<Profile> profile = resolve({{u"backend"_s, u"gcp"_s}, {u"pubsub-endpoint"_s, u"https://pubsub-psc.p.googleapis.com"_s}});
        QVERIFY2(profile, qPrintable(whyNot(profile)));
        QCOMPARE(profile->pubsub.backend, Backend::Gcp);
        QCOMPARE(profile->pubsub.endpoint, QUrl(u"https://pubsub-psc.p.googleapis.com"_s));
        QCOMPARE(profile->bigquery.endpoint, QUrl(u"https://bigquery.googleapis.com"_s));
        QVERIFY(profile->project.isEmpty());   // the credentials will say
    }

    void precedenceIsCommandLineThenEnvironmentThenFile()
    {
        const QString config = writeConfig("topic=from-file\ntable=file_table\ndataset=file_ds\n");
        const Result<Profile> profile = resolve({{u"config"_s, config}, {u"topic"_s, u"from-flag"_s}},
                                                {{u"AQUEDUCT_TOPIC"_s, u"from-env"_s}, {u"AQUEDUCT_TABLE"_s, u"env_table"_s}});
        QVERIFY2(profile, qPrintable(whyNot(profile)));
        QCOMPARE(profile->topic, u"from-flag"_s);
        QCOMPARE(profile->table, u"env_table"_s);
        QCOMPARE(profile->dataset, u"file_ds"_s);

        const Result<Profile> viaEnvironment = resolve({}, {{u"AQUEDUCT_CONFIG"_s, config}});
        QVERIFY(viaEnvironment);
        QCOMPARE(viaEnvironment->topic, u"from-file"_s);

        const Result<Profile> project = resolve({}, {{u"GOOGLE_CLOUD_PROJECT"_s, u"google-project"_s}});
        QVERIFY(project);
        QCOMPARE(project->project, u"google-project"_s);
        const Result<Profile> flagProject = resolve({{u"project"_s, u"flag-project"_s}}, {{u"GOOGLE_CLOUD_PROJECT"_s, u"google-project"_s}});
        QCOMPARE(flagProject->project, u"flag-project"_s);
    }

    void badConfigFilesAreReported()
    {
        const Result<Profile> unknown = resolve({{u"config"_s, writeConfig("topic=t1-x\ntopik=oops\n")}});
        QVERIFY(!unknown);
        QVERIFY2(unknown.error().message.contains(u"topik"_s), qPrintable(unknown.error().message));
        const Result<Profile> secret = resolve({{u"config"_s, writeConfig("apiKey=abc\n")}});
        QVERIFY(!secret);
        QVERIFY2(secret.error().message.contains(u"AQUEDUCT_API_KEY"_s), qPrintable(secret.error().message));
        QVERIFY2(!secret.error().message.contains(u"abc"_s), qPrintable(secret.error().message));
        const Result<Profile> missing = resolve({{u"config"_s, m_dir.filePath(u"nope.ini"_s)}});
        QVERIFY(!missing);
        QVERIFY2(missing.error().message.contains(u"does not exist"_s), qPrintable(missing.error().message));
    }

    void contradictionsAreErrors_data()
    {
        QTest::addColumn<QStringList>("options");
        QTest::addColumn<QStringList>("environment");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("endpoint on local") << QStringList {u"backend=local"_s, u"pubsub-endpoint=http://h:1"_s} << QStringList {} << u"--pubsub-endpoint"_s;
        QTest::newRow("api key on gcp") << QStringList {u"backend=gcp"_s, u"api-key=k"_s} << QStringList {} << u"--api-key"_s;
        QTest::newRow("data dir without local") << QStringList {u"backend=gcp"_s, u"data-dir=/tmp/x"_s} << QStringList {} << u"--data-dir"_s;
        QTest::newRow("credentials without gcp") << QStringList {u"credentials-file=/tmp/k.json"_s} << QStringList {} << u"--credentials-file"_s;
        QTest::newRow("unknown backend") << QStringList {u"backend=aws"_s} << QStringList {} << u"aws"_s;
        QTest::newRow("bad topic") << QStringList {u"topic=ab"_s} << QStringList {} << u"\"ab\""_s;
        QTest::newRow("bad table") << QStringList {u"table=my table"_s} << QStringList {} << u"my table"_s;
        QTest::newRow("bad endpoint") << QStringList {u"backend=emulator"_s, u"pubsub-endpoint=ftp://x"_s, u"bigquery-endpoint=http://y:1"_s}
                                      << QStringList {} << u"ftp://x"_s;
        QTest::newRow("missing schema file") << QStringList {u"schema=/nonexistent/schema.json"_s} << QStringList {} << u"schema.json"_s;
        QTest::newRow("env backend") << QStringList {} << QStringList {u"AQUEDUCT_BACKEND=cloud"_s} << u"AQUEDUCT_BACKEND"_s;
    }

    void contradictionsAreErrors()
    {
        QFETCH(QStringList, options);
        QFETCH(QStringList, environment);
        QFETCH(QString, mentions);
        QHash<QString, QString> optionValues;
        for (const QString &item : options)
            optionValues.insert(item.section(u'=', 0, 0), item.section(u'=', 1));
        QHash<QString, QString> environmentValues;
        for (const QString &item : environment)
            environmentValues.insert(item.section(u'=', 0, 0), item.section(u'=', 1));
        const Result<Profile> profile = resolve(optionValues, environmentValues);
        QVERIFY(!profile);
        QVERIFY2(profile.error().message.contains(mentions), qPrintable(profile.error().message));
    }

    void unknownAqueductVariablesAreReported()
    {
        const Result<Profile> profile = resolve({}, {{u"AQUEDUCT_TOPICS"_s, u"x"_s}, {u"AQUEDUCT_LISTEN"_s, u"127.0.0.1:1"_s}});
        QVERIFY(profile);
        QCOMPARE(profile->warnings.size(), 1);
        QVERIFY(profile->warnings.first().contains(u"AQUEDUCT_TOPICS"_s));
    }

    void commandLineOptionsAreCollected()
    {
        QCommandLineParser parser;
        addProfileOptions(parser);
        QVERIFY(parser.parse({u"aqueduct"_s, u"--topic"_s, u"orders"_s, u"--backend"_s, u"emulator"_s}));
        const QHash<QString, QString> values = profileOptionValues(parser);
        QCOMPARE(values.value(u"topic"_s), u"orders"_s);
        QCOMPARE(values.value(u"backend"_s), u"emulator"_s);
        QVERIFY(!values.contains(u"table"_s));
    }
};

QTEST_GUILESS_MAIN(TestProfile)
#include "testprofile.moc"
