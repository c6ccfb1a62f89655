#pragma once

#include <chrono>

#include <QHostAddress>
#include <QStringList>

#include "core/common/result.h"
#include "core/config/profile.h"
#include "core/localcloud/localstore.h"
#include "core/pipeline/ingestsettings.h"
#include "core/server/access/authorization.h"
#include "core/server/access/corspolicy.h"
#include "core/server/access/logformat.h"

namespace Aq::Server
{
    // Exit codes of `serve` (documented in --help and the README).
    enum ExitCode
    {
        ExitOk = 0,
        ExitFailure = 1,        // a runtime failure: the store cannot be opened, the port is taken
        ExitUsage = 2,          // bad flags or values
        ExitFolderOwned = 3,    // another process owns the data folder
    };

    struct ServeOptions
    {
        QString backend = QStringLiteral("local");   // local, emulator, gcp, or mixed (one service each)
        Config::Profile profile;
        Pipeline::IngestSettings ingestSettings;
        QHostAddress host = QHostAddress::LocalHost;
        quint16 port = 8080;
        QString dataDir;
        LocalCloud::Durability durability = LocalCloud::Durability::Process;
        qint64 dedupWindowMicros = 10LL * 60 * 1000000;
        std::chrono::milliseconds cacheTtl {1000};
        AccessPolicy access;        // API keys and --public-probes
        CorsPolicy cors;
        QString tlsCertificateFile;
        QString tlsKeyFile;
        LogFormat logFormat = LogFormat::Text;
        bool ingest = true;
        bool verbose = false;
    };

    // `aqueduct serve` / `aqueduct-server serve`: the ingest pipeline and, over HTTP, the operator API and (when a
    // service is on the local backend) the local cloud's REST routes, until SIGTERM or SIGINT, which drain: /readyz
    // turns false, the pipeline finishes and acknowledges what it holds, requests in flight finish, exit 0.
    // `arguments` starts with the program name; "serve" may follow.
    int runServe(const QStringList &arguments);

    // Exposed for tests: the command line (then the environment) to options, or a usage error.
    Result<ServeOptions> parseServeOptions(const QStringList &arguments, QString *helpText = nullptr);
    Result<std::pair<QHostAddress, quint16>> parseListenAddress(const QString &text);
}
