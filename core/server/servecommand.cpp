#include "core/server/servecommand.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QLoggingCategory>
#include <QStandardPaths>
#include <QThread>

#include "core/common/timeutil.h"
#include "core/common/unixsignalwatcher.h"
#include "core/localcloud/datafolderlock.h"
#include "core/localcloud/localcloud.h"
#include "core/server/http/httpresponse.h"
#include "core/server/http/httpserver.h"
#include "core/server/http/openfilelimit.h"
#include "core/server/localcloudroute.h"

using namespace Qt::Literals::StringLiterals;

Q_LOGGING_CATEGORY(lcServe, "aq.server.serve")

namespace Aq::Server
{
    namespace
    {
        // Flags the design names whose features are not built yet: refused, never accepted and ignored.
        struct FutureFlag
        {
            const char *name;
            const char *feature;
        };

        constexpr FutureFlag FUTURE_FLAGS[] = {
            {"project", "resource names (the profile)"},
            {"topic", "the ingest pipeline"},
            {"subscription", "the ingest pipeline"},
            {"dataset", "the ingest pipeline"},
            {"table", "the ingest pipeline"},
            {"error-table", "the ingest pipeline"},
            {"schema", "the ingest pipeline"},
            {"key-column", "the ingest pipeline"},
            {"no-create", "the ingest pipeline"},
            {"pubsub-endpoint", "the emulator and Google Cloud backends"},
            {"bigquery-endpoint", "the emulator and Google Cloud backends"},
            {"config", "configuration files"},
            {"api-key", "API keys"},
            {"api-keys-file", "API keys"},
            {"public-probes", "API keys"},
            {"tls-cert", "TLS"},
            {"tls-key", "TLS"},
            {"cors-origin", "CORS"},
            {"log-format", "structured logs"},
            {"cache-ttl", "the operator API's cache"},
        };

        QString environment(const char *name)
        {
            return qEnvironmentVariable(name);
        }
    }

    QString defaultDataDir()
    {
        const QString base = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
        return QDir(base.isEmpty() ? QDir::homePath() + u"/.local/share"_s : base).filePath(u"aqueduct"_s);
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
            u"Serve the embedded local cloud (Pub/Sub v1 and BigQuery v2 REST) and /healthz over HTTP until SIGTERM or SIGINT.\n\n"
            "Exit codes: 0 stopped cleanly; 1 runtime failure (store or port); 2 bad flags; 3 the data folder is owned by another process."_s);
        parser.addHelpOption();
        // not addVersionOption(): it takes -v, which the design gives to --verbose
        const QCommandLineOption version(u"version"_s, u"Print the version and exit."_s);
        parser.addOption(version);
        parser.addPositionalArgument(u"serve"_s, u"The subcommand."_s, u"serve"_s);
        const QCommandLineOption backend(u"backend"_s, u"Backend: local (the embedded local cloud; emulator and gcp come with the pipeline)."_s, u"local|emulator|gcp"_s, u"local"_s);
        const QCommandLineOption dataDir(u"data-dir"_s, u"Data folder of the local cloud (env AQUEDUCT_DATA_DIR; default %1)."_s.arg(defaultDataDir()), u"dir"_s);
        const QCommandLineOption listen(u"listen"_s, u"Address to listen on (env AQUEDUCT_LISTEN; default 127.0.0.1:8080; on Cloud Run 0.0.0.0:$PORT)."_s, u"host:port"_s);
        const QCommandLineOption noIngest(u"no-ingest"_s, u"Serve without running the ingest pipeline."_s);
        const QCommandLineOption durability(u"durability"_s, u"process: survive kill -9 (default); full: also survive power loss (env AQUEDUCT_DURABILITY)."_s, u"process|full"_s);
        const QCommandLineOption dedupWindow(u"dedup-window"_s, u"How long the local cloud remembers insertIds (default 10m; env AQUEDUCT_DEDUP_WINDOW)."_s, u"duration"_s);
        const QCommandLineOption allowLocal(u"allow-local"_s, u"On Cloud Run (K_SERVICE set), allow the local backend anyway."_s);
        const QCommandLineOption verbose(QStringList {u"v"_s, u"verbose"_s}, u"Log debug messages."_s);
        parser.addOptions({backend, dataDir, listen, noIngest, durability, dedupWindow, allowLocal, verbose});
        QList<QCommandLineOption> future;
        for (const FutureFlag &flag : FUTURE_FLAGS) {
            future.append(QCommandLineOption(QString::fromLatin1(flag.name), u"Not built yet: %1."_s.arg(QLatin1StringView(flag.feature)), u"value"_s));
            future.last().setFlags(QCommandLineOption::HiddenFromHelp);
        }
        parser.addOptions(future);
        if (helpText)
            *helpText = parser.helpText();
        if (!parser.parse(arguments))
            return ApiError::invalidArgument(parser.errorText() + u"\nRun with --help to see the flags."_s);
        if (parser.isSet(u"help"_s) || parser.isSet(u"version"_s))
            return ApiError::invalidArgument(parser.isSet(u"help"_s) ? u"help"_s : u"version"_s, u"help"_s);
        for (qsizetype i = 0; i < future.size(); ++i) {
            if (parser.isSet(future[i]))
                return ApiError::invalidArgument(u"--%1 is not built yet (%2 comes in a later release of Aqueduct); remove the flag."_s
                                                     .arg(QLatin1StringView(FUTURE_FLAGS[i].name), QLatin1StringView(FUTURE_FLAGS[i].feature)));
        }
        const QStringList positional = parser.positionalArguments();
        if (positional.size() > 1 || (positional.size() == 1 && positional[0] != u"serve"_s))
            return ApiError::invalidArgument(u"Unexpected argument \"%1\". Usage: serve [flags]; see --help."_s.arg(positional.join(u' ')));

        ServeOptions options;
        options.backend = parser.value(backend);
        if (options.backend != u"local"_s) {
            if (options.backend == u"emulator"_s || options.backend == u"gcp"_s)
                return ApiError::invalidArgument(u"--backend %1 is not built yet: serve runs the local cloud in this release. Use --backend local."_s.arg(options.backend));
            return ApiError::invalidArgument(u"--backend %1: expected local, emulator or gcp."_s.arg(options.backend));
        }
        const bool onCloudRun = !environment("K_SERVICE").isEmpty();
        if (onCloudRun && !parser.isSet(allowLocal))
            return ApiError::invalidArgument(u"Refusing backend=local on Cloud Run (K_SERVICE is set): an instance's disk is not a database. Pass --allow-local to do it anyway."_s);

        options.dataDir = parser.isSet(dataDir) ? parser.value(dataDir) : environment("AQUEDUCT_DATA_DIR");
        if (options.dataDir.isEmpty())
            options.dataDir = defaultDataDir();
        options.dataDir = QDir(options.dataDir).absolutePath();

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
        if (options.verbose)
            QLoggingCategory::setFilterRules(u"aq.*.debug=true"_s);
        if (options.ingest)
            qCInfo(lcServe) << "the ingest pipeline is not built yet; serving the local cloud only (as with --no-ingest)";

        Result<std::unique_ptr<LocalCloud::DataFolderLock>> lock = LocalCloud::DataFolderLock::acquire(options.dataDir);
        if (!lock) {
            fprintf(stderr, "%s: %s\n", qPrintable(QCoreApplication::applicationName()), qPrintable(lock.error().message));
            return ExitFolderOwned;
        }

        LocalCloud::LocalCloudOptions cloudOptions;
        cloudOptions.dataDir = options.dataDir;
        cloudOptions.durability = options.durability;
        cloudOptions.dedupWindowMicros = options.dedupWindowMicros;
        LocalCloud::LocalCloudHost cloudHost(cloudOptions);
        if (Status s = cloudHost.start(); !s) {
            fprintf(stderr, "%s: %s\n", qPrintable(QCoreApplication::applicationName()), qPrintable(s.error().message));
            return ExitFailure;
        }

        raiseOpenFileLimit();
        QThread httpThread;
        httpThread.setObjectName(u"http"_s);
        auto *server = new HttpServer;
        const LocalCloudRoute localCloudRoute(cloudHost.cloud());
        server->setHandler([localCloudRoute](const HttpRequest &request, HttpResponder responder) {
            if (request.path() == u"/healthz"_s) {
                responder.send(HttpResponse::json(200, QByteArrayLiteral("{\"status\":\"ok\"}")));
                return;
            }
            if (LocalCloudRoute::matches(request.path())) {
                localCloudRoute.handle(request, std::move(responder));
                return;
            }
            responder.send(HttpResponse::fromError(ApiError::notFound(u"No route for %1 %2."_s.arg(QString::fromLatin1(request.method()), request.path()))));
        });
        server->moveToThread(&httpThread);
        QObject::connect(&httpThread, &QThread::finished, server, &QObject::deleteLater);
        httpThread.start();
        bool listening = false;
        QString listenError;
        QMetaObject::invokeMethod(server, [&] {
            listening = server->listen(options.host, options.port);
            listenError = server->errorString();
        }, Qt::BlockingQueuedConnection);
        if (!listening) {
            fprintf(stderr, "%s: cannot listen on %s:%u: %s\n", qPrintable(QCoreApplication::applicationName()), qPrintable(options.host.toString()),
                    unsigned(options.port), qPrintable(listenError));
            httpThread.quit();
            httpThread.wait();
            return ExitFailure;
        }
        const QString hostText = options.host.protocol() == QAbstractSocket::IPv6Protocol ? u"[%1]"_s.arg(options.host.toString()) : options.host.toString();
        const QUrl endpoint(u"http://%1:%2"_s.arg(hostText).arg(server->serverPort()));
        if (Status s = (*lock)->setEndpoint(endpoint); !s)
            qCWarning(lcServe) << s.error().message;

        fprintf(stderr, "%s: serving the local cloud on %s (data folder %s)\n", qPrintable(QCoreApplication::applicationName()),
                qPrintable(endpoint.toString()), qPrintable(QDir::toNativeSeparators(options.dataDir)));
        fflush(stderr);

        UnixSignalWatcher signalWatcher;
        QObject::connect(&signalWatcher, &UnixSignalWatcher::terminationRequested, QCoreApplication::instance(), [](int signalNumber) {
            qCInfo(lcServe) << "signal" << signalNumber << "received: shutting down";
            QCoreApplication::quit();
        });
        const int code = QCoreApplication::exec();
        httpThread.quit();
        httpThread.wait();
        cloudHost.stop();
        return code == 0 ? ExitOk : ExitFailure;
    }
}
