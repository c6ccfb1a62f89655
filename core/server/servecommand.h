#pragma once

#include <QHostAddress>
#include <QStringList>

#include "core/common/result.h"
#include "core/localcloud/localstore.h"

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
        QString backend = QStringLiteral("local");
        QHostAddress host = QHostAddress::LocalHost;
        quint16 port = 8080;
        QString dataDir;
        LocalCloud::Durability durability = LocalCloud::Durability::Process;
        qint64 dedupWindowMicros = 10LL * 60 * 1000000;
        bool ingest = true;
        bool verbose = false;
    };

    // `aqueduct serve` / `aqueduct-server serve`: the local cloud's REST routes and /healthz over HTTP,
    // until SIGTERM or SIGINT. `arguments` starts with the program name; "serve" may follow.
    int runServe(const QStringList &arguments);

    // Exposed for tests: the command line (then the environment) to options, or a usage error.
    Result<ServeOptions> parseServeOptions(const QStringList &arguments, QString *helpText = nullptr);
    Result<std::pair<QHostAddress, quint16>> parseListenAddress(const QString &text);
    QString defaultDataDir();
}
