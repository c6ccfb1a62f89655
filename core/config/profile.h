#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>
#include <QStringList>
#include <QUrl>

#include "core/common/result.h"

class QCommandLineParser;

namespace Aq::Config
{
    enum class Backend
    {
        Local,      // the embedded local cloud (or the process that owns its data folder)
        Emulator,   // Google's emulator or an Aqueduct server: no OAuth, maybe an API key
        Gcp,        // Google Cloud, OAuth2
    };

    QString backendName(Backend backend);

    // The services a command talks to. `aqueduct publish` needs Pub/Sub only: BigQuery's settings are then not
    // required (no emulator endpoint) and not opened (no data folder taken for it).
    enum class Services
    {
        PubSubAndBigQuery,
        PubSubOnly,
    };

    // Where one service is: its backend and, unless that backend decides, its endpoint.
    struct ServiceLocation
    {
        Backend backend = Backend::Local;
        QUrl endpoint;      // empty for Local; the emulator's URL; for Gcp an override (PSC), else Google's
        QString source;     // where the backend or endpoint came from, for messages ("--backend", "PUBSUB_EMULATOR_HOST")
    };

    // Everything that says what Aqueduct talks to and with which names: endpoints per service, credentials,
    // project and resource names (DESIGN.md, Backends). Resolved from the command line, then the environment,
    // then a config file (INI, the same keys as the settings), then defaults.
    struct Profile
    {
        ServiceLocation pubsub;
        ServiceLocation bigquery;
        Services services = Services::PubSubAndBigQuery;
        QString project;            // empty for Gcp until the credentials say
        QString projectSource;
        QString credentialsFile;    // Gcp: a key or gcloud file; empty: Application Default Credentials
        QByteArray apiKey;          // local/emulator: an Aqueduct server's key, sent as the bearer token
        QString apiKeySource;
        QString dataDir;

        QString topic = QStringLiteral("events");
        QString subscription = QStringLiteral("events-ingest");
        QString deadLetterTopic = QStringLiteral("events-dead-letter");
        QString dataset = QStringLiteral("analytics");
        QString table = QStringLiteral("events");
        QString errorTable = QStringLiteral("events_error_records");
        QString keyColumn = QStringLiteral("event_id");
        QString schemaFile;

        // Things worth telling the user that do not stop the command (an ignored emulator variable, ...).
        QStringList warnings;

        bool usesBigQuery() const { return services == Services::PubSubAndBigQuery; }
        bool usesLocal() const { return pubsub.backend == Backend::Local || (usesBigQuery() && bigquery.backend == Backend::Local); }
        bool usesGcp() const { return pubsub.backend == Backend::Gcp || (usesBigQuery() && bigquery.backend == Backend::Gcp); }
        // "local cloud (~/.local/share/aqueduct)", "Pub/Sub: emulator http://127.0.0.1:8085; BigQuery: local cloud"
        QString describe() const;
    };

    // The raw inputs, so that tests need not touch the process.
    struct ProfileInputs
    {
        QHash<QString, QString> options;        // command-line option name (no dashes) -> value
        QHash<QString, QString> environment;    // the process environment
        Services services = Services::PubSubAndBigQuery;
        static QHash<QString, QString> processEnvironment();
    };

    // The common flags of every subcommand (DESIGN.md, Command line), but those in `except` (serve gives
    // --api-key another meaning).
    void addProfileOptions(QCommandLineParser &parser, const QStringList &except = {});
    // The values of those flags that were given.
    QHash<QString, QString> profileOptionValues(const QCommandLineParser &parser, const QStringList &except = {});

    // Unknown config keys, bad values and contradictions (an endpoint for the local backend, an API key for Google
    // Cloud, an emulator backend with no endpoint) are errors that say what to change.
    Result<Profile> resolveProfile(const ProfileInputs &inputs);

    // The config-file keys of a profile ("backend", "dataDir", "topic", ...) and the flag of each ("data-dir").
    QStringList profileSettingKeys();
    QString profileSettingOption(const QString &key);

    QString defaultDataDir();
    // PUBSUB_EMULATOR_HOST is host:port with no scheme; BIGQUERY_EMULATOR_HOST has either form.
    Result<QUrl> parseEndpoint(const QString &text, const QString &source);
}
