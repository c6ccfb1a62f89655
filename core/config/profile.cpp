#include "core/config/profile.h"

#include <array>
#include <utility>

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QSettings>
#include <QStandardPaths>

using namespace Qt::Literals::StringLiterals;

namespace Aq::Config
{
    namespace
    {
        // One setting: its config-file key, its flag, its environment variable, and where it goes.
        struct Setting
        {
            QString key;
            QString option;
            QString environment;
            QString description;
            QString valueName;
        };

        const QList<Setting> &settings()
        {
            static const QList<Setting> all {
                {u"backend"_s, u"backend"_s, u"AQUEDUCT_BACKEND"_s, u"local (default), emulator or gcp, for both services."_s, u"name"_s},
                {u"pubsubBackend"_s, u"pubsub-backend"_s, u"AQUEDUCT_PUBSUB_BACKEND"_s, u"local, emulator or gcp, for Pub/Sub alone (over --backend)."_s, u"name"_s},
                {u"bigqueryBackend"_s, u"bigquery-backend"_s, u"AQUEDUCT_BIGQUERY_BACKEND"_s, u"local, emulator or gcp, for BigQuery alone (over --backend)."_s, u"name"_s},
                {u"project"_s, u"project"_s, u"AQUEDUCT_PROJECT"_s, u"Google Cloud project (else GOOGLE_CLOUD_PROJECT, the credentials' project, or aqueduct-local)."_s, u"id"_s},
                {u"dataDir"_s, u"data-dir"_s, u"AQUEDUCT_DATA_DIR"_s, u"Data folder of the local cloud."_s, u"dir"_s},
                {u"pubsubEndpoint"_s, u"pubsub-endpoint"_s, u"AQUEDUCT_PUBSUB_ENDPOINT"_s, u"Pub/Sub endpoint URL (keeps the backend's authentication)."_s, u"url"_s},
                {u"bigqueryEndpoint"_s, u"bigquery-endpoint"_s, u"AQUEDUCT_BIGQUERY_ENDPOINT"_s, u"BigQuery endpoint URL (keeps the backend's authentication)."_s, u"url"_s},
                {u"credentialsFile"_s, u"credentials-file"_s, QString(), u"Google credentials file (else Application Default Credentials)."_s, u"file"_s},
                {u"apiKey"_s, u"api-key"_s, u"AQUEDUCT_API_KEY"_s, u"API key of an Aqueduct server, sent as the bearer token (prefer AQUEDUCT_API_KEY: flags show in ps)."_s, u"key"_s},
                {u"topic"_s, u"topic"_s, u"AQUEDUCT_TOPIC"_s, u"Pub/Sub topic (default events)."_s, u"name"_s},
                {u"subscription"_s, u"subscription"_s, u"AQUEDUCT_SUBSCRIPTION"_s, u"Pub/Sub subscription (default events-ingest)."_s, u"name"_s},
                {u"deadLetterTopic"_s, u"dead-letter-topic"_s, u"AQUEDUCT_DEAD_LETTER_TOPIC"_s, u"Dead-letter topic (default events-dead-letter)."_s, u"name"_s},
                {u"dataset"_s, u"dataset"_s, u"AQUEDUCT_DATASET"_s, u"BigQuery dataset (default analytics)."_s, u"name"_s},
                {u"table"_s, u"table"_s, u"AQUEDUCT_TABLE"_s, u"BigQuery table (default events)."_s, u"name"_s},
                {u"errorTable"_s, u"error-table"_s, u"AQUEDUCT_ERROR_TABLE"_s, u"Error table (default events_error_records)."_s, u"name"_s},
                {u"keyColumn"_s, u"key-column"_s, u"AQUEDUCT_KEY_COLUMN"_s, u"The table's key column (default event_id)."_s, u"column"_s},
                {u"schema"_s, u"schema"_s, u"AQUEDUCT_SCHEMA"_s, u"BigQuery schema JSON file for the table."_s, u"file"_s},
            };
            return all;
        }

        // AQUEDUCT_* variables read elsewhere (serve), so not unknown.
        const QStringList &otherKnownVariables()
        {
            static const QStringList names {u"AQUEDUCT_CONFIG"_s, u"AQUEDUCT_LISTEN"_s, u"AQUEDUCT_API_KEYS"_s, u"AQUEDUCT_LOG_FORMAT"_s,
                                            u"AQUEDUCT_DURABILITY"_s, u"AQUEDUCT_DEDUP_WINDOW"_s};
            return names;
        }

        std::optional<Backend> parseBackend(const QString &text)
        {
            const QString name = text.trimmed().toLower();
            if (name == u"local"_s)
                return Backend::Local;
            if (name == u"emulator"_s)
                return Backend::Emulator;
            if (name == u"gcp"_s || name == u"google"_s)
                return Backend::Gcp;
            return std::nullopt;
        }

        // A value and where it came from.
        struct Found
        {
            QString value;
            QString source;
            bool isSet() const { return !source.isEmpty(); }
        };

        class Lookup
        {
        public:
            Lookup(const ProfileInputs &inputs, QHash<QString, QString> config, QString configPath)
                : m_inputs {inputs}, m_config {std::move(config)}, m_configPath {std::move(configPath)}
            {
            }

            // Command line > environment > config file.
            Found find(const Setting &setting) const
            {
                if (m_inputs.options.contains(setting.option))
                    return {m_inputs.options.value(setting.option), u"--"_s + setting.option};
                if (!setting.environment.isEmpty() && m_inputs.environment.contains(setting.environment))
                    return {m_inputs.environment.value(setting.environment), setting.environment};
                if (m_config.contains(setting.key))
                    return {m_config.value(setting.key), u"%1 in %2"_s.arg(setting.key, m_configPath)};
                return {};
            }

            Found find(const QString &key) const
            {
                for (const Setting &setting : settings()) {
                    if (setting.key == key)
                        return find(setting);
                }
                Q_UNREACHABLE();
            }

            Found environment(const QString &name) const
            {
                if (m_inputs.environment.contains(name) && !m_inputs.environment.value(name).isEmpty())
                    return {m_inputs.environment.value(name), name};
                return {};
            }

        private:
            const ProfileInputs &m_inputs;
            QHash<QString, QString> m_config;
            QString m_configPath;
        };

        Result<QHash<QString, QString>> readConfigFile(const QString &path)
        {
            const QFileInfo info(path);
            if (!info.exists())
                return ApiError::invalidArgument(u"config file %1 does not exist"_s.arg(path));
            if (!info.isReadable() || info.isDir())
                return ApiError::invalidArgument(u"config file %1 cannot be read"_s.arg(path));
            QSettings file(path, QSettings::IniFormat);
            if (file.status() != QSettings::NoError)
                return ApiError::invalidArgument(u"config file %1 is not a valid INI file"_s.arg(path));
            QHash<QString, QString> values;
            QStringList known;
            for (const Setting &setting : settings())
                known.append(setting.key);
            for (const QString &key : file.allKeys()) {
                if (key == u"apiKey"_s) {
                    return ApiError::invalidArgument(
                        u"config file %1 holds an API key; keep secrets out of config files and set AQUEDUCT_API_KEY instead"_s.arg(path));
                }
                if (!known.contains(key))
                    return ApiError::invalidArgument(u"config file %1 has an unknown key \"%2\"; known keys: %3"_s.arg(path, key, known.join(u", "_s)));
                values.insert(key, file.value(key).toString());
            }
            return values;
        }

        bool isValidPubSubName(const QString &name)
        {
            static const QRegularExpression pattern(u"^[A-Za-z][A-Za-z0-9\\-_.~+%]{2,254}$"_s);
            return pattern.match(name).hasMatch() && !name.startsWith(u"goog"_s);
        }

        bool isValidBigQueryName(const QString &name)
        {
            static const QRegularExpression pattern(u"^[A-Za-z0-9_]{1,1024}$"_s);
            return pattern.match(name).hasMatch();
        }
    }

    QString backendName(Backend backend)
    {
        switch (backend) {
        case Backend::Local: return u"local"_s;
        case Backend::Emulator: return u"emulator"_s;
        case Backend::Gcp: return u"gcp"_s;
        }
        return {};
    }

    QString Profile::describe() const
    {
        const auto one = [this](const ServiceLocation &service) {
            switch (service.backend) {
            case Backend::Local: return u"local cloud (%1)"_s.arg(dataDir);
            case Backend::Emulator: return u"emulator %1"_s.arg(service.endpoint.toString());
            case Backend::Gcp: return u"Google Cloud %1"_s.arg(service.endpoint.toString());
            }
            return QString();
        };
        const QString pubsubText = one(pubsub);
        const QString bigqueryText = one(bigquery);
        const QString where = !usesBigQuery()           ? u"Pub/Sub: %1"_s.arg(pubsubText)
                              : pubsubText == bigqueryText ? pubsubText
                                                           : u"Pub/Sub: %1; BigQuery: %2"_s.arg(pubsubText, bigqueryText);
        return u"%1, project %2"_s.arg(where, project.isEmpty() ? u"(from the credentials)"_s : project);
    }

    QHash<QString, QString> ProfileInputs::processEnvironment()
    {
        QHash<QString, QString> values;
        const QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        for (const QString &name : environment.keys())
            values.insert(name, environment.value(name));
        return values;
    }

    void addProfileOptions(QCommandLineParser &parser, const QStringList &except)
    {
        for (const Setting &setting : settings()) {
            if (except.contains(setting.option))
                continue;
            const QString envNote = setting.environment.isEmpty() ? QString() : u" [env %1]"_s.arg(setting.environment);
            parser.addOption(QCommandLineOption(setting.option, setting.description + envNote, setting.valueName));
        }
        parser.addOption(QCommandLineOption(u"config"_s, u"INI file with the same keys as the settings [env AQUEDUCT_CONFIG]."_s, u"file"_s));
    }

    QHash<QString, QString> profileOptionValues(const QCommandLineParser &parser, const QStringList &except)
    {
        QHash<QString, QString> values;
        for (const Setting &setting : settings()) {
            if (!except.contains(setting.option) && parser.isSet(setting.option))
                values.insert(setting.option, parser.value(setting.option));
        }
        if (parser.isSet(u"config"_s))
            values.insert(u"config"_s, parser.value(u"config"_s));
        return values;
    }

    QStringList profileSettingKeys()
    {
        QStringList keys;
        for (const Setting &setting : settings())
            keys.append(setting.key);
        return keys;
    }

    QString profileSettingOption(const QString &key)
    {
        for (const Setting &setting : settings()) {
            if (setting.key == key)
                return setting.option;
        }
        return {};
    }

    QString defaultDataDir()
    {
        const QString base = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
        return QDir(base.isEmpty() ? QDir::homePath() + u"/.local/share"_s : base).filePath(u"aqueduct"_s);
    }

    Result<QUrl> parseEndpoint(const QString &text, const QString &source)
    {
        QString trimmed = text.trimmed();
        if (trimmed.isEmpty())
            return ApiError::invalidArgument(u"%1 is empty; give host:port or a URL such as http://127.0.0.1:8085"_s.arg(source));
        if (!trimmed.contains(u"://"_s))
            trimmed.prepend(u"http://"_s);   // emulator variables are host:port
        const QUrl url(trimmed, QUrl::StrictMode);
        if (!url.isValid() || url.host().isEmpty() || (url.scheme() != u"http"_s && url.scheme() != u"https"_s))
            return ApiError::invalidArgument(u"%1 is not an http(s) endpoint: \"%2\""_s.arg(source, text));
        if (!url.path().isEmpty() && url.path() != u"/"_s)
            return ApiError::invalidArgument(u"%1 should be a scheme, host and port without a path: \"%2\""_s.arg(source, text));
        return url.adjusted(QUrl::RemovePath);
    }

    Result<Profile> resolveProfile(const ProfileInputs &inputs)
    {
        QHash<QString, QString> config;
        QString configPath = inputs.options.value(u"config"_s, inputs.environment.value(u"AQUEDUCT_CONFIG"_s));
        if (!configPath.isEmpty()) {
            Result<QHash<QString, QString>> read = readConfigFile(configPath);
            if (!read)
                return read.error();
            config = std::move(*read);
        }
        const Lookup lookup(inputs, std::move(config), configPath);
        Profile profile;
        profile.services = inputs.services;

        for (auto it = inputs.environment.cbegin(); it != inputs.environment.cend(); ++it) {
            if (!it.key().startsWith(u"AQUEDUCT_"_s) || otherKnownVariables().contains(it.key()))
                continue;
            const bool known = std::any_of(settings().begin(), settings().end(), [&](const Setting &s) { return s.environment == it.key(); });
            if (!known)
                profile.warnings.append(u"the environment variable %1 is not one Aqueduct knows; it is ignored"_s.arg(it.key()));
        }

        // Backends: an explicit one applies to both services; without one, the emulator variables switch
        // their service to the emulator, as Google's client libraries do.
        const Found backend = lookup.find(u"backend"_s);
        const Found pubsubHost = lookup.environment(u"PUBSUB_EMULATOR_HOST"_s);
        const Found bigqueryHost = lookup.environment(u"BIGQUERY_EMULATOR_HOST"_s);
        if (backend.isSet()) {
            const std::optional<Backend> parsed = parseBackend(backend.value);
            if (!parsed)
                return ApiError::invalidArgument(u"%1: unknown backend \"%2\"; use local, emulator or gcp"_s.arg(backend.source, backend.value));
            profile.pubsub = {*parsed, {}, backend.source};
            profile.bigquery = {*parsed, {}, backend.source};
        } else {
            if (pubsubHost.isSet())
                profile.pubsub = {Backend::Emulator, {}, pubsubHost.source};
            if (bigqueryHost.isSet())
                profile.bigquery = {Backend::Emulator, {}, bigqueryHost.source};
        }
        // Then each service's own backend, over the common one (Pub/Sub on Google's emulator, BigQuery local).
        const std::array<std::pair<ServiceLocation *, Found>, 2> serviceBackends {{
            {&profile.pubsub, lookup.find(u"pubsubBackend"_s)},
            {&profile.bigquery, lookup.find(u"bigqueryBackend"_s)},
        }};
        for (const auto &[service, chosen] : serviceBackends) {
            if (!chosen.isSet())
                continue;
            const std::optional<Backend> parsed = parseBackend(chosen.value);
            if (!parsed)
                return ApiError::invalidArgument(u"%1: unknown backend \"%2\"; use local, emulator or gcp"_s.arg(chosen.source, chosen.value));
            *service = {*parsed, {}, chosen.source};
        }
        // An explicit backend that is not the emulator wins over the emulator variables, which are then ignored.
        const std::array<std::pair<ServiceLocation *, Found>, 2> emulatorHosts {{{&profile.pubsub, pubsubHost}, {&profile.bigquery, bigqueryHost}}};
        for (const auto &[service, host] : emulatorHosts) {
            if (!host.isSet())
                continue;
            if (service->backend == Backend::Emulator)
                service->source = host.source;
            else
                profile.warnings.append(u"%1 is ignored because %2 chose backend %3"_s.arg(host.source, service->source, backendName(service->backend)));
        }

        // Endpoints.
        struct EndpointSetting
        {
            ServiceLocation *service;
            QString key;
            Found emulatorHost;
            QString emulatorVariable;
            QUrl googleEndpoint;
            QString option;
        };
        const std::array<EndpointSetting, 2> endpoints {{
            {&profile.pubsub, u"pubsubEndpoint"_s, pubsubHost, u"PUBSUB_EMULATOR_HOST"_s, QUrl(u"https://pubsub.googleapis.com"_s), u"--pubsub-endpoint"_s},
            {&profile.bigquery, u"bigqueryEndpoint"_s, bigqueryHost, u"BIGQUERY_EMULATOR_HOST"_s, QUrl(u"https://bigquery.googleapis.com"_s), u"--bigquery-endpoint"_s},
        }};
        for (const EndpointSetting &endpoint : endpoints) {
            const Found override = lookup.find(endpoint.key);
            ServiceLocation &service = *endpoint.service;
            if (override.isSet()) {
                if (service.backend == Backend::Local) {
                    return ApiError::invalidArgument(u"%1 does not apply to the local backend, whose endpoint is the data folder's owner; "
                                                     "to use a server at that address, add --backend emulator"_s.arg(override.source));
                }
                Result<QUrl> url = parseEndpoint(override.value, override.source);
                if (!url)
                    return url.error();
                service.endpoint = *url;
                service.source = override.source;
            } else if (service.backend == Backend::Emulator) {
                if (!endpoint.emulatorHost.isSet() && &service == &profile.bigquery && !profile.usesBigQuery())
                    continue;
                if (!endpoint.emulatorHost.isSet()) {
                    return ApiError::invalidArgument(u"backend emulator needs an endpoint for %1: set %2 (host:port) or %3"_s
                                                         .arg(endpoint.key == u"pubsubEndpoint"_s ? u"Pub/Sub"_s : u"BigQuery"_s,
                                                              endpoint.emulatorVariable, endpoint.option));
                }
                Result<QUrl> url = parseEndpoint(endpoint.emulatorHost.value, endpoint.emulatorHost.source);
                if (!url)
                    return url.error();
                service.endpoint = *url;
            } else if (service.backend == Backend::Gcp) {
                service.endpoint = endpoint.googleEndpoint;
            }
        }

        // Credentials.
        const Found credentialsFile = lookup.find(u"credentialsFile"_s);
        if (credentialsFile.isSet()) {
            if (!profile.usesGcp())
                return ApiError::invalidArgument(u"%1 applies to backend gcp; this profile uses no Google Cloud service"_s.arg(credentialsFile.source));
            profile.credentialsFile = credentialsFile.value;
        }
        const Found apiKey = lookup.find(u"apiKey"_s);
        if (apiKey.isSet() && !apiKey.value.isEmpty()) {
            if (profile.pubsub.backend == Backend::Gcp && profile.bigquery.backend == Backend::Gcp) {
                return ApiError::invalidArgument(u"%1 is for Aqueduct servers (backends local and emulator); Google Cloud takes OAuth2 credentials"_s
                                                     .arg(apiKey.source));
            }
            profile.apiKey = apiKey.value.toUtf8();
            profile.apiKeySource = apiKey.source;
        }

        // The data folder.
        const Found dataDir = lookup.find(u"dataDir"_s);
        if (dataDir.isSet() && !profile.usesLocal())
            return ApiError::invalidArgument(u"%1 applies to the local backend; neither service uses it here"_s.arg(dataDir.source));
        profile.dataDir = dataDir.isSet() ? dataDir.value : defaultDataDir();

        // Project: explicit, then Google's variables, then (gcp) the credentials, then aqueduct-local.
        Found project = lookup.find(u"project"_s);
        for (const QString &name : {u"GOOGLE_CLOUD_PROJECT"_s, u"GCLOUD_PROJECT"_s})
            project = project.isSet() ? project : lookup.environment(name);
        if (!project.isSet() && profile.pubsub.backend == Backend::Emulator)
            project = lookup.environment(u"PUBSUB_PROJECT_ID"_s);
        if (project.isSet()) {
            static const QRegularExpression projectPattern(u"^[A-Za-z0-9][A-Za-z0-9._:\\-]{0,99}$"_s);
            if (!projectPattern.match(project.value).hasMatch())
                return ApiError::invalidArgument(u"%1: \"%2\" is not a project id"_s.arg(project.source, project.value));
            profile.project = project.value;
            profile.projectSource = project.source;
        } else if (!profile.usesGcp()) {
            profile.project = u"aqueduct-local"_s;
            profile.projectSource = u"the default"_s;
        }

        // Resource names.
        struct NameSetting
        {
            QString key;
            QString *field;
            bool pubsub;
        };
        const QList<NameSetting> names {
            {u"topic"_s, &profile.topic, true},         {u"subscription"_s, &profile.subscription, true},
            {u"deadLetterTopic"_s, &profile.deadLetterTopic, true}, {u"dataset"_s, &profile.dataset, false},
            {u"table"_s, &profile.table, false},        {u"errorTable"_s, &profile.errorTable, false},
            {u"keyColumn"_s, &profile.keyColumn, false},
        };
        for (const NameSetting &name : names) {
            const Found found = lookup.find(name.key);
            if (!found.isSet())
                continue;
            const bool valid = name.pubsub ? isValidPubSubName(found.value) : isValidBigQueryName(found.value);
            if (!valid) {
                return ApiError::invalidArgument(name.pubsub
                    ? u"%1: \"%2\" is not a Pub/Sub name (3 to 255 letters, digits and - _ . ~ + %, starting with a letter, not with goog)"_s.arg(found.source, found.value)
                    : u"%1: \"%2\" is not a BigQuery name (letters, digits and underscores)"_s.arg(found.source, found.value));
            }
            *name.field = found.value;
        }
        const Found schema = lookup.find(u"schema"_s);
        if (schema.isSet()) {
            if (!QFileInfo(schema.value).isFile())
                return ApiError::invalidArgument(u"%1: the schema file %2 does not exist"_s.arg(schema.source, schema.value));
            profile.schemaFile = schema.value;
        }
        return profile;
    }
}
