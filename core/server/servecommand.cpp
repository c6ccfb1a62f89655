#include "core/server/servecommand.h"

#include <optional>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QLoggingCategory>

#include "core/common/timeutil.h"
#include "core/common/unixsignalwatcher.h"
#include "core/server/access/accesslog.h"
#include "core/server/servehost.h"

using namespace Qt::Literals::StringLiterals;

Q_LOGGING_CATEGORY(lcServe, "aq.server.serve")

namespace Aq::Server
{
    namespace
    {
        QString environment(const char *name)
        {
            return qEnvironmentVariable(name);
        }
    }

    Result<std::pair<QHostAddress, quint16>> parseListenAddress(const QString &text)
    {
        QString hostPart;
        QString portPart = text.trimmed();
        if (portPart.startsWith(u'[')) {
            const qsizetype close = portPart.indexOf(u']');
            if (close < 0)
                return ApiError::invalidArgument(u"--listen %1: an IPv6 address needs a closing ]."_s.arg(text));
            hostPart = portPart.mid(1, close - 1);
            portPart = portPart.mid(close + 1);
            if (!portPart.startsWith(u':'))
                return ApiError::invalidArgument(u"--listen %1: expected [ADDRESS]:PORT."_s.arg(text));
            portPart = portPart.mid(1);
        } else if (const qsizetype colon = portPart.lastIndexOf(u':'); colon >= 0) {
            hostPart = portPart.left(colon);
            portPart = portPart.mid(colon + 1);
        }
        bool ok = false;
        const uint port = portPart.toUInt(&ok);
        if (!ok || port > 65535)
            return ApiError::invalidArgument(u"--listen %1: the port must be a number from 0 to 65535 (HOST:PORT, e.g. 127.0.0.1:8080)."_s.arg(text));
        QHostAddress host = QHostAddress::LocalHost;
        if (hostPart == u"localhost"_s)
            host = QHostAddress::LocalHost;
        else if (!hostPart.isEmpty() && !host.setAddress(hostPart))
            return ApiError::invalidArgument(u"--listen %1: \"%2\" is not an IP address (use 127.0.0.1, 0.0.0.0, [::1] or localhost)."_s.arg(text, hostPart));
        return std::make_pair(host, quint16(port));
    }

    Result<ServeOptions> parseServeOptions(const QStringList &arguments, QString *helpText)
    {
        QCommandLineParser parser;
        parser.setApplicationDescription(
            u"Run the ingest pipeline and serve the operator HTTP API (/events, /data, /api/v1/{id}, /publish, /stats, /dead-letters, /metrics, /healthz, /readyz, /openapi.json) "
            "and, with backend=local, the embedded local cloud (Pub/Sub v1 and BigQuery v2 REST), until SIGTERM or SIGINT, which drain first.\n\n"
            "Exit codes: 0 stopped cleanly; 1 runtime failure (store or port); 2 bad flags; 3 the data folder is owned by another process."_s);
        parser.addHelpOption();
        // not addVersionOption(): it takes -v, which the design gives to --verbose
        const QCommandLineOption version(u"version"_s, u"Print the version and exit."_s);
        parser.addOption(version);
        parser.addPositionalArgument(u"serve"_s, u"The subcommand."_s, u"serve"_s);
        const QCommandLineOption listen(u"listen"_s, u"Address to listen on (env AQUEDUCT_LISTEN; default 127.0.0.1:8080; on Cloud Run 0.0.0.0:$PORT)."_s, u"host:port"_s);
        const QCommandLineOption noIngest(u"no-ingest"_s, u"Serve without running the ingest pipeline."_s);
        const QCommandLineOption noCreate(u"no-create"_s, u"Do not create missing topics, subscriptions, dataset or tables: fail and name them."_s);
        const QCommandLineOption durability(u"durability"_s, u"process: survive kill -9 (default); full: also survive power loss (env AQUEDUCT_DURABILITY)."_s, u"process|full"_s);
        const QCommandLineOption dedupWindow(u"dedup-window"_s, u"How long the local cloud remembers insertIds (default 10m; env AQUEDUCT_DEDUP_WINDOW)."_s, u"duration"_s);
        const QCommandLineOption cacheTtl(u"cache-ttl"_s, u"How long a cached /events first page or /api/v1/{id} answer is served before it is refreshed "
                                                          "(default 1s; 0 turns the cache off; env AQUEDUCT_CACHE_TTL)."_s, u"duration"_s);
        const QCommandLineOption allowLocal(u"allow-local"_s, u"On Cloud Run (K_SERVICE set), allow the local backend anyway."_s);
        const QCommandLineOption verbose(QStringList {u"v"_s, u"verbose"_s}, u"Log debug messages."_s);
        const QCommandLineOption concurrentPulls(u"concurrent-pulls"_s, u"Pulls the pipeline keeps open at once (default 2)."_s, u"n"_s, u"2"_s);
        const QCommandLineOption maxOutstanding(u"max-outstanding"_s, u"Flow control: messages pulled and not yet acknowledged, at most (default 5000)."_s,
                                                u"n"_s, u"5000"_s);
        const QCommandLineOption maxOutstandingBytes(u"max-outstanding-bytes"_s, u"Flow control: their bytes, at most (default 100 MiB)."_s,
                                                     u"bytes"_s, QString::number(100 * 1024 * 1024));
        const QCommandLineOption unknownFields(u"unknown-fields"_s, u"Message fields the table has no column for: ignore (default) or reject "
                                                                     "(the message goes to the error table)."_s, u"ignore|reject"_s, u"ignore"_s);
        const QCommandLineOption apiKey(u"api-key"_s, u"Accept this API key (repeatable; read:KEY for a read-only key, a bare KEY is admin). A key here shows "
                                                      "in ps: prefer --api-keys-file or AQUEDUCT_API_KEYS."_s, u"key"_s);
        const QCommandLineOption apiKeysFile(u"api-keys-file"_s, u"Accept the API keys in this file: one [read:|admin:]KEY a line, # comments "
                                                                 "(env AQUEDUCT_API_KEYS_FILE; AQUEDUCT_API_KEYS holds keys themselves)."_s, u"file"_s);
        const QCommandLineOption publicProbes(u"public-probes"_s, u"Serve /metrics and /readyz without a key, for scrapers and load balancers."_s);
        const QCommandLineOption tlsCert(u"tls-cert"_s, u"Serve HTTPS with this PEM certificate chain (with --tls-key)."_s, u"file"_s);
        const QCommandLineOption tlsKey(u"tls-key"_s, u"The PEM private key of --tls-cert (unencrypted)."_s, u"file"_s);
        const QCommandLineOption corsOrigin(u"cors-origin"_s, u"Let browser pages from this origin call the API (repeatable, or *; env AQUEDUCT_CORS_ORIGINS, "
                                                              "comma-separated). CORS is off without it."_s, u"origin"_s);
        const QCommandLineOption logFormat(u"log-format"_s, u"text (default) or json: one JSON object a line with Cloud Logging's fields, and an access log "
                                                            "entry (httpRequest) per request (env AQUEDUCT_LOG_FORMAT)."_s, u"text|json"_s);
        parser.addOptions({apiKey, apiKeysFile, publicProbes, tlsCert, tlsKey, corsOrigin, logFormat});
        parser.addOptions({listen, noIngest, noCreate, concurrentPulls, maxOutstanding, maxOutstandingBytes, unknownFields, durability, dedupWindow,
                           cacheTtl, allowLocal, verbose});
        // --api-key means an accepted key on serve (the operator API's keys), not a key to send.
        const QStringList notFromProfile {u"api-key"_s};
        Config::addProfileOptions(parser, notFromProfile);
        if (helpText)
            *helpText = parser.helpText();
        if (!parser.parse(arguments))
            return ApiError::invalidArgument(parser.errorText() + u"\nRun with --help to see the flags."_s);
        if (parser.isSet(u"help"_s) || parser.isSet(u"version"_s))
            return ApiError::invalidArgument(parser.isSet(u"help"_s) ? u"help"_s : u"version"_s, u"help"_s);
        const QStringList positional = parser.positionalArguments();
        if (positional.size() > 1 || (positional.size() == 1 && positional[0] != u"serve"_s))
            return ApiError::invalidArgument(u"Unexpected argument \"%1\". Usage: serve [flags]; see --help."_s.arg(positional.join(u' ')));

        ServeOptions options;
        Result<Config::Profile> profile = Config::resolveProfile({Config::profileOptionValues(parser, notFromProfile), Config::ProfileInputs::processEnvironment()});
        if (!profile)
            return profile.error();
        options.profile = *profile;
        options.profile.dataDir = QDir(options.profile.dataDir).absolutePath();
        options.dataDir = options.profile.dataDir;
        options.backend = options.profile.pubsub.backend == options.profile.bigquery.backend ? Config::backendName(options.profile.pubsub.backend)
                                                                                              : u"mixed"_s;
        const bool onCloudRun = !environment("K_SERVICE").isEmpty();
        if (onCloudRun && options.profile.usesLocal() && !parser.isSet(allowLocal))
            return ApiError::invalidArgument(u"Refusing backend=local on Cloud Run (K_SERVICE is set): an instance's disk is not a database. Pass --allow-local to do it anyway."_s);

        Pipeline::IngestSettings &ingest = options.ingestSettings;
        ingest.topic = options.profile.topic;
        ingest.subscription = options.profile.subscription;
        ingest.deadLetterTopic = options.profile.deadLetterTopic;
        ingest.dataset = options.profile.dataset;
        ingest.table = options.profile.table;
        ingest.errorTable = options.profile.errorTable;
        ingest.conversion.keyColumn = options.profile.keyColumn;
        ingest.createMissing = !parser.isSet(noCreate);
        const auto positive = [&parser](const QCommandLineOption &option, qint64 max) -> Result<qint64> {
            bool ok = false;
            const qint64 value = parser.value(option).toLongLong(&ok);
            if (!ok || value < 1 || value > max)
                return ApiError::invalidArgument(u"--%1 %2: expected a whole number from 1 to %3."_s.arg(option.names().constFirst(), parser.value(option)).arg(max));
            return value;
        };
        const Result<qint64> pulls = positive(concurrentPulls, 64);
        const Result<qint64> outstanding = positive(maxOutstanding, 1000000);
        const Result<qint64> outstandingBytes = positive(maxOutstandingBytes, qint64(16) << 30);
        for (const Result<qint64> *value : {&pulls, &outstanding, &outstandingBytes}) {
            if (!*value)
                return value->error();
        }
        ingest.subscriber.concurrentPulls = int(*pulls);
        ingest.subscriber.maxOutstandingMessages = int(*outstanding);
        ingest.subscriber.maxOutstandingBytes = *outstandingBytes;
        const QString unknown = parser.value(unknownFields).toLower();
        if (unknown != u"ignore"_s && unknown != u"reject"_s)
            return ApiError::invalidArgument(u"--unknown-fields %1: expected ignore or reject."_s.arg(parser.value(unknownFields)));
        ingest.conversion.unknownFields = unknown == u"reject"_s ? Pipeline::UnknownFields::Reject : Pipeline::UnknownFields::Ignore;
        // On Google Cloud for cost; on the local cloud the same options index timestamp and event_type, which is what
        // /events reads by.
        ingest.partitionAndCluster = options.profile.bigquery.backend != Config::Backend::Emulator;
        if (!options.profile.schemaFile.isEmpty()) {
            Result<BigQuery::TableSchema> schema = BigQuery::readSchemaFile(options.profile.schemaFile);
            if (!schema)
                return schema.error();
            ingest.schema = *schema;
        }

        QString listenText = parser.isSet(listen) ? parser.value(listen) : environment("AQUEDUCT_LISTEN");
        if (listenText.isEmpty() && onCloudRun)
            listenText = u"0.0.0.0:"_s + (environment("PORT").isEmpty() ? u"8080"_s : environment("PORT"));
        if (!listenText.isEmpty()) {
            Result<std::pair<QHostAddress, quint16>> address = parseListenAddress(listenText);
            if (!address)
                return address.error();
            options.host = address->first;
            options.port = address->second;
        }

        const QString durabilityText = parser.isSet(durability) ? parser.value(durability) : environment("AQUEDUCT_DURABILITY");
        if (durabilityText == u"full"_s)
            options.durability = LocalCloud::Durability::Full;
        else if (durabilityText.isEmpty() || durabilityText == u"process"_s)
            options.durability = LocalCloud::Durability::Process;
        else
            return ApiError::invalidArgument(u"--durability %1: expected process or full."_s.arg(durabilityText));

        const QString windowText = parser.isSet(dedupWindow) ? parser.value(dedupWindow) : environment("AQUEDUCT_DEDUP_WINDOW");
        if (!windowText.isEmpty()) {
            const std::optional<qint64> window = Time::parseHumanDuration(windowText);
            if (!window || *window < 1000000)
                return ApiError::invalidArgument(u"--dedup-window %1: expected a duration of at least 1s, such as 90s, 10m or 1h."_s.arg(windowText));
            options.dedupWindowMicros = *window;
        }
        const QString ttlText = parser.isSet(cacheTtl) ? parser.value(cacheTtl) : environment("AQUEDUCT_CACHE_TTL");
        if (!ttlText.isEmpty()) {
            const std::optional<qint64> ttl = ttlText == u"0"_s ? std::optional<qint64>(0) : Time::parseHumanDuration(ttlText);
            if (!ttl || *ttl < 0 || *ttl > 3600LL * 1000000)
                return ApiError::invalidArgument(u"--cache-ttl %1: expected a duration from 0 to 1h, such as 500ms, 1s or 30s."_s.arg(ttlText));
            options.cacheTtl = std::chrono::milliseconds(*ttl / 1000);
        }
        Result<ApiKeyRing> keys = ApiKeyRing::load(parser.values(apiKey),
                                                   parser.isSet(apiKeysFile) ? parser.value(apiKeysFile) : environment("AQUEDUCT_API_KEYS_FILE"),
                                                   environment("AQUEDUCT_API_KEYS"));
        if (!keys)
            return keys.error();
        options.access.keys = std::move(*keys);
        options.access.publicProbes = parser.isSet(publicProbes);
        if (parser.isSet(publicProbes) && options.access.keys.isEmpty())
            return ApiError::invalidArgument(u"--public-probes opens /metrics and /readyz among routes that need a key, but no API key is configured; "
                                             "give keys (--api-keys-file, AQUEDUCT_API_KEYS) or drop the flag."_s);
        if (parser.isSet(tlsCert) != parser.isSet(tlsKey))
            return ApiError::invalidArgument(u"--tls-cert and --tls-key go together: give both, or neither."_s);
        options.tlsCertificateFile = parser.value(tlsCert);
        options.tlsKeyFile = parser.value(tlsKey);
        QStringList origins = parser.values(corsOrigin);
        if (origins.isEmpty() && !environment("AQUEDUCT_CORS_ORIGINS").isEmpty())
            origins = environment("AQUEDUCT_CORS_ORIGINS").split(u',', Qt::SkipEmptyParts);
        for (QString &origin : origins)
            origin = origin.trimmed();
        Result<CorsPolicy> cors = CorsPolicy::fromOrigins(origins);
        if (!cors)
            return cors.error();
        options.cors = *cors;
        const QString formatText = parser.isSet(logFormat) ? parser.value(logFormat) : environment("AQUEDUCT_LOG_FORMAT");
        if (!formatText.isEmpty()) {
            Result<LogFormat> format = parseLogFormat(formatText);
            if (!format)
                return format.error();
            options.logFormat = *format;
        }
        options.ingest = !parser.isSet(noIngest);
        options.verbose = parser.isSet(verbose);
        return options;
    }

    int runServe(const QStringList &arguments)
    {
        QString help;
        Result<ServeOptions> parsed = parseServeOptions(arguments, &help);
        if (!parsed) {
            if (parsed.error().reason == u"help"_s) {
                if (parsed.error().message == u"help"_s)
                    fputs(qPrintable(help), stdout);
                else
                    fprintf(stdout, "%s %s\n", qPrintable(QCoreApplication::applicationName()), AQ_VERSION);
                return ExitOk;
            }
            fprintf(stderr, "%s: %s\n", qPrintable(QCoreApplication::applicationName()), qPrintable(parsed.error().message));
            return ExitUsage;
        }
        const ServeOptions &options = *parsed;
        installLogFormat(options.logFormat);
        if (options.verbose)
            QLoggingCategory::setFilterRules(u"aq.*.debug=true"_s);
        // One entry a request: with JSON logs (Cloud Logging's httpRequest), or with --verbose.
        setAccessLogEnabled(options.logFormat == LogFormat::Json || options.verbose);
        const QString program = QCoreApplication::applicationName();

        ServeHost host(options);
        if (const std::optional<ServeHost::StartFailure> failure = host.start()) {
            fprintf(stderr, "%s: %s\n", qPrintable(program), qPrintable(failure->message));
            return failure->exitCode;
        }
        if (host.hostsLocalCloud())
            fprintf(stderr, "%s: serving the local cloud on %s (data folder %s)\n", qPrintable(program), qPrintable(host.endpoint().toString()),
                    qPrintable(QDir::toNativeSeparators(options.dataDir)));
        else
            fprintf(stderr, "%s: serving on %s\n", qPrintable(program), qPrintable(host.endpoint().toString()));
        fflush(stderr);

        int exitCode = ExitOk;
        QObject::connect(&host, &ServeHost::pipelineStarted, &host, [&](const QString &description) {
            fprintf(stderr, "%s: ingesting subscription %s into table %s.%s (%s)\n", qPrintable(program), qPrintable(options.ingestSettings.subscription),
                    qPrintable(options.ingestSettings.dataset), qPrintable(options.ingestSettings.table), qPrintable(description));
            fflush(stderr);
        });
        QObject::connect(&host, &ServeHost::pipelineFailed, &host, [&](const QString &message) {
            fprintf(stderr, "%s: the ingest pipeline cannot start: %s\n", qPrintable(program), qPrintable(message));
            exitCode = ExitFailure;
            QCoreApplication::quit();
        });
        QObject::connect(&host, &ServeHost::finished, &host, [] { QCoreApplication::quit(); });

        UnixSignalWatcher signalWatcher;
        QObject::connect(&signalWatcher, &UnixSignalWatcher::terminationRequested, &host, [&](int signalNumber) {
            qCInfo(lcServe) << "signal" << signalNumber << "received: draining and shutting down";
            host.drain();
        });
        const int loopCode = QCoreApplication::exec();
        return loopCode != 0 ? ExitFailure : exitCode;
    }
}
